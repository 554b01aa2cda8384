//! `aws-login cache clear`: removes what aws-login wrote to the assumed-role cache it
//! shares with the AWS CLI (`~/.aws/cli/cache`): the answers that carry aws-login's
//! `AwsLogin` member, and their lock files. The AWS CLI's own answers stay.

use argh::FromArgs;

use super::identity::IdentityArgs;
use super::{CliError, Context, Output};
use crate::provider::plan::Plan;

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

/// Whether every MFA hop of `plan` has a lasting answer in the role cache for this
/// chain (and the cache is on): the chain's keys are worked out as the executor will
/// (a base of keys needs them at hand; another base is named by its description).
pub(crate) fn mfa_hops_cached(args: &IdentityArgs, plan: &Plan, ctx: &Context<'_>) -> bool {
    use crate::provider::role_cache;
    let Some(dir) = role_cache_dir(args, ctx) else {
        return false;
    };
    let base_creds = match crate::provider::execute::at_hand(&plan.base, ctx.env) {
        Some(Ok(creds)) => creds,
        Some(Err(_)) => return false,
        None => crate::credentials::Credentials::new("-", "-", None, None),
    };
    let starting = role_cache::starting_id(&plan.base, &base_creds);
    let now = ctx.clock.now();
    let mut chain = starting.clone();
    for hop in &plan.hops {
        let key = role_cache::hop_key(hop, &chain);
        if hop.mfa_serial().is_some() && !role_cache::hop_cached(&dir, &key, &starting, now) {
            return false;
        }
        chain = role_cache::chain_after(&chain, &key);
    }
    true
}

/// The AWS CLI's cache of assumed roles (`~/.aws/cli/cache`, botocore's JSONFileCache
/// folder), unless `--no-cache`.
pub(crate) fn role_cache_dir(args: &IdentityArgs, ctx: &Context<'_>) -> Option<std::path::PathBuf> {
    if args.no_cache {
        return None;
    }
    crate::config::files::expand_user(
        "~/.aws/cli/cache",
        &crate::config::files::system_home_of(ctx.env),
    )
}

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
