//! `aws-login dumpcreds`: prints the acquired credentials for a shell, a file or an SDK.
//! Only the credentials go to stdout; everything else goes to stderr.

use argh::FromArgs;

use super::identity::command_with_identity;
use super::{CliError, Context, Output, session};
use crate::output::{OutForm, credential_process_json, render};

command_with_identity! {
    /// print the acquired credentials (--outform, or credential_process JSON)
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(subcommand, name = "dumpcreds")]
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
    }
}

/// Runs `dumpcreds`.
pub async fn run(args: &DumpCredsArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let text = session::with_identity(&args.identity(), ctx, async |_, _, creds| {
        if args.credential_helper {
            Ok(credential_process_json(creds))
        } else {
            render(args.outform, creds, &args.ini_section).map_err(CliError::Output)
        }
    })
    .await?;
    Ok(Output::stdout(text))
}
