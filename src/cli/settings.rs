//! What a credential-using command reads before it plans anything: the profile and the
//! shared files, the region's order, the transport settings, and whether to trace.

use std::time::Duration;

use super::identity::IdentityArgs;
use super::{CliError, Context, UsageError};
use crate::config::{Section, SharedConfig, files};
use crate::http::client::{ProxyConfig, TransportConfig};
use crate::provider::SESSION_TOKEN_VARIABLES;
use crate::provider::plan::{PROFILE_VARIABLES, Plan, PlanError, plan, selected_profile};

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
    pub(super) imds_region: std::cell::OnceCell<String>,
}

impl Settings {
    /// Reads the shared files and picks the profile.
    pub fn resolve(args: &IdentityArgs, ctx: &Context<'_>) -> Self {
        let choice = selected_profile(args.profile.as_deref(), ctx.env);
        let shared = files::load(ctx.env);
        Self {
            profile_name: choice.name,
            profile_named: choice.from != "default",
            profile_from: choice.from,
            profile_flag: args.profile.is_some(),
            shared,
            imds_region: std::cell::OnceCell::new(),
        }
    }

    /// Trace lines (`--debug`) for what was read in an unusual way: each part of the
    /// shared files that was skipped or warned about, which variable named the profile,
    /// and which of two session-token variables is used.
    pub(super) fn explain(&self, ctx: &Context<'_>, trace: &(dyn Fn(&str) + Sync)) {
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

    /// The plan for the credentials from the environment and the shared files (the
    /// flags' own hops are added by the session).
    pub fn plan(&self, ctx: &Context<'_>) -> Result<Plan, PlanError> {
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
        let expanded = files::expand(path.trim(), ctx.env, &home_of)
            .ok_or_else(|| UsageError::CaBundleHome(path.trim().to_owned()))?;
        let pem = std::fs::read(&expanded).map_err(|e| CliError::File {
            what: "the CA bundle (AWS_CA_BUNDLE or ca_bundle)".into(),
            path: expanded.display().to_string(),
            source: e,
        })?;
        config.extra_ca_pem = Some(pem);
    }
    Ok(config)
}
