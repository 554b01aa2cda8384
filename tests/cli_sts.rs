//! The built `aws-login` binary against a fake STS (`AWS_ENDPOINT_URL_STS`): getcallerid
//! output, a role chain whose linux exports a shell really evaluates, credential_process
//! JSON, MFA codes, exit codes for AWS and network errors, and `--debug` traces that never
//! show a secret.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::process::Output;

use common::mock::{error, ok, start};
use common::{aws_login_command, text};

const SECRET: &str = "PLANTED/secret+KEY0123456789abcdefghijkl";
const TOKEN: &str = "PLANTEDsessionTOKEN/with+chars==";

fn identity(arn: &str) -> String {
    format!(
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>{arn}</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
    )
}

fn assumed(key: &str, arn: &str) -> String {
    format!(
        "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>{arn}</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{SECRET}-{key}</SecretAccessKey><SessionToken>{TOKEN}-{key}</SessionToken><Expiration>2031-02-03T04:05:06Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"
    )
}

async fn aws_login(addr: Option<SocketAddr>, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = aws_login_command(args);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIASTART")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "eu-west-1");
    if let Some(addr) = addr {
        cmd.env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"));
    }
    cmd.envs(extra_env.iter().copied());
    cmd.output().await.unwrap()
}

#[tokio::test]
async fn getcallerid_prints_the_aws_cli_json() {
    let (fake, addr) = start(vec![ok(&identity("arn:aws:iam::123456789012:user/alice"))]).await;
    let out = aws_login(Some(addr), &["getcallerid"], &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\n    \"UserId\": \"AIDAEXAMPLE\",\n    \"Account\": \"123456789012\",\n    \"Arn\": \"arn:aws:iam::123456789012:user/alice\"\n}\n"
    );
    assert_eq!(out.stderr, b"");
    let auth = &fake.seen.lock().unwrap()[0].headers["authorization"];
    assert!(auth.contains("Credential=AKIASTART/"), "{auth}");
}

#[tokio::test]
async fn an_invalid_sts_regional_endpoints_stops_sts_calls_only() {
    let (fake, addr) = start(vec![]).await;
    let bad = [("AWS_STS_REGIONAL_ENDPOINTS", "Regional")];
    // No STS call needed: the keys are printed.
    let out = aws_login(Some(addr), &["dumpcreds"], &bad).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // An STS call: refused before sending, the reason said once.
    let out = aws_login(Some(addr), &["getcallerid"], &bad).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("must be \"legacy\" or \"regional\"").count(),
        1,
        "{err}"
    );
    assert!(fake.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_role_chain_evaluated_by_a_shell_then_used() {
    let (fake, addr) = start(vec![
        ok(&assumed(
            "ASIAONE",
            "arn:aws:sts::111111111111:assumed-role/role1/aws-login",
        )),
        ok(&assumed(
            "ASIATWO",
            "arn:aws:sts::222222222222:assumed-role/role2/aws-login",
        )),
        ok(&identity(
            "arn:aws:sts::222222222222:assumed-role/role2/aws-login",
        )),
    ])
    .await;
    let roles = "arn:aws:iam::111111111111:role/role1, arn:aws:iam::222222222222:role/role2";
    let out = aws_login(Some(addr), &["dumpcreds", "--assume-roles", roles], &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exports = text(&out.stdout);
    // A shell evaluates the output and runs aws-login again with what it got.
    let script = format!(
        "{exports}\nexec \"{}\" getcallerid",
        env!("CARGO_BIN_EXE_aws-login")
    );
    let shell = tokio::process::Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    assert!(shell.status.success(), "{}", text(&shell.stderr));
    assert!(
        text(&shell.stdout).contains("assumed-role/role2"),
        "{}",
        text(&shell.stdout)
    );
    let seen = fake.seen.lock().unwrap().clone();
    let signer = |i: usize| {
        seen[i].headers["authorization"]
            .split("Credential=")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        [signer(0), signer(1), signer(2)],
        ["AKIASTART", "ASIAONE", "ASIATWO"]
    );
    assert_eq!(
        seen[0].form()["RoleArn"],
        "arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Frole1"
    );
    assert_eq!(seen[1].form()["RoleSessionName"], "aws-login");
    assert_eq!(
        seen[2].headers["x-amz-security-token"],
        format!("{TOKEN}-ASIATWO")
    );
}

#[tokio::test]
async fn credential_helper_json_carries_the_expiration() {
    let (_, addr) = start(vec![ok(&assumed(
        "ASIAONE",
        "arn:aws:sts::1:assumed-role/r/s",
    ))])
    .await;
    let out = aws_login(
        Some(addr),
        &[
            "dumpcreds",
            "--credential-helper",
            "--assume-roles",
            "arn:aws:iam::1:role/r",
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "ASIAONE");
    assert_eq!(json["Expiration"], "2031-02-03T04:05:06Z");
}

#[tokio::test]
async fn mfa_codes_reach_sts_and_a_missing_one_is_a_usage_error() {
    let (fake, addr) = start(vec![ok(&assumed(
        "ASIAONE",
        "arn:aws:sts::1:assumed-role/r/s",
    ))])
    .await;
    let args = [
        "dumpcreds",
        "--assume-roles",
        "arn:aws:iam::1:role/r",
        "--mfa-serial",
        "arn:aws:iam::1:mfa/alice",
    ];
    let mut with_code = args.to_vec();
    with_code.extend(["--token-code", "123456"]);
    let out = aws_login(Some(addr), &with_code, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fake.seen.lock().unwrap()[0].form()["TokenCode"], "123456");

    // No code and no terminal: a clear usage error, nothing sent.
    let out = aws_login(Some(addr), &args, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("pass --token-code"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fake.seen.lock().unwrap().len(), 1);

    // GetSessionToken needs static credentials.
    let out = aws_login(
        Some(addr),
        &["getcallerid", "--get-session-token"],
        &[("AWS_SESSION_TOKEN", "t")],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("long-term (static) credentials"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn what_a_server_says_reaches_the_terminal_escaped() {
    let (_, addr) = start(vec![common::mock::Answer::Respond {
        status: 403,
        headers: vec![],
        body: "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no&#x1b;[2J\nerror: forged line</Message></Error><RequestId>r</RequestId></ErrorResponse>".into(),
    }])
    .await;
    let out = aws_login(Some(addr), &["getcallerid"], &[]).await;
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(
        err.contains("no\\u{1b}[2J\\u{a}error: forged line"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
}

#[tokio::test]
async fn aws_and_network_errors_have_their_own_exit_codes() {
    let (_, addr) = start(vec![error(403, "InvalidClientTokenId")]).await;
    let out = aws_login(Some(addr), &["getcallerid"], &[]).await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: GetCallerIdentity failed\ncaused by: InvalidClientTokenId: m (HTTP 403, request id rid-403); hint:"), "{stderr}");

    let closed = common::mock::closed_port().await;
    let out = aws_login(Some(closed), &["getcallerid"], &[("AWS_MAX_ATTEMPTS", "2")]).await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("after 2 attempt"),
        "{}",
        text(&out.stderr)
    );

    let out = aws_login(
        Some(closed),
        &["getcallerid"],
        &[("AWS_MAX_ATTEMPTS", "zero")],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn debug_traces_requests_without_secrets() {
    let answers = vec![
        error(400, "Throttling"),
        ok(&assumed("ASIAONE", "arn:aws:sts::1:assumed-role/r/s")),
        ok(&identity("arn:aws:sts::1:assumed-role/r/s")),
    ];
    let (_, addr) = start(answers).await;
    let out = aws_login(
        Some(addr),
        &[
            "getcallerid",
            "--debug",
            "--assume-roles",
            "arn:aws:iam::1:role/r",
            "--mfa-serial",
            "arn:aws:iam::1:mfa/a",
            "--token-code",
            "987654",
        ],
        &[("AWS_SESSION_TOKEN", TOKEN)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("debug: STS endpoint http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(stderr.contains("-> 400 (attempt 1"), "{stderr}");
    assert!(stderr.contains("debug: retrying in"), "{stderr}");
    assert!(
        stderr.contains("AssumeRole arn:aws:iam::1:role/r -> arn:aws:sts::1:assumed-role/r/s"),
        "{stderr}"
    );
    for secret in [SECRET, TOKEN, "PLANTED", "987654"] {
        assert!(!stderr.contains(secret), "{secret} leaked: {stderr}");
    }
}

#[tokio::test]
async fn github_form_writes_the_env_file_and_prints_only_masks() {
    let dir = std::env::temp_dir().join(format!("aws-login-gh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env_file = dir.join("github_env");
    std::fs::write(&env_file, "EARLIER=1\n").unwrap();
    let out = aws_login(
        None,
        &["dumpcreds", "--outform", "github"],
        &[
            ("AWS_SESSION_TOKEN", TOKEN),
            ("GITHUB_ENV", env_file.to_str().unwrap()),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("::add-mask::{SECRET}\n::add-mask::{TOKEN}\n")
    );
    let written = std::fs::read_to_string(&env_file).unwrap();
    assert_eq!(
        written,
        format!(
            "EARLIER=1\nAWS_ACCESS_KEY_ID=AKIASTART\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN={TOKEN}\nAWS_SECURITY_TOKEN=\nAWS_CREDENTIAL_EXPIRATION=\n"
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn federation_tokens_take_the_chosen_policy() {
    let federation = "<GetFederationTokenResponse><GetFederationTokenResult><Credentials><AccessKeyId>ASIAFED</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2031-01-01T00:00:00Z</Expiration></Credentials><FederatedUser><Arn>arn:aws:sts::1:federated-user/bob</Arn><FederatedUserId>1:bob</FederatedUserId></FederatedUser></GetFederationTokenResult></GetFederationTokenResponse>";
    let (fake, addr) = start(vec![ok(federation), ok(federation)]).await;
    let out = aws_login(
        Some(addr),
        &[
            "dumpcreds",
            "--get-federation-token",
            "--role-session-name",
            "bob",
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let out = aws_login(
        Some(addr),
        &[
            "dumpcreds",
            "--get-federation-token",
            "--federation-policy",
            policy,
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seen = fake.seen.lock().unwrap().clone();
    let first = seen[0].form();
    assert_eq!(first["Name"], "bob");
    assert_eq!(
        first["PolicyArns.member.1.arn"],
        "arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess"
    );
    let second = seen[1].form();
    assert!(
        second["Policy"].starts_with("%7B%22Version%22"),
        "{second:?}"
    );
    assert!(!second.contains_key("PolicyArns.member.1.arn"));

    let out = aws_login(
        Some(addr),
        &[
            "dumpcreds",
            "--federation-policy-arns",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("go with --get-federation-token"),
        "{}",
        text(&out.stderr)
    );
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), a missing MFA code is
/// asked for, and the typed code reaches STS.
#[tokio::test]
async fn the_mfa_code_is_asked_for_on_a_terminal() {
    use tokio::io::AsyncWriteExt;
    let (fake, addr) = start(vec![ok(&assumed(
        "ASIAONE",
        "arn:aws:sts::1:assumed-role/r/s",
    ))])
    .await;
    let command = format!(
        "{} dumpcreds --assume-roles arn:aws:iam::1:role/r --mfa-serial arn:aws:iam::1:mfa/alice",
        env!("CARGO_BIN_EXE_aws-login")
    );
    let mut child = tokio::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "AKIASTART")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the binary on a pseudo-terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"654321\n")
        .await
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}{}", text(&out.stderr));
    assert!(
        screen.contains("MFA code for arn:aws:iam::1:mfa/alice: "),
        "{screen}"
    );
    assert_eq!(fake.seen.lock().unwrap()[0].form()["TokenCode"], "654321");
}

fn session_token(key: &str) -> String {
    format!(
        "<GetSessionTokenResponse><GetSessionTokenResult><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{SECRET}-{key}</SecretAccessKey><SessionToken>{TOKEN}-{key}</SessionToken><Expiration>2031-02-03T04:05:06Z</Expiration></Credentials></GetSessionTokenResult></GetSessionTokenResponse>"
    )
}

#[tokio::test]
async fn the_flags_transitions_are_hops_of_the_one_plan() {
    let (fake, addr) = start(vec![
        ok(&session_token("ASIASESSION")),
        ok(&assumed("ASIAROLE", "arn:aws:sts::1:assumed-role/r/s")),
    ])
    .await;
    let out = aws_login(
        Some(addr),
        &[
            "dumpcreds",
            "--get-session-token",
            "--assume-roles",
            "arn:aws:iam::1:role/r",
            "--mfa-serial",
            "arn:aws:iam::1:mfa/alice",
            "--token-code",
            "123456",
            "--debug",
        ],
        &[],
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // --debug shows the whole path before anything is sent, then each hop as it happens.
    assert!(
        stderr.contains(
            "debug: credential plan: environment variables -> GetSessionToken -> AssumeRole arn:aws:iam::1:role/r\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("debug: GetSessionToken -> credentials expiring at 2031-02-03T04:05:06Z"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("debug: AssumeRole arn:aws:iam::1:role/r -> arn:aws:sts::1:assumed-role/r/s"),
        "{stderr}"
    );
    let seen = fake.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    // The MFA code goes with GetSessionToken, not again with the role.
    assert_eq!(seen[0].form()["Action"], "GetSessionToken");
    assert_eq!(seen[0].form()["TokenCode"], "123456");
    assert!(seen[0].headers["authorization"].contains("Credential=AKIASTART/"));
    assert_eq!(seen[1].form()["Action"], "AssumeRole");
    assert!(!seen[1].form().contains_key("TokenCode"));
    assert!(seen[1].headers["authorization"].contains("Credential=ASIASESSION/"));
    assert!(text(&out.stdout).contains("ASIAROLE"));
}

#[tokio::test]
async fn get_session_token_on_a_role_chain_is_refused_before_any_request() {
    let (fake, addr) = start(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = aws_login(
        Some(addr),
        &["getcallerid", "--profile", "app", "--get-session-token"],
        &[
            ("AWS_CONFIG_FILE", config),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "error: GetSessionToken (--get-session-token) needs long-term (static) credentials, but those from AssumeRole arn:aws:iam::1:role/app (profile \"app\") are temporary (they have a session token)\n"
    );
    assert!(fake.seen.lock().unwrap().is_empty());
}

/// Command lines whose plan cannot work are refused before anything is sent: each exits 2
/// with its reason and the fake STS sees no request.
#[tokio::test]
async fn plans_that_cannot_work_are_refused_before_any_request() {
    let (fake, addr) = start(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n\
         [profile r1]\nrole_arn = arn:aws:iam::1:role/r1\nsource_profile = base\n\
         [profile late_mfa]\nrole_arn = arn:aws:iam::1:role/late\nsource_profile = r1\nmfa_serial = arn:aws:iam::1:mfa/late\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let files = [
        ("AWS_CONFIG_FILE", config),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    let role = "arn:aws:iam::1:role/x";
    let cases: &[(&[&str], &str)] = &[
        // An MFA hop after another hop: no terminal, no --token-code.
        (
            &["dumpcreds", "--profile", "late_mfa"],
            "MFA code needed for arn:aws:iam::1:mfa/late: pass --token-code (no terminal to ask on)",
        ),
        // One code for two devices.
        (
            &[
                "dumpcreds",
                "--profile",
                "late_mfa",
                "--assume-roles",
                role,
                "--mfa-serial",
                "arn:aws:iam::1:mfa/flag",
                "--token-code",
                "123456",
            ],
            "--token-code can answer one MFA device once, but this plan asks 2 times (arn:aws:iam::1:mfa/late, arn:aws:iam::1:mfa/flag)",
        ),
        (
            &[
                "dumpcreds",
                "--get-federation-token",
                "--assume-roles",
                role,
            ],
            "AssumeRole arn:aws:iam::1:role/x (--assume-roles) cannot follow GetFederationToken",
        ),
        (
            &["dumpcreds", "--assume-roles", " , ,"],
            "--assume-roles names no role",
        ),
        (
            &["dumpcreds", "--duration-seconds", "3600"],
            "--duration-seconds applies to --assume-roles, --get-session-token or --get-federation-token, and none is given",
        ),
        (
            &["dumpcreds", "--get-session-token", "--external-id", "e"],
            "--external-id applies to --assume-roles, and none is given",
        ),
        (
            &[
                "dumpcreds",
                "--profile",
                "r1",
                "--assume-roles",
                role,
                "--duration-seconds",
                "7200",
            ],
            "AssumeRole arn:aws:iam::1:role/x (--assume-roles) asks for 7200 s, but a role assumed with another role's credentials (role chaining) lasts at most 3600 s",
        ),
        (
            &[
                "dumpcreds",
                "--get-federation-token",
                "--mfa-serial",
                "arn:aws:iam::1:mfa/u",
            ],
            "GetFederationToken does not take MFA",
        ),
        (
            &["presign", "https://b.s3.amazonaws.com/k", "--profile", "r1"],
            "no region: pass --region, set AWS_REGION, or give the profile a region",
        ),
        (
            &[
                "presign",
                "https://b.s3.amazonaws.com/k",
                "--profile",
                "r1",
                "--region",
                "eu-west-1",
                "--expires-in",
                "0",
            ],
            "could not sign the request",
        ),
    ];
    for (args, want) in cases {
        let mut cmd = aws_login_command(args);
        cmd.env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
            .envs(files.iter().copied());
        if !args.contains(&"--profile") {
            cmd.env("AWS_ACCESS_KEY_ID", "AKIASTART")
                .env("AWS_SECRET_ACCESS_KEY", SECRET);
        }
        let out = cmd.output().await.unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!stderr.contains(SECRET), "{args:?}: {stderr}");
        assert!(
            fake.seen.lock().unwrap().is_empty(),
            "{args:?} sent a request"
        );
    }
}
