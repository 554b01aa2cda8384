//! Instance and container credentials through the built binary, against in-process fakes
//! that enforce what the real endpoints enforce: IMDSv2 wants the TTL header on the token
//! PUT and the token on every GET (401 otherwise); the container endpoint checks the
//! Authorization token.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

use std::net::SocketAddr;
use std::process::Output;

use common::endpoints::{IMDS_TOKEN as TOKEN, ImdsMode as Mode, fake_container, fake_imds};
use common::fake_sts::{ok, start};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/r/i</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

async fn aws_login(sts: SocketAddr, env: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_aws-login"))
        .args(["getcallerid", "--debug"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
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
async fn imdsv2_token_is_fetched_once_and_used_for_role_and_credentials() {
    let (imds, log) = fake_imds(Mode::V2).await;
    let (seen, sts) = start(vec![ok(IDENTITY)]).await;
    let endpoint = format!("http://{imds}");
    let out = aws_login(sts, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("credential plan: the instance metadata service (IMDSv2)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        log.lock().unwrap().clone(),
        [
            "PUT /latest/api/token token=false",
            "GET /latest/meta-data/iam/security-credentials/ token=true",
            "GET /latest/meta-data/iam/security-credentials/imds-role token=true",
        ]
    );
    assert!(seen.seen.lock().unwrap()[0].headers["authorization"].contains("Credential=ASIAIMDS/"));
    assert!(!stderr(&out).contains("IMDSSECRET") && !stderr(&out).contains(TOKEN));
}

#[tokio::test]
async fn imdsv1_fallback_only_when_allowed() {
    let (imds, log) = fake_imds(Mode::V1).await;
    let (_, sts) = start(vec![ok(IDENTITY)]).await;
    let endpoint = format!("http://{imds}");
    let out = aws_login(sts, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .skip(1)
            .all(|l| l.ends_with("token=false"))
    );

    let out = aws_login(
        sts,
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint),
            ("AWS_EC2_METADATA_V1_DISABLED", "true"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("IMDSv1 is disabled"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn without_imds_the_chain_ends_with_no_credentials() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let (seen, sts) = start(vec![]).await;
    let endpoint = format!("http://{closed}");
    let out = aws_login(sts, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: no credentials") && err.contains("not on EC2 either"),
        "{err}"
    );
    assert!(
        err.contains("caused by: the instance metadata service did not answer"),
        "{err}"
    );
    assert!(seen.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn container_credentials_with_a_token_file_and_a_guarded_host() {
    let dir = std::env::temp_dir().join(format!("aws-login-container-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "pod-identity-token\n").unwrap();
    let (container, _) = fake_container(Some("pod-identity-token".into())).await;
    let (seen, sts) = start(vec![ok(IDENTITY)]).await;
    let uri = format!("http://{container}/v1/credentials");
    let out = aws_login(
        sts,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.to_str().unwrap(),
            ),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen.seen.lock().unwrap()[0].headers["authorization"].contains("Credential=ASIACONT/"));

    // A wrong token is refused by the endpoint; a forbidden host is refused before sending.
    let out = aws_login(
        sts,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("answered HTTP 401"),
        "{}",
        stderr(&out)
    );
    let out = aws_login(
        sts,
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://10.1.2.3/creds",
        )],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("host 10.1.2.3 is not allowed"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn imds_gives_the_region_when_nothing_else_does() {
    let (imds, log) = fake_imds(Mode::V2).await;
    let (seen, sts) = start(vec![ok(IDENTITY)]).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_aws-login"))
        .args(["getcallerid", "--debug"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{imds}"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("region ap-northeast-2 from the instance metadata service"),
        "{}",
        stderr(&out)
    );
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .any(|l| l == "GET /latest/meta-data/placement/region token=true")
    );
    let auth = seen.seen.lock().unwrap()[0].headers["authorization"].clone();
    assert!(auth.contains("/ap-northeast-2/sts/aws4_request"), "{auth}");
}
