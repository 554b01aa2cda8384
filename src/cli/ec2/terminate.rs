//! `aws-login ec2 terminate`: a group's instances (or the ones named) terminated, after
//! a confirmation on the terminal unless `--yes`; without a terminal and without
//! `--yes`, refused.

use argh::FromArgs;

use super::{Ec2Error, Outcome, dry_run_allowed, list, with_ec2};
use crate::cli::identity::command_with_identity;
use crate::cli::session::Session;
use crate::cli::{CliError, Context, Output};
use crate::services::ec2::{self, DescribeInstances};

command_with_identity! {
    /// terminate a group's instances (or --instance-ids), after confirmation
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "terminate",
        example = "{command_name} --group my_aws_machine_group",
        example = "{command_name} --instance-ids i-0123456789abcdef0,i-0fedcba9876543210 --yes"
    )]
    pub struct TerminateArgs {
        /// terminate the instances of this group (tag aws-login:group) that are not already
        #[argh(option)]
        pub group: [Option<String>],
        /// comma-separated instance ids to terminate
        #[argh(option)]
        pub instance_ids: [Option<String>],
        /// do not ask for confirmation
        #[argh(switch)]
        pub yes: [bool],
        /// ask EC2 whether the call is allowed, without doing it
        #[argh(switch)]
        pub dry_run: [bool],
    }
}

/// Runs `ec2 terminate`.
pub fn run(args: &TerminateArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let ids: Vec<String> = args
        .instance_ids
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .collect();
    let group = args
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    match (group, ids.is_empty()) {
        (Some(_), false) => {
            return Err(Ec2Error::Usage("give --group or --instance-ids, not both".into()).into());
        }
        (None, true) => {
            return Err(Ec2Error::Usage(
                "nothing to terminate: give --group NAME or --instance-ids ID,...".into(),
            )
            .into());
        }
        _ => {}
    }
    if !args.yes && !args.dry_run && !ctx.can_prompt {
        return Err(Ec2Error::Usage(
            "terminating needs a confirmation: there is no terminal to ask on, so give --yes"
                .into(),
        )
        .into());
    }
    let session = Session::open(&args.identity(), ctx)?;
    let outcome = with_ec2(&session, async |ec2ctx| {
        let targets = match group {
            Some(group) => {
                let req = DescribeInstances {
                    filters: list::filters(Some(group), Some("pending,running,stopping,stopped"))?,
                    ..DescribeInstances::default()
                };
                let found = ec2::describe_instances(
                    ec2ctx.caller,
                    &ec2ctx.endpoint,
                    ec2ctx.credentials,
                    &req,
                )
                .await;
                match ec2ctx.outcome("DescribeInstances", found).await? {
                    Outcome::Done(instances) => list::in_group(instances, Some(group))
                        .into_iter()
                        .map(|i| i.instance_id)
                        .collect(),
                    Outcome::DryRunAllowed => Vec::new(),
                }
            }
            None => ids.clone(),
        };
        if targets.is_empty() {
            return Ok(None);
        }
        if !args.yes && !args.dry_run {
            let of = group.map_or_else(String::new, |g| {
                format!(" of group {}", crate::cli::terminal_safe(g))
            });
            let question = format!(
                "Terminate {} instance{}{of} ({})? Type yes to go on: ",
                targets.len(),
                if targets.len() == 1 { "" } else { "s" },
                targets.join(", ")
            );
            if (ctx.prompt)(&question).as_deref() != Some("yes") {
                return Err(Ec2Error::Declined.into());
            }
        }
        let result = ec2::terminate_instances(
            ec2ctx.caller,
            &ec2ctx.endpoint,
            ec2ctx.credentials,
            &targets,
            args.dry_run,
        )
        .await;
        ec2ctx.outcome("TerminateInstances", result).await.map(Some)
    })?;
    match outcome {
        None => Ok(Output {
            stderr: format!(
                "No instance of group {} is left to terminate.",
                group.unwrap_or_default()
            ),
            ..Output::default()
        }),
        Some(Outcome::DryRunAllowed) => Ok(dry_run_allowed("TerminateInstances")),
        Some(Outcome::Done(changes)) => Ok(Output::stdout(
            changes
                .iter()
                .map(|c| format!("{}  {} -> {}\n", c.instance_id, c.previous, c.current))
                .collect(),
        )),
    }
}
