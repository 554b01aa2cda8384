//! `aws-login dumpcreds`: prints the acquired credentials for a shell, a file or an SDK.
//! Only the credentials go to stdout; everything else goes to stderr.
//!
//! `--outform github` inside a GitHub Actions step (`GITHUB_ENV` set) prints only the
//! `::add-mask::` commands, which the runner reads from stdout, and then, once they are
//! written, appends the variables to the `$GITHUB_ENV` file itself; elsewhere it prints
//! both.

use argh::FromArgs;

use super::identity::command_with_identity;
use super::session::Session;
use super::{AppendAfter, CliError, Context, Output, UsageError};

use crate::output::{OutForm, credential_process_json, github, render};
use crate::provider::plan::Base;

command_with_identity! {
    /// print the acquired credentials (--outform, or credential_process JSON)
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "dumpcreds",
        example = "eval \"$({command_name} --profile dev)\"",
        example = "{command_name} --assume-roles arn:aws:iam::222222222222:role/OperatorRole --outform powershell",
        example = "in ~/.aws/config: credential_process = aws-login dumpcreds --credential-helper --profile base",
        example = "{command_name} --profile sso-admin --write-profile admin-temp"
    )]
    pub struct DumpCredsArgs {
        /// linux (default), mac, windows, powershell, fish, env, json, ini or github
        #[argh(option, default = "OutForm::Linux")]
        pub outform: [OutForm],
        /// print credential_process JSON (Version 1, with Expiration) instead
        #[argh(switch)]
        pub credential_helper: [bool],
        /// the section name of --outform ini (default: default)
        #[argh(option, default = "String::from(\"default\")")]
        pub ini_section: [String],
        /// write the temporary credentials into profile NAME of the shared credentials
        /// file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) instead of
        /// printing them; other profiles, comments and order are kept
        #[argh(option)]
        pub write_profile: [Option<String>],
        /// with --write-profile: replace a profile that holds long-term keys, or the
        /// profile the credentials come from
        #[argh(switch)]
        pub force: [bool],
    }
}

/// Runs `dumpcreds`: without a runtime or a transport when the credentials are at hand.
pub fn run(args: &DumpCredsArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let github_env = (ctx.env)("GITHUB_ENV").filter(|p| !p.trim().is_empty());
    if args.credential_helper && args.write_profile.is_some() {
        return Err(UsageError::Exclusive("--credential-helper", "--write-profile").into());
    }
    if args.force && args.write_profile.is_none() {
        return Err(UsageError::ForceWithoutWriteProfile.into());
    }
    let session = Session::open(&args.identity(), ctx)?;
    let creds = session.acquire()?;
    if let Some(name) = &args.write_profile {
        // The profile the credentials came from (not the environment, a container or
        // the instance).
        let from_profile = !matches!(
            session.plan().base,
            Base::Environment | Base::Container | Base::Imds { .. }
        );
        let settings = session.settings();
        let source = from_profile.then_some(settings.profile_name.as_str());
        return super::write_profile::write(name, args.force, &creds, source, ctx);
    }
    if args.credential_helper {
        return Ok(Output::stdout(credential_process_json(&creds)));
    }
    let (text, append_after) = match (args.outform, &github_env) {
        (OutForm::Github, Some(path)) => {
            let (masks, lines) = github(&creds).map_err(CliError::Output)?;
            // Written once the masks are out (see `Output::append_after`).
            let append = AppendAfter {
                what: "the GitHub Actions environment file (GITHUB_ENV)".into(),
                path: path.clone(),
                lines: lines.into(),
            };
            (masks, Some(append))
        }
        _ => (
            render(args.outform, &creds, &args.ini_section).map_err(CliError::Output)?,
            None,
        ),
    };
    Ok(Output {
        append_after,
        ..Output::stdout(text)
    })
}
