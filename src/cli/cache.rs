//! `aws-login cache clear`: removes what aws-login wrote to the assumed-role cache it
//! shares with the AWS CLI (`~/.aws/cli/cache`): the answers that carry aws-login's
//! `AwsLogin` member, and their lock files. The AWS CLI's own answers stay.

use argh::FromArgs;

use super::{CliError, Context, Output};

/// the assumed-role cache shared with the AWS CLI (~/.aws/cli/cache)
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "cache")]
pub struct CacheArgs {
    #[argh(subcommand)]
    /// what to do
    pub command: CacheCommand,
}

/// The `cache` commands.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
pub enum CacheCommand {
    /// `cache clear`
    Clear(ClearArgs),
}

/// remove the answers aws-login cached (the AWS CLI's own stay): every role is assumed
/// again, and MFA asked for again, on next use
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "clear")]
pub struct ClearArgs {}

/// Runs `cache clear`.
pub fn run(args: &CacheArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let CacheCommand::Clear(ClearArgs {}) = &args.command;
    let dir = crate::config::files::expand_user(
        "~/.aws/cli/cache",
        &crate::config::files::system_home_of(ctx.env),
    )
    .ok_or(CliError::Execute(
        crate::provider::execute::ExecuteError::NoHome,
    ))?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Output {
                stderr: format!("Nothing cached: {} does not exist.", dir.display()),
                ..Output::default()
            });
        }
        Err(source) => {
            return Err(CliError::File {
                what: "the assumed-role cache".into(),
                path: dir.display().to_string(),
                source,
            });
        }
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json")
            || !entry.file_type().is_ok_and(|t| t.is_file())
        {
            continue;
        }
        let ours = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|j| {
                j.pointer("/AwsLogin/Source")
                    .is_some_and(serde_json::Value::is_string)
            });
        if !ours {
            continue;
        }
        std::fs::remove_file(&path).map_err(|source| CliError::RemoveFile {
            what: "a cached answer".into(),
            path: path.display().to_string(),
            source,
        })?;
        let _ = std::fs::remove_file(crate::provider::sso_token_cache::lock::lock_path(&path));
        removed += 1;
    }
    Ok(Output {
        stderr: format!(
            "Removed {removed} cached answer{} aws-login wrote from {} (the AWS CLI's own are kept).",
            if removed == 1 { "" } else { "s" },
            dir.display()
        ),
        ..Output::default()
    })
}
