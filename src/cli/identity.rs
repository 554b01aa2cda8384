//! The identity every credential-using command acquires: starting credentials from the
//! environment, then the transitions the flags ask for, in order: `--get-session-token`
//! or `--get-federation-token` (static credentials only), then each role of
//! `--assume-roles`. MFA (`--mfa-serial`) applies to GetSessionToken when asked for,
//! else to the first role; its code comes from `--token-code` or a prompt on the
//! terminal.

use std::fmt;

use crate::credentials::Credentials;
use crate::endpoints::{self, Endpoint};
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::services::ServiceError;
use crate::services::constraints::ParamError;
use crate::services::sts;

/// Declares a command struct with the identity flags of every credential-using command
/// (argh cannot flatten a shared struct, so the fields are written once here). The
/// command's own field types go in brackets, `name: [Vec<String>],`, so that they reach
/// argh as written tokens (it must see `bool`, `Option`, `Vec`).
macro_rules! command_with_identity {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : [$($ty:tt)+], )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $($ty)+, )*
            /// the profile to start from (default: AWS_DEFAULT_PROFILE, then AWS_PROFILE, then default)
            #[argh(option)]
            pub profile: Option<String>,
            /// comma-separated role ARNs to assume in order (a chain)
            #[argh(option)]
            pub assume_roles: Option<String>,
            /// the RoleSessionName of the role hops (default aws-login)
            #[argh(option)]
            pub role_session_name: Option<String>,
            /// session length in seconds for the STS calls
            #[argh(option)]
            pub duration_seconds: Option<u32>,
            /// the ExternalId of the role hops
            #[argh(option)]
            pub external_id: Option<String>,
            /// MFA device serial number or ARN
            #[argh(option)]
            pub mfa_serial: Option<String>,
            /// MFA code (prompted for on the terminal when omitted)
            #[argh(option)]
            pub token_code: Option<crate::secret::SecretString>,
            /// call STS GetSessionToken on top of static credentials first
            #[argh(switch)]
            pub get_session_token: bool,
            /// call STS GetFederationToken on top of static credentials first
            #[argh(switch)]
            pub get_federation_token: bool,
            /// the session policy (JSON) of --get-federation-token
            #[argh(option)]
            pub federation_policy: Option<String>,
            /// comma-separated managed policy ARNs of --get-federation-token (default, when
            /// no policy is given: AdministratorAccess, which passes on all the user's permissions)
            #[argh(option)]
            pub federation_policy_arns: Option<String>,
            /// region (default: AWS_REGION, then AWS_DEFAULT_REGION)
            #[argh(option)]
            pub region: Option<String>,
            /// STS endpoint URL override
            #[argh(option)]
            pub endpoint_url: Option<String>,
            /// the longest wait, in seconds, for a connection to open (default 10; 0: no limit)
            #[argh(option)]
            pub cli_connect_timeout: Option<u64>,
            /// the longest wait, in seconds, for the next bytes from a server: not the whole
            /// answer, as in the AWS CLI (default 60; 0: no limit)
            #[argh(option)]
            pub cli_read_timeout: Option<u64>,
            /// the longest an AWS call may take, all its attempts and waits between them
            /// included, in seconds: the worst case a script waits per call (default 120;
            /// 0: no limit)
            #[argh(option)]
            pub operation_timeout: Option<u64>,
            /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
            #[argh(switch)]
            pub debug: bool,
        }

        impl $name {
            /// The identity flags, as plain data.
            pub fn identity(&self) -> $crate::cli::identity::IdentityArgs {
                $crate::cli::identity::IdentityArgs {
                    profile: self.profile.clone(),
                    assume_roles: self.assume_roles.clone(),
                    role_session_name: self.role_session_name.clone(),
                    duration_seconds: self.duration_seconds,
                    external_id: self.external_id.clone(),
                    mfa_serial: self.mfa_serial.clone(),
                    token_code: self.token_code.clone(),
                    get_session_token: self.get_session_token,
                    get_federation_token: self.get_federation_token,
                    federation_policy: self.federation_policy.clone(),
                    federation_policy_arns: self.federation_policy_arns.clone(),
                    region: self.region.clone(),
                    endpoint_url: self.endpoint_url.clone(),
                    cli_connect_timeout: self.cli_connect_timeout,
                    cli_read_timeout: self.cli_read_timeout,
                    operation_timeout: self.operation_timeout,
                    debug: self.debug,
                }
            }
        }
    };
}
pub(crate) use command_with_identity;

/// The identity flags of a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityArgs {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--assume-roles`.
    pub assume_roles: Option<String>,
    /// `--role-session-name`.
    pub role_session_name: Option<String>,
    /// `--duration-seconds`.
    pub duration_seconds: Option<u32>,
    /// `--external-id`.
    pub external_id: Option<String>,
    /// `--mfa-serial`.
    pub mfa_serial: Option<String>,
    /// `--token-code` (secret: `Debug` does not show it).
    pub token_code: Option<SecretString>,
    /// `--get-session-token`.
    pub get_session_token: bool,
    /// `--get-federation-token`.
    pub get_federation_token: bool,
    /// `--federation-policy`.
    pub federation_policy: Option<String>,
    /// `--federation-policy-arns`.
    pub federation_policy_arns: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--cli-connect-timeout`.
    pub cli_connect_timeout: Option<u64>,
    /// `--cli-read-timeout`.
    pub cli_read_timeout: Option<u64>,
    /// `--operation-timeout`.
    pub operation_timeout: Option<u64>,
    /// `--debug`.
    pub debug: bool,
}

/// Why no identity could be acquired.
#[derive(Debug)]
#[non_exhaustive]
pub enum IdentityError {
    /// The flags contradict each other or miss a value.
    Usage(String),
    /// No plan for the starting credentials (no source, a broken profile).
    Plan(crate::provider::plan::PlanError),
    /// The plan could not be carried out.
    Execute(crate::provider::execute::ExecuteError),
    /// An endpoint could not be resolved.
    Endpoint(endpoints::EndpointError),
    /// An STS call failed.
    Sts {
        /// What the call was for (`AssumeRole arn:...`).
        step: String,
        /// The failure.
        source: Box<ServiceError>,
    },
    /// An STS request the flags ask for would break the STS model's constraints; nothing
    /// was sent.
    Invalid {
        /// What the request is for (`GetSessionToken (--get-session-token)`).
        step: String,
        /// The member and what is wrong.
        source: ParamError,
    },
}

impl IdentityError {
    /// An STS call named `step` failed.
    pub fn sts(step: impl Into<String>, source: ServiceError) -> Self {
        Self::Sts {
            step: step.into(),
            source: Box::new(source),
        }
    }
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(msg) => f.write_str(msg),
            Self::Plan(e) => e.fmt(f),
            Self::Execute(e) => e.fmt(f),
            Self::Endpoint(e) => e.fmt(f),
            Self::Sts { step, .. } => write!(f, "{step} failed"),
            Self::Invalid { step, .. } => write!(f, "{step} was not sent: STS would refuse it"),
        }
    }
}

impl IdentityError {
    /// Its kind: the flags' problems are usage errors; the rest is its cause's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Usage(_) | Self::Invalid { .. } => crate::error_kind::ErrorKind::Usage,
            Self::Endpoint(e) => e.kind(),
            Self::Plan(e) => e.kind(),
            Self::Execute(e) => e.kind(),
            Self::Sts { source, .. } => source.kind(),
        }
    }
}

impl std::error::Error for IdentityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Execute(e) => e.source(),
            Self::Sts { source, .. } => Some(source.as_ref()),
            Self::Invalid { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A comma-separated list, trimmed, empty items dropped.
fn split_list(list: Option<&str>) -> Vec<String> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ARNs of `--assume-roles`, trimmed (the Python tool's examples use `", "`).
pub fn role_arns(args: &IdentityArgs) -> Vec<String> {
    split_list(args.assume_roles.as_deref())
}

/// Checks the flags before anything is sent. (`--token-code` without `--mfa-serial` is
/// checked by the caller, which knows whether a profile's `mfa_serial` will use it.)
pub fn validate(args: &IdentityArgs) -> Result<(), IdentityError> {
    if args.get_session_token && args.get_federation_token {
        return Err(IdentityError::Usage(
            "--get-session-token and --get-federation-token exclude each other".into(),
        ));
    }
    if (args.federation_policy.is_some() || args.federation_policy_arns.is_some())
        && !args.get_federation_token
    {
        return Err(IdentityError::Usage(
            "--federation-policy and --federation-policy-arns go with --get-federation-token"
                .into(),
        ));
    }
    if args.mfa_serial.is_some() && !args.get_session_token && role_arns(args).is_empty() {
        return Err(IdentityError::Usage(
            "--mfa-serial needs --get-session-token or --assume-roles to use it with".into(),
        ));
    }
    if args.mfa_serial.is_some() && args.get_federation_token && role_arns(args).is_empty() {
        return Err(IdentityError::Usage(
            "GetFederationToken does not take MFA".into(),
        ));
    }
    Ok(())
}

/// The session name of the flag-driven transitions.
fn session_name(args: &IdentityArgs) -> &str {
    args.role_session_name.as_deref().unwrap_or("aws-login")
}

/// The managed policies of `--get-federation-token`: the listed ones, or, when no policy
/// at all is given, AdministratorAccess (without any policy a federated session has no
/// permissions; this passes on everything the user has, which the user's own policies
/// still bound).
fn federation_policy_arns(args: &IdentityArgs) -> Vec<String> {
    let listed = split_list(args.federation_policy_arns.as_deref());
    if listed.is_empty() && args.federation_policy.is_none() {
        vec!["arn:aws:iam::aws:policy/AdministratorAccess".to_owned()]
    } else {
        listed
    }
}

fn session_token_request<'a>(
    args: &'a IdentityArgs,
    code: Option<&'a SecretString>,
) -> sts::SessionTokenRequest<'a> {
    sts::SessionTokenRequest {
        duration_seconds: args.duration_seconds,
        serial_number: args.mfa_serial.as_deref(),
        token_code: code,
    }
}

fn federation_request<'a>(
    args: &'a IdentityArgs,
    arns: &'a [&'a str],
) -> sts::FederationTokenRequest<'a> {
    sts::FederationTokenRequest {
        name: session_name(args),
        policy: args.federation_policy.as_deref(),
        policy_arns: arns,
        duration_seconds: args.duration_seconds,
        ..Default::default()
    }
}

fn role_request<'a>(
    args: &'a IdentityArgs,
    arn: &'a str,
    code: Option<&'a SecretString>,
) -> sts::AssumeRoleRequest<'a> {
    sts::AssumeRoleRequest {
        role_arn: arn,
        role_session_name: session_name(args),
        external_id: args.external_id.as_deref(),
        duration_seconds: args.duration_seconds,
        serial_number: code.and(args.mfa_serial.as_deref()),
        token_code: code,
        ..Default::default()
    }
}

/// Checks every STS request the flags ask for against the STS model before anything is
/// sent: `--duration-seconds` against each operation's range, the session name, the
/// external id, the MFA serial and `--token-code` (six digits, also when a profile's
/// `mfa_serial` is what uses it), the federation policy (a JSON object) and its ARNs,
/// each role ARN.
pub fn preflight(args: &IdentityArgs) -> Result<(), IdentityError> {
    let invalid = |step: String| move |source| IdentityError::Invalid { step, source };
    let code = args
        .token_code
        .as_ref()
        .map(|c| SecretString::new(c.expose().trim()));
    if let Some(code) = &code {
        sts::check_token_code(code.expose()).map_err(invalid("--token-code".into()))?;
    }
    if args.get_session_token {
        session_token_request(args, code.as_ref())
            .validate()
            .map_err(invalid("GetSessionToken (--get-session-token)".into()))?;
    } else if args.get_federation_token {
        let arns = federation_policy_arns(args);
        let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
        federation_request(args, &arns).validate().map_err(invalid(
            "GetFederationToken (--get-federation-token)".into(),
        ))?;
    }
    // The first role takes the MFA device when GetSessionToken did not.
    let mut mfa = !args.get_session_token && args.mfa_serial.is_some();
    for arn in role_arns(args) {
        let mut req = role_request(args, &arn, None);
        if std::mem::take(&mut mfa) {
            req.serial_number = args.mfa_serial.as_deref();
            req.token_code = code.as_ref();
        }
        req.validate()
            .map_err(invalid(format!("AssumeRole {arn} (--assume-roles)")))?;
    }
    Ok(())
}

/// Where the MFA code comes from when `--token-code` is not given.
pub type MfaPrompt<'p> = &'p dyn Fn(&str) -> Option<String>;

/// What was acquired, and the hops taken.
#[derive(Debug)]
pub struct Acquired {
    /// The final credentials.
    pub credentials: Credentials,
    /// One line per transition, for `--debug` (no secrets).
    pub hops: Vec<String>,
}

/// Starts from `start` and applies the transitions of `args`.
pub async fn acquire(
    args: &IdentityArgs,
    start: Credentials,
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    prompt: MfaPrompt<'_>,
) -> Result<Acquired, IdentityError> {
    let mut hops = Vec::new();
    let mut creds = start;
    let mut mfa_pending = args.mfa_serial.clone();
    let mut code = || -> Result<Option<SecretString>, IdentityError> {
        let Some(serial) = mfa_pending.take() else {
            return Ok(None);
        };
        let code = match &args.token_code {
            Some(c) => c.expose().to_owned(),
            None => prompt(&serial).ok_or_else(|| {
                IdentityError::Usage(format!(
                    "MFA code needed for {serial}: pass --token-code (no terminal to ask on)"
                ))
            })?,
        };
        Ok(Some(SecretString::new(code.trim())))
    };
    let static_only = |what: &str, creds: &Credentials| {
        if creds.session_token().is_some() {
            Err(IdentityError::Usage(format!(
                "{what} needs long-term (static) credentials, but the starting credentials are temporary (they have a session token)"
            )))
        } else {
            Ok(())
        }
    };
    if args.get_session_token {
        static_only("--get-session-token", &creds)?;
        let token_code = code()?;
        let req = session_token_request(args, token_code.as_ref());
        creds = sts::get_session_token(caller, endpoint, &creds, &req)
            .await
            .map_err(|source| IdentityError::sts("GetSessionToken", source))?;
        hops.push("GetSessionToken".to_owned());
    } else if args.get_federation_token {
        static_only("--get-federation-token", &creds)?;
        let arns = federation_policy_arns(args);
        let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
        let req = federation_request(args, &arns);
        let token = sts::get_federation_token(caller, endpoint, &creds, &req)
            .await
            .map_err(|source| IdentityError::sts("GetFederationToken", source))?;
        hops.push(format!("GetFederationToken as {}", token.arn));
        creds = token.credentials;
    }
    for arn in role_arns(args) {
        let token_code = code()?;
        let req = role_request(args, &arn, token_code.as_ref());
        let role = sts::assume_role(caller, endpoint, &creds, &req)
            .await
            .map_err(|source| IdentityError::sts(format!("AssumeRole {arn}"), source))?;
        hops.push(format!("AssumeRole {arn} -> {}", role.arn));
        creds = role.credentials;
    }
    Ok(Acquired {
        credentials: creds,
        hops,
    })
}
