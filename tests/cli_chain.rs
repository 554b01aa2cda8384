//! The refresh window through the built binary against a fake STS: a credential_process
//! whose credentials expire within 5 minutes is run again and the newer ones sign; one that
//! stays expired is run exactly twice and refused. (Each source and their precedence are
//! the scenario folders of `scenarios.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::process::Output;

use common::mock::{ok, start};
use common::{TempDir as Dir, aws_login_command, stderr};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

async fn aws_login(addr: SocketAddr, config: &str, env: &[(&str, &str)]) -> Output {
    aws_login_command(&["getcallerid", "--debug"])
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn credential_process_inside_the_refresh_window_is_asked_again() {
    let dir = Dir::new("process-refresh");
    let marker = dir.0.join("ran");
    // First run: credentials that expire in two minutes (inside the five-minute window);
    // second run: fresh ones.
    let script = dir.file(
        "creds.sh",
        &format!(
            "if [ -f '{m}' ]; then\n  echo '{{\"Version\": 1, \"AccessKeyId\": \"AKIANEW\", \"SecretAccessKey\": \"S\", \"Expiration\": \"2099-01-01T00:00:00Z\"}}'\nelse\n  touch '{m}'\n  soon=$(date -u -d \"@$(( $(date +%s) + 120 ))\" +%Y-%m-%dT%H:%M:%SZ)\n  echo \"{{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIAOLD\\\", \\\"SecretAccessKey\\\": \\\"S\\\", \\\"Expiration\\\": \\\"$soon\\\"}}\"\nfi\n",
            m = marker.display()
        ),
    );
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh '{script}'\n"),
    );
    let (fake, addr) = start(vec![ok(IDENTITY)]).await;
    let out = aws_login(addr, &config, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("; asking again"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("base credentials expire at 2099-01-01T00:00:00Z"),
        "{}",
        stderr(&out)
    );
    assert!(fake.seen.lock().unwrap()[0].headers["authorization"].contains("Credential=AKIANEW/"));
}

#[tokio::test]
async fn credential_process_that_stays_expired_is_an_error() {
    let dir = Dir::new("process-expired");
    let log = dir.0.join("runs");
    let script = dir.file(
        "creds.sh",
        &format!(
            "echo run >> '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIAOLD\", \"SecretAccessKey\": \"OLDSECRET\", \"Expiration\": \"2001-02-03T04:05:06Z\"}}'\n",
            log.display()
        ),
    );
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh '{script}'\n"),
    );
    let (fake, addr) = start(vec![]).await;
    let out = aws_login(addr, &config, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "the credentials from credential_process of profile \"default\" expired at 2001-02-03T04:05:06Z"
        ),
        "{err}"
    );
    assert!(!err.contains("OLDSECRET"), "{err}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "run\nrun\n");
    assert!(fake.seen.lock().unwrap().is_empty());
}
