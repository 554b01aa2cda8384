//! `aws-login login` through the binary, against a fake Sign-In service that checks what
//! the real one checks (tests/common/sign_in_service.rs): the same-device flow in a real
//! browser (headless Chromium), the cross-device flow on a pseudo-terminal with the code
//! pasted, the session written as the AWS CLI writes it and then used and refreshed with
//! the key it was signed in with, the profile edited in place; and every refusal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::sign_in_service::{self, SUBJECT};
use common::{aws_login_command, stderr, text};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A browser that follows the redirects without showing anything (for the tests that
/// are not about the browser).
const URLLIB: &str =
    "python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' %s";

fn cache_file(home: &Path) -> PathBuf {
    aws_login::provider::login_cache::cache_path(&home.join(".aws/login/cache"), SUBJECT)
}

fn login(home: &Path, signin: std::net::SocketAddr, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["login"];
    all.extend_from_slice(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{signin}"));
    cmd
}

fn write_config(home: &Path, text: &str) {
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(home.join(".aws/config"), text).unwrap();
}

fn assert_no_secret(out: &std::process::Output) {
    let all = format!("{}{}", text(&out.stdout), stderr(out));
    for secret in ["SECRET-", "TOKEN-1", "REFRESH-", "AUTHCODE-", "BEGIN EC"] {
        assert!(!all.contains(secret), "{secret} shown: {all}");
    }
}

#[tokio::test]
async fn the_browser_signs_in_on_this_device_and_the_session_is_used_and_refreshed() {
    let Some(chromium) = common::browser::chromium() else {
        return;
    };
    let (addr, state) = sign_in_service::start().await;
    // Credentials that are due at once, so the first use refreshes them.
    state.lock().unwrap().expires_in = Some(120);
    let home = tempfile::tempdir().unwrap();
    let config = "# my settings\n[profile dev]\nregion = eu-west-1\n# output as I like it\noutput = json\n\n[profile other]\nregion = us-east-2\n";
    write_config(home.path(), config);
    let work = tempfile::tempdir().unwrap();
    let (browser, done) = common::browser::headless(chromium, work.path());
    let out = login(home.path(), addr, &["--profile", "dev"])
        .env("AWS_LOGIN_BROWSER", browser)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty());
    assert_no_secret(&out);
    done.await;
    let (dom, log) = common::browser::dom(work.path());
    assert!(
        dom.contains("aws-login: sign-in received"),
        "the browser did not end on aws-login's page: {dom}\n{log}"
    );
    assert!(
        err.contains(&format!(
            "Signed in as {SUBJECT} (account 111122223333), in eu-west-1"
        )),
        "{err}"
    );
    {
        let s = state.lock().unwrap();
        let query = &s.authorize_queries[0];
        assert!(
            query.starts_with("/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state="),
            "{query}"
        );
        assert!(query.contains("&redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
        assert_eq!(s.log, ["/v1/token authorization_code dpop=ok"]);
    }
    // The session, as the AWS CLI writes it, 0600.
    let path = cache_file(home.path());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cached["accessToken"]["accessKeyId"], "ASIASIGNIN1");
    assert_eq!(cached["accessToken"]["accountId"], "111122223333");
    assert_eq!(cached["clientId"], "arn:aws:signin:::devtools/same-device");
    assert_eq!(cached["tokenType"], "aws_sigv4");
    assert_eq!(cached["refreshToken"], "REFRESH-1");
    assert_eq!(cached["signInRegion"], "eu-west-1");
    assert!(cached["idToken"].as_str().unwrap().split('.').count() == 3);
    assert!(
        cached["dpopKey"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN EC PRIVATE KEY-----\n")
    );
    // The profile got login_session after its last setting; the rest is as it was.
    let written = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(
        written,
        config.replace(
            "output = json\n",
            &format!("output = json\nlogin_session = {SUBJECT}\n")
        )
    );
    // The session is used, and refreshed once, with the key it was signed in with (the
    // fake refuses a refresh proven with any other); credentials this short-lived are
    // not refreshed a second time in the same run.
    let out = aws_login_command(&["dumpcreds", "--credential-helper", "--profile", "dev"])
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(creds["AccessKeyId"], "ASIASIGNIN2");
    assert_eq!(
        state.lock().unwrap().log,
        [
            "/v1/token authorization_code dpop=ok",
            "/v1/token refresh_token dpop=ok"
        ]
    );
}

/// Reads what the pseudo-terminal shows until it contains `wanted` (a minute at most).
async fn read_until(
    screen: &mut String,
    out: &mut (impl tokio::io::AsyncRead + Unpin),
    wanted: &str,
) {
    let deadline = std::time::Duration::from_secs(60);
    tokio::time::timeout(deadline, async {
        let mut buf = [0u8; 4096];
        while !screen.contains(wanted) {
            let n = out.read(&mut buf).await.unwrap();
            assert!(n > 0, "the terminal closed before {wanted:?}: {screen}");
            screen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{wanted:?} never shown: {screen}"));
}

/// A plain HTTP GET of `url` on loopback: the status, the `Location`, and the body.
async fn get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream
        .write_all(
            format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .map(str::to_owned);
    (status, location, body.to_owned())
}

/// `aws-login login ARGS` on a pseudo-terminal (util-linux `script`).
fn on_terminal(home: &Path, signin: std::net::SocketAddr, args: &str) -> tokio::process::Child {
    let command = format!("{} login {args}", env!("CARGO_BIN_EXE_aws-login"));
    tokio::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{signin}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the binary on a pseudo-terminal")
}

#[tokio::test]
async fn on_another_device_the_code_is_pasted_on_the_terminal() {
    let (addr, state) = sign_in_service::start().await;
    let home = tempfile::tempdir().unwrap();
    // No config file yet, no region anywhere: the region is asked for, then saved.
    let mut child = on_terminal(home.path(), addr, "--remote --profile work");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut screen = String::new();
    read_until(&mut screen, &mut stdout, "AWS Region [us-east-1]: ").await;
    stdin.write_all(b"eu-north-1\n").await.unwrap();
    read_until(
        &mut screen,
        &mut stdout,
        "Enter the authorization code displayed in your browser: ",
    )
    .await;
    let url = screen
        .split_whitespace()
        .find(|w| w.contains("/v1/authorize?"))
        .unwrap()
        .to_owned();
    assert!(url.contains("client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fcross-device"));
    // The user opens the page elsewhere, signs in, and copies the code it ends on.
    let (status, location, _) = get(&url).await;
    assert_eq!(status, 302);
    let (_, _, page) = get(&location.unwrap()).await;
    let code = page
        .split("<pre id=\"code\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap()
        .to_owned();
    stdin
        .write_all(format!("{code}\n").as_bytes())
        .await
        .unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    screen.push_str(&rest);
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{screen}");
    assert!(
        screen.contains(&format!("Signed in as {SUBJECT}")),
        "{screen}"
    );
    for secret in ["SECRET-1", "REFRESH-1", "BEGIN EC"] {
        assert!(!screen.contains(secret), "{secret} shown: {screen}");
    }
    let confirmation = format!("http://{addr}/v1/sessions/confirmation");
    {
        let s = state.lock().unwrap();
        assert_eq!(s.log, ["/v1/token authorization_code dpop=ok"]);
        assert_eq!(s.token_bodies[0]["redirectUri"], confirmation.as_str());
        assert_eq!(
            s.token_bodies[0]["clientId"],
            "arn:aws:signin:::devtools/cross-device"
        );
    }
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache_file(home.path())).unwrap()).unwrap();
    assert_eq!(cached["clientId"], "arn:aws:signin:::devtools/cross-device");
    assert_eq!(cached["signInRegion"], "eu-north-1");
    assert_eq!(
        std::fs::read_to_string(home.path().join(".aws/config")).unwrap(),
        format!("[profile work]\nlogin_session = {SUBJECT}\nregion = eu-north-1\n")
    );
}

#[tokio::test]
async fn a_pasted_code_that_is_not_this_sign_ins_is_refused() {
    use base64::Engine as _;
    let (addr, state) = sign_in_service::start().await;
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[default]\nregion = us-west-2\n");
    for (pasted, said) in [
        (
            base64::engine::general_purpose::STANDARD.encode("state=someone-else&code=AUTHCODE-9"),
            "the pasted code is for another sign-in",
        ),
        (
            "this is not a code".to_owned(),
            "is not the authorization code the page shows",
        ),
    ] {
        let mut child = on_terminal(home.path(), addr, "--remote");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut screen = String::new();
        read_until(&mut screen, &mut stdout, "in your browser: ").await;
        stdin
            .write_all(format!("{pasted}\n").as_bytes())
            .await
            .unwrap();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).await.unwrap();
        screen.push_str(&rest);
        let status = child.wait().await.unwrap();
        assert_eq!(status.code(), Some(1), "{screen}");
        assert!(screen.contains(said), "{screen}");
    }
    assert!(state.lock().unwrap().log.is_empty(), "nothing exchanged");
    assert!(!cache_file(home.path()).exists());
    assert_eq!(
        std::fs::read_to_string(home.path().join(".aws/config")).unwrap(),
        "[default]\nregion = us-west-2\n"
    );
}

#[tokio::test]
async fn each_refusal_says_what_to_do_and_writes_nothing() {
    let (addr, state) = sign_in_service::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = "[profile dev]\nregion = eu-west-1\n\n[profile keys]\nregion = eu-west-1\n\n[profile other-session]\nregion = eu-west-1\nlogin_session = arn:aws:iam::111122223333:user/bob\n";
    write_config(home.path(), config);
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n",
    )
    .unwrap();
    let run = |args: &'static [&'static str]| {
        let mut cmd = login(home.path(), addr, args);
        cmd.env("AWS_LOGIN_BROWSER", URLLIB);
        cmd
    };
    // Keys in the credentials file would still come first: refused before anything.
    let out = run(&["--profile", "keys"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("profile \"keys\" already gets Access Key credentials"),
        "{}",
        stderr(&out)
    );
    // login_session in the credentials file would win over the config file's.
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n\n[dev]\nlogin_session = arn:aws:iam::111122223333:user/carol\n",
    )
    .unwrap();
    let out = run(&["--profile", "dev"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the credentials file gives profile \"dev\" login_session = arn:aws:iam::111122223333:user/carol"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n",
    )
    .unwrap();
    // A profile name that would break the file.
    let out = run(&["--profile", "x]\n[default"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be a profile's name"));
    let out = run(&["--profile", "dev", "--region", "eu west"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Another device without a terminal to paste on.
    let out = run(&["--profile", "dev", "--remote"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs a terminal to paste the code on"));
    let out = run(&["--remote", "--redirect-port", "8400"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A config file that cannot be edited (read-only here) is said before the sign-in.
    let read_only = home.path().join("read-only-config");
    std::fs::write(&read_only, config).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(&["--profile", "dev"])
        .env("AWS_CONFIG_FILE", &read_only)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("it is read-only"), "{}", stderr(&out));
    // A cache folder that is a file.
    let out = run(&["--profile", "dev"])
        .env("AWS_LOGIN_CACHE_DIRECTORY", home.path().join(".aws/config"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a folder); AWS_LOGIN_CACHE_DIRECTORY chooses another"),
        "{}",
        stderr(&out)
    );
    // A credentials file that cannot be read (a folder here): the profile cannot be
    // trusted to use the session.
    let out = run(&["--profile", "dev"])
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join(".aws"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not read all of what it needs"));
    assert!(state.lock().unwrap().authorize_queries.is_empty());
    assert!(
        !home.path().join(".aws/config.lock").exists(),
        "nothing made"
    );

    // The service's refusals of the exchange.
    for (code, said) in [
        ("AUTHCODE_EXPIRED", "run `aws-login login` again"),
        (
            "INSUFFICIENT_PERMISSIONS",
            "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess",
        ),
    ] {
        state.lock().unwrap().deny_exchange = Some(code);
        let out = run(&["--profile", "dev"]).output().await.unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(said), "{err}");
        assert_no_secret(&out);
    }
    // A profile that names another session, and no terminal to ask on: nothing changes.
    let out = run(&["--profile", "other-session"]).output().await.unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Profile other-session left as it was (login_session = arn:aws:iam::111122223333:user/bob); the new session was not saved. There is no terminal to ask whether to change it"),
        "{err}"
    );
    assert!(!cache_file(home.path()).exists());
    assert_eq!(
        std::fs::read_to_string(home.path().join(".aws/config")).unwrap(),
        config
    );
}

/// A session `aws-login login` signed in is loaded by botocore 1.44.5's login provider
/// and refreshed by it with the key in the file (the fake refuses a refresh proven with
/// any other key than the one the code was exchanged with).
#[tokio::test]
async fn botocore_loads_and_refreshes_a_session_aws_login_signed_in() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let (addr, state) = sign_in_service::start().await;
    state.lock().unwrap().expires_in = Some(120);
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[profile dev]\nregion = eu-west-1\n");
    let out = login(home.path(), addr, &["--profile", "dev"])
        .env("AWS_LOGIN_BROWSER", URLLIB)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = sign_in_service::botocore_credentials(
        &python,
        "dev",
        &[
            ("HOME", home.path().into()),
            ("AWS_CONFIG_FILE", home.path().join(".aws/config").into()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join("none").into(),
            ),
            ("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}").into()),
        ],
    )
    .await;
    assert_eq!(said["method"], "login");
    assert_eq!(said["key"], "ASIASIGNIN2", "botocore refreshed it");
    assert_eq!(
        state.lock().unwrap().log,
        [
            "/v1/token authorization_code dpop=ok",
            "/v1/token refresh_token dpop=ok"
        ]
    );
}

/// The console opens as a signed-in session's identity: its credentials go to the
/// federation endpoint for a sign-in token.
#[tokio::test]
async fn the_console_opens_as_a_signed_in_session() {
    let (addr, state) = sign_in_service::start().await;
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[profile dev]\nregion = eu-west-1\n");
    let out = login(home.path(), addr, &["--profile", "dev"])
        .env("AWS_LOGIN_BROWSER", URLLIB)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = aws_login_command(&["console", "--profile", "dev", "--no-browser"])
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}"))
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text(&out.stdout).contains("SigninToken=CONSOLE-SIGNIN-TOKEN"));
    assert_eq!(
        state.lock().unwrap().log,
        [
            "/v1/token authorization_code dpop=ok",
            "/federation getSigninToken ASIASIGNIN1"
        ]
    );
}

/// A browser command that fails at once (no browser it could use) is said, while the
/// sign-in goes on waiting for the page to be opened by hand.
#[tokio::test]
async fn a_browser_that_fails_to_start_is_said() {
    let (addr, _) = sign_in_service::start().await;
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[profile dev]\nregion = eu-west-1\n");
    let mut child = login(home.path(), addr, &["--profile", "dev"])
        .env("AWS_LOGIN_BROWSER", "false %s")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut screen = String::new();
    read_until(
        &mut screen,
        &mut err,
        "(the browser command \"false\" exited with exit status: 1: it did not show the page; open it yourself)",
    )
    .await;
    child.kill().await.unwrap();
}
