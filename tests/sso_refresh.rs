//! SSO tokens refreshed in the AWS CLI's cache through the built binary, against a fake
//! OIDC service that rotates refresh tokens as the real one does: a due token is
//! refreshed once and written back (mode 0600, the other members kept), eight processes
//! that find it due at once refresh it once, and a refresh that fails uses the old token
//! while it is valid and says so once it is not.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aws_login::provider::sso_token_cache::cache_file_name;
use chrono::{SecondsFormat, TimeDelta, Utc};
use common::mock::{Mock, reply, serve_with};
use common::{aws_login_command, stderr};

const CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n";

/// The fake OIDC service's state: the refresh token it accepts next, and how many tokens
/// it issued.
#[derive(Default)]
struct Oidc {
    current_refresh: String,
    issued: usize,
}

/// A fake OIDC CreateToken (refresh grant) that rotates the refresh token, and a portal
/// that takes only the access tokens it issued.
async fn fakes(first_refresh: &str) -> (SocketAddr, Arc<Mock>, SocketAddr, Arc<Mutex<Oidc>>) {
    let state = Arc::new(Mutex::new(Oidc {
        current_refresh: first_refresh.to_owned(),
        issued: 0,
    }));
    let oidc_state = state.clone();
    let (oidc, oidc_addr) = serve_with(move |req| {
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        let mut s = oidc_state.lock().unwrap();
        if req.path() != "/token"
            || body["grantType"] != "refresh_token"
            || body["clientId"] != "cid"
            || body["clientSecret"] != "CLIENT-SECRET"
            || body["refreshToken"] != s.current_refresh.as_str()
        {
            return reply(400, r#"{"error":"invalid_grant","error_description":"bad"}"#)
                .with_header("x-amzn-errortype", "InvalidGrantException:");
        }
        s.issued += 1;
        let n = s.issued;
        s.current_refresh = format!("REFRESH-{n}");
        reply(
            200,
            &format!(
                r#"{{"accessToken":"ACCESS-{n}","tokenType":"Bearer","expiresIn":28800,"refreshToken":"REFRESH-{n}"}}"#
            ),
        )
    })
    .await;
    let portal_state = state.clone();
    let (_, portal) = serve_with(move |req| {
        let issued = portal_state.lock().unwrap().issued;
        let token = req.header("x-amz-sso_bearer_token").unwrap_or("");
        let known = (1..=issued).any(|n| token == format!("ACCESS-{n}")) || token == "OLD-ACCESS";
        if known {
            reply(
                200,
                r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"SSOSECRET","sessionToken":"SSOTOKEN","expiration":4102444800000}}"#,
            )
        } else {
            reply(401, r#"{"message":"Session token not found or invalid"}"#)
                .with_header("x-amzn-errortype", "UnauthorizedException:")
        }
    })
    .await;
    (oidc_addr, oidc, portal, state)
}

/// The wall clock: the binary under test reads it, so the fixtures must too.
fn now() -> chrono::DateTime<Utc> {
    use aws_login::time::Clock;
    aws_login::time::SystemClock.now()
}

fn time_in(minutes: i64) -> String {
    (now() + TimeDelta::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A HOME with the config and a cached token that expires in `minutes`.
fn home(dir: &Path, minutes: i64) -> PathBuf {
    let cache = dir.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(dir.join(".aws/config"), CONFIG).unwrap();
    let token = serde_json::json!({
        "startUrl": "https://d-1234567890.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "OLD-ACCESS",
        "expiresAt": time_in(minutes),
        "clientId": "cid",
        "clientSecret": "CLIENT-SECRET",
        "registrationExpiresAt": time_in(60 * 24 * 80),
        "refreshToken": "OLD-REFRESH",
        "someFutureField": {"kept": true},
    });
    let path = cache.join(cache_file_name("corp"));
    std::fs::write(&path, token.to_string()).unwrap();
    path
}

fn dumpcreds(dir: &Path, oidc: SocketAddr, portal: SocketAddr) -> tokio::process::Command {
    let mut cmd = aws_login_command(&["dumpcreds", "--profile", "dev", "--debug"]);
    cmd.env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env("HOME", dir)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{oidc}"))
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{portal}"));
    cmd
}

fn cached(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn a_due_token_is_refreshed_once_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = home(dir.path(), 5);
    let (oidc_addr, oidc, portal, state) = fakes("OLD-REFRESH").await;
    let out = dumpcreds(dir.path(), oidc_addr, portal)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("refreshing it (CreateToken, refresh_token)"),
        "{err}"
    );
    assert_eq!(state.lock().unwrap().issued, 1);
    assert_eq!(oidc.seen.lock().unwrap().len(), 1);
    let token = cached(&path);
    assert_eq!(token["accessToken"], "ACCESS-1");
    assert_eq!(
        token["refreshToken"], "REFRESH-1",
        "the rotated refresh token is kept"
    );
    assert_eq!(token["someFutureField"]["kept"], true);
    assert_eq!(token["clientSecret"], "CLIENT-SECRET");
    let expires =
        chrono::DateTime::parse_from_rfc3339(token["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.with_timezone(&Utc) > now() + TimeDelta::hours(7));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    for secret in ["OLD-ACCESS", "ACCESS-1", "REFRESH", "CLIENT-SECRET"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    // Now it is fresh: the next run does not refresh.
    let out = dumpcreds(dir.path(), oidc_addr, portal)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state.lock().unwrap().issued, 1);
}

#[tokio::test]
async fn eight_processes_that_find_it_due_refresh_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = home(dir.path(), 2);
    let (oidc_addr, _oidc, portal, state) = fakes("OLD-REFRESH").await;
    // All eight are started before any is waited for.
    let children: Vec<_> = (0..8)
        .map(|_| {
            dumpcreds(dir.path(), oidc_addr, portal)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().await.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("ASIASSO"));
    }
    assert_eq!(state.lock().unwrap().issued, 1, "exactly one CreateToken");
    assert_eq!(cached(&path)["accessToken"], "ACCESS-1");
}

#[tokio::test]
async fn a_failed_refresh_uses_the_old_token_while_it_lasts() {
    let dir = tempfile::tempdir().unwrap();
    let path = home(dir.path(), 5);
    // The service no longer knows this refresh token (revoked).
    let (oidc_addr, _, portal, _) = fakes("SOMETHING-ELSE").await;
    let before = std::fs::read_to_string(&path).unwrap();
    let out = dumpcreds(dir.path(), oidc_addr, portal)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("SSO token refresh failed"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        before,
        "the file is untouched"
    );

    // Expired and not refreshable any more: a clear error, the file untouched.
    let expired_dir = tempfile::tempdir().unwrap();
    let path = home(expired_dir.path(), -5);
    let before = std::fs::read_to_string(&path).unwrap();
    let out = dumpcreds(expired_dir.path(), oidc_addr, portal)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("and refreshing it failed") && err.contains("InvalidGrantException"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

/// Bad cache files and bad OIDC answers: each a clear error naming the file or the
/// endpoint, and a valid cache file never overwritten with something worse.
#[tokio::test]
async fn bad_cache_files_and_bad_answers_are_named_and_nothing_valid_is_lost() {
    // A cache file that is a directory, and one cut off.
    for (name, make) in [
        (
            "directory",
            (|p: &Path| std::fs::create_dir_all(p).unwrap()) as fn(&Path),
        ),
        ("truncated", |p: &Path| {
            std::fs::write(p, r#"{"accessToken": "TOKEN-SECRET", "expiresAt": "20"#).unwrap();
        }),
        ("wrong types", |p: &Path| {
            std::fs::write(p, r#"{"accessToken": ["TOKEN-SECRET"], "expiresAt": 1}"#).unwrap();
        }),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = home(dir.path(), 60);
        std::fs::remove_file(&path).unwrap();
        make(&path);
        let (oidc_addr, _, portal, _) = fakes("OLD-REFRESH").await;
        let out = dumpcreds(dir.path(), oidc_addr, portal)
            .output()
            .await
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(&path.display().to_string()), "{name}: {err}");
        assert!(!err.contains("TOKEN-SECRET"), "{name}: {err}");
    }

    // An OIDC endpoint that answers with HTML, or with 50 MB: the refresh fails, named;
    // the old token (still valid) is used and the file is untouched.
    for (name, body) in [
        (
            "html",
            "<html><body>captive portal</body></html>".to_owned(),
        ),
        ("huge", "x".repeat(50 * 1024 * 1024)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = home(dir.path(), 5);
        let before = std::fs::read_to_string(&path).unwrap();
        let (oidc, oidc_addr) = common::mock::serve_with(move |_| reply(200, &body)).await;
        let (_, _, portal, _) = fakes("OLD-REFRESH").await;
        let out = dumpcreds(dir.path(), oidc_addr, portal)
            .output()
            .await
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{name}: {err}");
        assert!(err.contains("SSO token refresh failed"), "{name}: {err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "{name}");
        assert!(!oidc.seen.lock().unwrap().is_empty());
    }
}

/// A cache file another user owns is not used: its token would make aws-login act as
/// that user's identity. Run as `nobody` (util-linux `setpriv`) when the tests run as
/// root; skipped otherwise (only root can give a file to someone else).
#[tokio::test]
async fn another_users_cache_file_is_refused() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
        #[allow(clippy::print_stderr)] // say what was skipped
        {
            eprintln!("skipped: needs root to give a file to another user");
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = home(dir.path(), 60);
    // nobody may traverse the home and read the file, which uid 12345 owns.
    for d in [
        dir.path().to_owned(),
        dir.path().join(".aws"),
        dir.path().join(".aws/sso"),
        dir.path().join(".aws/sso/cache"),
    ] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(
        dir.path().join(".aws/config"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::os::unix::fs::chown(&path, Some(12345), Some(12345)).unwrap();
    let (oidc_addr, _, portal, state) = fakes("OLD-REFRESH").await;
    let mut cmd = tokio::process::Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        env!("CARGO_BIN_EXE_aws-login"),
        "dumpcreds",
        "--profile",
        "dev",
    ])
    .env_clear()
    .env("PATH", std::env::var("PATH").unwrap_or_default())
    .env("HOME", dir.path())
    .env("AWS_EC2_METADATA_DISABLED", "true")
    .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{oidc_addr}"))
    .env("AWS_ENDPOINT_URL_SSO", format!("http://{portal}"));
    let out = cmd.output().await.unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("belongs to uid 12345, not to you"), "{err}");
    assert_eq!(state.lock().unwrap().issued, 0);
    assert_eq!(
        std::fs::metadata(&path).unwrap().uid(),
        12345,
        "left as it was"
    );
}

/// A token due for refresh but still valid is used at once when another aws-login holds
/// the cache file's lock (a long sign-in, say), rather than waited for.
#[tokio::test]
async fn a_valid_token_is_not_held_up_by_another_processs_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = home(dir.path(), 5);
    let held = aws_login::provider::sso_token_cache::lock::lock(
        &path,
        std::time::Duration::ZERO,
        &aws_login::time::TokioSleep,
    )
    .await
    .unwrap();
    let (oidc_addr, _, portal, state) = fakes("OLD-REFRESH").await;
    let out = dumpcreds(dir.path(), oidc_addr, portal)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("the current token is still valid, using it"),
        "{err}"
    );
    assert_eq!(state.lock().unwrap().issued, 0);
    drop(held);
}
