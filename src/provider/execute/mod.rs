//! Runs a credential plan: gets the base credentials (environment, a profile's keys, a
//! `credential_process`, a web identity token, SSO, the container or instance) and
//! applies each hop (AssumeRole, GetSessionToken, GetFederationToken). MFA codes are
//! asked for here, and only here, as each hop that needs one comes.

mod error;
mod login;
mod requests;
mod sso_bases;

pub use error::{ExecuteError, Unavailable};
pub use login::{LoginFailure, cache_dir as login_cache_dir};
pub use requests::{
    DEFAULT_SESSION_NAME, MAX_CHAINED_SECONDS, federation_request, preflight, role_request,
    session_token_request, step, under_role_session, validate_hop, web_identity_request,
};
pub use sso_bases::SsoToken;

use super::plan::{Base, Hop, Plan};
use super::process;
use crate::config::{Affects, Section, SharedConfig};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::services::container::{self, ContainerConfig};
use crate::services::imds::{self, ImdsConfig, ImdsError};
use crate::services::sts;

/// A credential's expiry as a step line shows it.
fn expiry_text(creds: &Credentials) -> String {
    creds.expiration().map_or_else(
        || "never".to_owned(),
        |e| e.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// How the credentials at the end of a plan were made: the console's federation endpoint
/// takes a `SessionDuration` for a role's credentials, not for a role chain's (AWS
/// limits those to an hour), and takes no GetSessionToken credentials at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// The base's own credentials (no hop).
    Base,
    /// AssumeRole called with credentials that are not a role's (long-term keys, a
    /// session or federation token, keys of unknown origin from the environment).
    AssumedRole,
    /// AssumeRole called with a role's credentials: a role chain
    /// ([`under_role_session`]).
    RoleChain,
    /// GetSessionToken.
    SessionToken,
    /// GetFederationToken.
    FederationToken,
}

/// The credentials at the end of a plan, with how they were made.
#[derive(Debug, Clone)]
pub struct Acquired {
    /// The credentials.
    pub credentials: Credentials,
    /// What made them.
    pub provenance: Provenance,
    /// The ARN the last hop answered with (the assumed role, the federated user), if any.
    pub arn: Option<String>,
}

/// What executing a plan needs from its surroundings.
pub struct Executor<'e, 'c> {
    /// The caller (STS, SSO, IMDS and the container endpoint go through it).
    pub caller: &'e Caller<'c>,
    /// The STS endpoint.
    pub endpoint: &'e Endpoint,
    /// The shared files.
    pub shared: &'e SharedConfig,
    /// Environment variables.
    pub env: &'e dyn Fn(&str) -> Option<String>,
    /// The MFA code for a serial (`--token-code`, or asked on the terminal).
    pub mfa_code: &'e dyn Fn(&str) -> Option<String>,
    /// The selected profile (for its IMDS settings).
    pub profile: Option<&'e Section>,
    /// Where each step is told as it happens (`--debug`); never given a secret.
    pub trace: Option<&'e (dyn Fn(&str) + Sync)>,
    /// Whether a `credential_process` may use aws-login's stdin and terminal.
    pub interactive: bool,
    /// When to refresh a cached SSO token (`--refresh`).
    pub sso_refresh: super::sso_token::RefreshMode,
    /// How to sign in, for a plan that starts with `--start-url`.
    pub sign_in: Option<&'e crate::sso::login::SignInKit<'e>>,
    /// Where warnings the user must see go (stderr).
    pub warn: Option<&'e (dyn Fn(&str) + Sync)>,
    /// The AWS CLI's role cache folder (`~/.aws/cli/cache`), shared with it; `None`:
    /// nothing read or written (`--no-cache`, no home).
    pub role_cache: Option<&'e std::path::Path>,
}

/// The base credentials when they are at hand, without a request or a helper: keys
/// from the environment or (as read while planning) from a profile. `None` for every
/// other base.
pub fn at_hand(
    base: &Base,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Result<Credentials, ExecuteError>> {
    match base {
        Base::Environment | Base::StaticKeys { .. } => Some(keys(base, env)),
        _ => None,
    }
}

/// The keys of an environment or static-keys base.
fn keys(base: &Base, env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, ExecuteError> {
    match base {
        Base::StaticKeys { keys, .. } => Ok(keys.clone()),
        _ => super::from_env(env).ok_or(ExecuteError::EnvironmentKeysGone),
    }
}

/// Carries out a plan that needs no request ([`Plan::needs_no_request`]) without a
/// runtime: its credentials, refused when expired. `None` for any other plan.
pub fn run_at_hand(
    plan: &Plan,
    env: &dyn Fn(&str) -> Option<String>,
    now: chrono::DateTime<chrono::Utc>,
    trace: Option<&(dyn Fn(&str) + Sync)>,
) -> Option<Result<Credentials, ExecuteError>> {
    if !plan.needs_no_request() {
        return None;
    }
    if let Some(t) = trace {
        t(&format!("base: {}", plan.base));
    }
    let creds = match at_hand(&plan.base, env)? {
        Ok(creds) => creds,
        Err(e) => return Some(Err(e)),
    };
    Some(usable(&plan.base, creds, now, trace))
}

/// The base's credentials, refused when expired; their expiry traced.
fn usable(
    base: &Base,
    creds: Credentials,
    now: chrono::DateTime<chrono::Utc>,
    trace: Option<&(dyn Fn(&str) + Sync)>,
) -> Result<Credentials, ExecuteError> {
    if let Some(at) = creds.expiration().filter(|_| creds.is_expired(now)) {
        return Err(ExecuteError::Expired {
            source: base.to_string(),
            at,
        });
    }
    if let (Some(t), Some(_)) = (trace, creds.expiration()) {
        t(&format!(
            "base credentials expire at {}",
            expiry_text(&creds)
        ));
    }
    Ok(creds)
}

impl Executor<'_, '_> {
    async fn base(&self, base: &Base) -> Result<Credentials, ExecuteError> {
        match base {
            Base::Environment | Base::StaticKeys { .. } => keys(base, self.env),
            Base::Process { profile, command } => {
                let chain = process::Chain::from_env(self.env);
                chain
                    .check(profile, command, super::job::ancestors_like_me())
                    .map_err(ExecuteError::Process)?;
                let run_id = super::job::run_id();
                let options = process::Options {
                    timeout: process::timeout_from_env(self.env).map_err(ExecuteError::Process)?,
                    interactive: self.interactive,
                    env: vec![(
                        process::CHAIN_VARIABLE.to_owned(),
                        chain.child_value(profile, command, &run_id),
                    )],
                    run_id: Some(run_id),
                };
                process::run(command, &options)
                    .await
                    .map_err(ExecuteError::Process)
            }
            Base::WebIdentity {
                role_arn,
                token_file,
                session_name,
                ..
            } => {
                let token = std::fs::read_to_string(token_file).map_err(|source| {
                    ExecuteError::TokenFile {
                        path: token_file.clone(),
                        source,
                    }
                })?;
                let token = SecretString::new(token.trim());
                let call = || async {
                    let req = web_identity_request(role_arn, session_name.as_deref(), Some(&token));
                    sts::assume_role_with_web_identity(self.caller, self.endpoint, &req)
                        .await
                        .map(|r| (r.credentials, Some(r.arn)))
                        .map_err(|e| {
                            ExecuteError::call(format!("AssumeRoleWithWebIdentity {role_arn}"), e)
                        })
                };
                match self.role_cache {
                    // botocore's key (the role and its session name); the token's hash
                    // stands for the source, so a new token is a new answer.
                    Some(dir) => {
                        let key = crate::provider::role_cache::web_identity_key(
                            role_arn,
                            session_name.as_deref(),
                        );
                        let source = crate::provider::role_cache::token_source(&token);
                        self.through_cache(
                            &dir.join(format!("{key}.json")),
                            &source,
                            &format!("AssumeRoleWithWebIdentity {role_arn}"),
                            call,
                        )
                        .await
                        .map(|(creds, _)| creds)
                    }
                    None => call().await.map(|(creds, _)| creds),
                }
            }
            Base::Sso(source) => self.sso(source).await,
            Base::SsoFlags(source) => self.sso_flags(source).await,
            Base::LoginSession {
                session, region, ..
            } => self.login_session(session, region.as_deref()).await,
            Base::Container => {
                let config = ContainerConfig::from_env(self.env)
                    .map_err(ExecuteError::Container)?
                    .ok_or(ExecuteError::Unavailable(Unavailable::NoContainerEndpoint))?;
                container::credentials(self.caller, &config)
                    .await
                    .map_err(ExecuteError::Container)
            }
            Base::Imds { fallback } => {
                let profile = |k: &str| self.profile.and_then(|p| p.get(k)).map(str::to_owned);
                let Some(config) = ImdsConfig::from_env(self.env, &profile) else {
                    return Err(ExecuteError::Unavailable(Unavailable::ImdsDisabled));
                };
                let fallback = *fallback;
                imds::credentials(self.caller, &config)
                    .await
                    .map_err(|e| match (fallback, e) {
                        (true, e @ ImdsError::Unreachable(_)) => ExecuteError::NoCredentials {
                            imds: e,
                            skipped: self
                                .shared
                                .skipped(&Affects::Unknown)
                                .into_iter()
                                .cloned()
                                .collect(),
                        },
                        (_, e) => ExecuteError::Imds(e),
                    })
            }
        }
    }

    fn step(&self, line: &str) {
        if let Some(trace) = self.trace {
            trace(line);
        }
    }

    /// The MFA code for a hop that carries a device, trimmed; `None` for one that does not.
    fn mfa_code(&self, hop: &Hop) -> Result<Option<SecretString>, ExecuteError> {
        let Some(serial) = hop.mfa_serial() else {
            return Ok(None);
        };
        let code = (self.mfa_code)(serial).ok_or_else(|| ExecuteError::NoMfaCode {
            serial: serial.to_owned(),
            asked: true,
        })?;
        Ok(Some(SecretString::new(code.trim())))
    }

    /// One hop on top of `creds`: its request (checked again now that the MFA code is
    /// known) and the new credentials, traced.
    async fn hop(
        &self,
        hop: &Hop,
        creds: &Credentials,
        key: &str,
        starting: &str,
    ) -> Result<(Credentials, Option<String>), ExecuteError> {
        match self.role_cache {
            Some(dir) => {
                let path = dir.join(format!("{key}.json"));
                self.through_cache(&path, starting, &hop.to_string(), || {
                    self.call_hop(hop, creds)
                })
                .await
            }
            None => self.call_hop(hop, creds).await,
        }
    }

    /// `call` through the AWS CLI's cache ([`crate::provider::role_cache`]): a cached
    /// answer while it lasts (no MFA code asked, no request), else the call made under
    /// the cache file's lock (a process that waited uses the answer the other one wrote)
    /// and its answer written there for chains that started from `starting`. A cache
    /// that cannot be trusted, read, locked or written is passed by, never an error;
    /// `what` names the step in traces.
    async fn through_cache<F, Fut>(
        &self,
        path: &std::path::Path,
        starting: &str,
        what: &str,
        call: F,
    ) -> Result<(Credentials, Option<String>), ExecuteError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(Credentials, Option<String>), ExecuteError>>,
    {
        use crate::provider::role_cache;
        use std::os::unix::fs::DirBuilderExt as _;
        let cached = || {
            let text = role_cache::trusted_text(path)?;
            let found = role_cache::read(&text, Some(starting), self.caller.now());
            if found.is_none() {
                self.step(&format!(
                    "{} not used: not an answer, within 15 minutes of its end, or made for a chain that started elsewhere",
                    path.display()
                ));
            }
            found
        };
        let hit = |found: role_cache::CachedRole| {
            self.step(&format!(
                "{what} -> {} (from the cache {}, until {})",
                found.arn.as_deref().unwrap_or("credentials"),
                path.display(),
                crate::provider::sso_token_cache::document::format_time(found.expires_at)
            ));
            Ok((found.credentials, found.arn))
        };
        if let Some(found) = cached() {
            return hit(found);
        }
        let made = match path.parent() {
            Some(dir) => std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .and_then(|()| {
                    // A folder others may write is not one to keep credentials in.
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = std::fs::metadata(dir)?.permissions().mode();
                    if mode & 0o077 != 0 {
                        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
                    }
                    Ok(())
                }),
            None => Err(std::io::Error::other("no folder")),
        };
        let lock = match made {
            Ok(()) => crate::provider::sso_token_cache::lock::lock(
                path,
                std::time::Duration::from_secs(30),
                &crate::time::TokioSleep,
            )
            .await
            .ok(),
            Err(_) => None,
        };
        if lock.is_some()
            && let Some(found) = cached()
        {
            return hit(found);
        }
        let (made, arn) = call().await?;
        if made.expiration().is_some() {
            let text = role_cache::document(&made, arn.as_deref(), starting);
            match crate::private_file::write_private(path, text.expose().as_bytes()) {
                Ok(()) => self.step(&format!("cached in {}", path.display())),
                Err(e) => self.step(&format!("not cached ({}): {e}", path.display())),
            }
        }
        drop(lock);
        Ok((made, arn))
    }

    /// One hop made: the MFA code asked for (when the hop uses one), the request checked
    /// and sent.
    async fn call_hop(
        &self,
        hop: &Hop,
        creds: &Credentials,
    ) -> Result<(Credentials, Option<String>), ExecuteError> {
        let code = self.mfa_code(hop)?;
        validate_hop(hop, code.as_ref())?;
        let failed = |e| ExecuteError::call(step(hop), e);
        match hop {
            Hop::AssumeRole(role) => {
                let req = role_request(role, code.as_ref());
                let assumed = sts::assume_role(self.caller, self.endpoint, creds, &req)
                    .await
                    .map_err(failed)?;
                self.step(&format!("{hop} -> {}", assumed.arn));
                Ok((assumed.credentials, Some(assumed.arn)))
            }
            Hop::SessionToken(token) => {
                let req = session_token_request(token, code.as_ref());
                let session = sts::get_session_token(self.caller, self.endpoint, creds, &req)
                    .await
                    .map_err(failed)?;
                self.step(&format!(
                    "{hop} -> credentials expiring at {}",
                    expiry_text(&session)
                ));
                Ok((session, None))
            }
            Hop::FederationToken(federation) => {
                let arns: Vec<&str> = federation.policy_arns.iter().map(String::as_str).collect();
                let req = federation_request(federation, &arns);
                let token = sts::get_federation_token(self.caller, self.endpoint, creds, &req)
                    .await
                    .map_err(failed)?;
                self.step(&format!("{hop} -> {}", token.arn));
                Ok((token.credentials, Some(token.arn)))
            }
        }
    }

    /// Carries out the plan: the credentials at its end. Each step is traced as it
    /// happens, so a failure still shows the steps before it.
    pub async fn run(&self, plan: &Plan) -> Result<Credentials, ExecuteError> {
        self.run_to_end(plan).await.map(|a| a.credentials)
    }

    /// [`Executor::run`], with what the last step was (the console's federation
    /// endpoint treats role chains and session tokens apart).
    pub async fn run_to_end(&self, plan: &Plan) -> Result<Acquired, ExecuteError> {
        self.step(&format!("base: {}", plan.base));
        let mut creds = self.base(&plan.base).await?;
        // A source that can hand out newer credentials is asked once more when the ones it
        // gave are inside the refresh window; expired ones are never used.
        if creds.needs_refresh(self.caller.now()) && plan.base.can_refresh() {
            self.step(&format!(
                "{} gave credentials expiring at {}; asking again",
                plan.base,
                expiry_text(&creds)
            ));
            creds = self.base(&plan.base).await?;
        }
        let mut creds = usable(&plan.base, creds, self.caller.now(), self.trace)?;
        // Where the chain starts, and each hop's place in it, for the role cache.
        let starting = crate::provider::role_cache::starting_id(&plan.base, &creds);
        let mut chain = starting.clone();
        let mut under = plan.base.to_string();
        let mut provenance = Provenance::Base;
        let mut arn = None;
        for (i, hop) in plan.hops.iter().enumerate() {
            if hop.needs_long_term_keys() && creds.session_token().is_some() {
                return Err(ExecuteError::NeedsLongTermKeys {
                    step: step(hop),
                    under,
                });
            }
            provenance = match hop {
                Hop::AssumeRole(_) if under_role_session(plan, i) => Provenance::RoleChain,
                Hop::AssumeRole(_) => Provenance::AssumedRole,
                Hop::SessionToken(_) => Provenance::SessionToken,
                Hop::FederationToken(_) => Provenance::FederationToken,
            };
            let key = crate::provider::role_cache::hop_key(hop, &chain);
            let (next, next_arn) = self.hop(hop, &creds, &key, &starting).await?;
            chain = crate::provider::role_cache::chain_after(&chain, &key);
            creds = next;
            arn = next_arn;
            under = hop.to_string();
        }
        Ok(Acquired {
            credentials: creds,
            provenance,
            arn,
        })
    }
}
