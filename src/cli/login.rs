//! `aws-login login`: sign in with a console identity (root, IAM user, federated) for
//! CLI credentials, as the AWS CLI's `aws login` does, into the same cache and profile
//! setting, so that aws-login, the AWS CLI and the SDKs all use (and refresh) the
//! session.
//!
//! - The profile (`--profile`, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE`, `default`) must not
//!   already get credentials another way (keys, a role, SSO, web identity, a
//!   `credential_process`): those would still come first in the chain.
//! - The region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's; with none,
//!   asked for on the terminal (`us-east-1` when nothing is entered, or without a
//!   terminal) and then written to the profile too.
//! - The browser on this machine (PKCE, the redirect to a loopback listener,
//!   `--redirect-port`); with `--remote`, or when no browser can be opened here, the
//!   page is printed to open on any device and the code it shows is pasted back.
//! - The session is written to `AWS_LOGIN_CACHE_DIRECTORY` or `~/.aws/login/cache`
//!   (atomically, 0600, under the cache's lock), then the profile gets `login_session`
//!   (the config file edited in place, comments kept). A profile that already names
//!   another session is changed only when the user says yes.
//!
//! Status goes to stderr; stdout stays empty. No secret is printed.

use argh::FromArgs;

use super::config_file::ConfigFile;
use super::connection::Connection;
use super::identity::IdentityArgs;
use super::settings::Settings;
use super::sign_in::{StderrUi, system_random};
use super::{CliError, Context, Output};
use crate::provider::execute::login_cache_dir;
use crate::provider::login_cache;
use crate::services::signin::token;
use crate::sso::browser;
use crate::sso::console_login::{ConsoleLogin, ConsoleLoginError, Device};

/// The region signed in at when none is configured or entered (the AWS CLI's).
pub const DEFAULT_REGION: &str = "us-east-1";

/// sign in with your console identity (root, IAM user, federated) for CLI credentials
/// that refresh for up to 12 hours, as `aws login` does; the profile gets login_session
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "login",
    example = "{command_name} --profile dev",
    example = "{command_name} --profile dev --region eu-west-1 --remote"
)]
pub struct LoginArgs {
    /// the profile to sign in (made if missing; default: AWS_DEFAULT_PROFILE, then
    /// AWS_PROFILE, then default)
    #[argh(option)]
    pub profile: Option<String>,
    /// the region to sign in at (default: AWS_REGION, AWS_DEFAULT_REGION, the
    /// profile's; asked for when there is none)
    #[argh(option)]
    pub region: Option<String>,
    /// sign in on another device: print the page to open and read the code it shows
    #[argh(switch)]
    pub remote: bool,
    /// the loopback port of the browser redirect (default: any free one)
    #[argh(option)]
    pub redirect_port: Option<u16>,
    /// the longest wait, in seconds, for a connection to the sign-in service to open
    /// (default 10; 0: no limit)
    #[argh(option)]
    pub cli_connect_timeout: Option<u64>,
    /// the longest wait, in seconds, for the next bytes from the sign-in service (default
    /// 60; 0: no limit)
    #[argh(option)]
    pub cli_read_timeout: Option<u64>,
    /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
    #[argh(switch)]
    pub debug: bool,
}

/// Why `login` stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoginCommandError {
    /// The profile already gets credentials another way.
    HasCredentials {
        /// The profile.
        profile: String,
        /// What it has (`Access Key`, `Assume Role`...).
        style: &'static str,
    },
    /// A profile name that cannot be a config section's.
    BadProfileName(String),
    /// A region that is not a region's name.
    BadRegion(String),
    /// `--remote` (or no browser here) without a terminal to paste the code on.
    NeedsTerminal,
    /// The credentials file sets the profile's `login_session`, which the config file's
    /// cannot override.
    SessionInCredentialsFile {
        /// The profile.
        profile: String,
        /// The session it names there.
        session: String,
    },
    /// The cache folder cannot take the session.
    CacheDir {
        /// The folder.
        path: String,
        /// Why.
        why: String,
    },
    /// The sign-in failed.
    SignIn(ConsoleLoginError),
}

impl std::fmt::Display for LoginCommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::HasCredentials { profile, style } => write!(
                f,
                "profile {profile:?} already gets {style} credentials, which would still come before a login session: sign in to a new profile (--profile NEW) or remove them from {profile:?} first"
            ),
            Self::BadProfileName(name) => write!(
                f,
                "{name:?} cannot be a profile's name (no brackets, line breaks or blanks at its ends)"
            ),
            Self::BadRegion(region) => {
                write!(f, "{region:?} is not a region's name (such as eu-west-1)")
            }
            Self::SessionInCredentialsFile { profile, session } => write!(
                f,
                "the credentials file gives profile {profile:?} login_session = {session}, which wins over the config file where aws-login (and aws login) write it: move that line to the config file's profile, or remove it"
            ),
            Self::CacheDir { path, why } => write!(
                f,
                "the session cannot be cached in {path} ({why}); AWS_LOGIN_CACHE_DIRECTORY chooses another folder"
            ),
            Self::NeedsTerminal => f.write_str(
                "signing in on another device needs a terminal to paste the code on (stdin is not one); run aws-login login on a terminal",
            ),
            Self::SignIn(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoginCommandError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::SignIn(e) => e.source(),
            _ => None,
        }
    }
}

impl LoginCommandError {
    /// Its kind: the sign-in's own; a refused profile or region is a usage error.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::SignIn(e) => e.kind(),
            Self::NeedsTerminal | Self::CacheDir { .. } => crate::error_kind::ErrorKind::Failure,
            _ => crate::error_kind::ErrorKind::Usage,
        }
    }
}

impl From<LoginCommandError> for CliError {
    fn from(e: LoginCommandError) -> Self {
        CliError::ConsoleLogin(Box::new(e))
    }
}

/// The credentials a profile already gets another way, in the AWS CLI's words (its
/// `ensure_profile_does_not_have_existing_credentials`).
pub fn existing_credentials(value: &dyn Fn(&str) -> Option<String>) -> Option<&'static str> {
    let has = |key: &str| value(key).is_some();
    if has("web_identity_token_file") {
        Some("Web Identity")
    } else if has("sso_role_name") || has("sso_account_id") {
        Some("SSO")
    } else if has("aws_access_key_id") {
        Some("Access Key")
    } else if has("role_arn") {
        Some("Assume Role")
    } else if has("credential_process") {
        Some("Credential Process")
    } else {
        None
    }
}

/// Whether `name` can be written as a section header: not empty, no brackets, no
/// control characters, no blanks at its ends.
fn valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.trim() == name
        && !name.contains(|c: char| c == '[' || c == ']' || c.is_control())
}

/// Whether `region` looks like a region's name (lower-case letters, digits, dashes).
fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Runs `login`.
pub fn run(args: &LoginArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    if args.remote && args.redirect_port.is_some() {
        return Err(super::UsageError::Exclusive("--remote", "--redirect-port").into());
    }
    let identity = IdentityArgs {
        profile: args.profile.clone(),
        region: args.region.clone(),
        debug: args.debug,
        cli_connect_timeout: args.cli_connect_timeout,
        cli_read_timeout: args.cli_read_timeout,
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    let profile = settings.profile_name.clone();
    if !valid_profile_name(&profile) {
        return Err(LoginCommandError::BadProfileName(profile).into());
    }
    // What the chain would read for the profile must be readable: a login session
    // behind a credentials file that cannot be read could not be trusted to be used.
    crate::provider::plan::readable(&settings.shared, &profile)?;
    if let Some(style) = existing_credentials(&|k| settings.value(k)) {
        return Err(LoginCommandError::HasCredentials { profile, style }.into());
    }
    if let Some(session) = settings.profile().and_then(|p| {
        p.get_in("login_session", crate::config::FileKind::Credentials)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }) {
        return Err(LoginCommandError::SessionInCredentialsFile { profile, session }.into());
    }
    let (region, region_to_save) = match settings.region(&identity, ctx) {
        Some(region) => (region.trim().to_owned(), false),
        None => (ask_region(ctx)?, true),
    };
    if !valid_region(&region) {
        return Err(LoginCommandError::BadRegion(region).into());
    }
    let browser_here =
        browser::browser_command("about:blank", ctx.env, browser::Os::current()).is_some();
    let device = if args.remote {
        Device::Cross
    } else if !browser_here {
        (ctx.stderr)(
            "No browser can be opened here (no display, or an SSH session): signing in on another device (--remote).",
        );
        Device::Cross
    } else {
        Device::Same {
            redirect_port: args.redirect_port,
        }
    };
    if device == Device::Cross && !ctx.can_prompt {
        return Err(LoginCommandError::NeedsTerminal.into());
    }
    let endpoint = token::endpoint(&region, ctx.env)?;
    let dir = login_cache_dir(ctx.env).ok_or(CliError::Execute(
        crate::provider::execute::ExecuteError::NoHome,
    ))?;
    let (config_path, _) =
        crate::config::files::paths(ctx.env, &crate::config::files::system_home_of(ctx.env));
    // A config file that cannot be edited, or a cache folder that cannot take the
    // session, is said before the sign-in, not after it (nothing is created or locked
    // while the user signs in).
    if let Some(config_path) = &config_path {
        ConfigFile::check(&config_path.display().to_string(), ctx)?;
    }
    check_cache_dir(&dir)?;
    let connection = Connection::open(&identity, &settings, ctx, Connection::sink(&identity, ctx))?;
    let ui = StderrUi::new(ctx, true);
    let signed_in = super::block_on(async {
        let caller = connection.caller()?;
        ConsoleLogin {
            caller: &caller,
            endpoint: &endpoint,
            region: &region,
            sleep: &crate::time::TokioSleep,
            random: &system_random,
            ui: &ui,
            ask: ctx.prompt,
        }
        .sign_in(device)
        .await
        .map_err(|e| CliError::from(LoginCommandError::SignIn(e)))
    })??;
    let session = signed_in.session.as_str();
    if let Some(existing) = settings.value("login_session")
        && existing.trim() != session
    {
        let question = format!(
            "Profile {profile} is already configured to use session {}. Change it to use {session}? (y/n): ",
            existing.trim()
        );
        let yes = (ctx.prompt)(&question)
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "y" | "yes"));
        if !yes {
            let why = if ctx.can_prompt {
                String::new()
            } else {
                format!(
                    " There is no terminal to ask whether to change it: run aws-login login on one, or remove login_session from profile {profile} first."
                )
            };
            return Ok(Output {
                stderr: format!(
                    "Profile {profile} left as it was (login_session = {}); the new session was not saved.{why}",
                    existing.trim()
                ),
                exit_code: crate::error_kind::ErrorKind::Failure.exit_code(),
                ..Output::default()
            });
        }
    }
    let path = login_cache::cache_path(&dir, session);
    let write_error = |source| CliError::WriteFile {
        what: "the signed-in session".into(),
        path: path.display().to_string(),
        source,
    };
    super::block_on(async {
        let _lock = crate::provider::sso_token_cache::lock::lock(
            &path,
            std::time::Duration::from_secs(60),
            &crate::time::TokioSleep,
        )
        .await
        .map_err(|e| CliError::Login(crate::sso::login::LoginError::Lock(e)))?;
        crate::private_file::write_private(&path, signed_in.document.expose().as_bytes())
            .map_err(write_error)
    })??;
    (ctx.stderr)(&format!(
        "Signed in as {session} (account {}), in {region}. The session is cached in {}; its credentials last until {} and are renewed for as long as the console session allows (up to 12 hours).",
        signed_in.token.account_id,
        path.display(),
        crate::provider::sso_token_cache::document::format_time(signed_in.token.expires_at),
    ));
    let mut keys = vec![("login_session", session)];
    if region_to_save {
        keys.push(("region", region.as_str()));
    }
    let profile_line = match config_path {
        Some(config_path) => {
            let file = ConfigFile::open(&config_path.display().to_string(), ctx)?;
            let (text, changed) = crate::config::edit::set_profile_keys(
                file.text.as_deref().unwrap_or_default(),
                &profile,
                &keys,
            );
            if changed {
                file.write(&text, ctx)?;
                format!("Profile {profile} now uses this session (login_session).")
            } else {
                format!("Profile {profile} already uses this session.")
            }
        }
        None => format!(
            "AWS_CONFIG_FILE is empty, so no profile was changed: add login_session = {session} to profile {profile} where you keep it."
        ),
    };
    let use_it = if profile == "default" {
        "Try: aws-login getcallerid".to_owned()
    } else if profile
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.@+".contains(&b))
        && !profile.starts_with('-')
    {
        format!("Try: aws-login getcallerid --profile {profile}")
    } else {
        format!(
            "Try: aws-login getcallerid --profile={}",
            crate::output::shell::posix_quote(&profile)
        )
    };
    Ok(Output {
        stderr: format!("{profile_line}\n{use_it}"),
        ..Output::default()
    })
}

/// Whether the cache folder `dir` can take a session file: a folder that takes new
/// files, or a path whose first existing folder takes new folders. Nothing is left
/// behind.
fn check_cache_dir(dir: &std::path::Path) -> Result<(), LoginCommandError> {
    let refuse = |why: String| LoginCommandError::CacheDir {
        path: dir.display().to_string(),
        why,
    };
    let mut existing = dir;
    loop {
        match std::fs::metadata(existing) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(refuse(format!("{} is not a folder", existing.display())));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match existing.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
                _ => return Ok(()),
            },
            Err(e) => return Err(refuse(e.to_string())),
        }
    }
    let made = if existing == dir {
        tempfile::Builder::new()
            .prefix(".aws-login-check-")
            .tempfile_in(existing)
            .map(drop)
    } else {
        tempfile::Builder::new()
            .prefix(".aws-login-check-")
            .tempdir_in(existing)
            .map(drop)
    };
    made.map_err(|e| {
        refuse(format!(
            "{} does not take new files: {e}",
            existing.display()
        ))
    })
}

/// The region asked for on the terminal, as the AWS CLI asks (default `us-east-1`; also
/// without a terminal, which is said). An answer that is not a region's name is asked
/// again, three times at most.
fn ask_region(ctx: &Context<'_>) -> Result<String, LoginCommandError> {
    if !ctx.can_prompt {
        (ctx.stderr)(&format!(
            "No region is configured: signing in at {DEFAULT_REGION}, saved to the profile with the session (--region chooses another)."
        ));
        return Ok(DEFAULT_REGION.to_owned());
    }
    (ctx.stderr)(
        "No AWS region is configured. If your account has resources, enter the region they are in; else pick the one closest to you (it can be changed later in the profile).",
    );
    let mut last = String::new();
    for _ in 0..3 {
        let answer = (ctx.prompt)(&format!("AWS Region [{DEFAULT_REGION}]: "))
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        if valid_region(&answer) {
            return Ok(answer);
        }
        (ctx.stderr)(&format!(
            "{answer:?} is not a region's name (such as eu-west-1)."
        ));
        last = answer;
    }
    Err(LoginCommandError::BadRegion(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_with_other_credentials_is_named_as_the_aws_cli_names_it() {
        let with = |keys: &'static [&'static str]| {
            existing_credentials(&|k| keys.contains(&k).then(|| "x".to_owned()))
        };
        assert_eq!(with(&[]), None);
        assert_eq!(with(&["region", "output", "login_session"]), None);
        assert_eq!(with(&["aws_access_key_id"]), Some("Access Key"));
        assert_eq!(with(&["role_arn", "source_profile"]), Some("Assume Role"));
        assert_eq!(with(&["sso_account_id"]), Some("SSO"));
        assert_eq!(
            with(&["web_identity_token_file", "role_arn"]),
            Some("Web Identity")
        );
        assert_eq!(with(&["credential_process"]), Some("Credential Process"));
    }

    #[test]
    fn names_that_would_break_the_config_file_are_refused() {
        assert!(valid_profile_name("dev"));
        assert!(valid_profile_name("my profile"));
        for bad in ["", " dev", "dev]", "a\nb", "[x"] {
            assert!(!valid_profile_name(bad), "{bad:?}");
        }
        assert!(valid_region("eu-west-1"));
        for bad in ["", "EU", "eu west", "eu-west-1\n[x]"] {
            assert!(!valid_region(bad), "{bad:?}");
        }
    }
}
