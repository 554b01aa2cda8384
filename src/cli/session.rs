//! What a credential-using command settles before it sends anything, from its flags, the
//! environment and the shared files: the profile, the region, the starting credentials,
//! the transport (CA bundle, proxies, timeouts), the caller (clock, retries, jitter,
//! `--debug` trace) and the STS endpoint.

use std::time::Duration;

use super::identity::{IdentityArgs, IdentityError, acquire, preflight, validate};
use super::{CliError, Context};
use crate::config::{Section, SharedConfig, files};
use crate::credentials::Credentials;
use crate::endpoints::{self, Endpoint, EndpointConfig, Service};
use crate::http::call::Caller;
use crate::http::client::{HttpClient, ProxyConfig, TransportConfig, redact_userinfo};
use crate::http::retry::{RetryPolicy, XorShiftJitter};
use crate::provider::SESSION_TOKEN_VARIABLES;
use crate::provider::execute::Executor;
use crate::provider::plan::{Base, PROFILE_VARIABLES, Plan, PlanError, plan, selected_profile};
use crate::services::imds::{self, ImdsConfig};

/// The profile and shared files a command works with.
#[derive(Debug)]
pub struct Settings {
    /// `--profile`, else `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, else `default`.
    pub profile_name: String,
    /// Whether the profile was named (flag or variable) rather than `default`.
    pub profile_named: bool,
    /// What named it: `--profile`, a variable's name, or `default`.
    pub profile_from: &'static str,
    /// Whether it came from `--profile`, which also passes over environment credentials.
    pub profile_flag: bool,
    /// Both shared files, merged.
    pub shared: SharedConfig,
    /// The instance's region, learnt from IMDS when nothing else gave one.
    imds_region: std::cell::OnceCell<String>,
}

impl Settings {
    /// Reads the shared files and picks the profile.
    pub fn resolve(args: &IdentityArgs, ctx: &Context<'_>) -> Result<Self, CliError> {
        let choice = selected_profile(args.profile.as_deref(), ctx.env);
        let shared = files::load(ctx.env);
        Ok(Self {
            profile_name: choice.name,
            profile_named: choice.from != "default",
            profile_from: choice.from,
            profile_flag: args.profile.is_some(),
            shared,
            imds_region: std::cell::OnceCell::new(),
        })
    }

    /// Trace lines (`--debug`) for what was read in an unusual way: each part of the
    /// shared files that was skipped or warned about, which variable named the profile,
    /// and which of two session-token variables is used.
    fn explain(&self, ctx: &Context<'_>, trace: &(dyn Fn(&str) + Sync)) {
        for problem in &self.shared.problems {
            let kind = if problem.skipped {
                "skipped"
            } else {
                "warning"
            };
            trace(&format!("shared files: {kind}: {problem}"));
        }
        if self.profile_named {
            trace(&format!(
                "profile {:?} (from {})",
                self.profile_name, self.profile_from
            ));
        }
        let set = |k: &str| (ctx.env)(k).filter(|v| !v.is_empty());
        if self.profile_from == PROFILE_VARIABLES[0]
            && let Some(other) = set(PROFILE_VARIABLES[1])
            && other != self.profile_name
        {
            trace(&format!(
                "{} wins over {}={other:?}, in botocore's order",
                PROFILE_VARIABLES[0], PROFILE_VARIABLES[1]
            ));
        }
        if let (Some(legacy), Some(token)) = (
            set(SESSION_TOKEN_VARIABLES[0]),
            set(SESSION_TOKEN_VARIABLES[1]),
        ) && legacy != token
        {
            trace(&format!(
                "{} and {} differ: {} is used, in botocore's order",
                SESSION_TOKEN_VARIABLES[0], SESSION_TOKEN_VARIABLES[1], SESSION_TOKEN_VARIABLES[0]
            ));
        }
    }

    /// The selected profile's section, if it exists.
    pub fn profile(&self) -> Option<&Section> {
        self.shared.profile(&self.profile_name)
    }

    /// A key of the selected profile.
    pub fn value(&self, key: &str) -> Option<String> {
        self.profile()
            .and_then(|p| p.get(key))
            .map(str::to_owned)
            .filter(|v| !v.trim().is_empty())
    }

    /// The region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, then
    /// the instance's (learnt from IMDS when the credentials come from there too). An
    /// empty one counts as not given, at each step (the AWS CLI ignores `--region ''`).
    pub fn region(&self, args: &IdentityArgs, ctx: &Context<'_>) -> Option<String> {
        crate::provider::region_from_flag_or_env(args.region.as_deref(), ctx.env)
            .or_else(|| self.value("region"))
            .or_else(|| self.imds_region.get().cloned())
    }

    /// The plan for the starting credentials.
    pub fn plan(&self, ctx: &Context<'_>) -> Result<Plan, IdentityError> {
        plan(
            &self.shared,
            &self.profile_name,
            self.profile_named,
            self.profile_flag,
            ctx.env,
        )
        .map_err(|e| match e {
            // Say which variable named a profile that is not there.
            PlanError::ProfileNotFound {
                profile, skipped, ..
            } => PlanError::ProfileNotFound {
                profile,
                skipped,
                from: PROFILE_VARIABLES
                    .into_iter()
                    .find(|v| *v == self.profile_from),
            },
            e => e,
        })
        .map_err(IdentityError::Plan)
    }
}

/// Whether `--debug` or `AWS_LOGIN_DEBUG=1` asks for a trace.
pub fn debug_enabled(args: &IdentityArgs, ctx: &Context<'_>) -> bool {
    args.debug
        || (ctx.env)("AWS_LOGIN_DEBUG").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The transport settings: timeouts from the flags, trust from `AWS_CA_BUNDLE` (or the
/// profile's `ca_bundle`), proxies from the environment.
pub fn transport_config(
    args: &IdentityArgs,
    settings: &Settings,
    ctx: &Context<'_>,
) -> Result<TransportConfig, CliError> {
    let mut config = TransportConfig {
        proxy: ProxyConfig::from_env(ctx.env),
        ssl_cert_file: (ctx.env)("SSL_CERT_FILE"),
        ..TransportConfig::default()
    };
    // As in the AWS CLI: 0 means no limit.
    let limit = |s: u64| (s > 0).then(|| Duration::from_secs(s));
    if let Some(s) = args.cli_connect_timeout {
        config.connect_timeout = limit(s);
    }
    if let Some(s) = args.cli_read_timeout {
        config.read_timeout = limit(s);
    }
    let bundle = (ctx.env)("AWS_CA_BUNDLE")
        .filter(|p| !p.trim().is_empty())
        .or_else(|| settings.value("ca_bundle"));
    if let Some(path) = bundle {
        let home_of = files::system_home_of(ctx.env);
        let expanded = files::expand(path.trim(), ctx.env, &home_of).ok_or_else(|| {
            CliError::Usage(format!(
                "the CA bundle path {:?} starts with ~, and there is no home directory to expand it with",
                path.trim()
            ))
        })?;
        let pem = std::fs::read(&expanded).map_err(|e| CliError::File {
            what: "the CA bundle (AWS_CA_BUNDLE or ca_bundle)".into(),
            path: expanded.display().to_string(),
            source: e,
        })?;
        config.extra_ca_pem = Some(pem);
    }
    Ok(config)
}

/// The caller over `client`, with retries from `AWS_MAX_ATTEMPTS` (or the profile's
/// `max_attempts`) and the trace sink.
pub fn caller<'a>(
    client: &'a HttpClient,
    settings: &Settings,
    ctx: &'a Context<'a>,
    trace: Option<&'a (dyn Fn(&str) + Sync)>,
    operation_timeout: Option<Duration>,
) -> Result<Caller<'a>, CliError> {
    let policy = RetryPolicy::resolve(
        (ctx.env)("AWS_MAX_ATTEMPTS").as_deref(),
        settings.value("max_attempts").as_deref(),
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let caller = Caller::new(
        client,
        ctx.clock,
        policy,
        Box::new(XorShiftJitter::new(ctx.seed)),
    )
    .with_operation_timeout(operation_timeout);
    Ok(match trace {
        Some(t) => caller.with_trace(t),
        None => caller,
    })
}

/// The STS endpoint, with a trace line saying where it came from.
pub fn endpoint(
    args: &IdentityArgs,
    settings: &Settings,
    ctx: &Context<'_>,
    trace: Option<&(dyn Fn(&str) + Sync)>,
) -> Result<Endpoint, CliError> {
    // The profile's services section moves the endpoint: one that could not be read all
    // is not passed over for AWS's own endpoint.
    if let Some(name) = settings.value("services") {
        let skipped: Vec<_> = settings
            .shared
            .skipped(&crate::config::Affects::Services(name.trim().to_owned()))
            .into_iter()
            .cloned()
            .collect();
        if !skipped.is_empty() {
            return Err(CliError::Identity(IdentityError::Plan(
                crate::provider::plan::PlanError::Unreadable {
                    profile: settings.profile_name.clone(),
                    skipped,
                },
            )));
        }
    }
    let profile = |key: &str| settings.value(key);
    let config = EndpointConfig::gather(
        settings.region(args, ctx),
        args.endpoint_url.clone(),
        ctx.env,
        &profile,
    );
    let services = |key: &str| {
        settings
            .shared
            .service_endpoint(&settings.profile_name, key)
    };
    let endpoint = endpoints::resolve(Service::Sts, &config, ctx.env, &services)
        .map_err(|e| CliError::Identity(IdentityError::Endpoint(e)))?;
    if let Some(t) = trace {
        t(&format!(
            "STS endpoint {} (from {}, signing region {})",
            redact_userinfo(&endpoint.url),
            endpoint.source,
            endpoint.signing_region
        ));
    }
    Ok(endpoint)
}

/// Acquires the identity the flags ask for and hands it, with the caller, the STS
/// endpoint and the settings, to `f`. Trace lines (`--debug`) go to the context's stderr as they happen.
pub async fn with_identity<T>(
    identity: &IdentityArgs,
    ctx: &Context<'_>,
    f: impl AsyncFnOnce(&Caller<'_>, &Endpoint, &Credentials, &Settings) -> Result<T, CliError>,
) -> Result<T, CliError> {
    validate(identity).map_err(CliError::Identity)?;
    let debug = debug_enabled(identity, ctx);
    let sink = |line: &str| (ctx.stderr)(&format!("debug: {line}"));
    let trace: Option<&(dyn Fn(&str) + Sync)> = debug.then_some(&sink);
    let settings = Settings::resolve(identity, ctx)?;
    if let Some(t) = trace {
        settings.explain(ctx, t);
    }
    let client = HttpClient::new(transport_config(identity, &settings, ctx)?)
        .map_err(CliError::Transport)?;
    let operation_timeout = match identity.operation_timeout {
        Some(0) => None,
        Some(s) => Some(Duration::from_secs(s)),
        None => Some(crate::http::call::DEFAULT_OPERATION_TIMEOUT),
    };
    let caller = caller(&client, &settings, ctx, trace, operation_timeout)?;
    let plan = settings.plan(ctx).map_err(CliError::Identity)?;
    // On EC2 (the credentials come from IMDS) with no region configured, ask IMDS for it;
    // elsewhere, don't spend a second on a metadata service that is not there.
    if matches!(plan.base, Base::Imds { .. }) && settings.region(identity, ctx).is_none() {
        let profile = |k: &str| settings.value(k);
        if let Some(config) = ImdsConfig::from_env(ctx.env, &profile)
            && let Ok(region) = imds::region(&caller, &config).await
            && !region.is_empty()
        {
            if let Some(t) = trace {
                t(&format!(
                    "region {region} from the instance metadata service"
                ));
            }
            let _ = settings.imds_region.set(region);
        }
    }
    let endpoint = endpoint(identity, &settings, ctx, trace)?;
    if let Some(t) = trace {
        t(&format!("credential plan: {plan}"));
    }
    // Nothing is sent before every request the plan and the flags will make is known to
    // fit the STS model.
    crate::provider::execute::preflight(&plan)
        .map_err(|e| CliError::Identity(IdentityError::Execute(e)))?;
    preflight(identity).map_err(CliError::Identity)?;
    let profile_mfa = plan.hops.iter().any(|h| h.mfa_serial.is_some());
    if identity.token_code.is_some() && identity.mfa_serial.is_none() && !profile_mfa {
        return Err(CliError::Usage(
            "--token-code given, but no MFA device is used (--mfa-serial, or a profile's mfa_serial)".into(),
        ));
    }
    let mfa_code = |serial: &str| {
        identity
            .token_code
            .as_ref()
            .map(|c| c.expose().to_owned())
            .or_else(|| (ctx.prompt)(serial))
    };
    let executor = Executor {
        caller: &caller,
        endpoint: &endpoint,
        shared: &settings.shared,
        env: ctx.env,
        mfa_code: &mfa_code,
        profile: settings.profile(),
        trace,
        interactive: ctx.interactive,
    };
    let start = executor
        .run(&plan)
        .await
        .map_err(|e| CliError::Identity(IdentityError::Execute(e)))?;
    if let Some(t) = trace {
        t(&format!(
            "starting credentials: access key id {}",
            start.shown_key_id()
        ));
    }
    let acquired = acquire(identity, start, &caller, &endpoint, ctx.prompt)
        .await
        .map_err(CliError::Identity)?;
    if let Some(t) = trace {
        for hop in &acquired.hops {
            t(hop);
        }
    }
    f(&caller, &endpoint, &acquired.credentials, &settings).await
}
