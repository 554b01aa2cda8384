//! `aws-login ec2 list`: the instances of a group (or all), as an aligned table or JSON.

use argh::FromArgs;

use super::{GROUP_TAG, Outcome, dry_run_allowed, with_ec2};
use crate::cli::identity::command_with_identity;
use crate::cli::session::Session;
use crate::cli::{CliError, Context, Output};
use crate::services::ec2::{self, DescribeInstances, Instance};

command_with_identity! {
    /// list instances (of a group) as a table or JSON
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "list",
        example = "{command_name} --group my_aws_machine_group",
        example = "{command_name} --state running,pending --json"
    )]
    pub struct ListArgs {
        /// only the instances of this group (tag aws-login:group)
        #[argh(option)]
        pub group: [Option<String>],
        /// only instances in these states (comma-separated: pending, running,
        /// shutting-down, terminated, stopping, stopped)
        #[argh(option)]
        pub state: [Option<String>],
        /// print JSON instead of a table
        #[argh(switch)]
        pub json: [bool],
        /// instances per DescribeInstances page (5-1000; default: EC2's)
        #[argh(option)]
        pub page_size: [Option<u32>],
        /// ask EC2 whether the call is allowed, without doing it
        #[argh(switch)]
        pub dry_run: [bool],
    }
}

/// The states EC2 filters by (`instance-state-name`).
pub const STATES: [&str; 6] = [
    "pending",
    "running",
    "shutting-down",
    "terminated",
    "stopping",
    "stopped",
];

/// The filters of a group (matched exactly: its `*` and `?` are not wildcards) and
/// states. Errors: an empty group, a state EC2 does not have.
pub fn filters(
    group: Option<&str>,
    states: Option<&str>,
) -> Result<Vec<(String, Vec<String>)>, super::Ec2Error> {
    let mut filters = Vec::new();
    if let Some(group) = group {
        let group = group.trim();
        if group.is_empty() {
            return Err(super::Ec2Error::Usage("--group is empty".into()));
        }
        filters.push((format!("tag:{GROUP_TAG}"), vec![ec2::exact(group)]));
    }
    if let Some(states) = states {
        let states: Vec<String> = states
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if states.is_empty() {
            return Err(super::Ec2Error::Usage("--state is empty".into()));
        }
        if let Some(bad) = states.iter().find(|s| !STATES.contains(&s.as_str())) {
            return Err(super::Ec2Error::Usage(format!(
                "--state {bad:?} is not one of {}",
                STATES.join(", ")
            )));
        }
        filters.push(("instance-state-name".to_owned(), states));
    }
    Ok(filters)
}

/// The instances whose group tag is exactly `group` (what the filter matched, checked
/// again here: a group's name decides what `terminate` ends).
pub fn in_group(instances: Vec<Instance>, group: Option<&str>) -> Vec<Instance> {
    match group.map(str::trim) {
        Some(group) => instances
            .into_iter()
            .filter(|i| i.tag(GROUP_TAG) == Some(group))
            .collect(),
        None => instances,
    }
}

/// The instances as an aligned table (a header, one line each). Pure.
pub fn table(instances: &[Instance]) -> String {
    let header = [
        "INSTANCE ID",
        "STATE",
        "TYPE",
        "ZONE",
        "PRIVATE IP",
        "PUBLIC IP",
        "LAUNCHED",
        "GROUP",
    ];
    let rows: Vec<[String; 8]> = instances
        .iter()
        .map(|i| {
            [
                i.instance_id.clone(),
                i.state.clone(),
                i.instance_type.clone(),
                i.availability_zone.clone(),
                i.private_ip.clone().unwrap_or_else(|| "-".into()),
                i.public_ip.clone().unwrap_or_else(|| "-".into()),
                i.launch_time.clone(),
                i.tag(GROUP_TAG).unwrap_or("-").to_owned(),
            ]
            // What EC2 returns (tags anyone may set) never reaches the terminal raw.
            .map(|cell| crate::cli::terminal_safe(&cell).into_owned())
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.map(str::to_owned));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// The instances as JSON (an array of objects).
pub fn json(instances: &[Instance]) -> String {
    let list: Vec<serde_json::Value> = instances
        .iter()
        .map(|i| {
            serde_json::json!({
                "InstanceId": i.instance_id,
                "State": i.state,
                "StateReason": i.state_reason,
                "InstanceType": i.instance_type,
                "ImageId": i.image_id,
                "AvailabilityZone": i.availability_zone,
                "PrivateIpAddress": i.private_ip,
                "PublicIpAddress": i.public_ip,
                "LaunchTime": i.launch_time,
                "Tags": i.tags.iter().map(|(k, v)| serde_json::json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
            })
        })
        .collect();
    crate::cli::getcallerid::aws_cli_json(&list)
}

/// Runs `ec2 list`.
pub fn run(args: &ListArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    if let Some(size) = args.page_size
        && !(5..=1000).contains(&size)
    {
        return Err(super::Ec2Error::Usage(format!(
            "--page-size {size} is out of 5 to 1000 (DescribeInstances' MaxResults)"
        ))
        .into());
    }
    let session = Session::open(&args.identity(), ctx)?;
    let req = DescribeInstances {
        filters: filters(args.group.as_deref(), args.state.as_deref())?,
        max_results: args.page_size,
        dry_run: args.dry_run,
        ..DescribeInstances::default()
    };
    let outcome = with_ec2(&session, async |ec2ctx| {
        let result =
            ec2::describe_instances(ec2ctx.caller, &ec2ctx.endpoint, ec2ctx.credentials, &req)
                .await;
        ec2ctx.outcome("DescribeInstances", result).await
    })?;
    let instances = match outcome {
        Outcome::Done(instances) => in_group(instances, args.group.as_deref()),
        Outcome::DryRunAllowed => return Ok(dry_run_allowed("DescribeInstances")),
    };
    Ok(Output::stdout(if args.json {
        json(&instances)
    } else {
        table(&instances)
    }))
}
