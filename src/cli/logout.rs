//! `aws-login logout`: the cached console-credential session of a profile's
//! `login_session` removed (or, with `--all`, every cached session), as `aws logout`
//! does. The profile's `login_session` setting stays: `aws-login login` signs it in
//! again.

use argh::FromArgs;

use super::identity::IdentityArgs;
use super::settings::Settings;
use super::{CliError, Context, Output, UsageError};
use crate::provider::execute::{ExecuteError, login_cache_dir};
use crate::provider::login_cache;

/// remove the cached console sign-in session of a profile (aws login), or all of them
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "logout",
    example = "{command_name} --profile dev",
    example = "{command_name} --all"
)]
pub struct LogoutArgs {
    /// the profile whose login_session to remove (default: AWS_DEFAULT_PROFILE, then
    /// AWS_PROFILE, then default)
    #[argh(option)]
    pub profile: Option<String>,
    /// remove every cached session
    #[argh(switch)]
    pub all: bool,
}

/// Runs `logout`.
pub fn run(args: &LogoutArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    if args.all && args.profile.is_some() {
        return Err(UsageError::Exclusive("--all", "--profile").into());
    }
    let dir = login_cache_dir(ctx.env).ok_or(CliError::Execute(ExecuteError::NoHome))?;
    let remove = |path: &std::path::Path| -> Result<bool, CliError> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(CliError::RemoveFile {
                what: "the cached session".into(),
                path: path.display().to_string(),
                source,
            }),
        }
    };
    if args.all {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Output {
                    stderr: format!("No cached sessions: {} does not exist.", dir.display()),
                    ..Output::default()
                });
            }
            Err(source) => {
                return Err(CliError::File {
                    what: "the login cache folder".into(),
                    path: dir.display().to_string(),
                    source,
                });
            }
        };
        let mut removed = 0;
        let mut unreadable = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| CliError::File {
                what: "the login cache folder".into(),
                path: dir.display().to_string(),
                source,
            })?;
            let path = entry.path();
            // Only what is a session: a file named by a SHA-256 holding one.
            let named = path.extension().is_some_and(|e| e == "json")
                && path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
            if !named || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) if login_cache::parse(&text).is_ok() => {
                    if remove(&path)? {
                        removed += 1;
                    }
                }
                Ok(_) => {}
                Err(e) => unreadable.push(format!("{} ({e})", path.display())),
            }
        }
        let mut said = format!(
            "Removed {removed} cached console sign-in session{} from {}.",
            if removed == 1 { "" } else { "s" },
            dir.display()
        );
        if unreadable.is_empty() {
            return Ok(Output {
                stderr: said,
                ..Output::default()
            });
        }
        said.push_str(&format!(
            "\nLeft {} file{} that may be sessions but could not be read: {}",
            unreadable.len(),
            if unreadable.len() == 1 { "" } else { "s" },
            unreadable.join("; ")
        ));
        return Ok(Output {
            stderr: said,
            exit_code: crate::error_kind::ErrorKind::Failure.exit_code(),
            ..Output::default()
        });
    }
    let identity = IdentityArgs {
        profile: args.profile.clone(),
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    if settings.profile().is_none() && settings.profile_named {
        return Err(UsageError::NoSuchProfile(settings.profile_name.clone()).into());
    }
    let Some(session) = settings.value("login_session") else {
        return Err(UsageError::NoLoginSession(settings.profile_name.clone()).into());
    };
    let path = login_cache::cache_path(&dir, session.trim());
    let said = if remove(&path)? {
        format!(
            "Removed the cached session {session:?} of profile {}.",
            settings.profile_name
        )
    } else {
        format!("No session {session:?} is cached: nothing to remove.")
    };
    Ok(Output {
        stderr: said,
        ..Output::default()
    })
}
