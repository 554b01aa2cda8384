//! Runs a credential plan: gets the base credentials (environment, a profile's keys, a
//! `credential_process`, a web identity token) and applies each role hop with its profile
//! settings. Bases that are still to come (SSO) are an error that says so.

use std::fmt;

use super::Credentials;
use super::plan::{Base, Plan};
use super::process::{self, ProcessError};
use crate::config::{Section, SharedConfig};
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::services::ServiceError;
use crate::services::container::{self, ContainerConfig};
use crate::services::imds::{self, ImdsConfig, ImdsError};
use crate::services::sts;

/// Why a plan could not be carried out.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExecuteError {
    /// The base is one aws-login does not resolve yet.
    Unsupported(String),
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
    /// The container credentials endpoint failed.
    Container(crate::services::container::ContainerError),
    /// The instance metadata service failed (named by `credential_source`).
    Imds(crate::services::imds::ImdsError),
    /// Nothing gave credentials; the last resort, IMDS, failed too.
    NoCredentials(crate::services::imds::ImdsError),
    /// An STS call failed.
    Sts {
        /// What for.
        step: String,
        /// The failure.
        source: Box<ServiceError>,
    },
}

impl fmt::Display for ExecuteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported(what) => write!(
                f,
                "credentials from {what} are not resolved by aws-login yet"
            ),
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
            Self::Container(_) => f.write_str("container credentials failed"),
            Self::Imds(_) => f.write_str("instance metadata credentials failed"),
            Self::NoCredentials(_) => f.write_str(
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them; not on EC2 either",
            ),
            Self::Sts { step, .. } => write!(f, "{step} failed"),
        }
    }
}

impl std::error::Error for ExecuteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Process(e) => Some(e),
            Self::Container(e) => Some(e),
            Self::Imds(e) | Self::NoCredentials(e) => Some(e),
            Self::TokenFile { source, .. } => Some(source),
            Self::Sts { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// The session name used when a profile sets none.
pub const DEFAULT_SESSION_NAME: &str = "aws-login";

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
}

/// A profile's static keys.
pub fn profile_keys(section: &Section) -> Option<Credentials> {
    let key = section.get("aws_access_key_id").filter(|v| !v.is_empty())?;
    let secret = section
        .get("aws_secret_access_key")
        .filter(|v| !v.is_empty())?;
    let token = section
        .get("aws_session_token")
        .filter(|v| !v.is_empty())
        .map(SecretString::new);
    Some(Credentials::new(key, secret, token, None))
}

impl Executor<'_, '_> {
    async fn base(&self, base: &Base) -> Result<Credentials, ExecuteError> {
        match base {
            Base::Environment => super::from_env(self.env)
                .ok_or_else(|| ExecuteError::MissingKeys("the environment".into())),
            Base::StaticKeys { profile } => self
                .shared
                .profile(profile)
                .and_then(profile_keys)
                .ok_or_else(|| ExecuteError::MissingKeys(format!("profile {profile:?}"))),
            Base::Process { command, .. } => process::run(command, process::DEFAULT_TIMEOUT)
                .await
                .map_err(ExecuteError::Process),
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
                let req = sts::WebIdentityRequest {
                    role_arn,
                    role_session_name: session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME),
                    web_identity_token: Some(&token),
                    ..Default::default()
                };
                sts::assume_role_with_web_identity(self.caller, self.endpoint, &req)
                    .await
                    .map(|r| r.credentials)
                    .map_err(|source| ExecuteError::Sts {
                        step: format!("AssumeRoleWithWebIdentity {role_arn}"),
                        source: Box::new(source),
                    })
            }
            Base::Container => {
                let config = ContainerConfig::from_env(self.env)
                    .map_err(ExecuteError::Container)?
                    .ok_or_else(|| {
                        ExecuteError::Unsupported(
                            "a container endpoint without AWS_CONTAINER_CREDENTIALS_*_URI".into(),
                        )
                    })?;
                container::credentials(self.caller.client(), &config)
                    .await
                    .map_err(ExecuteError::Container)
            }
            Base::Imds { fallback } => {
                let profile = |k: &str| self.profile.and_then(|p| p.get(k)).map(str::to_owned);
                let Some(config) = ImdsConfig::from_env(self.env, &profile) else {
                    return Err(ExecuteError::Unsupported(
                        "the instance metadata service (disabled by AWS_EC2_METADATA_DISABLED)"
                            .into(),
                    ));
                };
                let fallback = *fallback;
                imds::credentials(self.caller.client(), &config)
                    .await
                    .map_err(|e| match (fallback, e) {
                        (true, e @ ImdsError::Unreachable(_)) => ExecuteError::NoCredentials(e),
                        (_, e) => ExecuteError::Imds(e),
                    })
            }
            other => Err(ExecuteError::Unsupported(other.to_string())),
        }
    }

    /// Carries out the plan: the credentials at its end, and a line per step (no secrets).
    pub async fn run(&self, plan: &Plan) -> Result<(Credentials, Vec<String>), ExecuteError> {
        let mut steps = vec![format!("base: {}", plan.base)];
        let mut creds = self.base(&plan.base).await?;
        for hop in &plan.hops {
            let code = match &hop.mfa_serial {
                Some(serial) => Some(SecretString::new(
                    (self.mfa_code)(serial)
                        .ok_or_else(|| ExecuteError::NoMfaCode(serial.clone()))?,
                )),
                None => None,
            };
            let req = sts::AssumeRoleRequest {
                role_arn: &hop.role_arn,
                role_session_name: hop
                    .role_session_name
                    .as_deref()
                    .unwrap_or(DEFAULT_SESSION_NAME),
                external_id: hop.external_id.as_deref(),
                duration_seconds: hop.duration_seconds,
                serial_number: hop.mfa_serial.as_deref(),
                token_code: code.as_ref(),
                source_identity: hop.source_identity.as_deref(),
                ..Default::default()
            };
            let role = sts::assume_role(self.caller, self.endpoint, &creds, &req)
                .await
                .map_err(|source| ExecuteError::Sts {
                    step: format!("AssumeRole {} (profile {:?})", hop.role_arn, hop.profile),
                    source: Box::new(source),
                })?;
            steps.push(format!(
                "AssumeRole {} (profile {:?}) -> {}",
                hop.role_arn, hop.profile, role.arn
            ));
            creds = role.credentials;
        }
        Ok((creds, steps))
    }
}
