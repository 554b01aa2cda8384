//! Runs a credential plan: gets the base credentials (environment, a profile's keys, a
//! `credential_process`, a web identity token) and applies each role hop with its profile
//! settings.

use std::fmt;

use super::plan::{Base, Plan, RoleHop};
use super::process::{self, ProcessError};
use crate::config::{Affects, ConfigProblem, FileKind, Section, SharedConfig};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::endpoints::{self, EndpointConfig, Service};
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::services::ServiceError;
use crate::services::constraints::ParamError;
use crate::services::container::{self, ContainerConfig};
use crate::services::imds::{self, ImdsConfig, ImdsError};
use crate::services::sso;
use crate::services::sts;

/// Why a plan could not be carried out.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExecuteError {
    /// The source the plan names is turned off or not configured (`credential_source =
    /// Ec2InstanceMetadata` with IMDS disabled, `EcsContainer` without an endpoint).
    Unavailable(String),
    /// The environment keys the plan starts from are gone.
    MissingKeys(String),
    /// The credential process failed.
    Process(ProcessError),
    /// The web identity token file cannot be read.
    TokenFile {
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// An MFA code is needed and none can be had.
    NoMfaCode(String),
    /// A profile's SSO settings are incomplete.
    SsoConfig(String),
    /// No valid SSO token in the AWS CLI's cache.
    SsoToken {
        /// The profile.
        profile: String,
        /// Why.
        source: super::sso_token_cache::SsoCacheError,
    },
    /// The container credentials endpoint failed.
    Container(crate::services::container::ContainerError),
    /// The instance metadata service failed (named by `credential_source`).
    Imds(crate::services::imds::ImdsError),
    /// Nothing gave credentials; the last resort, IMDS, failed too.
    NoCredentials {
        /// Why IMDS failed.
        imds: crate::services::imds::ImdsError,
        /// What was skipped in the shared files (it may have held the credentials).
        skipped: Vec<ConfigProblem>,
    },
    /// The source handed out credentials that have expired (asked twice where asking
    /// again could help).
    Expired {
        /// The source, as the plan names it.
        source: String,
        /// When they expired.
        at: chrono::DateTime<chrono::Utc>,
    },
    /// An STS call failed.
    Sts {
        /// What for.
        step: String,
        /// The failure.
        source: Box<ServiceError>,
    },
    /// An STS request would break the STS model's constraints; nothing was sent.
    Invalid {
        /// What for.
        step: String,
        /// The member and what is wrong.
        source: ParamError,
    },
}

impl fmt::Display for ExecuteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(what) => write!(f, "no credentials from {what}"),
            Self::MissingKeys(what) => write!(f, "{what} has no access key id and secret"),
            Self::Process(_) => f.write_str("credential_process failed"),
            Self::TokenFile { path, .. } => {
                write!(f, "cannot read the web identity token file {path}")
            }
            Self::NoMfaCode(serial) => {
                write!(
                    f,
                    "MFA code needed for {serial}: pass --token-code (no terminal to ask on)"
                )
            }
            Self::SsoConfig(why) => f.write_str(why),
            Self::SsoToken { profile, .. } => write!(
                f,
                "no valid SSO sign-in for profile {profile:?}: run `aws sso login --profile {profile}` and try again"
            ),
            Self::Container(_) => f.write_str("container credentials failed"),
            Self::Imds(_) => f.write_str("instance metadata credentials failed"),
            Self::NoCredentials { skipped, .. } => write!(
                f,
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them; not on EC2 either{}",
                super::plan::skipped_note(skipped)
            ),
            Self::Expired { source, at } => write!(
                f,
                "the credentials from {source} expired at {}{}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                if source.starts_with("environment") {
                    ": export fresh ones (AWS_CREDENTIAL_EXPIRATION says they are stale)"
                } else {
                    ""
                }
            ),
            Self::Sts { step, .. } => write!(f, "{step} failed"),
            Self::Invalid { step, .. } => {
                write!(f, "{step} was not sent: STS would refuse it")
            }
        }
    }
}

impl ExecuteError {
    /// Its kind: a request outside the STS model is a usage error; STS, IMDS and the
    /// container endpoint give their own (a source the configuration names that does not
    /// answer is the network's); nothing found, a helper that failed, a failure.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Invalid { .. } => crate::error_kind::ErrorKind::Usage,
            Self::Sts { source, .. } => source.kind(),
            Self::Imds(e) => e.kind(),
            Self::Container(e) => e.kind(),
            _ => crate::error_kind::ErrorKind::Failure,
        }
    }
}

impl std::error::Error for ExecuteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Process(e) => Some(e),
            Self::Container(e) => Some(e),
            Self::SsoToken { source, .. } => Some(source),
            Self::Imds(e) | Self::NoCredentials { imds: e, .. } => Some(e),
            Self::TokenFile { source, .. } => Some(source),
            Self::Sts { source, .. } => Some(source.as_ref()),
            Self::Invalid { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A credential's expiry as a step line shows it.
fn expiry_text(creds: &Credentials) -> String {
    creds.expiration().map_or_else(
        || "never".to_owned(),
        |e| e.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The session name used when a profile sets none.
pub const DEFAULT_SESSION_NAME: &str = "aws-login";

/// The AssumeRole request of a hop, with its profile's settings (`code`: the MFA code,
/// when the hop uses one and it is known).
pub fn hop_request<'a>(
    hop: &'a RoleHop,
    code: Option<&'a SecretString>,
) -> sts::AssumeRoleRequest<'a> {
    sts::AssumeRoleRequest {
        role_arn: &hop.role_arn,
        role_session_name: hop
            .role_session_name
            .as_deref()
            .unwrap_or(DEFAULT_SESSION_NAME),
        external_id: hop.external_id.as_deref(),
        duration_seconds: hop.duration_seconds,
        serial_number: hop.mfa_serial.as_deref(),
        token_code: code,
        source_identity: hop.source_identity.as_deref(),
        ..Default::default()
    }
}

/// What a hop is called in messages.
fn hop_step(hop: &RoleHop) -> String {
    format!("AssumeRole {} (profile {:?})", hop.role_arn, hop.profile)
}

/// The AssumeRoleWithWebIdentity request of a web identity base.
fn web_identity_request<'a>(
    role_arn: &'a str,
    session_name: Option<&'a str>,
    token: Option<&'a SecretString>,
) -> sts::WebIdentityRequest<'a> {
    sts::WebIdentityRequest {
        role_arn,
        role_session_name: session_name.unwrap_or(DEFAULT_SESSION_NAME),
        web_identity_token: token,
        ..Default::default()
    }
}

/// Checks every STS request the plan will make against the STS model before anything is
/// sent (what is only known later, a token or an MFA code, is checked when it is).
pub fn preflight(plan: &Plan) -> Result<(), ExecuteError> {
    if let Base::WebIdentity {
        role_arn,
        session_name,
        ..
    } = &plan.base
    {
        web_identity_request(role_arn, session_name.as_deref(), None)
            .validate()
            .map_err(|source| ExecuteError::Invalid {
                step: format!("AssumeRoleWithWebIdentity {role_arn}"),
                source,
            })?;
    }
    for hop in &plan.hops {
        hop_request(hop, None)
            .validate()
            .map_err(|source| ExecuteError::Invalid {
                step: hop_step(hop),
                source,
            })?;
    }
    Ok(())
}

/// What executing a plan needs from its surroundings.
pub struct Executor<'e, 'c> {
    /// The STS caller.
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
}

/// The session-token keys of a profile in botocore's order: the first that is present
/// wins, even when empty (then there is no token).
pub const SESSION_TOKEN_KEYS: [&str; 2] = ["aws_security_token", "aws_session_token"];

/// A profile's static keys from one file, with the session token from the same file
/// (botocore's `SharedCredentialProvider` and `ConfigProvider` each read one file).
pub fn profile_keys(section: &Section, file: FileKind) -> Option<Credentials> {
    let get = |k: &str| section.get_in(k, file).map(str::trim);
    let key = get("aws_access_key_id").filter(|v| !v.is_empty())?;
    let secret = get("aws_secret_access_key").filter(|v| !v.is_empty())?;
    let token = SESSION_TOKEN_KEYS
        .iter()
        .find_map(|k| get(k))
        .filter(|v| !v.is_empty())
        .map(SecretString::new);
    Some(Credentials::new(key, secret, token, None))
}

impl Executor<'_, '_> {
    /// SSO: the profile's account and role, the session's start URL and region, the
    /// AWS CLI's cached token, then GetRoleCredentials.
    async fn sso(&self, profile: &str) -> Result<Credentials, ExecuteError> {
        let config = |why: String| ExecuteError::SsoConfig(why);
        let section = self
            .shared
            .profile(profile)
            .ok_or_else(|| config(format!("profile {profile:?} not found")))?;
        let get = |s: &Section, k: &str| {
            s.get(k)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (cache_key, region) = match get(section, "sso_session") {
            Some(name) => {
                let skipped = self.shared.skipped(&Affects::SsoSession(name.clone()));
                if !skipped.is_empty() {
                    let list: Vec<String> = skipped.iter().map(ToString::to_string).collect();
                    return Err(config(format!(
                        "sso-session {name} cannot be used: aws-login could not read all of it: {}",
                        list.join("; ")
                    )));
                }
                let session = self.shared.sso_sessions.get(&name).ok_or_else(|| {
                    config(format!("profile {profile:?} names sso_session {name}, which is not in the config file"))
                })?;
                let region = get(session, "sso_region")
                    .ok_or_else(|| config(format!("sso-session {name} has no sso_region")))?;
                (name, region)
            }
            None => {
                let url = get(section, "sso_start_url").ok_or_else(|| {
                    config(format!(
                        "profile {profile:?} has no sso_session or sso_start_url"
                    ))
                })?;
                let region = get(section, "sso_region").ok_or_else(|| {
                    config(format!(
                        "profile {profile:?} has sso_start_url but no sso_region"
                    ))
                })?;
                (url, region)
            }
        };
        let account = get(section, "sso_account_id")
            .ok_or_else(|| config(format!("profile {profile:?} has no sso_account_id")))?;
        let role = get(section, "sso_role_name")
            .ok_or_else(|| config(format!("profile {profile:?} has no sso_role_name")))?;
        let home_of = crate::config::files::system_home_of(self.env);
        let dir = crate::config::files::expand_user("~/.aws/sso/cache", &home_of)
            .ok_or_else(|| config("no home directory (HOME is unset and the user database has no entry) for the AWS CLI's SSO cache".to_owned()))?;
        let token = super::sso_token_cache::read_token(&dir, &cache_key, self.caller.now())
            .map_err(|source| ExecuteError::SsoToken {
                profile: profile.to_owned(),
                source,
            })?;
        let lookup = |k: &str| get(section, k);
        let endpoint_config = EndpointConfig::gather(Some(region), None, self.env, &lookup);
        let services = |k: &str| self.shared.service_endpoint(profile, k);
        let endpoint = endpoints::resolve(Service::Sso, &endpoint_config, self.env, &services)
            .map_err(|e| config(e.to_string()))?;
        sso::get_role_credentials(self.caller, &endpoint, &token, &account, &role)
            .await
            .map_err(|source| ExecuteError::Sts {
                step: format!("SSO GetRoleCredentials for {account}/{role} (profile {profile:?})"),
                source: Box::new(source),
            })
    }

    async fn base(&self, base: &Base) -> Result<Credentials, ExecuteError> {
        match base {
            Base::Environment => super::from_env(self.env)
                .ok_or_else(|| ExecuteError::MissingKeys("the environment".into())),
            Base::StaticKeys { profile, file } => self
                .shared
                .profile(profile)
                .and_then(|s| profile_keys(s, *file))
                .ok_or_else(|| ExecuteError::MissingKeys(format!("profile {profile:?}"))),
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
                let req = web_identity_request(role_arn, session_name.as_deref(), Some(&token));
                sts::assume_role_with_web_identity(self.caller, self.endpoint, &req)
                    .await
                    .map(|r| r.credentials)
                    .map_err(|source| ExecuteError::Sts {
                        step: format!("AssumeRoleWithWebIdentity {role_arn}"),
                        source: Box::new(source),
                    })
            }
            Base::Sso { profile } => self.sso(profile).await,
            Base::Container => {
                let config = ContainerConfig::from_env(self.env)
                    .map_err(ExecuteError::Container)?
                    .ok_or_else(|| {
                        ExecuteError::Unavailable(
                            "the container credentials endpoint: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set".into(),
                        )
                    })?;
                container::credentials(self.caller, &config)
                    .await
                    .map_err(ExecuteError::Container)
            }
            Base::Imds { fallback } => {
                let profile = |k: &str| self.profile.and_then(|p| p.get(k)).map(str::to_owned);
                let Some(config) = ImdsConfig::from_env(self.env, &profile) else {
                    return Err(ExecuteError::Unavailable(
                        "the instance metadata service: AWS_EC2_METADATA_DISABLED turns it off"
                            .into(),
                    ));
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

    /// Carries out the plan: the credentials at its end. Each step is traced as it
    /// happens, so a failure still shows the steps before it.
    pub async fn run(&self, plan: &Plan) -> Result<Credentials, ExecuteError> {
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
        if let Some(at) = creds
            .expiration()
            .filter(|_| creds.is_expired(self.caller.now()))
        {
            return Err(ExecuteError::Expired {
                source: plan.base.to_string(),
                at,
            });
        }
        if creds.expiration().is_some() {
            self.step(&format!(
                "base credentials expire at {}",
                expiry_text(&creds)
            ));
        }
        for hop in &plan.hops {
            let code = match &hop.mfa_serial {
                Some(serial) => Some(SecretString::new(
                    (self.mfa_code)(serial)
                        .ok_or_else(|| ExecuteError::NoMfaCode(serial.clone()))?
                        .trim(),
                )),
                None => None,
            };
            let req = hop_request(hop, code.as_ref());
            let role = sts::assume_role(self.caller, self.endpoint, &creds, &req)
                .await
                .map_err(|source| ExecuteError::Sts {
                    step: hop_step(hop),
                    source: Box::new(source),
                })?;
            self.step(&format!(
                "AssumeRole {} (profile {:?}) -> {}",
                hop.role_arn, hop.profile, role.arn
            ));
            creds = role.credentials;
        }
        Ok(creds)
    }
}
