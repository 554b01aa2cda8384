//! `aws-login ec2` against an in-process fake EC2 (and STS, for decoding authorization
//! failures) on one loopback port: a launch with filled-in user data and group tags, a
//! throttled RunInstances retried with the same ClientToken (the instances started once),
//! `--wait` until running and with an instance that terminates during launch, oversized
//! user data refused before sending, dry runs allowed and denied (the denial decoded, or
//! the command to decode it), list by group over pages, terminate with and without a
//! terminal, and `ec2 call`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use common::mock::{Request, reply, serve_with};
use common::{aws_login_command, stderr, text};

#[derive(Default)]
struct Ec2State {
    /// Instances in launch order: (id, group, state, user data, reason).
    instances: Vec<(String, String, String, String, Option<String>)>,
    /// ClientToken -> the ids it launched.
    tokens: HashMap<String, Vec<String>>,
    /// RunInstances answered with RequestLimitExceeded this many more times.
    throttle: usize,
    /// What a DescribeInstances shows a pending instance as next.
    pending_becomes: String,
    /// Every call: `Action` and the form.
    calls: Vec<(String, HashMap<String, String>)>,
    /// Whether DecodeAuthorizationMessage is allowed.
    may_decode: bool,
    /// RunInstances starts the instances, then answers 500 this many more times.
    fail_after_create: usize,
    /// DescribeInstances by id answers InvalidInstanceID.NotFound this many more times.
    not_found: usize,
}

/// EC2's filter matching: `*` any run, `?` one character, `\` escapes the next.
fn ec2_match(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('\\', rest)) => match (rest.split_first(), v.split_first()) {
                (Some((c, prest)), Some((d, vrest))) if c == d => go(prest, vrest),
                _ => false,
            },
            Some(('*', rest)) => (0..=v.len()).any(|i| go(rest, &v[i..])),
            Some(('?', rest)) => !v.is_empty() && go(rest, &v[1..]),
            Some((c, rest)) => v.first() == Some(c) && go(rest, &v[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    go(&p, &v)
}

fn error(status: u16, code: &str, message: &str) -> common::mock::Answer {
    reply(
        status,
        &format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>req-{code}</RequestID></Response>"
        ),
    )
}

fn instance_xml(id: &str, group: &str, state: &str, reason: Option<&str>) -> String {
    let reason = reason
        .map(|r| format!("<stateReason><code>x</code><message>{r}</message></stateReason>"))
        .unwrap_or_default();
    format!(
        "<item><instanceId>{id}</instanceId><imageId>ami-1</imageId><instanceState><name>{state}</name></instanceState>{reason}<instanceType>t3.micro</instanceType><launchTime>2026-11-29T10:00:00.000Z</launchTime><placement><availabilityZone>eu-west-1a</availabilityZone></placement><privateIpAddress>10.0.0.{}</privateIpAddress><tagSet><item><key>Name</key><value>{group}</value></item><item><key>aws-login:group</key><value>{group}</value></item></tagSet></item>",
        id.len()
    )
}

fn handle(state: &Mutex<Ec2State>, req: &Request) -> common::mock::Answer {
    let form = req.decoded_form();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let signer = req
        .header("authorization")
        .and_then(|v| v.split("Credential=").nth(1))
        .and_then(|v| v.split('/').next())
        .unwrap_or("unsigned")
        .to_owned();
    let mut s = state.lock().unwrap();
    if req.header("x-amz-target") == Some("AmazonSSM.GetParameter") {
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        s.calls.push(("GetParameter".into(), HashMap::new()));
        return match body["Name"].as_str() {
            Some("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64") => reply(
                200,
                r#"{"Parameter":{"Name":"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64","Type":"String","Value":"ami-al2023","Version":7}}"#,
            ),
            _ => reply(
                400,
                r#"{"__type":"ParameterNotFound","message":"not found"}"#,
            ),
        };
    }
    let action = get("Action");
    s.calls.push((action.clone(), form.clone()));
    let denied = signer == "AKIADENIED";
    if action == "DecodeAuthorizationMessage" {
        if !s.may_decode {
            return reply(
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed to decode</Message></Error><RequestId>r</RequestId></ErrorResponse>",
            );
        }
        let decoded = r#"{"allowed":false,"explicitDeny":false,"context":{"action":"ec2:RunInstances","resource":"arn:aws:ec2:eu-west-1:111122223333:instance/*","conditions":{"items":[{"key":"ec2:InstanceType","values":{"items":[{"value":"t3.micro"}]}}]}}}"#;
        let escaped = decoded
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;");
        return reply(
            200,
            &format!(
                "<DecodeAuthorizationMessageResponse><DecodeAuthorizationMessageResult><DecodedMessage>{escaped}</DecodedMessage></DecodeAuthorizationMessageResult></DecodeAuthorizationMessageResponse>"
            ),
        );
    }
    if denied {
        return error(
            403,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation. Encoded authorization failure message: ENC-abc_123",
        );
    }
    if get("DryRun") == "true" {
        return error(
            412,
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        );
    }
    match action.as_str() {
        "RunInstances" => {
            if s.throttle > 0 {
                s.throttle -= 1;
                return error(503, "RequestLimitExceeded", "Request limit exceeded.");
            }
            let token = get("ClientToken");
            let group = get("TagSpecification.1.Tag.2.Value");
            let ids = match s.tokens.get(&token) {
                Some(ids) => ids.clone(),
                None => {
                    let count: usize = get("MinCount").parse().unwrap();
                    let ids: Vec<String> = (0..count)
                        .map(|i| format!("i-{:017x}", s.instances.len() + i + 1))
                        .collect();
                    for id in &ids {
                        let data = get("UserData");
                        s.instances
                            .push((id.clone(), group.clone(), "pending".into(), data, None));
                    }
                    s.tokens.insert(token, ids.clone());
                    ids
                }
            };
            if s.fail_after_create > 0 {
                s.fail_after_create -= 1;
                return error(500, "InternalError", "An internal error has occurred");
            }
            let items: String = s
                .instances
                .iter()
                .filter(|i| ids.contains(&i.0))
                .map(|i| instance_xml(&i.0, &i.1, "pending", None))
                .collect();
            reply(
                200,
                &format!(
                    "<RunInstancesResponse><requestId>r</requestId><instancesSet>{items}</instancesSet></RunInstancesResponse>"
                ),
            )
        }
        "DescribeInstances" if s.not_found > 0 && form.contains_key("InstanceId.1") => {
            s.not_found -= 1;
            error(
                400,
                "InvalidInstanceID.NotFound",
                "The instance IDs do not exist",
            )
        }
        "DescribeInstances" => {
            let next = s.pending_becomes.clone();
            let ids: Vec<String> = form
                .iter()
                .filter(|(k, _)| k.starts_with("InstanceId."))
                .map(|(_, v)| v.clone())
                .collect();
            let mut group = None;
            let mut states: Vec<String> = Vec::new();
            for n in 1..5 {
                match form.get(&format!("Filter.{n}.Name")).map(String::as_str) {
                    Some("tag:aws-login:group") => {
                        group = form.get(&format!("Filter.{n}.Value.1")).cloned()
                    }
                    Some("instance-state-name") => {
                        states = (1..8)
                            .filter_map(|m| form.get(&format!("Filter.{n}.Value.{m}")).cloned())
                            .collect();
                    }
                    _ => {}
                }
            }
            let mut shown = Vec::new();
            for i in s.instances.iter_mut() {
                if !ids.is_empty() && !ids.contains(&i.0) {
                    continue;
                }
                if group.as_ref().is_some_and(|g| !ec2_match(g, &i.1))
                    || (!states.is_empty() && !states.contains(&i.2))
                {
                    continue;
                }
                if i.2 == "pending" && !next.is_empty() {
                    i.2 = next.clone();
                    if next == "terminated" {
                        i.4 = Some("Server.InternalError: Internal error on launch".into());
                    }
                }
                shown.push(instance_xml(&i.0, &i.1, &i.2, i.4.as_deref()));
            }
            let size: usize = get("MaxResults").parse().unwrap_or(1000);
            let from: usize = get("NextToken").parse().unwrap_or(0);
            let page: String = shown.iter().skip(from).take(size).cloned().collect();
            let more = if from + size < shown.len() {
                format!("<nextToken>{}</nextToken>", from + size)
            } else {
                String::new()
            };
            reply(
                200,
                &format!(
                    "<DescribeInstancesResponse><requestId>r</requestId><reservationSet><item><instancesSet>{page}</instancesSet></item></reservationSet>{more}</DescribeInstancesResponse>"
                ),
            )
        }
        "TerminateInstances" => {
            let ids: Vec<String> = form
                .iter()
                .filter(|(k, _)| k.starts_with("InstanceId."))
                .map(|(_, v)| v.clone())
                .collect();
            let mut items = String::new();
            for i in s.instances.iter_mut().filter(|i| ids.contains(&i.0)) {
                items.push_str(&format!("<item><instanceId>{}</instanceId><currentState><name>shutting-down</name></currentState><previousState><name>{}</name></previousState></item>", i.0, i.2));
                i.2 = "shutting-down".into();
            }
            reply(
                200,
                &format!(
                    "<TerminateInstancesResponse><requestId>r</requestId><instancesSet>{items}</instancesSet></TerminateInstancesResponse>"
                ),
            )
        }
        "RebootInstances" => common::mock::Answer::Close,
        "DescribeRegions" => reply(
            200,
            "<DescribeRegionsResponse><requestId>r</requestId><regionInfo><item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item></regionInfo></DescribeRegionsResponse>",
        ),
        other => error(400, "InvalidAction", &format!("{other} is not faked")),
    }
}

async fn fake_ec2() -> (SocketAddr, Arc<Mutex<Ec2State>>) {
    let state: Arc<Mutex<Ec2State>> = Arc::new(Mutex::new(Ec2State {
        pending_becomes: "running".into(),
        may_decode: true,
        ..Ec2State::default()
    }));
    let shared = state.clone();
    let (_, addr) = serve_with(move |req| handle(&shared, req)).await;
    (addr, state)
}

fn ec2(addr: SocketAddr, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["ec2"];
    all.extend(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "PLANTED-SECRET")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_EC2", format!("http://{addr}"))
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"));
    cmd
}

fn launch_args(user_data: &str) -> Vec<&str> {
    vec![
        "launch",
        "--group",
        "my_aws_machine_group",
        "--count",
        "3",
        "--instance-type",
        "t3.micro",
        "--image-id",
        "ami-1",
        "--user-data",
        user_data,
        "--user-data-var",
        "API_KEY=k-123",
    ]
}

#[tokio::test]
async fn a_group_launches_once_through_throttling_and_waits_until_running() {
    let (addr, state) = fake_ec2().await;
    state.lock().unwrap().throttle = 2;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("user-data.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho group=${AWS_LOGIN_GROUP} key=${API_KEY} home=${HOME}\n",
    )
    .unwrap();
    let mut args = launch_args(script.to_str().unwrap());
    args.push("--wait");
    let out = ec2(addr, &args).output().await.unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let ids: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(ids.len(), 3);
    assert!(
        err.contains("Launched 3 instances of group my_aws_machine_group (client token "),
        "{err}"
    );
    for id in &ids {
        assert!(err.contains(&format!("{id} running")), "{err}");
    }
    assert!(!err.contains("PLANTED-SECRET"));
    let s = state.lock().unwrap();
    let runs: Vec<&HashMap<String, String>> = s
        .calls
        .iter()
        .filter(|(a, _)| a == "RunInstances")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(runs.len(), 3, "two throttled, then started");
    let token = &runs[0]["ClientToken"];
    assert_eq!(token.len(), 32);
    assert!(
        runs.iter().all(|f| &f["ClientToken"] == token),
        "retried with the same token"
    );
    assert_eq!(s.instances.len(), 3, "started once");
    let data = base64::engine::general_purpose::STANDARD
        .decode(&runs[0]["UserData"])
        .unwrap();
    assert_eq!(
        String::from_utf8(data).unwrap(),
        "#!/bin/sh\necho group=my_aws_machine_group key=k-123 home=${HOME}\n"
    );
    assert_eq!(runs[0]["TagSpecification.1.ResourceType"], "instance");
    assert_eq!(runs[0]["TagSpecification.2.ResourceType"], "volume");
    assert_eq!(runs[0]["TagSpecification.1.Tag.2.Key"], "aws-login:group");
}

#[tokio::test]
async fn an_image_alias_is_looked_up_in_ssm() {
    let (addr, state) = fake_ec2().await;
    let args = [
        "launch",
        "--group",
        "g",
        "--instance-type",
        "t3.micro",
        "--image-alias",
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    ];
    let out = ec2(addr, &args)
        .env("AWS_ENDPOINT_URL_SSM", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 is ami-al2023"
        ),
        "{err}"
    );
    let image = {
        let s = state.lock().unwrap();
        let run = s.calls.iter().find(|(a, _)| a == "RunInstances").unwrap();
        run.1["ImageId"].clone()
    };
    assert_eq!(image, "ami-al2023");
    let mut missing = args.to_vec();
    missing[6] = "/no/such/parameter";
    let out = ec2(addr, &missing)
        .env("AWS_ENDPOINT_URL_SSM", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("ParameterNotFound"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_launch_that_fails_is_said_and_bad_user_data_never_sent() {
    let (addr, state) = fake_ec2().await;
    state.lock().unwrap().pending_becomes = "terminated".into();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("user-data.sh");
    std::fs::write(&script, "echo ${API_KEY}\n").unwrap();
    let mut args = launch_args(script.to_str().unwrap());
    args.push("--wait");
    let out = ec2(addr, &args).output().await.unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "went to terminated instead of running (Server.InternalError: Internal error on launch)"
        ),
        "{err}"
    );

    // Over 16 KiB once filled in, or a variable with no placeholder: nothing is sent.
    let calls = state.lock().unwrap().calls.len();
    std::fs::write(
        &script,
        format!("echo ${{API_KEY}}\n{}", "#".repeat(16 * 1024)),
    )
    .unwrap();
    let out = ec2(addr, &launch_args(script.to_str().unwrap()))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("EC2 takes at most 16384 (16 KiB)"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&script, "echo hi\n").unwrap();
    let out = ec2(addr, &launch_args(script.to_str().unwrap()))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --user-data-var API_KEY: the user data has no ${API_KEY} to fill in\n"
    );
    assert_eq!(state.lock().unwrap().calls.len(), calls, "nothing sent");
}

#[tokio::test]
async fn dry_runs_say_allowed_or_why_not() {
    let (addr, state) = fake_ec2().await;
    let base = [
        "launch",
        "--group",
        "g",
        "--instance-type",
        "t3.micro",
        "--image-id",
        "ami-1",
        "--dry-run",
    ];
    let out = ec2(addr, &base).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "Dry run: EC2 RunInstances would be allowed (DryRunOperation); nothing was done.\n"
    );
    assert_eq!(out.stdout, b"");
    assert!(state.lock().unwrap().instances.is_empty());

    // Denied: the reason decoded through STS.
    let out = ec2(addr, &base)
        .env("AWS_ACCESS_KEY_ID", "AKIADENIED")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(
        err,
        "error: EC2 RunInstances: not authorized (UnauthorizedOperation, request id req-UnauthorizedOperation): denied action ec2:RunInstances on arn:aws:ec2:eu-west-1:111122223333:instance/*; conditions: ec2:InstanceType = t3.micro\n"
    );
    // The caller may not decode: the command that does.
    state.lock().unwrap().may_decode = false;
    let out = ec2(addr, &base)
        .env("AWS_ACCESS_KEY_ID", "AKIADENIED")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.ends_with("; the reason is encoded: decode it (needs sts:DecodeAuthorizationMessage) with `aws-login decode-authorization-message 'ENC-abc_123'`\n"),
        "{err}"
    );
}

#[tokio::test]
async fn list_over_pages_terminate_and_call() {
    let (addr, state) = fake_ec2().await;
    {
        let mut s = state.lock().unwrap();
        for n in 0..7 {
            s.instances.push((
                format!("i-{n:017x}"),
                "g".into(),
                "running".into(),
                String::new(),
                None,
            ));
        }
        s.instances.push((
            "i-other".into(),
            "other".into(),
            "running".into(),
            String::new(),
            None,
        ));
    }
    let out = ec2(addr, &["list", "--group", "g", "--page-size", "5"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + 7, "{table}");
    assert_eq!(
        lines[0],
        "INSTANCE ID          STATE    TYPE      ZONE        PRIVATE IP  PUBLIC IP  LAUNCHED                  GROUP"
    );
    assert!(lines[1].starts_with("i-00000000000000000  running  t3.micro  eu-west-1a  10.0.0.19   -          2026-11-29T10:00:00.000Z  g"), "{table}");
    let pages = state
        .lock()
        .unwrap()
        .calls
        .iter()
        .filter(|(a, _)| a == "DescribeInstances")
        .count();
    assert_eq!(pages, 2);
    let out = ec2(addr, &["list", "--group", "g", "--json"])
        .output()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 7);
    assert_eq!(json[0]["Tags"][1]["Key"], "aws-login:group");

    // No terminal and no --yes: refused, nothing sent.
    let before = state.lock().unwrap().calls.len();
    let out = ec2(addr, &["terminate", "--group", "g"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: terminating needs a confirmation: there is no terminal to ask on, so give --yes\n"
    );
    assert_eq!(state.lock().unwrap().calls.len(), before);
    let out = ec2(addr, &["terminate", "--group", "g", "--yes"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout).lines().count(), 7);
    assert!(text(&out.stdout).contains("running -> shutting-down"));
    let out = ec2(
        addr,
        &[
            "list",
            "--group",
            "g",
            "--state",
            "shutting-down,terminated",
        ],
    )
    .output()
    .await
    .unwrap();
    assert_eq!(text(&out.stdout).lines().count(), 1 + 7);
    let out = ec2(addr, &["list", "--group", "other"])
        .output()
        .await
        .unwrap();
    let other: Vec<String> = text(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(other, ["i-other running"]);

    let out = ec2(addr, &["call", "DescribeRegions"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["regionInfo"][0]["regionName"], "eu-west-1");
    // An action that changes something, without a client token, whose connection
    // closes without an answer: it may have reached EC2, so it is not sent again.
    let before = state.lock().unwrap().calls.len();
    let out = ec2(addr, &["call", "RebootInstances", "InstanceId.1=i-1"])
        .output()
        .await
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(state.lock().unwrap().calls.len(), before + 1, "not retried");
    let out = ec2(addr, &["call", "Describe Regions"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = ec2(addr, &["call", "DescribeRegions", "NoEquals"])
        .output()
        .await
        .unwrap();
    assert_eq!(stderr(&out), "error: \"NoEquals\" is not Key=Value\n");
}

/// Records each pause instead of sleeping.
struct Recorded(Mutex<Vec<std::time::Duration>>);

impl aws_login::time::Sleep for Recorded {
    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// `--wait`'s loop: growing pauses until all run, each state change told once, and the
/// time limit.
#[tokio::test]
async fn the_wait_backs_off_tells_changes_and_gives_up_in_time() {
    use aws_login::cli::ec2::wait::{WaitEvent, until_running};
    use aws_login::services::ec2::Instance;
    use std::time::Duration;
    let looks = Mutex::new(0usize);
    let ids = vec!["i-1".to_owned(), "i-2".to_owned()];
    let describe = async || {
        let mut n = looks.lock().unwrap();
        *n += 1;
        let state = |ready: usize| if *n >= ready { "running" } else { "pending" };
        Ok(Some(vec![
            Instance {
                instance_id: "i-1".into(),
                state: state(2).into(),
                ..Instance::default()
            },
            Instance {
                instance_id: "i-2".into(),
                state: state(4).into(),
                ..Instance::default()
            },
        ]))
    };
    let events = Mutex::new(Vec::new());
    let sleep = Recorded(Mutex::new(Vec::new()));
    let done = until_running(&ids, &describe, &sleep, Duration::from_secs(600), &|e| {
        events.lock().unwrap().push(e)
    })
    .await
    .unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(
        *sleep.0.lock().unwrap(),
        [
            Duration::from_secs(2),
            Duration::from_secs(3),
            Duration::from_millis(4500)
        ]
    );
    let states: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            WaitEvent::State { instance_id, state } => Some(format!("{instance_id} {state}")),
            WaitEvent::Progress { .. } => None,
        })
        .collect();
    assert_eq!(
        states,
        ["i-1 pending", "i-2 pending", "i-1 running", "i-2 running"]
    );

    // Never running: the limit ends it, with the states.
    let stuck = async || {
        Ok(Some(vec![Instance {
            instance_id: "i-1".into(),
            state: "pending".into(),
            ..Instance::default()
        }]))
    };
    let sleep = Recorded(Mutex::new(Vec::new()));
    let err = until_running(&ids[..1], &stuck, &sleep, Duration::from_secs(10), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "not all instances ran within 10s: i-1 pending"
    );
    let total: Duration = sleep.0.lock().unwrap().iter().sum();
    assert_eq!(total, Duration::from_secs(10));
}

/// On a terminal, `--wait` shows a live bar (rewritten in place), and a line per state.
#[tokio::test]
async fn the_wait_shows_a_bar_on_a_terminal() {
    let (addr, _) = fake_ec2().await;
    let command = format!(
        "{} ec2 launch --group g --count 2 --instance-type t3.micro --image-id ami-1 --wait",
        env!("CARGO_BIN_EXE_aws-login")
    );
    let out = tokio::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "PLANTED-SECRET")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_EC2", format!("http://{addr}"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("script (util-linux) runs the binary on a pseudo-terminal");
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("\r[####################] 2/2 running"),
        "{screen:?}"
    );
    assert!(screen.contains("i-00000000000000001 running"), "{screen:?}");
}

/// What a helper found: a group name with wildcards never reaches other groups, the
/// group tag cannot be overridden, a lost RunInstances answer says how to get the
/// machines without starting more, a new instance EC2 does not know yet is waited for,
/// `ec2 call` cannot change its action, bad filters are refused, tags are shown escaped.
#[tokio::test]
async fn groups_are_exact_and_launches_never_double() {
    let (addr, state) = fake_ec2().await;
    {
        let mut s = state.lock().unwrap();
        for (id, group) in [
            ("i-a", "prod"),
            ("i-b", "prod-2"),
            ("i-c", "prod*"),
            ("i-d", "evil\u{1b}[31m"),
        ] {
            s.instances.push((
                id.into(),
                group.into(),
                "running".into(),
                String::new(),
                None,
            ));
        }
    }
    let out = ec2(addr, &["terminate", "--group", "prod*", "--yes"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        text(&out.stdout),
        "i-c  running -> shutting-down\n",
        "only the group named prod*"
    );
    let states: Vec<String> = state
        .lock()
        .unwrap()
        .instances
        .iter()
        .map(|i| i.2.clone())
        .collect();
    assert_eq!(states, ["running", "running", "shutting-down", "running"]);
    let out = ec2(addr, &["list", "--group", "pro?"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "no group is named pro?"
    );
    let out = ec2(addr, &["list"]).output().await.unwrap();
    let table = text(&out.stdout);
    assert!(
        table.contains("evil\\u{1b}[31m") && !table.contains('\u{1b}'),
        "{table:?}"
    );

    for (args, says) in [
        (&["list", "--group", ""][..], "error: --group is empty\n"),
        (
            &["list", "--state", "Running"][..],
            "error: --state \"Running\" is not one of pending, running, shutting-down, terminated, stopping, stopped\n",
        ),
        (
            &["call", "DescribeRegions", "Action=TerminateInstances"][..],
            "error: Action is set by aws-login (the action is the first argument): not a parameter\n",
        ),
        (
            &[
                "launch",
                "--group",
                "g",
                "--instance-type",
                "t3.micro",
                "--image-id",
                "ami-1",
                "--tag",
                "aws-login:group=other",
            ][..],
            "error: --tag aws-login:group=...: --group sets that tag (it decides what list and terminate see)\n",
        ),
    ] {
        let out = ec2(addr, args).output().await.unwrap();
        assert_eq!(stderr(&out), says, "{args:?}");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }

    // The answer to RunInstances is lost (500s after the machines started): the
    // token to get them is said; running again with it starts nothing more.
    state.lock().unwrap().fail_after_create = 10;
    let launch = [
        "launch",
        "--group",
        "lost",
        "--count",
        "2",
        "--instance-type",
        "t3.micro",
        "--image-id",
        "ami-1",
    ];
    let out = ec2(addr, &launch)
        .env("AWS_MAX_ATTEMPTS", "2")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    let token = err
        .split("--client-token ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_else(|| panic!("no token said: {err}"))
        .to_owned();
    assert!(err.contains("the machines may have started"), "{err}");
    let started = state.lock().unwrap().instances.len();
    state.lock().unwrap().fail_after_create = 0;
    let mut again = launch.to_vec();
    again.extend(["--client-token", &token]);
    let out = ec2(addr, &again).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout).lines().count(), 2);
    assert_eq!(
        state.lock().unwrap().instances.len(),
        started,
        "nothing more started"
    );

    // New instances EC2 does not know yet: waited for, not a failure.
    state.lock().unwrap().not_found = 1;
    let mut wait = launch.to_vec();
    wait[2] = "soon";
    wait.push("--wait");
    let out = ec2(addr, &wait).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(" running"), "{}", stderr(&out));
}
