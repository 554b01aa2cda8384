//! `aws-login decode-authorization-message MESSAGE`: why AWS said no. Decodes the encoded
//! message of an "UnauthorizedOperation" error with STS DecodeAuthorizationMessage and
//! prints its JSON, indented.

use argh::FromArgs;

use super::getcallerid::aws_cli_json;
use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output};
use crate::endpoints::Service;
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
pub fn run(args: &DecodeArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let message = args.message.trim();
    let session = Session::open(&args.identity(), ctx)?;
    let decoded = super::block_on(async {
        let caller = session.caller()?;
        let creds = session.credentials(&caller).await?;
        let endpoint = session.endpoint(Service::Sts)?;
        sts::decode_authorization_message(&caller, &endpoint, &creds, message)
            .await
            .map_err(CliError::call("DecodeAuthorizationMessage"))
    })??;
    // The message is JSON: shown indented when it parses, as sent otherwise.
    Ok(Output::stdout(
        match serde_json::from_str::<serde_json::Value>(&decoded) {
            Ok(json) => aws_cli_json(&json),
            Err(_) => format!("{decoded}\n"),
        },
    ))
}
