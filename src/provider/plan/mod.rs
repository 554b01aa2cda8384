//! Which credentials, through which hops: resolved as data from the environment, the
//! shared files and the command line's transitions before anything is sent, in the AWS
//! CLI's order. `--debug` prints the plan; the executor ([`super::execute`]) carries it
//! out.
//!
//! The top: environment keys (unless `--profile` names a profile), then the selected
//! profile (`--profile`, else `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, else `default`),
//! then `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`. Within a profile, as botocore
//! orders its providers: `role_arn` (with `source_profile`, `credential_source` or
//! `web_identity_token_file`), then SSO, then keys from the credentials file, then
//! `credential_process`, then keys from the config file; then the container credentials
//! endpoint, then the instance metadata service. A `source_profile` chain is followed
//! until a profile with static keys (whose own `role_arn` is then not used) or a base; a
//! cycle is an error naming the path, except a profile that is its own source and has
//! keys, which the AWS CLI allows.
//!
//! After the profile's role hops come the command line's transitions
//! ([`Plan::with_transitions`]): GetSessionToken or GetFederationToken, then the roles
//! of `--assume-roles`.
//!
//! Half a key pair is an error naming the missing key, never a step to another source:
//! in the environment (either half) and in one file of a profile (a key pair comes from
//! one file, as botocore's `SharedCredentialProvider` and `ConfigProvider` read them). A
//! profile the plan needs that has lines aws-login could not read is an error naming
//! them; errors that a file aws-login could not read may explain say what it skipped.
//!
//! Pure: the environment and the parsed files come in. The plan carries everything the
//! executor needs (a profile's keys, its resolved SSO settings), so a broken profile
//! fails here, before any request.

use std::fmt;

use crate::config::FileKind;
use crate::credentials::Credentials;

mod error;
mod resolve;
mod sso;

pub use error::{PlanError, SsoProblem, skipped_note};

/// The plan of the command line's SSO role: its base, no hop yet.
pub fn sso_flags_plan(source: SsoFlagSource) -> Plan {
    Plan {
        base: Base::SsoFlags(source),
        hops: Vec::new(),
    }
}
pub use resolve::{
    PROFILE_VARIABLES, ProfileChoice, env_keys, plan, plan_profile, profile_keys, readable,
    selected_profile, skipped_around,
};

/// Where the chain starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    Environment,
    /// A profile's `aws_access_key_id` / `aws_secret_access_key` (and
    /// `aws_security_token` or `aws_session_token`), all from one file.
    StaticKeys {
        /// The profile.
        profile: String,
        /// The file the pair is in.
        file: FileKind,
        /// The keys, as read while planning (`Debug` shows the key id only).
        keys: Credentials,
    },
    /// A profile's `credential_process`.
    Process {
        /// The profile.
        profile: String,
        /// The command line.
        command: String,
    },
    /// AssumeRoleWithWebIdentity with a token file.
    WebIdentity {
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: String,
        /// The session name, if set.
        session_name: Option<String>,
        /// `profile NAME`, or `environment`.
        from: String,
    },
    /// A profile's SSO role, its settings resolved (botocore's `SSOProvider`).
    Sso(SsoSource),
    /// The SSO role the command line names (`--sso-acct-id`, `--sso-role-name`) and
    /// where its token comes from.
    SsoFlags(SsoFlagSource),
    /// A profile's `login_session`: a console-credential session of `aws login`,
    /// refreshed with DPoP when it nears its end (botocore's `LoginProvider`).
    LoginSession {
        /// The profile.
        profile: String,
        /// `login_session`: the session's name (its cache file is named by it).
        session: String,
        /// The profile's `region` (where the Sign-In service is asked, unless the
        /// session recorded its `signInRegion`).
        region: Option<String>,
    },
    /// The container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_*_URI`).
    Container,
    /// The EC2 instance metadata service (IMDSv2).
    Imds {
        /// Reached as the chain's last resort (rather than named by `credential_source`).
        fallback: bool,
    },
}

/// A profile's SSO settings, resolved as botocore's `SSOProvider` resolves them: the
/// profile's `sso_account_id` and `sso_role_name`, and `sso_start_url` and `sso_region`
/// from its `sso_session` section (which must agree with the profile where both set
/// one) or, without one, from the profile itself (the legacy form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSource {
    /// The profile.
    pub profile: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the portal and OIDC endpoints are.
    pub region: String,
    /// The `[sso-session NAME]` used, if any.
    pub session: Option<String>,
}

/// Where the token of the command line's SSO role comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoTokenSource {
    /// Sign in at `start_url` now; `store`: keep the token in the shared cache
    /// (`--use-cache`), else it lives only for this run.
    SignIn {
        /// `--start-url`.
        start_url: String,
        /// `--use-cache`.
        store: bool,
    },
    /// `--sso-access-token`.
    Given(crate::secret::SecretString),
    /// `--accesstoken-cache`: a cache file, refreshed in memory only.
    File(std::path::PathBuf),
    /// `--use-cache` without `--start-url`: the one sign-in in the shared cache.
    Cache,
}

/// The command line's SSO role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoFlagSource {
    /// `--sso-acct-id`.
    pub account_id: String,
    /// `--sso-role-name`.
    pub role_name: String,
    /// `--sso-region` (else the cached token's region, else `us-east-1`).
    pub region: Option<String>,
    /// The token.
    pub token: SsoTokenSource,
}

impl fmt::Display for SsoTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignIn {
                start_url,
                store: true,
            } => write!(f, "sign-in at {start_url}, cached"),
            Self::SignIn { start_url, .. } => write!(f, "sign-in at {start_url}"),
            Self::Given(_) => f.write_str("--sso-access-token"),
            Self::File(path) => write!(f, "--accesstoken-cache {}", path.display()),
            Self::Cache => f.write_str("the cached sign-in"),
        }
    }
}

impl SsoSource {
    /// What names the token in the AWS CLI's SSO cache: the session's name, or (the
    /// legacy form) the start URL.
    pub fn cache_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }
}

impl Base {
    /// Whether asking this source again can give newer credentials (the environment and a
    /// profile's keys give the same ones every time; a login session already refreshed
    /// what was due, and asking again would only spend another refresh token).
    pub fn can_refresh(&self) -> bool {
        !matches!(
            self,
            Self::Environment | Self::StaticKeys { .. } | Self::LoginSession { .. }
        )
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base::Environment => f.write_str("environment variables"),
            Base::StaticKeys { profile, .. } => write!(f, "keys of profile {profile:?}"),
            Base::Process { profile, .. } => write!(f, "credential_process of profile {profile:?}"),
            Base::WebIdentity { role_arn, from, .. } => {
                write!(f, "web identity token ({from}) for {role_arn}")
            }
            Base::Sso(sso) => write!(f, "SSO of profile {:?}", sso.profile),
            Base::SsoFlags(sso) => write!(
                f,
                "SSO role {}/{} ({})",
                sso.account_id, sso.role_name, sso.token
            ),
            Base::LoginSession {
                profile, session, ..
            } => {
                write!(
                    f,
                    "console sign-in session {session:?} of profile {profile:?}"
                )
            }
            Base::Container => f.write_str("the container credentials endpoint"),
            Base::Imds { .. } => f.write_str("the instance metadata service (IMDSv2)"),
        }
    }
}

/// Where a hop comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A profile's settings (`role_arn` and the keys beside it).
    Profile(String),
    /// The command line (`--assume-roles`, `--get-session-token`...).
    Flags,
}

/// One AssumeRole on top of the previous credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleHop {
    /// Where the hop comes from.
    pub origin: Origin,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`.
    pub role_session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
    /// `source_identity`.
    pub source_identity: Option<String>,
}

/// GetSessionToken on top of long-term keys (`--get-session-token`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionTokenHop {
    /// `DurationSeconds`.
    pub duration_seconds: Option<u32>,
    /// `SerialNumber`: the MFA device whose code goes with the call.
    pub mfa_serial: Option<String>,
}

/// GetFederationToken on top of long-term keys (`--get-federation-token`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FederationTokenHop {
    /// `Name`: the federated user's name.
    pub name: String,
    /// `Policy`: an inline session policy (JSON).
    pub policy: Option<String>,
    /// `PolicyArns`: managed session policies.
    pub policy_arns: Vec<String>,
    /// `DurationSeconds`.
    pub duration_seconds: Option<u32>,
}

/// One transition on top of the previous credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hop {
    /// STS AssumeRole (a profile's `role_arn`, or a role of `--assume-roles`).
    AssumeRole(RoleHop),
    /// STS GetSessionToken.
    SessionToken(SessionTokenHop),
    /// STS GetFederationToken.
    FederationToken(FederationTokenHop),
}

impl Hop {
    /// The MFA device the hop's request carries, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match self {
            Hop::AssumeRole(role) => role.mfa_serial.as_deref(),
            Hop::SessionToken(token) => token.mfa_serial.as_deref(),
            Hop::FederationToken(_) => None,
        }
    }

    /// Whether the hop needs long-term keys under it (STS refuses temporary ones).
    pub fn needs_long_term_keys(&self) -> bool {
        !matches!(self, Hop::AssumeRole(_))
    }
}

/// What a hop is called in messages and traces: `AssumeRole ARN (profile "p")`,
/// `AssumeRole ARN` (from `--assume-roles`), `GetSessionToken`, `GetFederationToken`.
impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hop::AssumeRole(role) => {
                write!(f, "AssumeRole {}", role.role_arn)?;
                match &role.origin {
                    Origin::Profile(profile) => write!(f, " (profile {profile:?})"),
                    Origin::Flags => Ok(()),
                }
            }
            Hop::SessionToken(_) => f.write_str("GetSessionToken"),
            Hop::FederationToken(_) => f.write_str("GetFederationToken"),
        }
    }
}

/// A resolved plan: a base and the hops applied to it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Where the chain starts.
    pub base: Base,
    /// The hops, first applied first.
    pub hops: Vec<Hop>,
}

impl Plan {
    /// The plan with the command line's transitions after its own hops.
    pub fn with_transitions(mut self, transitions: Vec<Hop>) -> Self {
        self.hops.extend(transitions);
        self
    }

    /// Whether carrying the plan out needs no request and no helper: keys from the
    /// environment or a profile, and no hop.
    pub fn needs_no_request(&self) -> bool {
        self.hops.is_empty() && !self.base.can_refresh()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base)?;
        for hop in &self.hops {
            write!(f, " -> {hop}")?;
        }
        Ok(())
    }
}
