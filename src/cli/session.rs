//! What a credential-using command needs to talk to AWS, built from its flags and the
//! environment: the transport (CA bundle, proxies, timeouts), the caller (clock, retries,
//! jitter, `--debug` trace) and the STS endpoint.

use std::time::Duration;

use super::identity::{IdentityArgs, IdentityError, acquire, credentials_from_env, sts_endpoint};
use super::{CliError, Context};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::http::client::{HttpClient, ProxyConfig, TransportConfig, redact_userinfo};
use crate::http::retry::{RetryPolicy, XorShiftJitter};

/// Whether `--debug` or `AWS_LOGIN_DEBUG=1` asks for a trace.
pub fn debug_enabled(args: &IdentityArgs, ctx: &Context<'_>) -> bool {
    args.debug
        || (ctx.env)("AWS_LOGIN_DEBUG").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The transport settings: timeouts from the flags, trust from `AWS_CA_BUNDLE`, proxies
/// from the environment.
pub fn transport_config(
    args: &IdentityArgs,
    ctx: &Context<'_>,
) -> Result<TransportConfig, CliError> {
    let mut config = TransportConfig {
        proxy: ProxyConfig::from_env(ctx.env),
        ..TransportConfig::default()
    };
    if let Some(s) = args.cli_connect_timeout {
        config.connect_timeout = Duration::from_secs(s.max(1));
    }
    if let Some(s) = args.cli_read_timeout {
        config.request_timeout = Duration::from_secs(s.max(1));
    }
    if let Some(path) = (ctx.env)("AWS_CA_BUNDLE").filter(|p| !p.trim().is_empty()) {
        let pem = std::fs::read(path.trim()).map_err(|e| CliError::File {
            what: "the CA bundle (AWS_CA_BUNDLE)".into(),
            path: path.clone(),
            source: e,
        })?;
        config.extra_ca_pem = Some(pem);
    }
    Ok(config)
}

/// The transport, built once for the command.
pub fn client(args: &IdentityArgs, ctx: &Context<'_>) -> Result<HttpClient, CliError> {
    HttpClient::new(transport_config(args, ctx)?).map_err(CliError::Transport)
}

/// The caller over `client`, with retries from `AWS_MAX_ATTEMPTS` and the trace sink.
pub fn caller<'a>(
    client: &'a HttpClient,
    ctx: &'a Context<'a>,
    trace: Option<&'a (dyn Fn(&str) + Sync)>,
) -> Result<Caller<'a>, CliError> {
    let policy = RetryPolicy::resolve((ctx.env)("AWS_MAX_ATTEMPTS").as_deref(), None)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let caller = Caller::new(
        client,
        ctx.clock,
        policy,
        Box::new(XorShiftJitter::new(ctx.seed)),
    );
    Ok(match trace {
        Some(t) => caller.with_trace(t),
        None => caller,
    })
}

/// The STS endpoint, with a trace line saying where it came from.
pub fn endpoint(
    args: &IdentityArgs,
    ctx: &Context<'_>,
    trace: Option<&(dyn Fn(&str) + Sync)>,
) -> Result<Endpoint, CliError> {
    let endpoint = sts_endpoint(args, ctx.env).map_err(CliError::Identity)?;
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

/// Acquires the identity the flags ask for and hands it, with the caller and the STS
/// endpoint, to `f`. Trace lines (`--debug`) go to the context's stderr as they happen.
pub async fn with_identity<T>(
    identity: &IdentityArgs,
    ctx: &Context<'_>,
    f: impl AsyncFnOnce(&Caller<'_>, &Endpoint, &Credentials) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let debug = debug_enabled(identity, ctx);
    let sink = |line: &str| (ctx.stderr)(&format!("debug: {line}"));
    let trace: Option<&(dyn Fn(&str) + Sync)> = debug.then_some(&sink);
    let client = client(identity, ctx)?;
    let caller = caller(&client, ctx, trace)?;
    let endpoint = endpoint(identity, ctx, trace)?;
    let start =
        credentials_from_env(ctx.env).ok_or(CliError::Identity(IdentityError::NoCredentials))?;
    if let Some(t) = trace {
        t(&format!(
            "starting credentials: environment, access key id {}",
            start.access_key_id()
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
    f(&caller, &endpoint, &acquired.credentials).await
}
