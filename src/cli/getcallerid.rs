//! `aws-login getcallerid`: who the acquired identity is, as STS GetCallerIdentity says,
//! printed as the AWS CLI prints it (`UserId`, `Account`, `Arn`).

use argh::FromArgs;
use serde::Serialize;

use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output};
use crate::endpoints::Service;
use crate::services::sts;

command_with_identity! {
    /// print the acquired identity (STS GetCallerIdentity) as JSON
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "getcallerid",
        example = "{command_name}",
        example = "{command_name} --profile dev --assume-roles arn:aws:iam::222222222222:role/OperatorRole",
        example = "AWS_PROFILE=prod {command_name} --debug"
    )]
    pub struct GetCallerIdArgs {}
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Printed<'a> {
    user_id: &'a str,
    account: &'a str,
    arn: &'a str,
}

/// JSON with 4-space indents and keys in declaration order, as the AWS CLI prints.
pub(crate) fn aws_cli_json(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs `getcallerid`.
pub fn run(args: &GetCallerIdArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let session = Session::open(&args.identity(), ctx)?;
    let id = super::block_on(async {
        let caller = session.caller()?;
        let creds = session.credentials(&caller).await?;
        let endpoint = session.endpoint(Service::Sts)?;
        sts::get_caller_identity(&caller, &endpoint, &creds)
            .await
            .map_err(CliError::call("GetCallerIdentity"))
    })??;
    Ok(Output::stdout(aws_cli_json(&Printed {
        user_id: &id.user_id,
        account: &id.account,
        arn: &id.arn,
    })))
}
