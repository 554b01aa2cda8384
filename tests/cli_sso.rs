//! SSO credentials through the built binary: the AWS CLI's token cache (in a temporary
//! HOME) and a fake IAM Identity Center portal that checks the bearer token; an expired
//! token and a rejected one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;

use aws_login::provider::sso_token_cache::cache_file_name;
use common::endpoints::Log;
use common::mock::{ok, reply, serve_with, start};
use common::{aws_login_command, stderr};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin/alice</Arn><UserId>U</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
const CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n";

struct Home(PathBuf);

impl Home {
    fn new(name: &str, expires_at: &str) -> Self {
        let home =
            std::env::temp_dir().join(format!("aws-login-sso-{name}-{}", std::process::id()));
        let cache = home.join(".aws/sso/cache");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::write(home.join(".aws/config"), CONFIG).unwrap();
        let token = format!(
            r#"{{"startUrl":"https://d-1234567890.awsapps.com/start","region":"us-east-1","accessToken":"SSO-ACCESS-TOKEN","expiresAt":"{expires_at}"}}"#
        );
        std::fs::write(cache.join(cache_file_name("corp")), token).unwrap();
        Home(home)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A portal that answers GetRoleCredentials for the right token, 401 otherwise.
async fn fake_portal(valid_token: &'static str) -> (SocketAddr, Log) {
    let seen: Log = Arc::default();
    let log = seen.clone();
    let (_, addr) = serve_with(move |req| {
        let token = req
            .header("x-amz-sso_bearer_token")
            .unwrap_or("")
            .to_owned();
        log.lock().unwrap().push(format!(
            "{} {} signed={}",
            req.method(),
            req.target(),
            req.header("authorization").is_some()
        ));
        if token == valid_token {
            reply(
                200,
                r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"SSOSECRET","sessionToken":"SSOTOKEN","expiration":1924992000000}}"#,
            )
        } else {
            reply(401, r#"{"message":"Session token not found or invalid"}"#).with_header(
                "x-amzn-errortype",
                "UnauthorizedException:http://internal.amazon.com/coral/",
            )
        }
    })
    .await;
    (addr, seen)
}

async fn aws_login(home: &Home, portal: SocketAddr, sts: SocketAddr) -> Output {
    aws_login_command(&["getcallerid", "--profile", "dev", "--debug"])
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env("HOME", &home.0)
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{portal}"))
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn sso_role_credentials_come_from_the_cached_token() {
    let home = Home::new("ok", "2099-01-01T00:00:00Z");
    let (portal, portal_seen) = fake_portal("SSO-ACCESS-TOKEN").await;
    let (fake, sts) = start(vec![ok(IDENTITY)]).await;
    let out = aws_login(&home, portal, sts).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("credential plan: SSO of profile \"dev\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        portal_seen.lock().unwrap().clone(),
        ["GET /federation/credentials?account_id=111122223333&role_name=Admin signed=false"]
    );
    assert!(fake.seen.lock().unwrap()[0].headers["authorization"].contains("Credential=ASIASSO/"));
    for secret in ["SSO-ACCESS-TOKEN", "SSOSECRET", "SSOTOKEN"] {
        assert!(!stderr(&out).contains(secret), "{secret}");
    }
}

#[tokio::test]
async fn expired_and_rejected_tokens_say_to_sign_in_again() {
    let expired = Home::new("expired", "2020-01-01T00:00:00Z");
    let (portal, portal_seen) = fake_portal("SSO-ACCESS-TOKEN").await;
    let (_, sts) = start(vec![]).await;
    let out = aws_login(&expired, portal, sts).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("run `aws-login sso login --profile dev` (or `aws sso login --profile dev`)")
            && err.contains("expired at 2020-01-01"),
        "{err}"
    );
    assert!(portal_seen.lock().unwrap().is_empty());

    let valid = Home::new("rejected", "2099-01-01T00:00:00Z");
    let (portal, _) = fake_portal("SOME-OTHER-TOKEN").await;
    let out = aws_login(&valid, portal, sts).await;
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("UnauthorizedException: Session token not found or invalid (HTTP 401)")
            && err.contains("run `aws-login sso login` (or `aws sso login`) again"),
        "{err}"
    );
}
