//! Profiles from the shared files, through the built binary against a fake STS: keys and
//! region from a profile, `--profile` over environment keys, environment keys over
//! `AWS_PROFILE`, the profile's `[services]` endpoint, and the errors for a missing
//! profile, a profile without keys and a malformed file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::mock::{ok, start};
use common::{aws_login_command, stderr};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

/// A folder with `config` and `credentials` files, removed on drop.
struct Files(PathBuf);

impl Files {
    fn new(name: &str, config: &str, credentials: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("aws-login-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config"), config).unwrap();
        std::fs::write(dir.join("credentials"), credentials).unwrap();
        Files(dir)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
    fn dir(&self) -> &Path {
        &self.0
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn aws_login(
    files: &Files,
    addr: Option<SocketAddr>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = aws_login_command(args);
    cmd.env("AWS_CONFIG_FILE", files.path("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", files.path("credentials"));
    if let Some(addr) = addr {
        cmd.env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"));
    }
    cmd.envs(env.iter().copied());
    cmd.output().await.unwrap()
}

const CREDS: &str = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s2\n";
const CONFIG: &str = "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-central-1\n[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nsource_profile = dev\nrole_session_name = pipeline\nexternal_id = ext-1\n[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://d-1.awsapps.com/start\n";

fn signer(fake: &common::mock::Mock, i: usize) -> String {
    let auth = &fake.seen.lock().unwrap()[i].headers["authorization"];
    auth.split("Credential=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn keys_and_region_come_from_the_selected_profile() {
    let files = Files::new("profile-keys", CONFIG, CREDS);
    let (fake, addr) = start(vec![ok(IDENTITY), ok(IDENTITY), ok(IDENTITY), ok(IDENTITY)]).await;
    let out = aws_login(&files, Some(addr), &["getcallerid"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        signer(&fake, 0).starts_with("AKIADEFAULT/")
            && signer(&fake, 0).contains("/us-west-2/sts/"),
        "{}",
        signer(&fake, 0)
    );

    let out = aws_login(
        &files,
        Some(addr),
        &["getcallerid", "--profile", "dev"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        signer(&fake, 1).starts_with("AKIADEV/") && signer(&fake, 1).contains("/eu-central-1/sts/"),
        "{}",
        signer(&fake, 1)
    );

    // Environment keys win over AWS_PROFILE (not over --profile), as in the AWS CLI.
    let out = aws_login(
        &files,
        Some(addr),
        &["getcallerid"],
        &[
            ("AWS_PROFILE", "dev"),
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        signer(&fake, 2).starts_with("AKIAENV/") && signer(&fake, 2).contains("/eu-central-1/"),
        "{}",
        signer(&fake, 2)
    );

    let out = aws_login(
        &files,
        Some(addr),
        &["getcallerid"],
        &[("AWS_PROFILE", "dev")],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        signer(&fake, 3).starts_with("AKIADEV/"),
        "{}",
        signer(&fake, 3)
    );
}

#[tokio::test]
async fn a_profile_role_chain_is_assumed_with_its_settings() {
    let assumed = "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/ci/pipeline</Arn><AssumedRoleId>AROA:p</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIACI</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2031-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
    let files = Files::new("profile-chain", CONFIG, CREDS);
    let (fake, addr) = start(vec![ok(assumed), ok(IDENTITY)]).await;
    let out = aws_login(
        &files,
        Some(addr),
        &["getcallerid", "--profile", "ci", "--debug"],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("credential plan: keys of profile \"dev\" -> AssumeRole arn:aws:iam::1:role/ci (profile \"ci\")"), "{}", stderr(&out));
    assert!(
        signer(&fake, 0).starts_with("AKIADEV/"),
        "{}",
        signer(&fake, 0)
    );
    assert!(
        signer(&fake, 1).starts_with("ASIACI/"),
        "{}",
        signer(&fake, 1)
    );
    let form = fake.seen.lock().unwrap()[0].form();
    assert_eq!(
        (
            form["RoleSessionName"].as_str(),
            form["ExternalId"].as_str()
        ),
        ("pipeline", "ext-1")
    );
}

#[tokio::test]
async fn the_profiles_services_section_sets_the_endpoint() {
    let (fake, addr) = start(vec![ok(IDENTITY)]).await;
    let config = format!(
        "[default]\nregion = ap-south-1\nservices = local\n[services local]\nsts =\n  endpoint_url = http://{addr}\n"
    );
    let files = Files::new("profile-services", &config, CREDS);
    let out = aws_login(&files, None, &["getcallerid", "--debug"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fake.seen.lock().unwrap().len(), 1);
    assert!(
        stderr(&out).contains("(from the profile's services section"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn missing_keyless_and_malformed_profiles_are_clear_errors() {
    let files = Files::new("profile-errors", CONFIG, CREDS);
    let out = aws_login(&files, None, &["getcallerid", "--profile", "nope"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("profile \"nope\" not found in"),
        "{}",
        stderr(&out)
    );

    // An SSO profile without a sign-in in the AWS CLI's cache: a clear hint, nothing sent.
    let out = aws_login(&files, None, &["getcallerid", "--profile", "sso"], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "no valid SSO sign-in for profile \"sso\": run `aws-login sso login --profile sso` (or `aws sso login --profile sso`)"
        ),
        "{}",
        stderr(&out)
    );

    std::fs::write(files.dir().join("config"), "[default]\nregion us-east-1\n").unwrap();
    let out = aws_login(&files, None, &["getcallerid"], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("profile \"default\" cannot be used")
            && err.contains("config line 2: skipped: expected 'key = value'"),
        "{err}"
    );

    let empty = Files::new("profile-none", "", "");
    let out = aws_login(&empty, None, &["getcallerid"], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no credentials"), "{}", stderr(&out));
}
