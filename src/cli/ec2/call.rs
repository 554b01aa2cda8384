//! `aws-login ec2 call ACTION Key=Value ...`: any EC2 Query action, the XML answer
//! printed as JSON.

use argh::FromArgs;

use super::{Ec2Error, Outcome, dry_run_allowed, with_ec2};
use crate::cli::identity::command_with_identity;
use crate::cli::session::Session;
use crate::cli::{CliError, Context, Output};
use crate::services::ec2;

command_with_identity! {
    /// call any EC2 action (Query parameters as Key=Value), the answer as JSON
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "call",
        example = "{command_name} DescribeRegions",
        example = "{command_name} DescribeInstances Filter.1.Name=instance-state-name Filter.1.Value.1=running",
        example = "{command_name} StopInstances InstanceId.1=i-0123456789abcdef0 --dry-run"
    )]
    pub struct CallArgs {
        /// the action (DescribeRegions, StopInstances...)
        #[argh(positional)]
        pub action: [String],
        /// its parameters, Key=Value (list members numbered from 1: InstanceId.1=...)
        #[argh(positional)]
        pub params: [Vec<String>],
        /// ask EC2 whether the call is allowed, without doing it
        #[argh(switch)]
        pub dry_run: [bool],
    }
}

/// The form of `action` with `params` (`Key=Value` each). Errors: an action that is not
/// a name, a parameter without `=`.
pub fn action_form(
    action: &str,
    params: &[String],
    dry_run: bool,
) -> Result<crate::services::query::QueryForm, Ec2Error> {
    let name_ok = !action.is_empty() && action.chars().all(|c| c.is_ascii_alphanumeric());
    if !name_ok {
        return Err(Ec2Error::Usage(format!(
            "{action:?} is not an EC2 action name (DescribeRegions, StopInstances...)"
        )));
    }
    let mut form = ec2::form(action);
    for param in params {
        let (key, value) = param
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| Ec2Error::Usage(format!("{param:?} is not Key=Value")))?;
        if ["action", "version"].contains(&key.trim().to_ascii_lowercase().as_str()) {
            return Err(Ec2Error::Usage(format!(
                "{key} is set by aws-login (the action is the first argument): not a parameter"
            )));
        }
        form.param(key.trim(), value);
    }
    if dry_run {
        form.param("DryRun", "true");
    }
    Ok(form)
}

/// Runs `ec2 call`.
pub fn run(args: &CallArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let form = action_form(args.action.trim(), &args.params, args.dry_run)?;
    let session = Session::open(&args.identity(), ctx)?;
    let outcome = with_ec2(&session, async |ec2ctx| {
        let result = ec2::call_action(
            ec2ctx.caller,
            &ec2ctx.endpoint,
            ec2ctx.credentials,
            args.action.trim(),
            form,
        )
        .await;
        ec2ctx.outcome(&args.action, result).await
    })?;
    match outcome {
        Outcome::Done(json) => Ok(Output::stdout(crate::cli::getcallerid::aws_cli_json(&json))),
        Outcome::DryRunAllowed => Ok(dry_run_allowed(&args.action)),
    }
}
