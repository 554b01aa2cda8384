//! A credential_process that misbehaves, through the built binary: one that runs past its
//! time limit is ended with everything it started (its process group), and one that floods
//! its output is stopped at once with the size said. Each run has a deadline far beyond what
//! the behaviour needs: missing it means the behaviour is gone (aws-login waited for the
//! time limit, or a process the helper started outlived it and held the output open).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

use std::process::{Output, Stdio};
use std::time::Duration;

use common::{TempDir as Dir, aws_login_command, stderr};

/// Runs `getcallerid` with a profile whose credential_process is `script`, and waits for
/// aws-login and for every process holding its stdout or stderr, up to `deadline`.
async fn run(dir: &Dir, script: &str, env: &[(&str, &str)], deadline: Duration) -> Output {
    let script = dir.file("helper.sh", script);
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {script}\n"),
    );
    let child = aws_login_command(&["getcallerid"])
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

#[tokio::test]
async fn a_helper_past_its_time_limit_is_ended_with_its_process_group() {
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("helper started"), "{err}");
    assert!(
        err.contains("did not finish within 1s; it was ended with its process group"),
        "{err}"
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it exited, but a process it started kept its output open"),
        "{}",
        stderr(&out)
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("printed more than 1 MiB (") && err.contains("bytes read): it was ended"),
        "{err}"
    );
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT=\"soon\" is not a number of seconds"),
        "{}",
        stderr(&out)
    );
}
