//! `aws-login console` against a fake STS and a fake console federation endpoint
//! (`AWS_ENDPOINT_URL_SIGNIN`): the exact getSigninToken request per credential type (with
//! and without SessionDuration), the final link per partition, destination and
//! `--logout-first`, what is refused before anything is sent, the browser (started,
//! failing, absent), no secret outside the printed link, and a real headless Chromium
//! that follows the link to a fake console page on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::process::Output;
use std::sync::{Arc, Mutex};

use common::browser::{fifo, read_fifo, script};
use common::endpoints::echo_sts;
use common::mock::{Answer, Request, reply, serve_with};
use common::{aws_login_command, stderr, text};

const SECRET: &str = "PLANTED/secret+KEY0123456789abcdefghijkl";
const TOKEN: &str = "PLANTEDsessionTOKEN/with+chars==";

type Log = Arc<Mutex<Vec<String>>>;

/// What a request to the fake federation endpoint or console was, as its log line.
fn log_line(req: &Request, issued: usize) -> String {
    let q = req.query();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    match (req.path(), get("Action").as_str()) {
        ("/federation", "getSigninToken") => {
            let session: serde_json::Value = serde_json::from_str(&get("Session")).unwrap();
            let duration = q.get("SessionDuration").map_or("none", String::as_str);
            format!(
                "getSigninToken {} {} {} duration={duration} -> SIGNIN-{issued}",
                session["sessionId"].as_str().unwrap(),
                session["sessionKey"].as_str().unwrap(),
                session["sessionToken"].as_str().unwrap(),
            )
        }
        ("/federation", "login") => format!(
            "login issuer={} destination={} token={}",
            get("Issuer"),
            get("Destination"),
            get("SigninToken")
        ),
        ("/oauth", "logout") => format!("logout then {}", get("redirect_uri")),
        (path, _) => format!("console {path} {}", req.header("cookie").unwrap_or("-")),
    }
}

/// A fake console federation endpoint and console, on one loopback port. getSigninToken
/// answers `SIGNIN-<n>`; `login` with a token it issued sets the console's session
/// cookie and redirects to the Destination; `/oauth?Action=logout` redirects to its
/// `redirect_uri`; any other path is the console page, which shows the session cookie it
/// received. Its log has one line per request ([`log_line`]).
async fn fake_signin() -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let issued = Arc::new(Mutex::new(0usize));
    let (_, addr) = serve_with(move |req| {
        let q = req.query();
        let mut n = issued.lock().unwrap();
        let action = q.get("Action").map(String::as_str);
        if action == Some("getSigninToken") {
            *n += 1;
        }
        seen.lock().unwrap().push(log_line(req, *n));
        let redirect = |to: &str| Answer::Respond {
            status: 302,
            headers: vec![("Location", to.to_owned())],
            body: String::new(),
        };
        match (req.path(), action) {
            ("/federation", Some("getSigninToken")) => reply(200, &format!(r#"{{"SigninToken":"SIGNIN-{n}"}}"#))
                .with_header("Content-Type", "application/json"),
            ("/federation", Some("login")) => {
                let token = q.get("SigninToken").cloned().unwrap_or_default();
                let known = token
                    .strip_prefix("SIGNIN-")
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| (1..=*n).contains(&i));
                if !known {
                    return reply(400, "<html>invalid sign-in token</html>");
                }
                redirect(&q["Destination"])
                    .with_header("Set-Cookie", &format!("aws-console-session={token}; Path=/"))
            }
            ("/oauth", Some("logout")) => redirect(&q["redirect_uri"]),
            (path, _) => {
                let cookie = req.header("cookie").unwrap_or("none").to_owned();
                reply(
                    200,
                    &format!(
                        "<html><body><p id=\"console\">fake console at {path} with {cookie}</p></body></html>"
                    ),
                )
                .with_header("Content-Type", "text/html")
            }
        }
    })
    .await;
    (addr, log)
}

/// Both fakes, and a run of `aws-login` against them with `keys` (key id, secret,
/// optional session token) in the environment.
struct Fakes {
    sts: SocketAddr,
    sts_log: common::endpoints::Log,
    signin: SocketAddr,
    signin_log: Log,
}

impl Fakes {
    async fn start() -> Self {
        let (sts, sts_log) = echo_sts().await;
        let (signin, signin_log) = fake_signin().await;
        Self {
            sts,
            sts_log,
            signin,
            signin_log,
        }
    }

    fn command(&self, args: &[&str], session_token: Option<&str>) -> tokio::process::Command {
        let mut cmd = aws_login_command(args);
        cmd.env(
            "AWS_ACCESS_KEY_ID",
            if session_token.is_some() {
                "ASIAENV"
            } else {
                "AKIAUSER"
            },
        )
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_ENDPOINT_URL_STS", format!("http://{}", self.sts))
        .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{}", self.signin));
        if let Some(token) = session_token {
            cmd.env("AWS_SESSION_TOKEN", token);
        }
        cmd
    }

    async fn run(&self, args: &[&str], session_token: Option<&str>) -> Output {
        self.command(args, session_token).output().await.unwrap()
    }

    fn take(&self) -> (Vec<String>, Vec<String>) {
        (
            std::mem::take(&mut *self.sts_log.lock().unwrap()),
            std::mem::take(&mut *self.signin_log.lock().unwrap()),
        )
    }

    fn link(&self, destination: &str, token: &str) -> String {
        let mut encoded = String::new();
        for b in destination.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                encoded.push(b as char);
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        format!(
            "http://{}/federation?Action=login&Issuer=aws-login&Destination={encoded}&SigninToken={token}\n",
            self.signin
        )
    }
}

const ROLE: &str = "arn:aws:iam::123456789012:role/TargetRole";
const ROLE2: &str = "arn:aws:iam::123456789012:role/SecondRole";

/// Each credential type: the STS calls, the exact getSigninToken request (SessionDuration
/// or none), the printed link; and what is told on stderr.
#[tokio::test]
async fn each_credential_type_gets_the_request_aws_takes() {
    let fakes = Fakes::start().await;

    // Temporary keys from the environment: SessionDuration as asked.
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--duration-seconds",
                "7200",
                "--region",
                "eu-west-1",
            ],
            Some(TOKEN),
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        text(&out.stdout),
        fakes.link(
            "https://console.aws.amazon.com/console/home?region=eu-west-1",
            "SIGNIN-1"
        )
    );
    assert_eq!(stderr(&out), "");
    let (sts, signin) = fakes.take();
    assert!(sts.is_empty(), "{sts:?}");
    assert_eq!(
        signin,
        [format!(
            "getSigninToken ASIAENV {SECRET} {TOKEN} duration=7200 -> SIGNIN-1"
        )]
    );

    // A role assumed with long-term keys: SessionDuration, and DurationSeconds on the hop.
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--assume-roles",
                ROLE,
                "--duration-seconds",
                "7200",
                "--destination",
                "ec2",
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        text(&out.stdout),
        fakes.link(
            "https://console.aws.amazon.com/ec2/home?region=us-east-1",
            "SIGNIN-2"
        )
    );
    let (sts, signin) = fakes.take();
    assert_eq!(
        sts,
        [format!(
            "AssumeRole {ROLE} session=aws-login duration=7200 by AKIAUSER"
        )]
    );
    assert_eq!(
        signin,
        ["getSigninToken ASIAROLE1 ROLESECRET1 ROLETOKEN1 duration=7200 -> SIGNIN-2"]
    );

    // A role chain: no SessionDuration, and the user is told why.
    let chain = format!("{ROLE},{ROLE2}");
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--assume-roles",
                &chain,
                "--duration-seconds",
                "3600",
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "--duration-seconds 3600 cannot set the console session of a role chain (AWS holds it to one hour): SessionDuration left out\n"
    );
    let (sts, signin) = fakes.take();
    assert_eq!(sts.len(), 2, "{sts:?}");
    assert_eq!(
        signin,
        ["getSigninToken ASIAROLE3 ROLESECRET3 ROLETOKEN3 duration=none -> SIGNIN-3"]
    );

    // GetSessionToken then a role: not a role chain (AWS's rule, as the STS check has
    // it): SessionDuration sent.
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--get-session-token",
                "--assume-roles",
                ROLE,
                "--duration-seconds",
                "7200",
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let (sts, signin) = fakes.take();
    assert_eq!(sts.len(), 2, "{sts:?}");
    assert!(
        signin[0].ends_with("duration=7200 -> SIGNIN-4"),
        "{signin:?}"
    );

    // Temporary environment keys then a role: not known to be a role's, so not a chain.
    let out = fakes
        .run(
            &["console", "--no-browser", "--assume-roles", ROLE],
            Some(TOKEN),
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, signin) = fakes.take();
    assert_eq!(
        signin,
        ["getSigninToken ASIAROLE6 ROLESECRET6 ROLETOKEN6 duration=none -> SIGNIN-5"]
    );

    // An IAM user through GetFederationToken: the token's own duration, no SessionDuration.
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--get-federation-token",
                "--federation-policy-arns",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "--duration-seconds",
                "7200",
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let (sts, signin) = fakes.take();
    assert_eq!(
        sts,
        [
            "GetFederationToken name=aws-login duration=7200 policy_arn=arn:aws:iam::aws:policy/ReadOnlyAccess by AKIAUSER"
        ]
    );
    assert_eq!(
        signin,
        ["getSigninToken ASIAFED7 FEDSECRET7 FEDTOKEN7 duration=none -> SIGNIN-6"]
    );
}

/// The seed's SSO example: a sign-in at `--start-url` (the browser a script that fetches
/// each page it is given), the SSO role's credentials to the federation endpoint, the
/// console link to the same browser.
#[tokio::test]
async fn an_sso_role_signs_in_to_the_console() {
    let fakes = Fakes::start().await;
    let (sso, _, _) = common::identity_center::start(vec![]).await;
    let home = tempfile::tempdir().unwrap();
    let destination = format!("http://{}/console-home", fakes.signin);
    let out = fakes
        .command(
            &[
                "console",
                "--start-url",
                "https://d-987654321d.awsapps.com/start",
                "--sso-acct-id",
                "111111111111",
                "--sso-role-name",
                "SSO_TargetRole",
                "--destination",
                &destination,
            ],
            None,
        )
        .env("HOME", home.path())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{sso}"))
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{sso}"))
        .env(
            "AWS_LOGIN_BROWSER",
            "python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' %s",
        )
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, b"");
    assert!(
        err.ends_with("Opened the console page on 127.0.0.1 in the browser (python3).\n"),
        "{err}"
    );
    let (sts, signin) = fakes.take();
    assert!(sts.is_empty(), "{sts:?}");
    assert_eq!(
        signin[0],
        "getSigninToken ASIASSO SSOSECRET SSOTOKEN duration=none -> SIGNIN-1"
    );
    for secret in ["SSOSECRET", "SSOTOKEN", "SIGNIN-1", "ACCESS-1"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
}

/// On EC2: the instance's role (IMDSv2) signs in, in the instance's region (learnt from
/// IMDS), with SessionDuration as asked.
#[tokio::test]
async fn the_instance_role_signs_in_to_the_console() {
    let fakes = Fakes::start().await;
    let (imds, _) = common::endpoints::fake_imds(common::endpoints::ImdsMode::V2).await;
    let out = fakes
        .command(
            &["console", "--no-browser", "--duration-seconds", "43200"],
            None,
        )
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{imds}"),
        )
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, signin) = fakes.take();
    assert_eq!(
        signin,
        ["getSigninToken ASIAIMDS IMDSSECRET IMDSTOKEN duration=43200 -> SIGNIN-1"]
    );
    assert!(
        text(&out.stdout).contains("%2Fconsole%2Fhome%3Fregion%3Dap-northeast-2&"),
        "{}",
        text(&out.stdout)
    );
}

/// The link per partition (from the region, or from the credentials' ARN), destination
/// and `--issuer`, and through the console's logout with `--logout-first`.
#[tokio::test]
async fn links_per_partition_destination_and_logout() {
    let fakes = Fakes::start().await;
    let cases: [(&[&str], &str); 4] = [
        (
            &["--region", "cn-north-1", "--destination", "s3"],
            "https://console.amazonaws.cn/s3/home?region=cn-north-1",
        ),
        (
            &["--region", "us-gov-east-1", "--destination", "cloudwatch"],
            "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-east-1",
        ),
        (
            &["--region", "eu-central-1", "--destination", "dynamodb"],
            "https://console.aws.amazon.com/dynamodbv2/home?region=eu-central-1",
        ),
        (
            &[
                "--destination",
                "https://console.aws.amazon.com/lambda/home?region=ap-south-1#/functions",
            ],
            "https://console.aws.amazon.com/lambda/home?region=ap-south-1#/functions",
        ),
    ];
    for (n, (flags, destination)) in cases.iter().enumerate() {
        let mut args = vec!["console", "--no-browser"];
        args.extend(*flags);
        let out = fakes.run(&args, Some(TOKEN)).await;
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert_eq!(
            text(&out.stdout),
            fakes.link(destination, &format!("SIGNIN-{}", n + 1)),
            "{flags:?}"
        );
    }

    // An assumed role's ARN in aws-us-gov: that partition, whatever the region says.
    let gov_role = "arn:aws-us-gov:iam::123456789012:role/GovRole";
    let out = fakes
        .run(
            &[
                "console",
                "--no-browser",
                "--assume-roles",
                gov_role,
                "--region",
                "us-gov-west-1",
                "--issuer",
                "https://broker.example.com/",
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let link = text(&out.stdout);
    assert!(
        link.contains("&Issuer=https%3A%2F%2Fbroker.example.com%2F&Destination=https%3A%2F%2Fconsole.amazonaws-us-gov.com%2Fconsole%2Fhome%3Fregion%3Dus-gov-west-1&"),
        "{link}"
    );

    // --logout-first: the console's logout, then the login link.
    let out = fakes
        .run(&["console", "--no-browser", "--logout-first"], Some(TOKEN))
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let link = text(&out.stdout);
    let login = fakes.link(
        "https://console.aws.amazon.com/console/home?region=us-east-1",
        "SIGNIN-6",
    );
    let mut encoded = String::new();
    for b in login.trim_end().bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    assert_eq!(
        link,
        format!(
            "http://{}/oauth?Action=logout&redirect_uri={encoded}\n",
            fakes.signin
        )
    );
}

/// What cannot sign in is refused before anything is sent, in one line that names the fix.
#[tokio::test]
async fn what_cannot_sign_in_is_refused_before_sending() {
    let fakes = Fakes::start().await;
    let cases: [(&[&str], Option<&str>, &str, i32); 8] = [
        (
            &["console", "--destination", " "],
            Some(TOKEN),
            "error: --destination is empty\n",
            2,
        ),
        (
            &["console", "--issuer", ""],
            Some(TOKEN),
            "error: --issuer is empty\n",
            2,
        ),
        (
            &[
                "console",
                "--destination",
                "https://console.aws.amazon.com:99999/",
            ],
            Some(TOKEN),
            "error: --destination \"https://console.aws.amazon.com:99999/\" is neither a console URL (https://...) nor a service name such as ec2, s3 or cloudwatch\n",
            2,
        ),
        (
            &["console"],
            None,
            "error: long-term IAM user keys cannot sign in to the console: add --get-federation-token (with --federation-policy-arns or --federation-policy to narrow it)\n",
            1,
        ),
        (
            &["console", "--get-session-token"],
            None,
            "error: credentials from GetSessionToken cannot sign in to the console: use --get-federation-token instead, or assume a role (--assume-roles)\n",
            1,
        ),
        (
            &["console", "--duration-seconds", "60"],
            Some(TOKEN),
            "error: SessionDuration 60 is out of 900 to 43200 seconds (--duration-seconds)\n",
            2,
        ),
        (
            &["console", "--destination", "ec2 instances"],
            Some(TOKEN),
            "error: --destination \"ec2 instances\" is neither a console URL (https://...) nor a service name such as ec2, s3 or cloudwatch\n",
            2,
        ),
        (
            &["console", "--region", "us-iso-east-1"],
            Some(TOKEN),
            "error: aws-login knows no console for partition aws-iso: give --destination a full console URL (and AWS_ENDPOINT_URL_SIGNIN the partition's federation endpoint)\n",
            1,
        ),
    ];
    for (args, token, expected, code) in cases {
        let mut cmd = fakes.command(args, token);
        if args.contains(&"--region") {
            // The endpoint override would hide the partition's missing console.
            cmd.env_remove("AWS_ENDPOINT_URL_SIGNIN");
        }
        let out = cmd.output().await.unwrap();
        assert_eq!(stderr(&out), expected, "{args:?}");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(out.stdout, b"", "{args:?}");
        assert_eq!(fakes.take(), (vec![], vec![]), "{args:?}: nothing sent");
    }

    // A session token too long for any URL: refused, the session never shown.
    let huge = "T".repeat(70_000);
    let out = fakes.run(&["console", "--no-browser"], Some(&huge)).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: the session is too long for the federation endpoint's URL ("),
        "{err}"
    );
    assert!(err.len() < 300 && !err.contains(SECRET), "{err}");
    assert_eq!(fakes.take(), (vec![], vec![]));

    // Expired credentials.
    let out = fakes
        .command(&["console"], Some(TOKEN))
        .env("AWS_CREDENTIAL_EXPIRATION", "2001-01-01T00:00:00Z")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    assert_eq!(fakes.take(), (vec![], vec![]));
}

/// The endpoint's failures (an HTML page, a 4xx, JSON without a token) are errors that
/// show no secret; a token answer that is refused is never turned into a link.
#[tokio::test]
async fn federation_endpoint_failures_are_errors_without_secrets() {
    let (sts, _) = echo_sts().await;
    for (status, body) in [
        (200, "<html>Sign-in is down</html>"),
        (400, "<html><body>Bad Request</body></html>"),
        (500, "{\"message\":\"internal\"}"),
        (200, "{\"Token\":\"nope\"}"),
    ] {
        let (_, addr) = serve_with(move |_| reply(status, body)).await;
        let out = aws_login_command(&["console", "--no-browser", "--debug"])
            .env("AWS_ACCESS_KEY_ID", "ASIAENV")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
            .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}"))
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .await
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.stdout, b"", "no link");
        if status == 400 {
            // AWS saying no: what it refuses, as a hint.
            assert_eq!(out.status.code(), Some(3), "{err}");
            assert!(
                err.contains("error: the console federation endpoint refused the session (getSigninToken); hint: it refuses credentials that are invalid or expired, that came from GetSessionToken"),
                "{err}"
            );
        } else {
            assert_eq!(out.status.code(), Some(4), "{status} {body}: {err}");
            assert!(err.contains("error: getSigninToken failed"), "{err}");
        }
        assert!(!err.contains(SECRET) && !err.contains(TOKEN), "{err}");
        assert!(!err.contains("PLANTED"), "{err}");
    }
}

/// The link goes to the browser (never to stdout or stderr), to stdout when the browser
/// cannot start (the reason on stderr) or none can be opened here; `--debug` shows the
/// endpoint's host and path only.
#[tokio::test]
async fn the_link_reaches_the_browser_and_no_log() {
    let fakes = Fakes::start().await;
    let work = tempfile::tempdir().unwrap();
    let got = fifo(&work.path().join("url"));
    let browser = script(
        &work.path().join("browser.sh"),
        &format!("printf '%s' \"$1\" > '{}'", got.display()),
    );
    // Opened before aws-login starts the browser: the read ends when the browser is done.
    let url = read_fifo(&got);

    let out = fakes
        .command(&["console", "--debug", "--assume-roles", ROLE], None)
        .env("AWS_LOGIN_BROWSER", format!("{} %s", browser.display()))
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, b"", "the link went to the browser only");
    assert!(
        err.contains(&format!(
            "Opened the AWS console as arn:aws:sts::111122223333:assumed-role/TargetRole/aws-login (us-east-1) in the browser ({})",
            browser.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "GET http://{}/federation?<redacted> -> 200",
            fakes.signin
        )),
        "{err}"
    );
    for secret in [SECRET, "ROLESECRET1", "ROLETOKEN1", "SIGNIN-1", "Session="] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
    let url = url.await;
    assert!(url.ends_with("&SigninToken=SIGNIN-1"), "{url}");

    // A browser that cannot start: the link on stdout, the reason on stderr.
    let out = fakes
        .command(&["console"], Some(TOKEN))
        .env("AWS_LOGIN_BROWSER", "/nonexistent/browser %s")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.starts_with("The browser could not be started (\"/nonexistent/browser\": "),
        "{err}"
    );
    assert!(!err.contains("SIGNIN-2") && !err.contains(TOKEN), "{err}");
    assert!(text(&out.stdout).ends_with("&SigninToken=SIGNIN-2\n"));

    // A launcher that starts but fails (xdg-open finding no browser): the link on
    // stdout, the reason on stderr.
    let failing = script(
        &work.path().join("fail.sh"),
        "echo 'no method available' >&2; exit 3",
    );
    let out = fakes
        .command(&["console"], Some(TOKEN))
        .env(
            "BROWSER",
            format!("{}:/nonexistent/second", failing.display()),
        )
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.starts_with(&format!(
            "The browser could not be started (\"{}\": it exited with exit status: 3; \"/nonexistent/second\": "
        , failing.display())),
        "each BROWSER entry tried: {err}"
    );
    assert!(text(&out.stdout).ends_with("&SigninToken=SIGNIN-3\n"));
    // The link as the program's name (`%s` alone): never shown.
    let out = fakes
        .command(&["console"], Some(TOKEN))
        .env("AWS_LOGIN_BROWSER", "'/nonexistent/%s'")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("\"/nonexistent/%s\": "), "{err}");
    assert!(
        !err.contains("SIGNIN-4") && !err.contains("federation"),
        "{err}"
    );
    // A variable that cannot be read as a command line says so.
    let out = fakes
        .command(&["console"], Some(TOKEN))
        .env("AWS_LOGIN_BROWSER", "browser 'unclosed %s")
        .output()
        .await
        .unwrap();
    assert!(
        stderr(&out).starts_with("AWS_LOGIN_BROWSER cannot be read as a command line (an unclosed quote?): open this link yourself"),
        "{}",
        stderr(&out)
    );
    assert!(text(&out.stdout).ends_with("&SigninToken=SIGNIN-5\n"));

    // --no-browser --debug: stdout holds the link and nothing else; the trace no secret.
    let out = fakes
        .run(&["console", "--no-browser", "--debug"], Some(TOKEN))
        .await;
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        text(&out.stdout),
        fakes.link(
            "https://console.aws.amazon.com/console/home?region=us-east-1",
            "SIGNIN-6"
        )
    );
    assert!(err.contains("debug: GET http://"), "{err}");
    assert_eq!(
        err.matches("debug: base: environment variables").count(),
        1,
        "{err}"
    );
    for secret in [SECRET, TOKEN, "SIGNIN-6", "Session="] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }

    // No display, no browser variable: the link on stdout, said why.
    let out = fakes.run(&["console"], Some(TOKEN)).await;
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.starts_with("No browser can be opened here"), "{err}");
    assert!(!err.contains("SIGNIN-7"), "{err}");
    assert!(text(&out.stdout).ends_with("&SigninToken=SIGNIN-7\n"));
}

/// A real browser: aws-login opens the link in headless Chromium (through
/// `AWS_LOGIN_BROWSER`), which goes through the console's logout, then the federation
/// endpoint's login, and lands on the fake console page with the session the sign-in
/// token opened, at the destination asked for.
#[tokio::test]
async fn the_console_opens_in_a_real_browser() {
    let Some(chromium) = common::browser::chromium() else {
        return;
    };
    let fakes = Fakes::start().await;
    let work = tempfile::tempdir().unwrap();
    let (browser, finished) = common::browser::headless(chromium, work.path());
    let destination = format!(
        "http://{}/fake-console/ec2/home?region=eu-west-1",
        fakes.signin
    );
    let out = fakes
        .command(
            &[
                "console",
                "--assume-roles",
                ROLE,
                "--destination",
                &destination,
                "--logout-first",
            ],
            None,
        )
        .env("AWS_LOGIN_BROWSER", browser)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, b"");
    finished.await;
    let (dom, log) = common::browser::dom(work.path());
    assert!(
        dom.contains("fake console at /fake-console/ec2/home with aws-console-session=SIGNIN-1"),
        "the browser did not reach the console signed in: {dom}\n{log}"
    );
    let (_, signin) = fakes.take();
    let visits: Vec<&str> = signin
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        &visits[..4],
        ["getSigninToken", "logout", "login", "console"],
        "{signin:?}"
    );
    assert_eq!(
        signin[2],
        format!("login issuer=aws-login destination={destination} token=SIGNIN-1")
    );
    for secret in ["ROLESECRET1", "ROLETOKEN1", "SIGNIN-1"] {
        assert!(!err.contains(secret), "{secret} leaked: {err}");
    }
}
