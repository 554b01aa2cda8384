//! `aws-login ec2 launch`: a group of machines started with one RunInstances (all or
//! nothing), its user data read from a file with `${AWS_LOGIN_GROUP}` and
//! `--user-data-var KEY=VALUE` placeholders filled in, instances and volumes tagged with
//! the group; the instance ids on stdout; with `--wait`, until they all run.

use std::time::Duration;

use argh::FromArgs;
use base64::Engine as _;

use super::wait::{self, WaitEvent};
use super::{Ec2Error, GROUP_TAG, Outcome, dry_run_allowed, with_ec2};
use crate::cli::identity::command_with_identity;
use crate::cli::session::Session;
use crate::cli::{CliError, Context, Output};
use crate::endpoints::Service;
use crate::services::ec2::{self, DescribeInstances, InstanceProfile, RunInstances};
use crate::services::ssm;

command_with_identity! {
    /// launch a group of EC2 instances with a user-data script
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "launch",
        example = "{command_name} --group my_aws_machine_group --count 2 --instance-type t2.micro --user-data user-data.sh --image-alias /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 --region ap-south-1 --wait",
        example = "{command_name} --group g --instance-type t3.micro --image-id ami-0123456789abcdef0 --dry-run"
    )]
    pub struct LaunchArgs {
        /// the group's name: tagged on each instance and volume (aws-login:group, Name)
        #[argh(option)]
        pub group: [String],
        /// how many instances (default 1)
        #[argh(option, default = "1")]
        pub count: [u32],
        /// the instance type (t3.micro...)
        #[argh(option)]
        pub instance_type: [String],
        /// the user-data file (${AWS_LOGIN_GROUP} and --user-data-var placeholders filled in)
        #[argh(option)]
        pub user_data: [Option<String>],
        /// KEY=VALUE: fills ${KEY} in the user data (repeatable)
        #[argh(option)]
        pub user_data_var: [Vec<String>],
        /// the AMI
        #[argh(option)]
        pub image_id: [Option<String>],
        /// an SSM parameter that names the AMI (a public alias such as
        /// /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64)
        #[argh(option)]
        pub image_alias: [Option<String>],
        /// the key pair
        #[argh(option)]
        pub key_name: [Option<String>],
        /// comma-separated security group ids
        #[argh(option)]
        pub security_group_ids: [Option<String>],
        /// the subnet
        #[argh(option)]
        pub subnet_id: [Option<String>],
        /// the instance profile, by name or ARN
        #[argh(option)]
        pub instance_profile: [Option<String>],
        /// one more tag, K=V (repeatable)
        #[argh(option)]
        pub tag: [Vec<String>],
        /// wait until every instance runs (or one fails)
        #[argh(switch)]
        pub wait: [bool],
        /// the longest --wait, in seconds (default 600; 0: no limit)
        #[argh(option, default = "600")]
        pub wait_timeout: [u64],
        /// the idempotency token (default: a new random one; the same token never
        /// launches twice)
        #[argh(option)]
        pub client_token: [Option<String>],
        /// ask EC2 whether the launch is allowed, without doing it
        #[argh(switch)]
        pub dry_run: [bool],
    }
}

/// The placeholder every user data may hold: the group's name.
pub const GROUP_PLACEHOLDER: &str = "AWS_LOGIN_GROUP";

/// `KEY=VALUE` split, the key checked.
fn key_value(item: &str, flag: &str) -> Result<(String, String), Ec2Error> {
    item.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Ec2Error::Usage(format!("{flag} {item:?} is not KEY=VALUE")))
}

/// `data` with every `from` replaced by `to`, byte for byte (user data need not be text).
fn replace_bytes(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if !from.is_empty() && data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

/// The user data with `${AWS_LOGIN_GROUP}` and each `${KEY}` of `vars` filled in (byte
/// for byte: the data need not be text); other `${...}` are left alone (the script's own
/// shell variables). Errors: a var that matches nothing, one given twice, or
/// `AWS_LOGIN_GROUP` (which `--group` sets). Pure.
pub fn fill_user_data(
    data: &[u8],
    group: &str,
    vars: &[(String, String)],
) -> Result<Vec<u8>, Ec2Error> {
    let placeholder = |key: &str| format!("${{{key}}}").into_bytes();
    let mut out = replace_bytes(data, &placeholder(GROUP_PLACEHOLDER), group.as_bytes());
    for (n, (key, value)) in vars.iter().enumerate() {
        if key == GROUP_PLACEHOLDER {
            return Err(Ec2Error::Usage(format!(
                "--user-data-var {key}: --group sets ${{{key}}}"
            )));
        }
        if vars[..n].iter().any(|(k, _)| k == key) {
            return Err(Ec2Error::Usage(format!(
                "--user-data-var {key} is given twice"
            )));
        }
        let from = placeholder(key);
        if !out.windows(from.len()).any(|w| w == from.as_slice()) {
            return Err(Ec2Error::Usage(format!(
                "--user-data-var {key}: the user data has no ${{{key}}} to fill in"
            )));
        }
        out = replace_bytes(&out, &from, value.as_bytes());
    }
    Ok(out)
}

/// The most user data read from the file (filling in may shrink it back under 16 KiB;
/// past this it never would).
const MAX_USER_DATA_FILE: u64 = 1024 * 1024;

/// The user data to send, base64-encoded. Errors: unreadable, vars for bytes that are
/// not text, over 16 KiB once filled in.
fn user_data(args: &LaunchArgs) -> Result<Option<String>, CliError> {
    let vars = args
        .user_data_var
        .iter()
        .map(|v| key_value(v, "--user-data-var"))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(path) = &args.user_data else {
        if !vars.is_empty() {
            return Err(Ec2Error::Usage("--user-data-var needs --user-data FILE".into()).into());
        }
        return Ok(None);
    };
    let file_error = |source| CliError::File {
        what: "the user data".into(),
        path: path.clone(),
        source,
    };
    let mut bytes = Vec::new();
    {
        use std::io::Read;
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_USER_DATA_FILE + 1).read_to_end(&mut bytes))
            .map_err(file_error)?;
    }
    if bytes.len() as u64 > MAX_USER_DATA_FILE {
        return Err(Ec2Error::Usage(format!(
            "{path} is larger than 1 MiB: EC2 takes at most 16 KiB of user data"
        ))
        .into());
    }
    let filled = fill_user_data(&bytes, args.group.trim(), &vars)?;
    if filled.len() > ec2::MAX_USER_DATA {
        return Err(Ec2Error::Usage(format!(
            "the user data is {} bytes once filled in; EC2 takes at most {} (16 KiB)",
            filled.len(),
            ec2::MAX_USER_DATA
        ))
        .into());
    }
    Ok(Some(
        base64::engine::general_purpose::STANDARD.encode(filled),
    ))
}

/// A new client token: 32 hex characters from the system's random source.
fn client_token() -> Result<String, CliError> {
    let mut bytes = [0u8; 16];
    crate::cli::sign_in::system_random(&mut bytes)
        .map_err(|_| CliError::Runtime(std::io::Error::other("no random source")))?;
    Ok(hex::encode(bytes))
}

/// The request from the flags (the image id resolved). Errors: bad flags.
fn request(args: &LaunchArgs, image_id: String) -> Result<RunInstances, CliError> {
    let group = args.group.trim();
    if group.is_empty() || group.len() > 255 {
        return Err(Ec2Error::Usage("--group must be 1 to 255 characters".into()).into());
    }
    if args.count == 0 {
        return Err(Ec2Error::Usage("--count must be at least 1".into()).into());
    }
    if args.wait_timeout != 600 && !args.wait {
        return Err(
            Ec2Error::Usage("--wait-timeout applies to --wait, and none is given".into()).into(),
        );
    }
    for (flag, value) in [
        ("--key-name", &args.key_name),
        ("--subnet-id", &args.subnet_id),
        ("--security-group-ids", &args.security_group_ids),
        ("--instance-profile", &args.instance_profile),
        ("--image-alias", &args.image_alias),
        ("--image-id", &args.image_id),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(Ec2Error::Usage(format!("{flag} is empty")).into());
        }
    }
    let mut tags = vec![
        ("Name".to_owned(), group.to_owned()),
        (GROUP_TAG.to_owned(), group.to_owned()),
    ];
    if group.contains(char::is_control) {
        return Err(Ec2Error::Usage("--group holds a control character".into()).into());
    }
    for tag in &args.tag {
        let (k, v) = key_value(tag, "--tag")?;
        if args
            .tag
            .iter()
            .filter(|t| t.split_once('=').is_some_and(|(key, _)| key.trim() == k))
            .count()
            > 1
        {
            return Err(Ec2Error::Usage(format!("--tag {k} is given twice")).into());
        }
        if k == GROUP_TAG {
            return Err(Ec2Error::Usage(format!(
                "--tag {GROUP_TAG}=...: --group sets that tag (it decides what list and terminate see)"
            ))
            .into());
        }
        tags.retain(|(key, _)| *key != k);
        tags.push((k, v));
    }
    let token = match &args.client_token {
        Some(t) if t.is_empty() || t.len() > 64 || !t.is_ascii() => {
            return Err(
                Ec2Error::Usage("--client-token must be 1 to 64 ASCII characters".into()).into(),
            );
        }
        Some(t) => t.clone(),
        None => client_token()?,
    };
    Ok(RunInstances {
        image_id,
        instance_type: args.instance_type.trim().to_owned(),
        count: args.count,
        user_data: user_data(args)?,
        key_name: args.key_name.clone(),
        security_group_ids: args
            .security_group_ids
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        subnet_id: args.subnet_id.clone(),
        instance_profile: args.instance_profile.as_deref().map(|p| {
            if p.starts_with("arn:") {
                InstanceProfile::Arn(p.to_owned())
            } else {
                InstanceProfile::Name(p.to_owned())
            }
        }),
        tags,
        client_token: token,
        dry_run: args.dry_run,
    })
}

/// Runs `ec2 launch`.
pub fn run(args: &LaunchArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let image = match (&args.image_id, &args.image_alias) {
        (Some(_), Some(_)) => {
            return Err(
                Ec2Error::Usage("give --image-id or --image-alias, not both".into()).into(),
            );
        }
        (None, None) => {
            return Err(Ec2Error::Usage(
                "which image? give --image-id AMI or --image-alias SSM-PARAMETER".into(),
            )
            .into());
        }
        (id, alias) => (id.clone(), alias.clone()),
    };
    // Everything but the image is checked before anything is sent.
    let mut req = request(args, image.0.clone().unwrap_or_default())?;
    let session = Session::open(&args.identity(), ctx)?;
    let group = args.group.trim().to_owned();
    let launched = with_ec2(&session, async |ec2ctx| {
        if let Some(alias) = &image.1 {
            let endpoint = ec2ctx.session.endpoint(Service::Ssm)?;
            req.image_id = ssm::get_parameter(ec2ctx.caller, &endpoint, ec2ctx.credentials, alias)
                .await
                .map_err(CliError::call("SSM GetParameter (--image-alias)"))?;
            if !req.image_id.starts_with("ami-") {
                return Err(Ec2Error::Usage(format!(
                    "--image-alias {alias} holds {:?}, which is not an AMI id (ami-...)",
                    req.image_id
                ))
                .into());
            }
            (ctx.stderr)(&format!("{alias} is {}", req.image_id));
        }
        // The image, named on stderr when the caller may describe it (the launch does
        // not depend on it: a launcher's policy may not allow DescribeImages).
        if let Ok(images) = ec2::describe_images(
            ec2ctx.caller,
            &ec2ctx.endpoint,
            ec2ctx.credentials,
            std::slice::from_ref(&req.image_id),
        )
        .await
            && let Some(image) = images.first()
        {
            (ctx.stderr)(&format!(
                "Image {}: {} ({}, {})",
                image.image_id, image.name, image.architecture, image.state
            ));
        }
        let result =
            ec2::run_instances(ec2ctx.caller, &ec2ctx.endpoint, ec2ctx.credentials, &req).await;
        // Sent, and no clear answer (lost, cut, unreadable, a server error): the
        // machines may be starting; the client token gets them without more.
        let uncertain = match &result {
            Err(e) => match e.aws() {
                Some(aws) => aws.status >= 500,
                None => matches!(
                    e,
                    crate::services::ServiceError::Call(_)
                        | crate::services::ServiceError::Response(_)
                ),
            },
            Ok(_) => false,
        };
        if uncertain && let Err(e) = &result {
            return Err(Ec2Error::Uncertain {
                client_token: req.client_token.clone(),
                cause: crate::cli::cause_chain(e),
                kind: e.kind(),
            }
            .into());
        }
        let instances = match ec2ctx.outcome("RunInstances", result).await? {
            Outcome::Done(instances) => instances,
            Outcome::DryRunAllowed => return Ok(None),
        };
        let ids: Vec<String> = instances.iter().map(|i| i.instance_id.clone()).collect();
        (ctx.stderr)(&format!(
            "Launched {} instance{} of group {group} (client token {}): {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            req.client_token,
            ids.join(" ")
        ));
        if args.wait {
            let describe = async || {
                let req = DescribeInstances {
                    instance_ids: ids.clone(),
                    ..DescribeInstances::default()
                };
                match ec2::describe_instances(
                    ec2ctx.caller,
                    &ec2ctx.endpoint,
                    ec2ctx.credentials,
                    &req,
                )
                .await
                {
                    Ok(instances) => Ok(Some(instances)),
                    // EC2 does not know new ids for a moment, and may throttle: not
                    // yet, look again.
                    Err(e)
                        if e.aws().is_some_and(|a| {
                            a.code == "InvalidInstanceID.NotFound"
                                || a.code == "RequestLimitExceeded"
                                || a.code == "Throttling"
                        }) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(CliError::call("DescribeInstances")(e)),
                }
            };
            let tell = |event: WaitEvent| match event {
                WaitEvent::State { instance_id, state } => {
                    if let Some(progress) = ctx.progress {
                        progress("");
                    }
                    (ctx.stderr)(&format!("{instance_id} {state}"));
                }
                WaitEvent::Progress { running, total } => {
                    if let Some(progress) = ctx.progress {
                        let width = 20;
                        let done = running * width / total.max(1);
                        progress(&format!(
                            "[{}{}] {running}/{total} running",
                            "#".repeat(done),
                            ".".repeat(width - done)
                        ));
                    }
                }
            };
            // 0: no limit. The limit bounds the whole wait, calls included.
            let limit = match args.wait_timeout {
                0 => Duration::MAX,
                seconds => Duration::from_secs(seconds),
            };
            let waiting =
                wait::until_running(&ids, describe, &crate::time::TokioSleep, limit, &tell);
            let result = match tokio::time::timeout(limit, waiting).await {
                Ok(result) => result,
                Err(_) => Err(Ec2Error::Wait(format!(
                    "not all instances ran within {}s",
                    args.wait_timeout
                ))
                .into()),
            };
            let result = result.map_err(|e| match e {
                CliError::Ec2(e) if matches!(*e, Ec2Error::Wait(_)) => Ec2Error::Wait(format!(
                    "{e}; the instances launched (still there): {}",
                    ids.join(" ")
                ))
                .into(),
                other => other,
            });
            if let Some(progress) = ctx.progress {
                progress("");
            }
            result?;
        }
        Ok(Some(ids))
    })?;
    match launched {
        None => Ok(dry_run_allowed("RunInstances")),
        Some(ids) => Ok(Output::stdout(
            ids.iter().map(|id| format!("{id}\n")).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left() {
        let script = b"#!/bin/sh\necho ${AWS_LOGIN_GROUP} ${API_KEY} ${HOME} \xff\n";
        assert_eq!(
            fill_user_data(script, "g1", &[("API_KEY".into(), "k".into())]).unwrap(),
            b"#!/bin/sh\necho g1 k ${HOME} \xff\n"
        );
        for (vars, says) in [
            (vec![("NOPE".to_owned(), "x".to_owned())], "has no ${NOPE}"),
            (
                vec![
                    ("API_KEY".to_owned(), "a".to_owned()),
                    ("API_KEY".to_owned(), "b".to_owned()),
                ],
                "given twice",
            ),
            (
                vec![("AWS_LOGIN_GROUP".to_owned(), "x".to_owned())],
                "--group sets",
            ),
        ] {
            assert!(matches!(
                fill_user_data(script, "g1", &vars),
                Err(Ec2Error::Usage(m)) if m.contains(says)
            ));
        }
    }
}
