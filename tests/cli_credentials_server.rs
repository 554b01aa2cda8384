//! `aws-login runas --credentials-server`: the child gets a loopback container endpoint
//! and its token instead of keys, the aws-login binary in the child signs with what the
//! endpoint serves, credentials inside the refresh window are renewed per request, the
//! endpoint wants its token, and long-term keys are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::process::Output;

use common::endpoints::echo_sts;
use common::{TempDir as Dir, aws_login_command, text};

/// A config whose profile `src` runs a credential_process that hands out AKIAP1, AKIAP2...
/// (one more per run) with a session token, expiring `expiry` (a `date -d` expression).
fn process_config(dir: &Dir, expiry: &str) -> String {
    let counter = dir.0.join("runs");
    let script = dir.0.join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "n=$(( $(cat '{c}' 2>/dev/null || echo 0) + 1 ))\necho $n > '{c}'\nat=$(date -u -d '{expiry}' +%Y-%m-%dT%H:%M:%SZ)\necho \"{{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIAP$n\\\", \\\"SecretAccessKey\\\": \\\"PROCSECRET\\\", \\\"SessionToken\\\": \\\"PROCTOKEN\\\", \\\"Expiration\\\": \\\"$at\\\"}}\"\n",
            c = counter.display()
        ),
    )
    .unwrap();
    let config = dir.0.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile src]\ncredential_process = /bin/sh '{}'\n",
            script.display()
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_owned()
}

async fn runas(config: &str, sts: std::net::SocketAddr, args: &[&str]) -> Output {
    aws_login_command(&["runas", "--profile", "src", "--credentials-server"])
        .args(args)
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("BIN", env!("CARGO_BIN_EXE_aws-login"))
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_child_signs_with_what_the_endpoint_serves() {
    let dir = Dir::new("server-plain");
    let config = process_config(&dir, "2099-01-01");
    let (sts, log) = echo_sts().await;
    let out = runas(
        &config,
        sts,
        &["-c", "env | grep '^AWS_' | sort; \"$BIN\" getcallerid"],
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN="),
        "{stdout}"
    );
    assert!(stdout.contains("AWS_REGION=eu-west-1"), "{stdout}");
    assert!(!stdout.contains("AWS_ACCESS_KEY_ID"), "{stdout}");
    assert!(
        !stdout.contains("PROCSECRET") && !stdout.contains("PROCTOKEN"),
        "{stdout}"
    );
    assert!(stdout.contains("user/AKIAP1"), "{stdout}");
    assert_eq!(*log.lock().unwrap(), ["GetCallerIdentity by AKIAP1"]);
    assert!(!text(&out.stderr).contains("PROCSECRET"));
}

#[tokio::test]
async fn credentials_inside_the_refresh_window_are_renewed_for_each_request() {
    let dir = Dir::new("server-refresh");
    let config = process_config(&dir, "now + 2 minutes");
    let (sts, log) = echo_sts().await;
    let out = runas(
        &config,
        sts,
        &["-c", "\"$BIN\" getcallerid && \"$BIN\" getcallerid"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let calls = log.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "{calls:?}");
    // The parent resolved AKIAP1 and AKIAP2 (asked again: inside the window); every
    // request of the children renewed them.
    assert_ne!(calls[0], calls[1]);
    for call in &calls {
        assert!(
            !call.ends_with(" AKIAP1") && !call.ends_with(" AKIAP2"),
            "{calls:?}"
        );
    }
}

#[tokio::test]
async fn the_endpoint_wants_its_token() {
    let dir = Dir::new("server-token");
    let config = process_config(&dir, "2099-01-01");
    let (sts, log) = echo_sts().await;
    let out = runas(
        &config,
        sts,
        &[
            "-c",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN=guess \"$BIN\" getcallerid",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("answered HTTP 401"),
        "{}",
        text(&out.stderr)
    );
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn long_term_keys_are_refused() {
    let (sts, _) = echo_sts().await;
    let out = aws_login_command(&["runas", "--credentials-server", "--", "true"])
        .env("AWS_ACCESS_KEY_ID", "AKIALONG")
        .env("AWS_SECRET_ACCESS_KEY", "LONGSECRET")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--credentials-server needs temporary credentials"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn connections_that_stall_do_not_keep_the_child_waiting() {
    let dir = Dir::new("server-stalled");
    let config = process_config(&dir, "2099-01-01");
    let (sts, log) = echo_sts().await;
    // The child opens 400 connections (far more than the endpoint serves at once) that
    // send half a request and stay silent, as any local process could without the token,
    // then asks for credentials as an SDK does. Served in turn, as before, it would wait
    // behind them all (400 / 32 rounds of the 5 s header limit, past its 30 s timeout);
    // each new connection takes the place of an unproven one, so it is served at once.
    let stall = r#"
import os, socket, urllib.request
from urllib.parse import urlparse
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
u = urlparse(url)
idle = []
for _ in range(400):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(b"GET /credentials HTTP/1.1\r\nHost: x\r\n")
    idle.append(s)
req = urllib.request.Request(url, headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
print(urllib.request.urlopen(req, timeout=30).read().decode())
"#;
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        runas(&config, sts, &["--", "python3", "-c", stall]),
    )
    .await
    .expect("the child waited on stalled connections");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("\"AccessKeyId\":\"AKIAP1\""), "{stdout}");
    assert!(log.lock().unwrap().is_empty());
}
