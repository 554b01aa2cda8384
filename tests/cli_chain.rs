//! Sources of the credential chain through the built binary against a fake STS:
//! credential_process (success with stderr passed through, failure, bad output) and web
//! identity from the environment (the token file sent unsigned; a missing file); a process
//! inside the refresh window is asked again, one that stays expired is refused. (The
//! chain's precedence and sources as a whole are in `scenarios.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

use std::net::SocketAddr;
use std::process::Output;

use common::TempDir as Dir;
use common::fake_sts::{ok, start};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

async fn aws_login(addr: SocketAddr, config: &str, env: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_aws-login"))
        .args(["getcallerid", "--debug"])
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn credential_process_output_signs_the_request() {
    let dir = Dir::new("process");
    let script = dir.file(
        "creds.sh",
        "echo 'process says hi' >&2\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"PROCSECRET\", \"Expiration\": \"2031-01-01T00:00:00Z\"}'\n",
    );
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh '{script}'\n"),
    );
    let (fake, addr) = start(vec![ok(IDENTITY)]).await;
    let out = aws_login(addr, &config, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("process says hi"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("credential plan: credential_process of profile \"default\""),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("PROCSECRET"));
    assert!(fake.seen.lock().unwrap()[0].headers["authorization"].contains("Credential=AKIAPROC/"));
}

#[tokio::test]
async fn failing_and_garbled_credential_processes_are_clear_errors() {
    let dir = Dir::new("process-bad");
    let (fake, addr) = start(vec![]).await;
    let failing = dir.file("fail.sh", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"LEAKED\"}'\nexit 3\n");
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {failing}\n"),
    );
    let out = aws_login(addr, &config, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("credential_process \"/bin/sh\" failed (exit status: 3)"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("LEAKED"));

    let garbled = dir.file("garbled.sh", "echo 'SECRET=LEAKED'\n");
    let config = dir.file(
        "config",
        &format!("[default]\ncredential_process = /bin/sh {garbled}\n"),
    );
    let out = aws_login(addr, &config, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("credential_process output is not valid: not JSON"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("LEAKED"));
    assert!(fake.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn web_identity_from_the_environment_sends_the_token_unsigned() {
    let dir = Dir::new("web");
    let token = dir.file("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.sig\n");
    let config = dir.file("config", "");
    let assumed = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/eks/pod</Arn><AssumedRoleId>AROA:pod</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2031-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    let (fake, addr) = start(vec![ok(assumed), ok(IDENTITY)]).await;
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/eks"),
        ("AWS_ROLE_SESSION_NAME", "pod"),
    ];
    let out = aws_login(addr, &config, &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = fake.seen.lock().unwrap().clone();
    let form = seen[0].form();
    assert_eq!(form["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(
        form["WebIdentityToken"],
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.sig"
    );
    assert_eq!(form["RoleSessionName"], "pod");
    assert!(!seen[0].headers.contains_key("authorization"));
    assert!(seen[1].headers["authorization"].contains("Credential=ASIAWEB/"));
    assert!(!stderr(&out).contains("eyJhbGci"), "{}", stderr(&out));

    let missing = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/eks"),
    ];
    let out = aws_login(addr, &config, &missing).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read the web identity token file /nonexistent/token"),
        "{}",
        stderr(&out)
    );
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
