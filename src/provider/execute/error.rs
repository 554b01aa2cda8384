//! Why a plan could not be carried out.

use std::fmt;

use crate::config::ConfigProblem;
use crate::error_kind::ErrorKind;
use crate::services::ServiceError;
use crate::services::constraints::ParamError;

/// A source the plan names that is turned off or not configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unavailable {
    /// `credential_source = Ec2InstanceMetadata` with `AWS_EC2_METADATA_DISABLED=true`.
    ImdsDisabled,
    /// `credential_source = EcsContainer` with neither container URI variable set.
    NoContainerEndpoint,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ImdsDisabled => {
                "the instance metadata service: AWS_EC2_METADATA_DISABLED turns it off"
            }
            Self::NoContainerEndpoint => {
                "the container credentials endpoint: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
            }
        })
    }
}

/// Why a plan could not be carried out.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExecuteError {
    /// The source the plan names is turned off or not configured.
    Unavailable(Unavailable),
    /// The environment keys the plan starts from are gone.
    EnvironmentKeysGone,
    /// The credential process failed.
    Process(super::super::process::ProcessError),
    /// The web identity token file cannot be read.
    TokenFile {
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// An MFA code is needed for this device (`SerialNumber`) and none was had.
    NoMfaCode {
        /// The device.
        serial: String,
        /// Whether there was a terminal to ask on (then nothing was entered).
        asked: bool,
    },
    /// A hop after GetFederationToken: STS answers a federated user's credentials with
    /// nothing but GetCallerIdentity.
    AfterFederation {
        /// The hop (with its flag).
        step: String,
    },
    /// A chained AssumeRole asks for more than an hour, which AWS refuses for role
    /// chaining.
    ChainedDuration {
        /// The hop.
        step: String,
        /// The duration asked for.
        seconds: u32,
    },
    /// There is no home directory to find the AWS CLI's SSO cache in.
    NoHome,
    /// No valid SSO token in the AWS CLI's cache, or it could not be refreshed.
    SsoToken {
        /// The profile.
        profile: String,
        /// Why.
        source: super::super::sso_token::TokenError,
    },
    /// A console sign-in session (`login_session`) could not give credentials.
    LoginSession {
        /// The session's name.
        session: String,
        /// Its cache file.
        path: String,
        /// Why.
        failure: Box<super::login::LoginFailure>,
    },
    /// The command line's SSO token could not be had.
    SsoFlagToken {
        /// Where it was to come from.
        from: String,
        /// Why.
        source: super::super::sso_token::TokenError,
    },
    /// Signing in (`--start-url`) failed.
    SsoSignIn(crate::sso::login::LoginError),
    /// `--use-cache` without `--start-url`, and the cache holds no sign-in.
    NoCachedSignIn,
    /// `--use-cache` without `--start-url`, and the cache holds several sign-ins.
    SeveralCachedSignIns(Vec<String>),
    /// `--use-cache` without `--start-url` needs a sign-in first, and there is no terminal
    /// or start URL to sign in with.
    SignInNeeded,
    /// An endpoint (the SSO portal's) could not be resolved.
    Endpoint(crate::endpoints::EndpointError),
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
    /// GetSessionToken or GetFederationToken would be called with temporary
    /// credentials, which STS refuses.
    NeedsLongTermKeys {
        /// The hop, with the flag that asks for it (`GetSessionToken
        /// (--get-session-token)`).
        step: String,
        /// Where the credentials under it come from.
        under: String,
    },
    /// An STS (or SSO portal) call failed.
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

impl ExecuteError {
    /// A call named `step` failed.
    pub fn call(step: impl Into<String>, source: ServiceError) -> Self {
        Self::Sts {
            step: step.into(),
            source: Box::new(source),
        }
    }

    /// Its kind: what the user must change on the command line (a request outside the
    /// STS model, a missing MFA code, temporary keys under GetSessionToken) is a usage
    /// error; STS, IMDS and the container endpoint give their own (a source the
    /// configuration names that does not answer is the network's); nothing found, a
    /// helper that failed, a failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Invalid { .. }
            | Self::NoMfaCode { .. }
            | Self::NeedsLongTermKeys { .. }
            | Self::AfterFederation { .. }
            | Self::ChainedDuration { .. } => ErrorKind::Usage,
            Self::Sts { source, .. } => source.kind(),
            Self::Imds(e) => e.kind(),
            Self::Container(e) => e.kind(),
            Self::Endpoint(e) => e.kind(),
            Self::SsoToken { source, .. } | Self::SsoFlagToken { source, .. } => source.kind(),
            Self::SsoSignIn(e) => e.kind(),
            Self::LoginSession { failure, .. } => failure.kind(),
            Self::NoCachedSignIn | Self::SeveralCachedSignIns(_) => ErrorKind::Usage,
            _ => ErrorKind::Failure,
        }
    }
}

impl fmt::Display for ExecuteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(what) => write!(f, "no credentials from {what}"),
            Self::EnvironmentKeysGone => {
                f.write_str("the environment has no access key id and secret")
            }
            Self::Process(_) => f.write_str("credential_process failed"),
            Self::LoginSession {
                session,
                path,
                failure,
            } => write!(f, "console sign-in session {session:?} ({path}): {failure}"),
            Self::TokenFile { path, .. } => {
                write!(f, "cannot read the web identity token file {path}")
            }
            Self::NoMfaCode {
                serial,
                asked: false,
            } => write!(
                f,
                "MFA code needed for {serial}: pass --token-code (no terminal to ask on)"
            ),
            Self::NoMfaCode {
                serial,
                asked: true,
            } => write!(
                f,
                "MFA code needed for {serial}: none was entered (type the 6-digit code at the prompt, or pass --token-code)"
            ),
            Self::AfterFederation { step } => write!(
                f,
                "{step} cannot follow GetFederationToken: STS accepts no call but GetCallerIdentity from a federated user's credentials"
            ),
            Self::ChainedDuration { step, seconds } => write!(
                f,
                "{step} asks for {seconds} s, but a role assumed with another role's credentials (role chaining) lasts at most 3600 s"
            ),
            Self::NoHome => f.write_str(
                "no home directory (HOME is unset and the user database has no entry) for the AWS CLI's SSO cache",
            ),
            Self::SsoToken { profile, .. } => write!(
                f,
                "no valid SSO sign-in for profile {profile:?}: run `aws-login sso login --profile {profile}` (or `aws sso login --profile {profile}`) and try again"
            ),
            Self::Endpoint(e) => e.fmt(f),
            Self::SsoFlagToken { from, .. } => write!(
                f,
                "no usable SSO token from {from}: sign in again (--start-url URL, or `aws-login sso login`)"
            ),
            Self::SsoSignIn(e) => e.fmt(f),
            Self::NoCachedSignIn => f.write_str(
                "--use-cache: the SSO cache holds no sign-in yet: add --start-url URL to sign in (and cache it)",
            ),
            Self::SeveralCachedSignIns(urls) => write!(
                f,
                "--use-cache: the SSO cache holds sign-ins to {}: add --start-url to say which",
                urls.join(", ")
            ),
            Self::SignInNeeded => f.write_str(
                "a new SSO sign-in is needed, and it cannot be done here (the terminal is the program's): use --use-cache with --start-url to keep and refresh the token",
            ),
            Self::Container(_) => f.write_str("container credentials failed"),
            Self::Imds(_) => f.write_str("instance metadata credentials failed"),
            Self::NoCredentials { skipped, .. } => write!(
                f,
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them; not on EC2 either{}",
                crate::provider::plan::skipped_note(skipped)
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
            Self::NeedsLongTermKeys { step, under } => write!(
                f,
                "{step} needs long-term (static) credentials, but those from {under} are temporary (they have a session token)"
            ),
            Self::Sts { step, .. } => write!(f, "{step} failed"),
            Self::Invalid { step, .. } => {
                write!(f, "{step} was not sent: STS would refuse it")
            }
        }
    }
}

impl std::error::Error for ExecuteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Process(e) => Some(e),
            Self::Container(e) => Some(e),
            Self::SsoToken { source, .. } | Self::SsoFlagToken { source, .. } => Some(source),
            Self::SsoSignIn(e) => e.source(),
            Self::Imds(e) | Self::NoCredentials { imds: e, .. } => Some(e),
            Self::TokenFile { source, .. } => Some(source),
            Self::Sts { source, .. } => Some(source.as_ref()),
            Self::Invalid { source, .. } => Some(source),
            Self::Endpoint(e) => e.source(),
            Self::LoginSession { failure, .. } => failure.source(),
            _ => None,
        }
    }
}
