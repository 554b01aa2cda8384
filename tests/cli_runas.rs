//! `aws-login runas` as a process: the child's environment, its exit status passed on,
//! 128+N when a signal ends it, 127 for a missing program, and SIGTERM forwarded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

use std::process::Stdio;

use common::aws_login_command;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};

fn aws_login(args: &[&str]) -> tokio::process::Command {
    let mut cmd = aws_login_command(args);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIASTART")
        .env("AWS_SECRET_ACCESS_KEY", "SECRETKEY")
        .env("AWS_SESSION_TOKEN", "TOKEN")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_PROFILE", "stale-profile")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent");
    cmd
}

#[tokio::test]
async fn the_child_sees_the_identity_and_its_status_is_passed_on() {
    let script = r#"echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE-none} ${AWS_WEB_IDENTITY_TOKEN_FILE-none}"; exit 7"#;
    let out = aws_login(&["runas", "--", "sh", "-c", script])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "AKIASTART SECRETKEY TOKEN eu-west-1 eu-west-1 none none\n"
    );

    let out = aws_login(&["runas", "-c", "echo one\necho two"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\ntwo\n");
}

#[tokio::test]
async fn signals_end_with_128_plus_n_and_missing_programs_with_127() {
    let out = aws_login(&["runas", "--", "sh", "-c", "kill -KILL $$"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(128 + 9));
    let out = aws_login(&["runas", "--", "no-such-program-aws-login"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot run \"no-such-program-aws-login\"")
    );
    let out = aws_login(&["runas", "-c", "true", "--", "true"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn sigterm_is_forwarded_to_the_child() {
    // The child says "ready" once its trap is set, then waits; SIGTERM makes it exit 42.
    let script = r#"trap 'kill $!; exit 42' TERM; echo ready; sleep 30 & wait $!"#;
    let mut child = aws_login(&["runas", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(42));
}
