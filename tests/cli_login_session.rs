//! A profile's `login_session` (`aws login`'s console-credential sessions) through the
//! binary: at botocore's place in the chain, read from its cache file, refreshed with a
//! DPoP proof (checked by a fake Sign-In service as the real one checks it) when within
//! 5 minutes of its end, written back with every other member kept, once for 8
//! processes at the same time; and each failure saying what to do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use aws_login::services::signin::dpop::DpopKey;
use aws_login::time::Clock as _;
use common::mock::{ok, reply, serve_with};
use common::{aws_login_command, stderr, text};

const SESSION: &str = "arn:aws:iam::111122223333:user/alice";

/// A fake Sign-In service: every CreateOAuth2Token's DPoP is checked; `EXPIRED` refresh
/// tokens are refused with TOKEN_EXPIRED. The log: one line per call.
async fn fake_signin() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls = log.clone();
    let (_, addr) = serve_with(move |req| {
        let url = format!("http://{}/v1/token", req.header("host").unwrap_or_default());
        let now = aws_login::time::SystemClock.now().timestamp();
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        let input = &body;
        let verdict = common::sign_in_service::dpop_check(req, &url, now, &seen);
        calls.lock().unwrap().push(format!(
            "{} {} {} dpop={}",
            req.path(),
            input["grantType"].as_str().unwrap_or("-"),
            input["refreshToken"].as_str().unwrap_or("-"),
            verdict.clone().err().unwrap_or_else(|| "ok".into())
        ));
        if verdict.is_err() {
            return reply(400, r#"{"error":"invalid_request","message":"bad DPoP"}"#);
        }
        if input["refreshToken"] == "EXPIRED" {
            return reply(403, r#"{"error":"TOKEN_EXPIRED","message":"session expired"}"#)
                .with_header("x-amzn-errortype", "AccessDeniedException:");
        }
        ok(r#"{"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"NEWSECRET","sessionToken":"NEWTOKEN"},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"REFRESH-2"}"#)
    })
    .await;
    (addr, log)
}

struct Setup {
    home: tempfile::TempDir,
    cache: std::path::PathBuf,
}

fn setup(expires_in_minutes: i64, refresh_token: &str, config: &str) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let cache_dir = home.path().join("login-cache");
    std::fs::create_dir_all(&cache_dir).unwrap();
    std::fs::write(home.path().join("config"), config).unwrap();
    let expires =
        aws_login::time::SystemClock.now() + chrono::TimeDelta::minutes(expires_in_minutes);
    let key = DpopKey::from_bytes(&[7u8; 32])
        .unwrap()
        .to_sec1_pem()
        .unwrap();
    let document = serde_json::json!({
        "accessToken": {
            "accessKeyId": "ASIALOGIN",
            "secretAccessKey": "OLDSECRET",
            "sessionToken": "OLDTOKEN",
            "accountId": "111122223333",
            "expiresAt": expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        },
        "refreshToken": refresh_token,
        "idToken": "ID",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": key.expose(),
        "futureMember": 7,
    });
    let cache = aws_login::provider::login_cache::cache_path(&cache_dir, SESSION);
    std::fs::write(&cache, document.to_string()).unwrap();
    Setup { home, cache }
}

const PROFILE: &str = "[profile dev]\nlogin_session = arn:aws:iam::111122223333:user/alice\nregion = eu-west-1\ncredential_process = /nonexistent/helper\n";

fn dumpcreds(setup: &Setup, signin: SocketAddr) -> tokio::process::Command {
    let mut cmd = aws_login_command(&["dumpcreds", "--credential-helper", "--profile", "dev"]);
    cmd.env("HOME", setup.home.path())
        .env("AWS_CONFIG_FILE", setup.home.path().join("config"))
        .env(
            "AWS_LOGIN_CACHE_DIRECTORY",
            setup.home.path().join("login-cache"),
        )
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{signin}"));
    cmd
}

fn key_id(out: &std::process::Output) -> String {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    json["AccessKeyId"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_session_is_used_then_refreshed_when_due() {
    let (addr, log) = fake_signin().await;
    // Fresh: used as it is (before credential_process, as botocore orders them).
    let fresh = setup(60, "REFRESH-1", PROFILE);
    let out = dumpcreds(&fresh, addr).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), "ASIALOGIN");
    assert!(log.lock().unwrap().is_empty());

    // Due: refreshed with a DPoP proof, written back, every other member kept.
    let due = setup(2, "REFRESH-1", PROFILE);
    let out = dumpcreds(&due, addr).arg("--debug").output().await.unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(key_id(&out), "ASIANEW");
    assert_eq!(
        *log.lock().unwrap(),
        ["/v1/token refresh_token REFRESH-1 dpop=ok"]
    );
    for secret in [
        "REFRESH-1",
        "REFRESH-2",
        "OLDSECRET",
        "NEWSECRET",
        "BEGIN EC",
    ] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&due.cache).unwrap()).unwrap();
    assert_eq!(written["accessToken"]["accessKeyId"], "ASIANEW");
    assert_eq!(written["accessToken"]["accountId"], "111122223333");
    assert_eq!(written["refreshToken"], "REFRESH-2");
    assert_eq!(written["futureMember"], 7);
    assert_eq!(written["idToken"], "ID");
    assert_eq!(
        std::fs::metadata(&due.cache).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The next run uses what was written.
    let out = dumpcreds(&due, addr).output().await.unwrap();
    assert_eq!(key_id(&out), "ASIANEW");
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn eight_processes_refresh_once() {
    let (addr, log) = fake_signin().await;
    let due = setup(1, "REFRESH-1", PROFILE);
    let runs: Vec<_> = (0..8).map(|_| dumpcreds(&due, addr).output()).collect();
    let outs = futures_util::future::join_all(runs).await;
    for out in outs {
        let out = out.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(key_id(&out), "ASIANEW");
    }
    assert_eq!(log.lock().unwrap().len(), 1, "{:?}", log.lock().unwrap());
}

#[tokio::test]
async fn each_failure_says_what_to_do() {
    let (addr, _) = fake_signin().await;
    // Expired on the service's side: sign in again.
    let expired = setup(1, "EXPIRED", PROFILE);
    let out = dumpcreds(&expired, addr).output().await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the console session is over (TOKEN_EXPIRED): sign in again with `aws-login login` (or `aws login`)"),
        "{}",
        stderr(&out)
    );
    // No cache file, a truncated one, a key that is not P-256.
    let none = setup(60, "R", PROFILE);
    std::fs::remove_file(&none.cache).unwrap();
    let out = dumpcreds(&none, addr).output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no cached session: sign in with `aws-login login` (or `aws login`)"),
        "{}",
        stderr(&out)
    );
    let truncated = setup(60, "R", PROFILE);
    let cached = std::fs::read_to_string(&truncated.cache).unwrap();
    std::fs::write(&truncated.cache, &cached[..cached.len() / 2]).unwrap();
    let out = dumpcreds(&truncated, addr).output().await.unwrap();
    assert!(
        stderr(&out).contains("the cache file is not a session (it is not a JSON object)"),
        "{}",
        stderr(&out)
    );
    let bad_key = setup(1, "R", PROFILE);
    let cached = std::fs::read_to_string(&bad_key.cache).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&cached).unwrap();
    json["dpopKey"] = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n".into();
    std::fs::write(&bad_key.cache, json.to_string()).unwrap();
    let out = dumpcreds(&bad_key, addr).output().await.unwrap();
    assert!(
        stderr(&out).contains("the dpopKey is not a P-256 EC private key"),
        "{}",
        stderr(&out)
    );

    // Keys in the credentials file come first, as in botocore.
    let keys_first = setup(60, "R", PROFILE);
    std::fs::write(
        keys_first.home.path().join("credentials"),
        "[dev]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n",
    )
    .unwrap();
    let out = dumpcreds(&keys_first, addr)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            keys_first.home.path().join("credentials"),
        )
        .output()
        .await
        .unwrap();
    assert!(text(&out.stdout).contains("AKIAFILE"), "{}", stderr(&out));
}

/// `logout` removes a profile's cached session (the setting stays), `--all` every one.
#[tokio::test]
async fn logout_removes_cached_sessions() {
    let (addr, _) = fake_signin().await;
    let one = setup(60, "R", PROFILE);
    let logout = |args: &[&str]| {
        let mut all = vec!["logout"];
        all.extend(args);
        let mut cmd = aws_login_command(&all);
        cmd.env("HOME", one.home.path())
            .env("AWS_CONFIG_FILE", one.home.path().join("config"))
            .env(
                "AWS_LOGIN_CACHE_DIRECTORY",
                one.home.path().join("login-cache"),
            );
        cmd
    };
    let out = logout(&["--profile", "dev"]).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!one.cache.exists());
    assert!(
        stderr(&out).starts_with("Removed the cached session"),
        "{}",
        stderr(&out)
    );
    let out = dumpcreds(&one, addr).output().await.unwrap();
    assert!(
        stderr(&out).contains("no cached session"),
        "{}",
        stderr(&out)
    );
    let out = logout(&["--profile", "dev"]).output().await.unwrap();
    assert!(stderr(&out).starts_with("No session"), "{}", stderr(&out));
    // --all: every session file, nothing else in the folder.
    let other = one.home.path().join("login-cache/notes.txt");
    std::fs::write(&other, "mine").unwrap();
    let again = setup(60, "R", PROFILE);
    std::fs::copy(&again.cache, &one.cache).unwrap();
    let out = logout(&["--all"]).output().await.unwrap();
    assert!(
        stderr(&out).starts_with("Removed 1 cached console sign-in session from"),
        "{}",
        stderr(&out)
    );
    assert!(!one.cache.exists() && other.exists());
    let out = logout(&["--profile", "none"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("profile \"none\" is in neither the config nor the credentials file"),
        "{}",
        stderr(&out)
    );
    // A cache folder that is not one is said, not taken for an empty folder.
    let out = logout(&["--all"])
        .env("AWS_LOGIN_CACHE_DIRECTORY", &other)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read the login cache folder at"),
        "{}",
        stderr(&out)
    );
    // One that is not there holds nothing.
    let out = logout(&["--all"])
        .env("AWS_LOGIN_CACHE_DIRECTORY", one.home.path().join("nowhere"))
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).starts_with("No cached sessions"));
}

/// botocore (1.44.5, with its `crt` extra) and aws-login share sessions both ways: a file
/// aws-login refreshed is loaded and refreshed by botocore's `LoginProvider` against the
/// same fake, which checks botocore's DPoP proof as it checks aws-login's; the file
/// botocore wrote is then used by aws-login.
#[tokio::test]
async fn botocore_and_aws_login_refresh_each_others_sessions() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls = log.clone();
    let (_, addr) = serve_with(move |req| {
        let url = format!("http://{}/v1/token", req.header("host").unwrap_or_default());
        let now = aws_login::time::SystemClock.now().timestamp();
        let verdict = common::sign_in_service::dpop_check(req, &url, now, &seen);
        let agent = req.header("user-agent").unwrap_or_default();
        let who = if agent.contains("Botocore") { "botocore" } else { "aws-login" };
        let mut calls = calls.lock().unwrap();
        calls.push(format!("{who} dpop={}", verdict.clone().err().unwrap_or_else(|| "ok".into())));
        if verdict.is_err() {
            return reply(400, r#"{"error":"invalid_request","message":"bad DPoP"}"#);
        }
        let n = calls.len();
        ok(&format!(r#"{{"accessToken":{{"accessKeyId":"ASIANEW{n}","secretAccessKey":"S{n}","sessionToken":"T{n}"}},"tokenType":"aws_sigv4","expiresIn":3600,"refreshToken":"REFRESH-{n}"}}"#))
    })
    .await;
    let due = setup(1, "REFRESH-0", PROFILE);
    let out = dumpcreds(&due, addr).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), "ASIANEW1");
    // Time passes: the session aws-login wrote is due again (only its expiry changed).
    let mut written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&due.cache).unwrap()).unwrap();
    assert_eq!(written["refreshToken"], "REFRESH-1");
    let soon = aws_login::time::SystemClock.now() + chrono::TimeDelta::minutes(1);
    written["accessToken"]["expiresAt"] = soon.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&due.cache, written.to_string()).unwrap();

    let said = common::sign_in_service::botocore_credentials(
        &python,
        "dev",
        &[
            ("HOME", due.home.path().into()),
            ("AWS_CONFIG_FILE", due.home.path().join("config").into()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                due.home.path().join("none").into(),
            ),
            (
                "AWS_LOGIN_CACHE_DIRECTORY",
                due.home.path().join("login-cache").into(),
            ),
            ("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}").into()),
        ],
    )
    .await;
    assert_eq!(said["method"], "login");
    assert_eq!(
        said["key"], "ASIANEW2",
        "botocore refreshed the file aws-login wrote"
    );
    assert_eq!(
        *log.lock().unwrap(),
        ["aws-login dpop=ok", "botocore dpop=ok"]
    );

    // The file botocore wrote, used by aws-login (an hour left: no refresh).
    let out = dumpcreds(&due, addr).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), "ASIANEW2");
    assert_eq!(log.lock().unwrap().len(), 2);
}

/// Each answer the refresh can get instead of new credentials, through the binary: what
/// it says and its exit code, no secret shown, the cache file left as it was.
#[tokio::test]
async fn each_refusal_of_a_refresh_is_said() {
    for (status, error_type, body, says, code) in [
        (
            403,
            "AccessDeniedException:",
            r#"{"error":"USER_CREDENTIALS_CHANGED","message":"m"}"#,
            "sign in again with `aws-login login`",
            3,
        ),
        (
            403,
            "AccessDeniedException:",
            r#"{"error":"INSUFFICIENT_PERMISSIONS","message":"m"}"#,
            "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess",
            3,
        ),
        (
            403,
            "AccessDeniedException:",
            r#"{"error":"invalid_grant","message":"m"}"#,
            "the sign-in service refused CreateOAuth2Token (invalid_grant: m)",
            3,
        ),
        (
            200,
            "",
            "<html><body>Sign in</body></html>",
            "CreateOAuth2Token failed",
            4,
        ),
        (
            400,
            "ValidationException:",
            r#"{"message":"bad request"}"#,
            "ValidationException",
            3,
        ),
    ] {
        let (_, addr) = serve_with(move |_| {
            let answer = reply(status, body);
            if error_type.is_empty() {
                answer
            } else {
                answer.with_header("x-amzn-errortype", error_type)
            }
        })
        .await;
        let due = setup(1, "REFRESH-SECRET", PROFILE);
        let before = std::fs::read_to_string(&due.cache).unwrap();
        let out = dumpcreds(&due, addr)
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .await
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{body}: {err}");
        assert!(err.contains(says), "{body}: {err}");
        assert!(
            !err.contains("REFRESH-SECRET") && !err.contains("OLDSECRET"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&due.cache).unwrap(), before);
    }
}

/// A login session is a base like any other: roles are assumed with its credentials
/// (signed with its key and token), and `runas` gives them to a program.
#[tokio::test]
async fn roles_and_runas_apply_on_top_of_a_session() {
    let (signin, _) = fake_signin().await;
    let (sts, sts_log, tokens) = common::endpoints::echo_sts_with_tokens().await;
    let fresh = setup(60, "R", PROFILE);
    let out = dumpcreds(&fresh, signin)
        .args(["--assume-roles", "arn:aws:iam::222222222222:role/Target"])
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), "ASIAROLE1");
    let line = sts_log.lock().unwrap()[0].clone();
    assert!(
        line.starts_with("AssumeRole arn:aws:iam::222222222222:role/Target")
            && line.ends_with("by ASIALOGIN"),
        "{line}"
    );
    assert_eq!(*tokens.lock().unwrap(), ["ASIALOGIN OLDTOKEN"]);

    let mut runas = aws_login_command(&[
        "runas",
        "--profile",
        "dev",
        "--",
        "sh",
        "-c",
        "echo $AWS_ACCESS_KEY_ID",
    ]);
    runas
        .env("HOME", fresh.home.path())
        .env("AWS_CONFIG_FILE", fresh.home.path().join("config"))
        .env(
            "AWS_LOGIN_CACHE_DIRECTORY",
            fresh.home.path().join("login-cache"),
        );
    let out = runas.output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout).trim(), "ASIALOGIN");
}
