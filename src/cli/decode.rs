//! `aws-login decode-authorization-message MESSAGE`: why AWS said no. Decodes the encoded
//! message of an "UnauthorizedOperation" error with STS DecodeAuthorizationMessage and
//! prints its JSON, indented.

use argh::FromArgs;

use super::getcallerid::aws_cli_json;
use super::identity::{IdentityError, command_with_identity};
use super::{CliError, Context, Output, session};
use crate::services::sts;

command_with_identity! {
    /// decode an encoded authorization failure message (STS DecodeAuthorizationMessage)
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "decode-authorization-message",
        example = "{command_name} \"$ENCODED_MESSAGE\"",
        example = "{command_name} --profile audit \"$(cat failure.txt)\""
    )]
    pub struct DecodeArgs {
        /// the encoded message from the error
        #[argh(positional)]
        pub message: [String],
    }
}

/// Runs `decode-authorization-message`.
pub async fn run(args: &DecodeArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let message = args.message.trim();
    let decoded =
        session::with_identity(&args.identity(), ctx, async |caller, endpoint, creds, _| {
            sts::decode_authorization_message(caller, endpoint, creds, message)
                .await
                .map_err(|source| {
                    CliError::Identity(IdentityError::sts("DecodeAuthorizationMessage", source))
                })
        })
        .await?;
    // The message is JSON: shown indented when it parses, as sent otherwise.
    Ok(Output::stdout(
        match serde_json::from_str::<serde_json::Value>(&decoded) {
            Ok(json) => aws_cli_json(&json),
            Err(_) => format!("{decoded}\n"),
        },
    ))
}
