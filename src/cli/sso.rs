//! `aws-login sso login` and `aws-login sso logout`, as `aws sso login` and `aws sso
//! logout` do them, on the same token cache.
//!
//! `login` signs in to the profile's `sso-session` (or its legacy `sso_start_url`), an
//! `--sso-session` of the config file, or a bare `--start-url`. It uses the authorization
//! code flow with PKCE, or the device code flow with `--use-device-code` or when no
//! browser can be opened here (and says so). Status goes to stderr, a live line on a
//! terminal; stdout stays empty. `logout` revokes every cached token (the portal's
//! Logout) and removes it.

use argh::FromArgs;

use super::connection::Connection;
use super::identity::IdentityArgs;
use super::settings::Settings;
use super::sign_in::{StderrUi, choose_flow, system_random};
use super::{CliError, Context, Output, UsageError};
use crate::config::Section;
use crate::endpoints::{self, EndpointConfig, Service};
use crate::provider::sso_token_cache::{self, CachedToken};
use crate::sso::login::{Login, Target};

/// sign in to IAM Identity Center, or sign out
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "sso")]
pub struct SsoArgs {
    #[argh(subcommand)]
    /// login or logout
    pub command: SsoCommand,
}

/// The `sso` commands.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
pub enum SsoCommand {
    /// `sso login`
    Login(SsoLoginArgs),
    /// `sso logout`
    Logout(SsoLogoutArgs),
}

/// sign in and cache the token (shared with the AWS CLI)
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "login",
    example = "{command_name} --profile dev",
    example = "{command_name} --sso-session corp --use-device-code",
    example = "{command_name} --start-url https://d-1234567890.awsapps.com/start --sso-region eu-west-1"
)]
pub struct SsoLoginArgs {
    /// the profile whose sso-session (or sso_start_url) to sign in to (default:
    /// AWS_DEFAULT_PROFILE, then AWS_PROFILE, then default)
    #[argh(option)]
    pub profile: Option<String>,
    /// an [sso-session NAME] of the config file to sign in to
    #[argh(option)]
    pub sso_session: Option<String>,
    /// sign in to this start URL (no config needed)
    #[argh(option)]
    pub start_url: Option<String>,
    /// the Identity Center region of --start-url (default us-east-1)
    #[argh(option)]
    pub sso_region: Option<String>,
    /// use the device code flow instead of the browser redirect
    #[argh(switch)]
    pub use_device_code: bool,
    /// do not open a browser; print the URL to open
    #[argh(switch)]
    pub no_browser: bool,
    /// register without scopes: an 8-hour token that cannot be refreshed
    #[argh(switch)]
    pub nrt: bool,
    /// the loopback port of the browser redirect (default: any free one)
    #[argh(option)]
    pub listen_port: Option<u16>,
    /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
    #[argh(switch)]
    pub debug: bool,
}

/// revoke and remove every cached SSO token
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "logout")]
pub struct SsoLogoutArgs {
    /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
    #[argh(switch)]
    pub debug: bool,
}

/// Why there is nothing to sign in to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SsoConfigError {
    /// `--sso-session NAME` is not in the config file.
    NoSession(String),
    /// The session or profile lacks a setting.
    Missing {
        /// `sso-session NAME` or `profile NAME`.
        what: String,
        /// The key.
        key: &'static str,
    },
    /// The profile has no SSO settings.
    NotSso(String),
    /// The named profile is in neither file.
    NoProfile(String),
    /// `--start-url` is not an `https://` URL.
    BadStartUrl(String),
    /// `--start-url` and the `--sso-session` section name different start URLs.
    Inconsistent {
        /// The section.
        session: String,
        /// Its `sso_start_url`.
        configured: String,
    },
}

impl std::fmt::Display for SsoConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSession(name) => {
                write!(f, "there is no [sso-session {name}] in the config file")
            }
            Self::Missing { what, key } => write!(f, "{what} has no {key}"),
            Self::NoProfile(profile) => write!(
                f,
                "profile {profile:?} is in neither the config nor the credentials file"
            ),
            Self::BadStartUrl(url) => write!(
                f,
                "--start-url {url:?} is not a start URL (https://…/start)"
            ),
            Self::Inconsistent {
                session,
                configured,
            } => write!(
                f,
                "--start-url differs from [sso-session {session}]'s sso_start_url ({configured}): a token filed under that session would be for the wrong sign-in"
            ),
            Self::NotSso(profile) => write!(
                f,
                "profile {profile:?} has no sso_session or sso_start_url: name one with --sso-session or --start-url"
            ),
        }
    }
}

impl std::error::Error for SsoConfigError {}

fn value(section: &Section, key: &str) -> Option<String> {
    section
        .get(key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `sso_registration_scopes`, comma-separated (the AWS CLI's
/// `parse_sso_registration_scopes`).
fn scopes(section: &Section) -> Option<Vec<String>> {
    value(section, "sso_registration_scopes").map(|raw| {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// Whether `url` can be a start URL: `https://` (or `http://`) and a host, no whitespace
/// or control characters.
pub fn valid_start_url(url: &str) -> bool {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .is_some_and(|rest| {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !rest.contains(|c: char| c.is_whitespace() || c.is_control())
        })
}

/// What to sign in to, from the flags and the config file. Pure.
pub fn target(args: &SsoLoginArgs, settings: &Settings) -> Result<Target, SsoConfigError> {
    let session = |name: &str| -> Result<Target, SsoConfigError> {
        let section = settings
            .shared
            .sso_sessions
            .get(name)
            .ok_or_else(|| SsoConfigError::NoSession(name.to_owned()))?;
        let missing = |key| SsoConfigError::Missing {
            what: format!("sso-session {name}"),
            key,
        };
        Ok(Target {
            start_url: value(section, "sso_start_url").ok_or_else(|| missing("sso_start_url"))?,
            region: value(section, "sso_region").ok_or_else(|| missing("sso_region"))?,
            session_name: Some(name.to_owned()),
            scopes: scopes(section),
            no_refresh_token: args.nrt,
        })
    };
    if let Some(start_url) = &args.start_url {
        let start_url = start_url.trim();
        if !valid_start_url(start_url) {
            return Err(SsoConfigError::BadStartUrl(start_url.to_owned()));
        }
        if let Some(name) = &args.sso_session
            && let Some(section) = settings.shared.sso_sessions.get(name)
            && let Some(configured) = value(section, "sso_start_url")
            && configured != start_url
        {
            return Err(SsoConfigError::Inconsistent {
                session: name.clone(),
                configured,
            });
        }
        return Ok(Target {
            start_url: start_url.to_owned(),
            region: args
                .sso_region
                .clone()
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| "us-east-1".to_owned()),
            session_name: args.sso_session.clone(),
            scopes: None,
            no_refresh_token: args.nrt,
        });
    }
    if let Some(name) = &args.sso_session {
        return session(name);
    }
    let name = &settings.profile_name;
    let Some(profile) = settings.profile() else {
        return Err(if settings.profile_named {
            SsoConfigError::NoProfile(name.clone())
        } else {
            SsoConfigError::NotSso(name.clone())
        });
    };
    if let Some(session_name) = value(profile, "sso_session") {
        return session(&session_name);
    }
    let start_url =
        value(profile, "sso_start_url").ok_or_else(|| SsoConfigError::NotSso(name.clone()))?;
    Ok(Target {
        start_url,
        region: value(profile, "sso_region").ok_or_else(|| SsoConfigError::Missing {
            what: format!("profile {name:?}"),
            key: "sso_region",
        })?,
        session_name: None,
        scopes: None,
        no_refresh_token: args.nrt,
    })
}

/// The token cache directory (`~/.aws/sso/cache`).
pub fn cache_dir(ctx: &Context<'_>) -> Result<std::path::PathBuf, CliError> {
    let home_of = crate::config::files::system_home_of(ctx.env);
    crate::config::files::expand_user("~/.aws/sso/cache", &home_of).ok_or(CliError::Execute(
        crate::provider::execute::ExecuteError::NoHome,
    ))
}

/// Runs `sso login`.
pub fn login(args: &SsoLoginArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    if args.profile.is_some() && (args.start_url.is_some() || args.sso_session.is_some()) {
        let other = if args.start_url.is_some() {
            "--start-url"
        } else {
            "--sso-session"
        };
        return Err(UsageError::Exclusive("--profile", other).into());
    }
    if args.start_url.is_none() && args.sso_region.is_some() {
        return Err(UsageError::FlagWithoutHop {
            flag: "--sso-region",
            needs: "--start-url",
        }
        .into());
    }
    let identity = IdentityArgs {
        profile: args.profile.clone(),
        debug: args.debug,
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    let target = target(args, &settings).map_err(CliError::SsoConfig)?;
    let connection = Connection::open(&identity, &settings, ctx, Connection::sink(&identity, ctx))?;
    let profile = |k: &str| settings.value(k);
    let config = EndpointConfig::gather(Some(target.region.clone()), None, ctx.env, &profile);
    let services = |k: &str| settings.shared.service_endpoint(&settings.profile_name, k);
    let oidc = endpoints::resolve(Service::SsoOidc, &config, ctx.env, &services)?;
    let dir = cache_dir(ctx)?;
    let flow = choose_flow(ctx, args.use_device_code, args.no_browser, args.listen_port);
    let ui = StderrUi::new(ctx, !args.no_browser);
    let token: CachedToken = super::block_on(async {
        let caller = connection.caller()?;
        let login = Login {
            caller: &caller,
            oidc: &oidc,
            cache_dir: &dir,
            sleep: &crate::time::TokioSleep,
            random: &system_random,
            ui: &ui,
            trace: connection.trace(),
        };
        login
            .sign_in(&target, flow, true)
            .await
            .map_err(CliError::Login)
    })??;
    let refreshable = if token.refresh_token.is_some() {
        "; it is refreshed as it nears its end, for as long as the sign-in lasts"
    } else {
        " (not refreshable: sign in again then)"
    };
    Ok(Output {
        stderr: format!(
            "Signed in to {} (token cached in {}, valid until {}{refreshable}).",
            target.start_url,
            sso_token_cache::cache_path(&dir, target.cache_key()).display(),
            sso_token_cache::document::format_time(token.expires_at),
        ),
        ..Output::default()
    })
}

/// Runs `sso logout`: for each cached token (a file of the cache directory with an
/// `accessToken`), Logout at its region's portal (a failure is only traced: the token
/// may have expired already), then the file is removed, as `aws sso logout` does.
pub fn logout(args: &SsoLogoutArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let identity = IdentityArgs {
        debug: args.debug,
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    let connection = Connection::open(&identity, &settings, ctx, Connection::sink(&identity, ctx))?;
    let dir = cache_dir(ctx)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Output {
            stderr: "No cached SSO token: nothing to sign out of.".into(),
            ..Output::default()
        });
    };
    let mut tokens = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json")
            && let Ok(token) = sso_token_cache::load(&path)
        {
            tokens.push((path, token));
        }
    }
    let (removed, revoked) = super::block_on(async {
        let caller = connection.caller()?;
        let mut removed = 0;
        let mut revoked = 0;
        for (path, token) in &tokens {
            if let Some(region) = &token.region {
                let lookup = |_: &str| None;
                let config = EndpointConfig::gather(Some(region.clone()), None, ctx.env, &lookup);
                if let Ok(portal) = endpoints::resolve(Service::Sso, &config, ctx.env, &lookup) {
                    match crate::services::sso::logout(&caller, &portal, &token.access_token).await
                    {
                        Ok(()) => revoked += 1,
                        Err(e) => (ctx.stderr)(&format!(
                            "aws-login: the portal did not revoke the token of {}: {}",
                            path.display(),
                            super::cause_chain(&e)
                        )),
                    }
                }
            }
            std::fs::remove_file(path).map_err(|source| CliError::WriteFile {
                what: "a cached SSO token".into(),
                path: path.display().to_string(),
                source,
            })?;
            removed += 1;
        }
        Ok::<_, CliError>((removed, revoked))
    })??;
    Ok(Output {
        stderr: format!(
            "Signed out: {removed} cached SSO token(s) removed, {revoked} of them revoked at the portal."
        ),
        ..Output::default()
    })
}

/// Runs `sso`.
pub fn run(args: &SsoArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    match &args.command {
        SsoCommand::Login(login_args) => login(login_args, ctx),
        SsoCommand::Logout(logout_args) => logout(logout_args, ctx),
    }
}
