//! The session a credential-using command asks for what it needs: its credentials (the
//! whole plan carried out: the profile's chain and the flags' hops), the endpoint of any
//! service, and the [`Caller`] that signs and sends. Everything that can be checked
//! without a request is checked when the session opens; a plan that needs no request
//! (keys from the environment or a profile) is carried out without a runtime.

use super::connection::{Connection, Trace};
use super::identity::{IdentityArgs, token_code, transitions, validate};
use super::settings::Settings;
use super::{CliError, Context, UsageError};
use crate::credentials::Credentials;
use crate::endpoints::{self, Endpoint, EndpointConfig, Service};
use crate::http::call::Caller;
use crate::http::client::redact_userinfo;
use crate::provider::execute::{self, Acquired, ExecuteError, Executor, SsoToken};
use crate::provider::plan::{Base, Hop, Plan, PlanError};
use crate::secret::SecretString;
use crate::services::imds::{self, ImdsConfig};

/// What [`Session::reach`] is asked for.
enum Goal<'g> {
    /// The plan's credentials.
    Plan,
    /// An SSO access token from this source, for this region.
    SsoToken(&'g crate::provider::plan::SsoTokenSource, Option<String>),
}

/// What [`Session::reach`] got.
enum Reached {
    /// The plan's credentials.
    Plan(Acquired),
    /// An SSO access token.
    SsoToken(SsoToken),
}

/// An opened session: the flags, the settings, the plan and the transport, checked.
pub struct Session<'a> {
    ctx: &'a Context<'a>,
    args: IdentityArgs,
    settings: Settings,
    plan: Plan,
    token_code: Option<SecretString>,
    connection: Connection<'a>,
}

impl<'a> Session<'a> {
    /// Reads the settings and makes the whole plan (the profile's chain, then the flags'
    /// hops), checking everything that needs no request: the flags against each other,
    /// the profile, every STS request against the STS model, `--token-code`, the retry
    /// and transport settings. Nothing is sent. With `--debug`, what was read and the
    /// plan are traced.
    pub fn open(args: &IdentityArgs, ctx: &'a Context<'a>) -> Result<Self, CliError> {
        validate(args)?;
        Self::open_checked(args, ctx, sso_flag_source(args))
    }

    /// A session whose only job is an SSO access token from `token` (`dumpconfig`): the
    /// flags were checked by the command; the plan is that token's SSO base.
    pub fn open_for_sso_token(
        args: &IdentityArgs,
        ctx: &'a Context<'a>,
        token: crate::provider::plan::SsoTokenSource,
    ) -> Result<Self, CliError> {
        let source = crate::provider::plan::SsoFlagSource {
            account_id: String::new(),
            role_name: String::new(),
            region: args
                .sso_region
                .clone()
                .filter(|r| !r.trim().is_empty())
                .map(|r| r.trim().to_owned()),
            token,
        };
        Self::open_checked(args, ctx, Some(source))
    }

    fn open_checked(
        args: &IdentityArgs,
        ctx: &'a Context<'a>,
        sso_source: Option<crate::provider::plan::SsoFlagSource>,
    ) -> Result<Self, CliError> {
        let sink = Connection::sink(args, ctx);
        let settings = Settings::resolve(args, ctx);
        if let Some(t) = &sink {
            settings.explain(ctx, t.as_ref());
        }
        if let Some(profile) = settings.profile() {
            for line in crate::config::look_alikes::warnings(&settings.profile_name, profile.keys())
            {
                (ctx.stderr)(&line);
            }
        }
        let plan = match sso_source {
            Some(source) => crate::provider::plan::sso_flags_plan(source),
            None => settings.plan(ctx)?,
        }
        .with_transitions(transitions(args));
        if let Some(t) = &sink {
            match &plan.base {
                // A session for a token alone (dumpconfig) has no role to name.
                Base::SsoFlags(source) if source.account_id.is_empty() => {
                    t(&format!("SSO access token: {}", source.token));
                }
                _ => t(&format!("credential plan: {plan}")),
            }
        }
        execute::preflight(&plan)?;
        let token_code = token_code(args)?;
        // Every MFA code the plan needs must be at hand before the first request: one
        // `--token-code` serves one device once, and without it there must be a terminal.
        let devices: Vec<&str> = plan.hops.iter().filter_map(Hop::mfa_serial).collect();
        match (&token_code, devices.as_slice()) {
            (Some(_), []) => return Err(UsageError::TokenCodeUnused.into()),
            (Some(_), [_, _, ..]) => {
                return Err(UsageError::TokenCodeForSeveral(
                    devices.iter().map(|d| (*d).to_owned()).collect(),
                )
                .into());
            }
            // Without a terminal, only when every hop that needs a code has its answer
            // in the role cache (a profile's hop, whose key is known before it runs).
            (None, [first, ..])
                if !ctx.can_prompt && !super::cache::mfa_hops_cached(args, &plan, ctx) =>
            {
                return Err(ExecuteError::NoMfaCode {
                    serial: (*first).to_owned(),
                    asked: false,
                }
                .into());
            }
            _ => {}
        }
        let connection = Connection::open(args, &settings, ctx, sink)?;
        Ok(Self {
            ctx,
            args: args.clone(),
            settings,
            plan,
            token_code,
            connection,
        })
    }

    /// The trace sink, when `--debug` asks for one.
    pub fn trace(&self) -> Option<Trace<'_>> {
        self.connection.trace()
    }

    /// The settings (profile, shared files).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, then
    /// the instance's (once [`Session::credentials`] has learnt it from IMDS).
    pub fn region(&self) -> Option<String> {
        self.settings.region(&self.args, self.ctx)
    }

    /// The caller: the one transport (built on first use), the retry policy, the clock,
    /// the trace. Make one per command and pass it to every call.
    pub fn caller(&self) -> Result<Caller<'_>, CliError> {
        self.connection.caller()
    }

    /// The endpoint of `service` for this session's region and settings
    /// (`--endpoint-url` applies to STS only), traced.
    pub fn endpoint(&self, service: Service) -> Result<Endpoint, CliError> {
        self.endpoint_in(service, self.region())
    }

    /// [`Session::endpoint`] for `region` (`None`: the service's default) rather than
    /// the session's.
    pub fn endpoint_in(
        &self,
        service: Service,
        region: Option<String>,
    ) -> Result<Endpoint, CliError> {
        // The profile's services section moves endpoints: one that could not be read all
        // is not passed over for AWS's own endpoint.
        if let Some(name) = self.settings.value("services") {
            let skipped: Vec<_> = self
                .settings
                .shared
                .skipped(&crate::config::Affects::Services(name.trim().to_owned()))
                .into_iter()
                .cloned()
                .collect();
            if !skipped.is_empty() {
                return Err(PlanError::Unreadable {
                    profile: self.settings.profile_name.clone(),
                    skipped,
                }
                .into());
            }
        }
        let profile = |key: &str| self.settings.value(key);
        let url = (service == Service::Sts)
            .then(|| self.args.endpoint_url.clone())
            .flatten();
        let config = EndpointConfig::gather(region, url, self.ctx.env, &profile);
        let services = |key: &str| {
            self.settings
                .shared
                .service_endpoint(&self.settings.profile_name, key)
        };
        let endpoint = endpoints::resolve(service, &config, self.ctx.env, &services)?;
        if let Some(t) = self.trace() {
            t(&format!(
                "{} endpoint {} (from {}, signing region {})",
                service.env_name(),
                redact_userinfo(&endpoint.url),
                endpoint.source,
                endpoint.signing_region
            ));
        }
        Ok(endpoint)
    }

    /// The credentials when the plan needs no request (keys from the environment or a
    /// profile, no hop): no runtime, no transport. `None` for any other plan.
    pub fn credentials_at_hand(&self) -> Option<Result<Credentials, CliError>> {
        execute::run_at_hand(&self.plan, self.ctx.env, self.ctx.clock.now(), self.trace())
            .map(|r| r.map_err(CliError::from))
    }

    /// The credentials at the end of the plan, carried out over `caller`. On EC2 (the
    /// credentials come from IMDS) with no region configured, the region is first
    /// learnt from IMDS. `interactive`: whether a `credential_process` may use the
    /// terminal (not while `runas` runs its program).
    pub async fn credentials_with(
        &self,
        caller: &Caller<'_>,
        interactive: bool,
    ) -> Result<Credentials, CliError> {
        self.acquire_with(caller, interactive)
            .await
            .map(|a| a.credentials)
    }

    /// [`Session::credentials_with`], with how the credentials were made (their last
    /// step and the ARN it answered with).
    pub async fn acquire_with(
        &self,
        caller: &Caller<'_>,
        interactive: bool,
    ) -> Result<Acquired, CliError> {
        match self.reach(caller, interactive, Goal::Plan).await? {
            Reached::Plan(acquired) => Ok(acquired),
            Reached::SsoToken(_) => Err(CliError::Runtime(std::io::Error::other(
                "an SSO token where credentials were asked for",
            ))),
        }
    }

    /// The SSO access token of a session opened with [`Session::open_for_sso_token`]
    /// (signed in, read or refreshed as its source says), with its region, start URL and
    /// portal endpoint.
    pub async fn sso_token(&self, caller: &Caller<'_>) -> Result<SsoToken, CliError> {
        let Base::SsoFlags(source) = &self.plan.base else {
            return Err(CliError::Runtime(std::io::Error::other(
                "not a session for an SSO token",
            )));
        };
        let goal = Goal::SsoToken(&source.token, source.region.clone());
        match self.reach(caller, self.ctx.interactive, goal).await? {
            Reached::SsoToken(token) => Ok(token),
            Reached::Plan(_) => Err(CliError::Runtime(std::io::Error::other(
                "credentials where an SSO token was asked for",
            ))),
        }
    }

    /// Carries out the plan, or gets the SSO token, with an executor set up for this
    /// session.
    async fn reach(
        &self,
        caller: &Caller<'_>,
        interactive: bool,
        goal: Goal<'_>,
    ) -> Result<Reached, CliError> {
        if matches!(self.plan.base, Base::Imds { .. }) && self.region().is_none() {
            self.learn_region(caller).await;
        }
        let endpoint = self.endpoint(Service::Sts)?;
        let role_cache = super::cache::role_cache_dir(&self.args, self.ctx);
        let mfa_code = |serial: &str| {
            self.token_code
                .as_ref()
                .map(|c| c.expose().to_owned())
                .or_else(|| (self.ctx.prompt)(&format!("MFA code for {serial}: ")))
        };
        let ui = super::sign_in::StderrUi::new(self.ctx, !self.args.no_browser);
        // Only when the terminal is ours: a renewal while `runas` runs its program
        // cannot sign in again.
        let kit = (interactive
            && matches!(
                &self.plan.base,
                Base::SsoFlags(crate::provider::plan::SsoFlagSource {
                    token: crate::provider::plan::SsoTokenSource::SignIn { .. },
                    ..
                })
            ))
        .then(|| crate::sso::login::SignInKit {
            ui: &ui,
            random: &super::sign_in::system_random,
            flow: super::sign_in::choose_flow(
                self.ctx,
                self.args.use_device_code,
                self.args.no_browser,
                self.args.listen_port,
            ),
            no_refresh_token: self.args.nrt,
        });
        let executor = Executor {
            caller,
            endpoint: &endpoint,
            shared: &self.settings.shared,
            env: self.ctx.env,
            mfa_code: &mfa_code,
            profile: self.settings.profile(),
            trace: self.trace(),
            interactive,
            sso_refresh: self.args.refresh.unwrap_or_default(),
            sign_in: kit.as_ref(),
            warn: Some(self.ctx.stderr),
            role_cache: role_cache.as_deref(),
        };
        Ok(match goal {
            Goal::Plan => Reached::Plan(executor.run_to_end(&self.plan).await?),
            Goal::SsoToken(source, region) => {
                Reached::SsoToken(executor.sso_token(source, region).await?)
            }
        })
    }

    /// [`Session::credentials_with`], the terminal as the context allows.
    pub async fn credentials(&self, caller: &Caller<'_>) -> Result<Credentials, CliError> {
        self.credentials_with(caller, self.ctx.interactive).await
    }

    /// The credentials, with a runtime and a transport only when the plan needs a
    /// request.
    pub fn acquire(&self) -> Result<Credentials, CliError> {
        if let Some(creds) = self.credentials_at_hand() {
            return creds;
        }
        super::block_on(async {
            let caller = self.caller()?;
            self.credentials(&caller).await
        })?
    }

    /// Asks IMDS for the instance's region (a failure leaves the region unknown).
    async fn learn_region(&self, caller: &Caller<'_>) {
        let profile = |k: &str| self.settings.value(k);
        let Some(config) = ImdsConfig::from_env(self.ctx.env, &profile) else {
            return;
        };
        if let Ok(region) = imds::region(caller, &config).await
            && !region.is_empty()
        {
            if let Some(t) = self.trace() {
                t(&format!(
                    "region {region} from the instance metadata service"
                ));
            }
            let _ = self.settings.imds_region.set(region);
        }
    }
}

/// The SSO role the flags name (`--sso-acct-id`, `--sso-role-name`), if any, with the
/// token source they name (checked by [`validate`] already).
fn sso_flag_source(args: &IdentityArgs) -> Option<crate::provider::plan::SsoFlagSource> {
    use crate::provider::plan::{SsoFlagSource, SsoTokenSource};
    let (account_id, role_name) = (args.sso_acct_id.clone()?, args.sso_role_name.clone()?);
    let token = if let Some(token) = &args.sso_access_token {
        SsoTokenSource::Given(token.clone())
    } else if let Some(file) = &args.accesstoken_cache {
        let path = file.strip_prefix("file://").unwrap_or(file);
        SsoTokenSource::File(std::path::PathBuf::from(path))
    } else {
        match &args.start_url {
            Some(start_url) => SsoTokenSource::SignIn {
                start_url: start_url.trim().to_owned(),
                store: args.use_cache,
            },
            None => SsoTokenSource::Cache,
        }
    };
    Some(SsoFlagSource {
        account_id: account_id.trim().to_owned(),
        role_name: role_name.trim().to_owned(),
        region: args
            .sso_region
            .clone()
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.trim().to_owned()),
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SystemClock;

    fn with_session<T>(
        vars: &[(&str, &str)],
        args: &IdentityArgs,
        f: impl FnOnce(Result<Session<'_>, CliError>) -> T,
    ) -> T {
        let env = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        let ctx = Context {
            env: &env,
            clock: &SystemClock,
            seed: 1,
            prompt: &|_| None,
            can_prompt: false,
            stderr: &|_| {},
            progress: None,
            interactive: false,
        };
        f(Session::open(args, &ctx))
    }

    const NO_FILES: [(&str, &str); 3] = [
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];

    #[test]
    fn keys_at_hand_need_no_runtime_and_hops_do() {
        let mut vars = NO_FILES.to_vec();
        vars.extend([
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let plain = IdentityArgs::default();
        let key = with_session(&vars, &plain, |s| {
            let s = s.unwrap();
            // No transport was built for it either.
            let key = s
                .credentials_at_hand()
                .map(|c| c.unwrap().access_key_id().to_owned());
            assert!(!s.connection.client_built());
            key
        });
        assert_eq!(key.as_deref(), Some("AKIAENV"));
        let role = IdentityArgs {
            assume_roles: Some("arn:aws:iam::1:role/r".into()),
            ..IdentityArgs::default()
        };
        assert!(with_session(&vars, &role, |s| s
            .unwrap()
            .credentials_at_hand()
            .is_none()));
    }

    #[test]
    fn a_token_code_no_hop_uses_is_refused_when_the_session_opens() {
        let mut vars = NO_FILES.to_vec();
        vars.extend([
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let args = IdentityArgs {
            token_code: Some(SecretString::new("123456")),
            ..IdentityArgs::default()
        };
        let err = with_session(&vars, &args, |s| s.err().map(|e| e.to_string()));
        assert_eq!(
            err.as_deref(),
            Some(
                "--token-code given, but no MFA device is used (--mfa-serial, or a profile's mfa_serial)"
            )
        );
    }
}
