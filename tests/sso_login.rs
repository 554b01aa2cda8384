//! Signing in to IAM Identity Center against the fake (`common::identity_center`): the
//! device code flow (pending, slow_down, approved, expired, denied) with the sleeps it
//! asks for recorded, not slept; the PKCE flow, whose "browser" follows the authorize
//! redirect to aws-login's loopback callback; registrations reused from the cache; and
//! `aws-login sso login` / `sso logout` through the built binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use aws_login::endpoints::{Endpoint, EndpointSource};
use aws_login::provider::sso_token_cache::{self, cache_file_name};
use aws_login::services::sso_oidc::OAuthError;
use aws_login::sso::login::{Flow, Login, LoginError, LoginUi, Target};
use aws_login::sso::pkce::NoRandom;
use aws_login::time::{Clock, Sleep};
use chrono::{DateTime, Utc};
use common::caller::{loopback_client, test_caller};
use common::identity_center::{DeviceStep, start};
use common::{aws_login_command, stderr};

/// Records each sleep and returns at once.
#[derive(Default)]
struct Recorded(Mutex<Vec<Duration>>);

impl Sleep for Recorded {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// What the user was shown; for the PKCE flow, it plays the browser: it follows the
/// authorize redirect to the loopback callback (on a thread, as a browser would).
#[derive(Default)]
struct Ui {
    shown: Mutex<Vec<(String, Option<String>)>>,
    browser: bool,
}

/// GETs `url` and follows one redirect (the authorize page's), returning the final body.
fn follow(url: &str) -> String {
    let get = |url: &str| -> (u16, Option<String>, String) {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text[9..12].parse().unwrap();
        let location = text
            .lines()
            .find_map(|l| l.strip_prefix("Location: ").map(str::to_owned));
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        (status, location, body)
    };
    let (status, location, body) = get(url);
    if status == 302 {
        get(&location.unwrap()).2
    } else {
        body
    }
}

impl LoginUi for Ui {
    fn show(&self, url: &str, user_code: Option<&str>) {
        self.shown
            .lock()
            .unwrap()
            .push((url.to_owned(), user_code.map(str::to_owned)));
        if self.browser {
            let url = url.to_owned();
            std::thread::spawn(move || follow(&url));
        }
    }
    fn waiting(&self, _: Duration) {}
    fn done(&self) {}
    fn note(&self, _: &str) {}
}

fn endpoint(addr: SocketAddr) -> Endpoint {
    Endpoint {
        url: format!("http://{addr}"),
        signing_region: "us-east-1".into(),
        source: EndpointSource::ServiceEnv,
        refused: None,
    }
}

fn target() -> Target {
    Target {
        start_url: "https://d-1234567890.awsapps.com/start".into(),
        region: "us-east-1".into(),
        session_name: Some("corp".into()),
        scopes: None,
        no_refresh_token: false,
    }
}

fn counting_random(buf: &mut [u8]) -> Result<(), NoRandom> {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = u8::try_from(i % 61).unwrap();
    }
    Ok(())
}

async fn sign_in(
    addr: SocketAddr,
    dir: &std::path::Path,
    flow: Flow,
    sleep: &dyn Sleep,
    ui: &Ui,
) -> Result<sso_token_cache::CachedToken, LoginError> {
    let client = loopback_client();
    let caller = test_caller(&client);
    let oidc = endpoint(addr);
    let login = Login {
        caller: &caller,
        oidc: &oidc,
        cache_dir: dir,
        sleep,
        random: &counting_random,
        ui,
        trace: None,
    };
    login.sign_in(&target(), flow, true).await
}

#[tokio::test]
async fn the_device_flow_polls_as_told_and_caches_the_token_with_its_registration() {
    use DeviceStep::*;
    let (addr, _, state) = start(vec![Pending, SlowDown, Pending, Approve]).await;
    let dir = tempfile::tempdir().unwrap();
    let sleep = Recorded::default();
    let ui = Ui::default();
    let token = sign_in(addr, dir.path(), Flow::DeviceCode, &sleep, &ui)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "ACCESS-1");
    // The first attempt comes before anything is shown; then the interval (1 s), plus
    // 5 s from the slow_down on.
    assert_eq!(
        *sleep.0.lock().unwrap(),
        [1, 6, 6].map(Duration::from_secs).to_vec()
    );
    assert_eq!(
        *ui.shown.lock().unwrap(),
        [(
            "https://device.sso.fake/?user_code=ABCD-EFGH".to_owned(),
            Some("ABCD-EFGH".to_owned())
        )]
    );
    {
        let s = state.lock().unwrap();
        assert_eq!(s.registrations.len(), 1);
        assert_eq!(
            s.registrations[0]["scopes"],
            serde_json::json!(["sso:account:access"])
        );
        assert!(s.registrations[0].get("grantTypes").is_none());
    }
    let cached = sso_token_cache::load(&dir.path().join(cache_file_name("corp"))).unwrap();
    assert_eq!(cached.refresh_token.unwrap().expose(), "REFRESH-1");
    assert_eq!(cached.client_id.as_deref(), Some("cid-1"));
    assert_eq!(
        cached.start_url.as_deref(),
        Some("https://d-1234567890.awsapps.com/start")
    );
    // A second sign-in reuses the cached registration.
    sign_in(addr, dir.path(), Flow::DeviceCode, &sleep, &ui)
        .await
        .unwrap();
    assert_eq!(state.lock().unwrap().registrations.len(), 1);
}

#[tokio::test]
async fn an_expired_or_denied_device_code_ends_the_sign_in() {
    for (step, want) in [
        (DeviceStep::Expire, OAuthError::ExpiredToken),
        (DeviceStep::Deny, OAuthError::AccessDenied),
    ] {
        let (addr, _, _) = start(vec![DeviceStep::Pending, step]).await;
        let dir = tempfile::tempdir().unwrap();
        let err = sign_in(
            addr,
            dir.path(),
            Flow::DeviceCode,
            &Recorded::default(),
            &Ui::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, LoginError::Ended(e) if e == want), "{err:?}");
        assert!(
            !dir.path().join(cache_file_name("corp")).exists(),
            "nothing cached"
        );
    }
}

#[tokio::test]
async fn the_pkce_flow_exchanges_the_redirected_code_with_the_verifier() {
    let (addr, _, state) = start(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let ui = Ui {
        browser: true,
        ..Ui::default()
    };
    // The real sleep: the wait for the browser ticks each second until its limit.
    let token = sign_in(
        addr,
        dir.path(),
        Flow::Pkce { listen_port: None },
        &aws_login::time::TokioSleep,
        &ui,
    )
    .await
    .unwrap();
    assert_eq!(token.access_token.expose(), "ACCESS-1");
    let s = state.lock().unwrap();
    // The fake checked the verifier against the challenge and the redirect URI.
    assert_eq!(s.grants, ["authorization_code"]);
    assert_eq!(
        s.registrations[0]["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        s.registrations[0]["redirectUris"],
        serde_json::json!(["http://127.0.0.1/oauth/callback"])
    );
    assert_eq!(
        s.registrations[0]["issuerUrl"],
        "https://d-1234567890.awsapps.com/start"
    );
    let query = &s.authorize_queries[0];
    assert!(query.contains("code_challenge_method=S256"), "{query}");
    assert!(!query.contains("CLIENT-SECRET"), "{query}");
}

#[tokio::test]
async fn sso_login_and_logout_through_the_binary() {
    let (addr, _, state) = start(vec![]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    let browser =
        "python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' %s";
    let run = |args: &[&str]| {
        let mut cmd = aws_login_command(args);
        cmd.env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env("HOME", home.path())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"))
            .env("AWS_ENDPOINT_URL_SSO", format!("http://{addr}"))
            .env("AWS_LOGIN_BROWSER", browser);
        cmd
    };
    let out = run(&["sso", "login", "--profile", "dev"])
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "stdout stays empty");
    assert!(
        err.contains("Signed in to https://d-1234567890.awsapps.com/start"),
        "{err}"
    );
    for secret in ["ACCESS-1", "REFRESH-1", "CLIENT-SECRET", "AUTHCODE"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    let path = home
        .path()
        .join(".aws/sso/cache")
        .join(cache_file_name("corp"));
    assert!(path.exists());
    // The profile now works from the cache.
    let out = run(&["dumpcreds", "--profile", "dev"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ASIASSO"));
    // Logout revokes the token at the portal and removes it.
    let out = run(&["sso", "logout"]).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state.lock().unwrap().logged_out, ["ACCESS-1"]);
    assert!(!path.exists());
}

/// `sso login` with a real browser: Debian's chromium, headless, opens the fake
/// authorize page, follows its redirect to aws-login's loopback callback and ends on
/// aws-login's page (its DOM dumped to a file). Skipped without chromium, except under
/// `CI`, which installs it.
#[tokio::test]
async fn sso_login_with_a_real_browser() {
    let Some(chromium) = common::browser::chromium() else {
        return;
    };
    let (addr, _, state) = start(vec![]).await;
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (browser, done) = common::browser::headless(chromium, work.path());
    let out = aws_login_command(&[
        "sso",
        "login",
        "--start-url",
        "https://d-1234567890.awsapps.com/start",
    ])
    .env("HOME", home.path())
    .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"))
    .env("AWS_LOGIN_BROWSER", browser)
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    done.await;
    let (dom, log) = common::browser::dom(work.path());
    assert!(
        dom.contains("aws-login: sign-in received"),
        "the browser did not end on aws-login's page: {dom}\n{log}"
    );
    let path = home
        .path()
        .join(".aws/sso/cache")
        .join(cache_file_name("https://d-1234567890.awsapps.com/start"));
    let cached = sso_token_cache::load(&path).unwrap();
    assert_eq!(cached.access_token.expose(), "ACCESS-1");
    assert_eq!(state.lock().unwrap().grants, ["authorization_code"]);
    for secret in ["ACCESS-1", "REFRESH-1", "CLIENT-SECRET", "AUTHCODE"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
}

/// The Python tool's SSO flags on a credential command: a stateless sign-in (nothing
/// written), `--use-cache` (the token kept, then reused without a sign-in), a given
/// `--sso-access-token`, an `--accesstoken-cache` file refreshed in memory only, and
/// their usage errors.
#[tokio::test]
async fn the_seeds_sso_flags_start_the_chain() {
    let (addr, _, state) = start(vec![]).await;
    let home = tempfile::tempdir().unwrap();
    let browser =
        "python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' %s";
    let url = "https://d-987654321d.awsapps.com/start";
    let run = |args: &[&str]| {
        let mut cmd = aws_login_command(args);
        cmd.env("HOME", home.path())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"))
            .env("AWS_ENDPOINT_URL_SSO", format!("http://{addr}"))
            .env("AWS_LOGIN_BROWSER", browser);
        cmd
    };
    let role = [
        "--sso-acct-id",
        "111111111111",
        "--sso-role-name",
        "SSO_TargetRole",
    ];
    let cache_dir = home.path().join(".aws/sso/cache");

    // Stateless: signed in, credentials out, nothing written.
    let mut args = vec!["dumpcreds", "--start-url", url, "--debug"];
    args.extend(role);
    let out = run(&args).output().await.unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("credential plan: SSO role 111111111111/SSO_TargetRole (sign-in at https://d-987654321d.awsapps.com/start)"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ASIASSO"));
    assert!(!cache_dir.join(cache_file_name(url)).exists(), "stateless");
    for secret in ["ACCESS-1", "REFRESH-1", "CLIENT-SECRET", "AUTHCODE"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }

    // --use-cache: signed in and kept; then reused without signing in.
    let mut args = vec!["dumpcreds", "--use-cache", "--start-url", url];
    args.extend(role);
    assert!(run(&args).output().await.unwrap().status.success());
    assert!(cache_dir.join(cache_file_name(url)).exists());
    let grants = state.lock().unwrap().grants.len();
    let mut args = vec!["getcallerid", "--use-cache"];
    args.extend(role);
    let out = run(&args)
        .env("AWS_ENDPOINT_URL_STS", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    // The fake has no STS: the call fails after the SSO credentials were had.
    assert!(
        stderr(&out).contains("GetCallerIdentity failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(state.lock().unwrap().grants.len(), grants, "no new sign-in");

    // A given access token; a wrong one is the portal's 401, never printed.
    let mut args = vec!["dumpcreds", "--sso-access-token", "ACCESS-1"];
    args.extend(role);
    assert!(run(&args).output().await.unwrap().status.success());
    let mut args = vec!["dumpcreds", "--sso-access-token", "NOT-A-TOKEN-xyz"];
    args.extend(role);
    let out = run(&args).output().await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("NOT-A-TOKEN-xyz"));

    // An external cache file: refreshed in memory, the file left as it was.
    let external = home.path().join("external.json");
    let due = (wall_clock() + chrono::TimeDelta::minutes(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let text = serde_json::json!({
        "startUrl": url, "region": "us-east-1", "accessToken": "STALE", "expiresAt": due,
        "clientId": "cid-1", "clientSecret": "CLIENT-SECRET-1",
        "registrationExpiresAt": "2099-01-01T00:00:00Z",
        "refreshToken": state.lock().unwrap().refresh.clone(),
    })
    .to_string();
    std::fs::write(&external, &text).unwrap();
    let file = format!("file://{}", external.display());
    let mut args = vec!["dumpcreds", "--accesstoken-cache", file.as_str()];
    args.extend(role);
    let out = run(&args).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&external).unwrap(), text);
    assert_eq!(
        state.lock().unwrap().grants.last().unwrap(),
        "refresh_token"
    );

    // Usage errors, each naming the flags, nothing sent.
    let sent = state.lock().unwrap().grants.len();
    for (args, want) in [
        (
            vec![
                "dumpcreds",
                "--use-cache",
                "--sso-access-token",
                "x",
                "--sso-acct-id",
                "1",
                "--sso-role-name",
                "r",
            ],
            "--sso-access-token and --use-cache exclude each other",
        ),
        (
            vec!["dumpcreds", "--sso-acct-id", "1"],
            "--sso-acct-id applies to --sso-role-name",
        ),
        (
            vec!["dumpcreds", "--sso-acct-id", "1", "--sso-role-name", "r"],
            "need a token: --start-url (sign in), --sso-access-token, --accesstoken-cache or --use-cache",
        ),
        (
            vec![
                "dumpcreds",
                "--start-url",
                url,
                "--refresh",
                "on",
                "--sso-acct-id",
                "1",
                "--sso-role-name",
                "r",
            ],
            "--refresh applies to --use-cache or --accesstoken-cache",
        ),
        (
            vec![
                "dumpcreds",
                "--sso-access-token",
                "SEKRIT-1",
                "--sso-access-token",
                "SEKRIT-2",
            ],
            "duplicate",
        ),
    ] {
        let out = run(&args).output().await.unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("SEKRIT"), "{args:?}: {err}");
    }
    assert_eq!(state.lock().unwrap().grants.len(), sent);
}

/// The wall clock, which the binary under test reads.
fn wall_clock() -> DateTime<Utc> {
    aws_login::time::SystemClock.now()
}

/// `importcache` files a valid token under its start URL (0600, the content kept) and
/// refuses anything else with the reason, never echoing the content.
#[tokio::test]
async fn importcache_takes_only_a_token_file() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let run = |file: &std::path::Path| {
        let mut cmd = aws_login_command(&[
            "importcache",
            "--accesstoken-cache",
            &format!("file://{}", file.display()),
        ]);
        cmd.env("HOME", home.path());
        cmd
    };
    let good = src.path().join("good.json");
    let text = r#"{"startUrl": "https://d-1.awsapps.com/start", "region": "us-east-1", "accessToken": "TOKEN-SECRET", "expiresAt": "2099-01-01T00:00:00Z", "extra": 1}"#;
    std::fs::write(&good, text).unwrap();
    let out = run(&good).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let target = home
        .path()
        .join(".aws/sso/cache")
        .join(cache_file_name("https://d-1.awsapps.com/start"));
    let imported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(
        imported,
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!stderr(&out).contains("TOKEN-SECRET"));

    for (name, content, want) in [
        (
            "truncated.json",
            r#"{"accessToken": "TOKEN-SECRET", "expiresAt": "2099-"#,
            "not JSON",
        ),
        (
            "types.json",
            r#"{"accessToken": 5, "expiresAt": "2099-01-01T00:00:00Z"}"#,
            "no accessToken",
        ),
        (
            "nourl.json",
            r#"{"accessToken": "TOKEN-SECRET", "expiresAt": "2099-01-01T00:00:00Z"}"#,
            "no startUrl",
        ),
    ] {
        let file = src.path().join(name);
        std::fs::write(&file, content).unwrap();
        let out = run(&file).output().await.unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(want) && err.contains(name), "{name}: {err}");
        assert!(!err.contains("TOKEN-SECRET"), "{name}: {err}");
    }
    let out = run(src.path()).output().await.unwrap();
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    // The valid import was not overwritten by the refused ones.
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("\"extra\"")
    );
}

/// ListAccounts and ListAccountRoles follow every page (`nextToken`), with a throttled
/// page retried by the transport, the bearer token on each request.
#[tokio::test]
async fn account_and_role_lists_follow_every_page() {
    use aws_login::secret::SecretString;
    use aws_login::services::sso;
    use common::mock::{error, ok};
    let (mock, addr) = common::mock::start(vec![
        ok(r#"{"accountList":[{"accountId":"111111111111","accountName":"dev","emailAddress":"d@x"}],"nextToken":"t1"}"#),
        error(429, "TooManyRequestsException"),
        ok(r#"{"accountList":[{"accountId":"222222222222","accountName":"prod"}],"nextToken":"t/2+"}"#),
        ok(r#"{"accountList":[{"accountId":"333333333333"}]}"#),
        ok(r#"{"roleList":[{"roleName":"Admin","accountId":"111111111111"}],"nextToken":"r1"}"#),
        ok(r#"{"roleList":[{"roleName":"ReadOnly","accountId":"111111111111"}]}"#),
    ])
    .await;
    let client = loopback_client();
    let caller = test_caller(&client);
    let portal = endpoint(addr);
    let token = SecretString::new("BEARER");
    let accounts = sso::list_accounts(&caller, &portal, &token).await.unwrap();
    let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(accounts[0].account_name.as_deref(), Some("dev"));
    let roles = sso::list_account_roles(&caller, &portal, &token, "111111111111")
        .await
        .unwrap();
    assert_eq!(roles, ["Admin", "ReadOnly"]);
    let seen = mock.seen.lock().unwrap();
    let targets: Vec<&str> = seen.iter().map(common::mock::Request::target).collect();
    assert_eq!(
        targets,
        [
            "/assignment/accounts?max_result=100",
            "/assignment/accounts?max_result=100&next_token=t1",
            "/assignment/accounts?max_result=100&next_token=t1",
            "/assignment/accounts?max_result=100&next_token=t%2F2%2B",
            "/assignment/roles?account_id=111111111111&max_result=100",
            "/assignment/roles?account_id=111111111111&max_result=100&next_token=r1",
        ]
    );
    assert!(
        seen.iter()
            .all(|r| r.header("x-amz-sso_bearer_token") == Some("BEARER"))
    );
}

/// `--nrt` registrations are kept apart from scoped ones (a scopeless client would give
/// tokens that cannot be refreshed), and ask the authorize page for no scope.
#[tokio::test]
async fn nrt_and_scoped_registrations_are_kept_apart() {
    let (addr, _, state) = start(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let ui = Ui {
        browser: true,
        ..Ui::default()
    };
    let sleep = aws_login::time::TokioSleep;
    let client = loopback_client();
    let caller = test_caller(&client);
    let oidc = endpoint(addr);
    let login = Login {
        caller: &caller,
        oidc: &oidc,
        cache_dir: dir.path(),
        sleep: &sleep,
        random: &counting_random,
        ui: &ui,
        trace: None,
    };
    let flow = Flow::Pkce { listen_port: None };
    let nrt = Target {
        no_refresh_token: true,
        ..target()
    };
    login.sign_in(&nrt, flow, true).await.unwrap();
    login.sign_in(&target(), flow, true).await.unwrap();
    login.sign_in(&nrt, flow, true).await.unwrap();
    let s = state.lock().unwrap();
    assert_eq!(s.registrations.len(), 2, "one each, each reused");
    assert!(s.registrations[0].get("scopes").is_none());
    assert_eq!(
        s.registrations[1]["scopes"],
        serde_json::json!(["sso:account:access"])
    );
    assert!(
        !s.authorize_queries[0].contains("scopes="),
        "{}",
        s.authorize_queries[0]
    );
    assert!(s.authorize_queries[1].contains("scopes=sso%3Aaccount%3Aaccess"));
}

/// What `sso login` and `importcache` refuse: a start URL that is not one, a start URL
/// that contradicts the named session, `--profile` beside them, an expired token that
/// cannot be refreshed; and `sso logout` says when the portal did not revoke.
#[tokio::test]
async fn sign_in_targets_and_imports_that_cannot_be_right_are_refused() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut cmd = aws_login_command(args);
        cmd.env_remove("AWS_CONFIG_FILE").env("HOME", home.path());
        cmd
    };
    for (args, code, want) in [
        (
            vec!["sso", "login", "--start-url", ""],
            1,
            "is not a start URL",
        ),
        (
            vec!["sso", "login", "--start-url", "not a url"],
            1,
            "is not a start URL",
        ),
        (
            vec![
                "sso",
                "login",
                "--sso-session",
                "corp",
                "--start-url",
                "https://x.awsapps.com/start",
            ],
            1,
            "differs from [sso-session corp]'s sso_start_url",
        ),
        (
            vec![
                "sso",
                "login",
                "--profile",
                "dev",
                "--start-url",
                "https://x.awsapps.com/start",
            ],
            2,
            "--profile and --start-url exclude each other",
        ),
        (
            vec!["sso", "login", "--profile", "nope"],
            1,
            "is in neither the config nor the credentials file",
        ),
    ] {
        let out = run(&args).output().await.unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let expired = home.path().join("expired.json");
    std::fs::write(
        &expired,
        r#"{"startUrl": "https://d-1.awsapps.com/start", "accessToken": "A", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let file = format!("file://{}", expired.display());
    let out = run(&["importcache", "--accesstoken-cache", &file])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has expired and cannot be refreshed"),
        "{}",
        stderr(&out)
    );

    // A token the portal cannot be reached to revoke: removed, and said so.
    let good = home.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"startUrl": "https://d-1.awsapps.com/start", "region": "us-east-1", "accessToken": "A", "expiresAt": "2099-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let file = format!("file://{}", good.display());
    assert!(
        run(&["importcache", "--accesstoken-cache", &file])
            .output()
            .await
            .unwrap()
            .status
            .success()
    );
    let closed = common::mock::closed_port().await;
    let out = run(&["sso", "logout"])
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{closed}"))
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("the portal did not revoke the token"), "{err}");
    assert!(
        err.contains("1 cached SSO token(s) removed, 0 of them revoked"),
        "{err}"
    );
}
