//! Why a command failed: one enum, each variant with its kind (and so its exit code, in
//! [`crate::error_kind`]), and the usage errors as their own typed values.

use std::fmt;

use crate::endpoints::EndpointError;
use crate::error_kind::ErrorKind;
use crate::http::client::TransportError;
use crate::http::retry::InvalidMaxAttempts;
use crate::output::OutputError;
use crate::provider::execute::ExecuteError;
use crate::provider::plan::PlanError;
use crate::services::ServiceError;
use crate::services::constraints::ParamError;

/// A command line that parsed but does not make sense.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// No command was given.
    NoCommand,
    /// Two flags that cannot go together.
    Exclusive(&'static str, &'static str),
    /// `--federation-policy`/`--federation-policy-arns` without `--get-federation-token`.
    FederationPolicyAlone,
    /// `--mfa-serial` with nothing to use it with.
    MfaSerialUnused,
    /// `--mfa-serial` with `--get-federation-token` and no role.
    FederationTakesNoMfa,
    /// `--token-code` when no hop uses an MFA device.
    TokenCodeUnused,
    /// One `--token-code` for several MFA hops (their devices).
    TokenCodeForSeveral(Vec<String>),
    /// A flag given an empty value where one is needed.
    Empty(&'static str),
    /// `--sso-acct-id`/`--sso-role-name` without a token source.
    NoSsoTokenSource,
    /// A command that lists what Identity Center assigns, without a token source.
    NeedsSsoToken(&'static str),
    /// `logout` for a profile without `login_session`.
    NoLoginSession(String),
    /// A named profile that is in neither file.
    NoSuchProfile(String),
    /// `--assume-roles` given, but it names no role.
    NoRoles,
    /// A flag that applies to hops the command line does not ask for.
    FlagWithoutHop {
        /// The flag.
        flag: &'static str,
        /// What it applies to.
        needs: &'static str,
    },
    /// `--token-code` is not an MFA code (six digits).
    TokenCode(ParamError),
    /// `AWS_MAX_ATTEMPTS` or `max_attempts` is not a whole number of at least 1.
    MaxAttempts(InvalidMaxAttempts),
    /// The CA bundle path starts with `~` and there is no home directory.
    CaBundleHome(String),
    /// `runas` was given both `-c COMMAND` and a program.
    RunBoth,
    /// `runas` was given nothing to run.
    RunNothing,
    /// `--force` without `--write-profile`.
    ForceWithoutWriteProfile,
    /// `serve --listen`: the address, and what is wrong with it.
    Listen(String, &'static str),
    /// `serve` with credentials that do not expire.
    ServeNeedsTemporary,
    /// `serve --env-file` names a file that is there already.
    EnvFileExists(String),
    /// `runas --credentials-server` with credentials that do not expire.
    ServerNeedsTemporary,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCommand => {
                f.write_str("no command given; run `aws-login --help` for the list")
            }
            Self::Exclusive(a, b) => write!(f, "{a} and {b} exclude each other"),
            Self::ForceWithoutWriteProfile => f.write_str("--force applies to --write-profile only"),
            Self::Listen(addr, why) => write!(f, "--listen {addr}: {why}"),
            Self::EnvFileExists(file) => write!(
                f,
                "--env-file {file}: it is there already; serve writes a new file and removes it when it stops: name a new one"
            ),
            Self::ServeNeedsTemporary => f.write_str(
                "serve needs temporary credentials (a session token and an expiry), as the container protocol does: start from a role, SSO, or add --get-session-token",
            ),
            Self::FederationPolicyAlone => f.write_str(
                "--federation-policy and --federation-policy-arns go with --get-federation-token",
            ),
            Self::MfaSerialUnused => f.write_str(
                "--mfa-serial needs --get-session-token or --assume-roles to use it with",
            ),
            Self::FederationTakesNoMfa => f.write_str("GetFederationToken does not take MFA"),
            Self::TokenCodeUnused => f.write_str(
                "--token-code given, but no MFA device is used (--mfa-serial, or a profile's mfa_serial)",
            ),
            Self::TokenCodeForSeveral(devices) => write!(
                f,
                "--token-code can answer one MFA device once, but this plan asks {} times ({}): leave it out to be asked for each code on the terminal",
                devices.len(),
                devices.join(", ")
            ),
            Self::NoRoles => f.write_str("--assume-roles names no role"),
            Self::Empty(flag) => write!(f, "{flag} is empty"),
            Self::NoSsoTokenSource => f.write_str(
                "--sso-acct-id and --sso-role-name need a token: --start-url (sign in), --sso-access-token, --accesstoken-cache or --use-cache",
            ),
            Self::NoLoginSession(profile) => write!(
                f,
                "profile {profile:?} has no login_session: nothing to log out of (--all removes every cached session)"
            ),
            Self::NoSuchProfile(profile) => write!(
                f,
                "profile {profile:?} is in neither the config nor the credentials file"
            ),
            Self::NeedsSsoToken(command) => write!(
                f,
                "{command} needs an Identity Center token: --start-url URL (sign in), --sso-access-token, --accesstoken-cache or --use-cache"
            ),
            Self::FlagWithoutHop { flag, needs } => {
                write!(f, "{flag} applies to {needs}, and none is given")
            }
            Self::TokenCode(_) => f.write_str("--token-code was not sent: STS would refuse it"),
            Self::MaxAttempts(e) => e.fmt(f),
            Self::CaBundleHome(path) => write!(
                f,
                "the CA bundle path {path:?} starts with ~, and there is no home directory to expand it with"
            ),
            Self::RunBoth => f.write_str("give either -c COMMAND or -- PROGRAM ARGS..., not both"),
            Self::RunNothing => f.write_str("nothing to run: give -c COMMAND or -- PROGRAM ARGS..."),
            Self::ServerNeedsTemporary => f.write_str(
                "--credentials-server needs temporary credentials (a session token and an expiry): start from a role, SSO, or add --get-session-token",
            ),
        }
    }
}

impl std::error::Error for UsageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::TokenCode(e) => Some(e),
            _ => None,
        }
    }
}

/// A command that failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum CliError {
    /// The command line parsed but does not make sense.
    Usage(UsageError),
    /// `presign` failed.
    Presign(super::presign::PresignError),
    /// `console` cannot sign in with these credentials.
    Console(super::console::ConsoleError),
    /// `dumpconfig` cannot generate or merge.
    DumpConfig(super::dumpconfig::DumpConfigError),
    /// `configure sso` stopped.
    Configure(super::configure::ConfigureError),
    /// An `ec2` command failed.
    Ec2(Box<super::ec2::Ec2Error>),
    /// No plan for the credentials (no source, a broken profile).
    Plan(PlanError),
    /// The plan could not be carried out.
    Execute(ExecuteError),
    /// An endpoint could not be resolved.
    Endpoint(EndpointError),
    /// Nothing to sign in to (`sso login`).
    SsoConfig(super::sso::SsoConfigError),
    /// The sign-in failed.
    Login(crate::sso::login::LoginError),
    /// `login` (a console identity's session) stopped.
    ConsoleLogin(Box<super::login::LoginCommandError>),
    /// `request` cannot make or write its request.
    Request(super::request::parts::RequestError),
    /// `metadata` printed nothing.
    Metadata(Box<super::metadata::MetadataError>),
    /// `dumpcreds --write-profile` wrote nothing.
    WriteProfile(Box<super::write_profile::WriteProfileError>),
    /// `importcache` refused a file.
    Import {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: crate::provider::sso_token_cache::CacheProblem,
    },
    /// A command's own AWS call failed (GetCallerIdentity...).
    Call {
        /// The operation.
        step: &'static str,
        /// The failure.
        source: Box<ServiceError>,
    },
    /// The transport could not be built (CA bundle, proxy URL).
    Transport(TransportError),
    /// The async runtime could not be started.
    Runtime(std::io::Error),
    /// The credentials cannot be written in the chosen form.
    Output(OutputError),
    /// The program to run could not be started.
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The credentials endpoint of `runas --credentials-server` cannot be opened.
    Serve(std::io::Error),
    /// `serve` cannot listen where asked.
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    WriteFile {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be removed.
    RemoveFile {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be read.
    File {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl CliError {
    /// A command's own call named `step` failed.
    pub fn call(step: &'static str) -> impl FnOnce(ServiceError) -> Self {
        move |source| Self::Call {
            step,
            source: Box::new(source),
        }
    }

    /// Its kind (see [`crate::error_kind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            CliError::Usage(_) => ErrorKind::Usage,
            CliError::Presign(e) => e.kind(),
            CliError::Console(e) => e.kind(),
            CliError::DumpConfig(e) => e.kind(),
            CliError::Configure(e) => e.kind(),
            CliError::Ec2(e) => e.kind(),
            CliError::Plan(e) => e.kind(),
            CliError::Execute(e) => e.kind(),
            CliError::Endpoint(e) => e.kind(),
            CliError::Call { source, .. } => source.kind(),
            CliError::Login(e) => e.kind(),
            CliError::ConsoleLogin(e) => e.kind(),
            CliError::Request(e) => e.kind(),
            CliError::Metadata(e) => e.kind(),
            CliError::WriteProfile(e) => e.kind(),
            CliError::Transport(e) => e.kind(),
            _ => ErrorKind::Failure,
        }
    }

    /// The process exit status for this error: a program `runas` cannot start exits as
    /// shells do (127 not found, 126 cannot run); every other error by its kind.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Spawn { source, .. } if source.kind() == std::io::ErrorKind::NotFound => 127,
            CliError::Spawn { .. } => 126,
            _ => self.kind().exit_code(),
        }
    }
}

impl From<super::request::parts::RequestError> for CliError {
    fn from(e: super::request::parts::RequestError) -> Self {
        Self::Request(e)
    }
}

impl From<Box<super::metadata::MetadataError>> for CliError {
    fn from(e: Box<super::metadata::MetadataError>) -> Self {
        Self::Metadata(e)
    }
}

impl From<UsageError> for CliError {
    fn from(e: UsageError) -> Self {
        Self::Usage(e)
    }
}

impl From<PlanError> for CliError {
    fn from(e: PlanError) -> Self {
        Self::Plan(e)
    }
}

impl From<ExecuteError> for CliError {
    fn from(e: ExecuteError) -> Self {
        Self::Execute(e)
    }
}

impl From<EndpointError> for CliError {
    fn from(e: EndpointError) -> Self {
        Self::Endpoint(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(e) => e.fmt(f),
            CliError::Presign(e) => e.fmt(f),
            CliError::Console(e) => e.fmt(f),
            CliError::DumpConfig(e) => e.fmt(f),
            CliError::Configure(e) => e.fmt(f),
            CliError::Ec2(e) => e.fmt(f),
            CliError::Plan(e) => e.fmt(f),
            CliError::Execute(e) => e.fmt(f),
            CliError::Endpoint(e) => e.fmt(f),
            CliError::Call { step, .. } => write!(f, "{step} failed"),
            CliError::SsoConfig(e) => e.fmt(f),
            CliError::Import { path, problem } => write!(f, "cannot import {path}: {problem}"),
            CliError::Login(e) => e.fmt(f),
            CliError::ConsoleLogin(e) => e.fmt(f),
            CliError::Request(e) => e.fmt(f),
            CliError::Metadata(e) => e.fmt(f),
            CliError::WriteProfile(e) => e.fmt(f),
            CliError::Transport(e) => e.fmt(f),
            CliError::Runtime(_) => f.write_str("cannot start"),
            CliError::Output(e) => e.fmt(f),
            CliError::Spawn { program, .. } => write!(f, "cannot run {program:?}"),
            CliError::Serve(_) => f.write_str("cannot open the credentials endpoint on 127.0.0.1"),
            CliError::Listen { addr, .. } => write!(f, "cannot listen on {addr}"),
            CliError::File { what, path, .. } => write!(f, "cannot read {what} at {path}"),
            CliError::WriteFile { what, path, .. } => {
                write!(f, "cannot write {what} at {path}")
            }
            CliError::RemoveFile { what, path, .. } => {
                write!(f, "cannot remove {what} at {path}")
            }
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Usage(e) => e.source(),
            CliError::Presign(e) => e.source(),
            CliError::Console(e) => e.source(),
            CliError::DumpConfig(e) => e.source(),
            CliError::Configure(_) | CliError::Ec2(_) => None,
            CliError::Plan(e) => e.source(),
            CliError::Execute(e) => e.source(),
            CliError::Endpoint(e) => e.source(),
            CliError::Call { source, .. } => Some(source.as_ref()),
            CliError::SsoConfig(_) | CliError::Import { .. } => None,
            CliError::Login(e) => e.source(),
            CliError::ConsoleLogin(e) => e.source(),
            CliError::Request(e) => e.source(),
            CliError::Metadata(e) => e.source(),
            CliError::WriteProfile(_) => None,
            CliError::Transport(e) => e.source(),
            CliError::Output(_) => None,
            CliError::Runtime(source)
            | CliError::Spawn { source, .. }
            | CliError::File { source, .. }
            | CliError::WriteFile { source, .. }
            | CliError::RemoveFile { source, .. }
            | CliError::Serve(source)
            | CliError::Listen { source, .. } => Some(source),
        }
    }
}
