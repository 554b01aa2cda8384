//! The identity flags every credential-using command shares, and what they add to the
//! credential plan: after the profile's own hops, `--get-session-token` or
//! `--get-federation-token` (on long-term keys only), then each role of
//! `--assume-roles`. MFA (`--mfa-serial`) goes with GetSessionToken when asked for,
//! else with the first role; the executor asks for its code (`--token-code`, or a
//! prompt on the terminal), as for a profile's `mfa_serial`.

use super::UsageError;
use crate::provider::execute::DEFAULT_SESSION_NAME;
use crate::provider::plan::{FederationTokenHop, Hop, Origin, RoleHop, SessionTokenHop};
use crate::secret::SecretString;

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
            /// IAM Identity Center start URL: sign in (start from --sso-acct-id/--sso-role-name)
            #[argh(option)]
            pub start_url: Option<String>,
            /// the Identity Center region (default us-east-1)
            #[argh(option)]
            pub sso_region: Option<String>,
            /// the account of the SSO role to start from (with --sso-role-name)
            #[argh(option)]
            pub sso_acct_id: Option<String>,
            /// the permission set (role) to start from (with --sso-acct-id)
            #[argh(option)]
            pub sso_role_name: Option<String>,
            /// an OIDC access token to use instead of signing in
            #[argh(option)]
            pub sso_access_token: Option<crate::secret::SecretString>,
            /// a token cache file to use (file://PATH, e.g. one `aws sso login` wrote); refreshed in memory
            #[argh(option)]
            pub accesstoken_cache: Option<String>,
            /// keep the token in the shared cache (~/.aws/sso/cache) and refresh it there
            #[argh(switch)]
            pub use_cache: bool,
            /// token refresh: auto (default: when near its end), on (now) or off; with --use-cache or --accesstoken-cache
            #[argh(option)]
            pub refresh: Option<crate::provider::sso_token::RefreshMode>,
            /// sign in for a token that cannot be refreshed (register without scopes)
            #[argh(switch)]
            pub nrt: bool,
            /// neither use nor write the assumed-role cache (~/.aws/cli/cache, shared with
            /// the AWS CLI): every role is assumed again
            #[argh(switch)]
            pub no_cache: bool,
            /// sign in with the device code flow instead of the browser redirect
            #[argh(switch)]
            pub use_device_code: bool,
            /// do not open a browser; print the URL to open
            #[argh(switch)]
            pub no_browser: bool,
            /// the loopback port of the sign-in's browser redirect (default: any free one)
            #[argh(option)]
            pub listen_port: Option<u16>,
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
                    start_url: self.start_url.clone(),
                    sso_region: self.sso_region.clone(),
                    sso_acct_id: self.sso_acct_id.clone(),
                    sso_role_name: self.sso_role_name.clone(),
                    sso_access_token: self.sso_access_token.clone(),
                    accesstoken_cache: self.accesstoken_cache.clone(),
                    use_cache: self.use_cache,
                    refresh: self.refresh,
                    no_cache: self.no_cache,
                    nrt: self.nrt,
                    use_device_code: self.use_device_code,
                    no_browser: self.no_browser,
                    listen_port: self.listen_port,
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
    /// `--start-url`.
    pub start_url: Option<String>,
    /// `--sso-region`.
    pub sso_region: Option<String>,
    /// `--sso-acct-id`.
    pub sso_acct_id: Option<String>,
    /// `--sso-role-name`.
    pub sso_role_name: Option<String>,
    /// `--sso-access-token` (secret: `Debug` does not show it).
    pub sso_access_token: Option<SecretString>,
    /// `--accesstoken-cache`.
    pub accesstoken_cache: Option<String>,
    /// `--use-cache`.
    pub use_cache: bool,
    /// `--refresh`.
    pub refresh: Option<crate::provider::sso_token::RefreshMode>,
    /// `--no-cache`: the assumed-role cache neither read nor written.
    pub no_cache: bool,
    /// `--nrt`.
    pub nrt: bool,
    /// `--use-device-code`.
    pub use_device_code: bool,
    /// `--no-browser`.
    pub no_browser: bool,
    /// `--listen-port`.
    pub listen_port: Option<u16>,
    /// `--debug`.
    pub debug: bool,
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

/// Checks the flags against each other before anything else. (`--token-code` without
/// any MFA device is checked once the plan is known, since a profile's `mfa_serial` may
/// use it.)
pub fn validate(args: &IdentityArgs) -> Result<(), UsageError> {
    if args.get_session_token && args.get_federation_token {
        return Err(UsageError::Exclusive(
            "--get-session-token",
            "--get-federation-token",
        ));
    }
    if (args.federation_policy.is_some() || args.federation_policy_arns.is_some())
        && !args.get_federation_token
    {
        return Err(UsageError::FederationPolicyAlone);
    }
    let roles = role_arns(args);
    if args.assume_roles.is_some() && roles.is_empty() {
        // `--assume-roles "$ROLE"` with an empty variable: not the base identity instead.
        return Err(UsageError::NoRoles);
    }
    if args.mfa_serial.is_some() && args.get_federation_token && roles.is_empty() {
        return Err(UsageError::FederationTakesNoMfa);
    }
    if args.mfa_serial.is_some() && !args.get_session_token && roles.is_empty() {
        return Err(UsageError::MfaSerialUnused);
    }
    validate_sso(args)?;
    let any_hop = args.get_session_token || args.get_federation_token || !roles.is_empty();
    let hop_flags = [
        ("--duration-seconds", args.duration_seconds.is_some()),
        ("--role-session-name", args.role_session_name.is_some()),
        ("--external-id", args.external_id.is_some()),
    ];
    if let Some((flag, _)) = hop_flags.iter().find(|(_, given)| *given && !any_hop) {
        return Err(UsageError::FlagWithoutHop {
            flag,
            needs: "--assume-roles, --get-session-token or --get-federation-token",
        });
    }
    if args.external_id.is_some() && roles.is_empty() {
        return Err(UsageError::FlagWithoutHop {
            flag: "--external-id",
            needs: "--assume-roles",
        });
    }
    Ok(())
}

/// The SSO flags, as the Python tool takes them: `--sso-acct-id` and `--sso-role-name`
/// together, with one token source (`--start-url`, `--sso-access-token`,
/// `--accesstoken-cache` or `--use-cache`; the last three exclude each other), instead of
/// a profile; `--refresh` only with a cache.
fn validate_sso(args: &IdentityArgs) -> Result<(), UsageError> {
    if args
        .sso_access_token
        .as_ref()
        .is_some_and(|t| t.expose().trim().is_empty())
    {
        return Err(UsageError::Empty("--sso-access-token"));
    }
    let sources = [
        ("--sso-access-token", args.sso_access_token.is_some()),
        ("--accesstoken-cache", args.accesstoken_cache.is_some()),
        ("--use-cache", args.use_cache),
    ];
    let given: Vec<&'static str> = sources
        .iter()
        .filter(|(_, g)| *g)
        .map(|(f, _)| *f)
        .collect();
    if let [a, b, ..] = given.as_slice() {
        return Err(UsageError::Exclusive(a, b));
    }
    match (&args.sso_acct_id, &args.sso_role_name) {
        (Some(_), None) => {
            return Err(UsageError::FlagWithoutHop {
                flag: "--sso-acct-id",
                needs: "--sso-role-name",
            });
        }
        (None, Some(_)) => {
            return Err(UsageError::FlagWithoutHop {
                flag: "--sso-role-name",
                needs: "--sso-acct-id",
            });
        }
        (Some(_), Some(_)) => {
            if given.is_empty() && args.start_url.is_none() {
                return Err(UsageError::NoSsoTokenSource);
            }
            if args.profile.is_some() {
                return Err(UsageError::Exclusive("--sso-acct-id", "--profile"));
            }
        }
        (None, None) => {
            let sso_only = [
                ("--start-url", args.start_url.is_some()),
                ("--sso-access-token", args.sso_access_token.is_some()),
                ("--accesstoken-cache", args.accesstoken_cache.is_some()),
                ("--use-cache", args.use_cache),
            ];
            if let Some((flag, _)) = sso_only.iter().find(|(_, g)| *g) {
                return Err(UsageError::FlagWithoutHop {
                    flag,
                    needs: "--sso-acct-id and --sso-role-name",
                });
            }
        }
    }
    if args.refresh.is_some() && !args.use_cache && args.accesstoken_cache.is_none() {
        return Err(UsageError::FlagWithoutHop {
            flag: "--refresh",
            needs: "--use-cache or --accesstoken-cache",
        });
    }
    Ok(())
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

/// The hops the flags add to the plan, in order: GetSessionToken or
/// GetFederationToken, then each role of `--assume-roles`. `--mfa-serial` goes with
/// GetSessionToken, else with the first role; `--role-session-name`,
/// `--external-id` and `--duration-seconds` with every hop that takes them.
pub fn transitions(args: &IdentityArgs) -> Vec<Hop> {
    let mut hops = Vec::new();
    let mut mfa_serial = args.mfa_serial.clone();
    let session_name = args
        .role_session_name
        .clone()
        .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_owned());
    if args.get_session_token {
        hops.push(Hop::SessionToken(SessionTokenHop {
            duration_seconds: args.duration_seconds,
            mfa_serial: mfa_serial.take(),
        }));
    } else if args.get_federation_token {
        hops.push(Hop::FederationToken(FederationTokenHop {
            name: session_name.clone(),
            policy: args.federation_policy.clone(),
            policy_arns: federation_policy_arns(args),
            duration_seconds: args.duration_seconds,
        }));
    }
    for role_arn in role_arns(args) {
        hops.push(Hop::AssumeRole(RoleHop {
            origin: Origin::Flags,
            role_arn,
            role_session_name: Some(session_name.clone()),
            external_id: args.external_id.clone(),
            mfa_serial: mfa_serial.take(),
            duration_seconds: args.duration_seconds,
            source_identity: None,
        }));
    }
    hops
}

/// `--token-code`, trimmed and checked (six digits) before anything is sent.
pub fn token_code(args: &IdentityArgs) -> Result<Option<SecretString>, UsageError> {
    let Some(code) = &args.token_code else {
        return Ok(None);
    };
    let code = SecretString::new(code.expose().trim());
    crate::services::sts::check_token_code(code.expose()).map_err(UsageError::TokenCode)?;
    Ok(Some(code))
}

/// A question asked on the terminal, and the line typed (trimmed; `None` when there is
/// no terminal or nothing was typed): the MFA code when `--token-code` is not given,
/// and `configure sso`'s questions.
pub type Prompt<'p> = &'p dyn Fn(&str) -> Option<String>;
