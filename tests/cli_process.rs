//! A credential_process that misbehaves, through the built binary: one that runs past its
//! time limit is ended with everything it started (nested helpers too), one that floods its
//! output is stopped at once with the size said, and one running when a supervisor ends
//! aws-login's process group (`timeout`) ends with it. Each run has a deadline far beyond
//! what the behaviour needs: missing it means the behaviour is gone (aws-login waited for
//! the time limit, or a process the helper started outlived it and held the output open).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::process::{Output, Stdio};
use std::time::Duration;

use common::{TempDir as Dir, aws_login_command_via, stderr};

/// Runs `getcallerid` with a profile whose credential_process is `script`, and waits for
/// aws-login and for every process holding its stdout or stderr, up to `deadline`.
async fn run(dir: &Dir, script: &str, env: &[(&str, &str)], deadline: Duration) -> Output {
    let script = dir.file("helper.sh", script);
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {script}\n"),
    );
    run_config(&config, &[], env, deadline).await
}

/// Runs `getcallerid` (after `before`, e.g. `timeout 2`) with `config`, and waits as `run`.
async fn run_config(
    config: &str,
    before: &[&str],
    env: &[(&str, &str)],
    deadline: Duration,
) -> Output {
    let mut cmd = aws_login_command_via(before, &["getcallerid"]);
    let child = cmd
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_REGION", "eu-west-1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(deadline, child.wait_with_output())
        .await
        .expect("aws-login, or a process its credential_process started, was still running at the deadline")
        .unwrap()
}

/// The run failed with `code` and said `text`.
fn fails_saying(out: &Output, code: i32, text: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(text), "wanted {text:?} in: {err}");
}

#[tokio::test]
async fn a_helper_past_its_time_limit_is_ended_with_what_it_started() {
    let dir = Dir::new("process-group-timeout");
    // The helper starts a child that would run for 10 minutes, holding aws-login's stderr,
    // then waits for it. Ending only the helper would leave the child (and the pipe) open.
    let out = run(
        &dir,
        "echo 'helper started' >&2\nsleep 600 &\nwait\n",
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "1")],
        Duration::from_secs(60),
    )
    .await;
    assert!(stderr(&out).contains("helper started"), "{}", stderr(&out));
    fails_saying(
        &out,
        1,
        "did not finish within 1s; it was ended with what it started",
    );
}

#[tokio::test]
async fn a_helper_that_exits_but_leaves_its_output_open_is_ended_too() {
    let dir = Dir::new("process-group-leftover");
    let out = run(
        &dir,
        "sleep 600 &\nexit 0\n",
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "1")],
        Duration::from_secs(60),
    )
    .await;
    fails_saying(
        &out,
        1,
        "it exited, but a process it started kept its output open",
    );
}

#[tokio::test]
async fn a_helper_that_floods_its_output_is_stopped_at_once() {
    let dir = Dir::new("process-flood");
    // Endless output, and a time limit of an hour: only the size cap can end this.
    let out = run(
        &dir,
        "yes '{\"Version\": 1}'\n",
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "3600")],
        Duration::from_secs(60),
    )
    .await;
    fails_saying(&out, 1, "printed more than 1 MiB (");
    fails_saying(&out, 1, "bytes read): it was ended");
}

#[tokio::test]
async fn a_bad_time_limit_is_named() {
    let dir = Dir::new("process-bad-timeout");
    let out = run(
        &dir,
        "exit 0\n",
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "soon")],
        Duration::from_secs(60),
    )
    .await;
    fails_saying(
        &out,
        1,
        "AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT=\"soon\" is not a number of seconds",
    );
}

#[tokio::test]
async fn a_helper_ends_with_aws_login_when_its_process_group_is_ended() {
    let dir = Dir::new("process-group-supervisor");
    // `timeout` ends the process group it runs aws-login in; the helper is part of it, as
    // it is under botocore (a group of its own would outlive aws-login).
    let script = dir.file("helper.sh", "sleep 600 &\nwait\n");
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {script}\n"),
    );
    let out = run_config(
        &config,
        &["timeout", "-s", "TERM", "1"],
        &[],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
}

#[tokio::test]
async fn nested_helpers_are_ended_with_the_outer_one() {
    let dir = Dir::new("process-nested");
    // The outer helper is aws-login for another profile, with a long limit of its own; the
    // inner helper's child would sleep 10 minutes. The outer limit ends all of them.
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let inner = dir.file("inner.sh", "sleep 600 &\nwait\n");
    let config = dir.file(
        "config",
        &format!(
            "[default]\ncredential_process = /usr/bin/env AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT=3600 {binary} dumpcreds --credential-helper --profile inner\n[profile inner]\ncredential_process = /bin/sh {inner}\n"
        ),
    );
    let out = run_config(
        &config,
        &[],
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "1")],
        Duration::from_secs(60),
    )
    .await;
    fails_saying(&out, 1, "did not finish within 1s");
}

#[tokio::test]
async fn children_that_clear_their_environment_are_ended_too() {
    let dir = Dir::new("process-env-cleared");
    // No marker in these children's environment: they are found as the helper's
    // descendants, one in a session of its own.
    let out = run(
        &dir,
        "env -i /bin/sleep 600 &\nsetsid env -i /bin/sleep 600 &\nexec /bin/sleep 1000\n",
        &[("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT", "1")],
        Duration::from_secs(60),
    )
    .await;
    fails_saying(&out, 1, "did not finish within 1s");
}

#[tokio::test]
async fn a_loop_through_a_cleared_environment_stops_at_the_depth_limit() {
    let dir = Dir::new("process-env-loop");
    // `env -i` drops the marker that names the helpers above, so the loop is not seen as
    // one; the depth of aws-login processes above still stops it.
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let config = dir.0.join("config");
    let config = config.to_str().unwrap();
    std::fs::write(
        config,
        format!(
            "[default]\ncredential_process = env -i AWS_CONFIG_FILE={config} AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true {binary} dumpcreds --credential-helper\n"
        ),
    )
    .unwrap();
    let out = run_config(config, &[], &[], Duration::from_secs(60)).await;
    fails_saying(&out, 1, "credential_process helpers nest 8 deep");
}

#[tokio::test]
async fn a_helper_ends_with_aws_login_when_aws_login_alone_is_killed() {
    use std::os::unix::process::ExitStatusExt;
    use tokio::io::{AsyncBufReadExt, BufReader};
    // `kill` on aws-login alone (not its group): the helper and what it started end too,
    // and aws-login ends of the signal, as without a handler. The sleep holds aws-login's
    // stderr: reading it to the end waits for the sleep to be gone.
    let dir = Dir::new("process-killed");
    let script = dir.file("helper.sh", "echo started >&2\nsleep 600 &\nwait\n");
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {script}\n"),
    );
    let mut child = aws_login_command_via(&[], &["getcallerid"])
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_REGION", "eu-west-1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ended = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("started") {
                nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
            }
        }
        child.wait().await.unwrap()
    })
    .await
    .expect("the helper's sleep outlived aws-login");
    assert_eq!(ended.signal(), Some(15), "{ended}");
}
