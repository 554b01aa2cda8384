//! The fault matrix: for each kind of endpoint aws-login talks to (STS, EC2, the SSO
//! portal, SSO OIDC, the sign-in service, IMDS, the container endpoint), one table of
//! what a real network does to it, each row run through the built binary against the one
//! mock server: throttling then success, a 5xx storm, a silent server, a 1 byte/s
//! trickle, a truncated body, an oversized one, HTML and malformed bodies, a reset
//! connection, a redirect to another host, a skewed clock (signed calls), IMDS down, 401
//! and v1-only, expired and revoked tokens. Each row asserts the attempts the endpoint
//! saw, the exit code and the message; every row also asserts that nothing hung (an
//! outer limit), nothing panicked, no body was echoed (each bad body holds a canary), and
//! no redirect was followed.

use crate::common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_login::time::Clock as _;
use common::homes::{SsoSecrets, login_session_home, sso_home};
use common::mock::{Answer, Mock, Request, reply, serve_with};
use common::{aws_login_command, stderr};

/// Held by every bad body: it must never reach the terminal.
const CANARY: &str = "CANARY-BODY-7f3a";
const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/fault</Arn><UserId>AIDAFAULT</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
const NO_INSTANCES: &str = "<DescribeInstancesResponse><requestId>r</requestId><reservationSet/></DescribeInstancesResponse>";
const ROLE_CREDENTIALS: &str = r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"SSOSECRET","sessionToken":"SSOTOKEN","expiration":4102444800000}}"#;
const OIDC_TOKEN: &str = r#"{"accessToken":"NEW-ACCESS","tokenType":"Bearer","expiresIn":28800,"refreshToken":"NEW-REFRESH"}"#;
const SIGNIN_TOKEN: &str = r#"{"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"NEWSECRET","sessionToken":"NEWTOKEN"},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"REFRESH-2"}"#;
const METADATA_CREDENTIALS: &str = r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAMETA","SecretAccessKey":"METASECRET","Token":"METATOKEN","Expiration":"2099-01-01T00:00:00Z"}"#;

/// What a row does to the endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Two throttling answers, then the service's own.
    ThrottleThenOk,
    /// Server errors on every attempt.
    ServerErrorStorm,
    /// A server that accepts and never answers.
    Silent,
    /// A 200 at one byte a second.
    Trickle,
    /// A 200 whose body stops short.
    Truncated,
    /// A 200 declaring 1 GiB.
    Oversized,
    /// A 200 of HTML (a captive portal, a proxy's page).
    Html,
    /// A 200 that is not the protocol's shape.
    Malformed,
    /// The connection reset without an answer.
    Reset,
    /// A 307 to another host.
    Redirect,
    /// The server's clock two hours ahead: a signature refused as skewed, with `Date`.
    Skew,
    /// The service says the token or credentials expired.
    Expired,
    /// The service says the token was revoked (or the credentials are not valid).
    Revoked,
    /// IMDS: nothing listens.
    ImdsDown,
    /// IMDS: every GET refused with 401 (the token is not accepted).
    Imds401,
    /// IMDS v1 only: the token PUT is forbidden.
    ImdsV1Only,
    /// IMDS v1 only, and the user disabled v1 (`AWS_EC2_METADATA_V1_DISABLED`).
    ImdsV1OnlyV1Disabled,
}

/// What a row must see.
struct Row {
    fault: Fault,
    /// Requests the faulty endpoint received (for a redirect: on its own host).
    attempts: usize,
    exit: i32,
    /// Text stderr must hold (empty: only the exit code and attempts are checked).
    message: &'static str,
}

const fn row(fault: Fault, attempts: usize, exit: i32, message: &'static str) -> Row {
    Row {
        fault,
        attempts,
        exit,
        message,
    }
}

/// An endpoint kind: how to reach it through the binary, and how it answers.
struct Kind {
    name: &'static str,
    /// Whether a request is one the faults hit (the others are answered by `fake`).
    hit: fn(&Request) -> bool,
    /// The service as it answers when nothing is wrong.
    fake: fn(&Request) -> Answer,
    /// The service's own error answer (`status`, `code`).
    error: fn(u16, &str) -> Answer,
    /// The command for a row: the mock's address and a temporary folder.
    command: fn(SocketAddr, &Path) -> tokio::process::Command,
}

fn query_error(status: u16, code: &str) -> Answer {
    reply(
        status,
        &format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code} said</Message></Error><RequestId>rid-{status}</RequestId></ErrorResponse>"
        ),
    )
}

fn ec2_error(status: u16, code: &str) -> Answer {
    reply(
        status,
        &format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>{code} said</Message></Error></Errors><RequestID>rid-{status}</RequestID></Response>"
        ),
    )
}

fn json_error(status: u16, code: &str) -> Answer {
    reply(status, &format!(r#"{{"message":"{code} said"}}"#))
        .with_header(
            "x-amzn-errortype",
            &format!("{code}:http://internal.amazon.com/coral/"),
        )
        .with_header("content-type", "application/json")
}

fn oauth_error(status: u16, code: &str) -> Answer {
    reply(
        status,
        &format!(r#"{{"error":"{code}","error_description":"{code} said"}}"#),
    )
    .with_header(
        "x-amzn-errortype",
        &format!("{code}:http://internal.amazon.com/coral/"),
    )
    .with_header("content-type", "application/json")
}

fn signin_error(status: u16, code: &str) -> Answer {
    reply(
        status,
        &format!(r#"{{"error":"{code}","message":"{code} said"}}"#),
    )
    .with_header("x-amzn-errortype", "AccessDeniedException:")
    .with_header("content-type", "application/json")
}

fn plain_error(status: u16, _code: &str) -> Answer {
    reply(status, "").with_header("content-type", "text/plain")
}

/// The base command of a signed Query kind: long-term keys, region, `endpoint_variable`.
fn signed(args: &[&str], endpoint_variable: &str, addr: SocketAddr) -> tokio::process::Command {
    let mut cmd = aws_login_command(args);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAFAULT")
        .env("AWS_SECRET_ACCESS_KEY", "FAULT-SECRET-KEY")
        .env("AWS_REGION", "eu-west-1")
        .env(endpoint_variable, format!("http://{addr}"));
    cmd
}

const SSO_SECRETS: SsoSecrets<'static> = SsoSecrets {
    access_token: "SSO-ACCESS-TOKEN",
    refresh_token: "SSO-REFRESH-TOKEN",
    client_secret: "SSO-CLIENT-SECRET",
};

fn sso_command(dir: &Path, addr: SocketAddr) -> tokio::process::Command {
    let mut cmd = aws_login_command(&["dumpcreds", "--profile", "dev"]);
    cmd.env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env("HOME", dir)
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{addr}"))
        .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"));
    cmd
}

fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            name: "STS",
            hit: |_| true,
            fake: |_| reply(200, IDENTITY),
            error: query_error,
            command: |addr, _| signed(&["getcallerid"], "AWS_ENDPOINT_URL_STS", addr),
        },
        Kind {
            name: "EC2",
            hit: |_| true,
            fake: |_| reply(200, NO_INSTANCES),
            error: ec2_error,
            command: |addr, _| {
                signed(
                    &["ec2", "list", "--group", "g"],
                    "AWS_ENDPOINT_URL_EC2",
                    addr,
                )
            },
        },
        Kind {
            name: "SSO portal",
            hit: |_| true,
            fake: |_| reply(200, ROLE_CREDENTIALS).with_header("content-type", "application/json"),
            error: json_error,
            command: |addr, dir| {
                sso_home(dir, 60, &SSO_SECRETS);
                sso_command(dir, addr)
            },
        },
        Kind {
            name: "SSO OIDC",
            hit: |req| req.path() == "/token",
            fake: |req| {
                let body = if req.path() == "/token" {
                    OIDC_TOKEN
                } else {
                    ROLE_CREDENTIALS
                };
                reply(200, body).with_header("content-type", "application/json")
            },
            error: oauth_error,
            command: |addr, dir| {
                sso_home(dir, -5, &SSO_SECRETS);
                sso_command(dir, addr)
            },
        },
        Kind {
            name: "sign-in",
            hit: |_| true,
            fake: |_| reply(200, SIGNIN_TOKEN).with_header("content-type", "application/json"),
            error: signin_error,
            command: |addr, dir| {
                let (config, cache_dir) =
                    login_session_home(dir, -5, "LOGIN-REFRESH-TOKEN", "LOGIN-OLD-SECRET");
                let mut cmd = aws_login_command(&["dumpcreds", "--profile", "dev"]);
                cmd.env("HOME", dir)
                    .env("AWS_CONFIG_FILE", config)
                    .env("AWS_LOGIN_CACHE_DIRECTORY", &cache_dir)
                    .env("AWS_ENDPOINT_URL_SIGNIN", format!("http://{addr}"));
                cmd
            },
        },
        Kind {
            name: "IMDS",
            hit: |req| {
                req.method() == "GET"
                    && req.path() == "/latest/meta-data/iam/security-credentials/role"
            },
            fake: |req| match (req.method(), req.path()) {
                ("PUT", "/latest/api/token") => reply(200, "IMDS-SESSION-TOKEN"),
                _ if req.header("x-aws-ec2-metadata-token") != Some("IMDS-SESSION-TOKEN") => {
                    reply(401, "")
                }
                (_, "/latest/meta-data/iam/security-credentials/") => reply(200, "role"),
                (_, "/latest/meta-data/iam/security-credentials/role") => {
                    reply(200, METADATA_CREDENTIALS).with_header("content-type", "text/plain")
                }
                _ => reply(404, ""),
            },
            error: plain_error,
            command: |addr, _| {
                let mut cmd = aws_login_command(&["dumpcreds"]);
                cmd.env_remove("AWS_EC2_METADATA_DISABLED")
                    .env(
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                        format!("http://{addr}/"),
                    )
                    .env("AWS_METADATA_SERVICE_TIMEOUT", "1")
                    .env("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3");
                cmd
            },
        },
        Kind {
            name: "container",
            hit: |_| true,
            fake: |req| {
                if req.header("authorization") == Some("CONTAINER-AUTH-TOKEN") {
                    reply(200, METADATA_CREDENTIALS).with_header("content-type", "application/json")
                } else {
                    reply(401, "")
                }
            },
            error: plain_error,
            command: |addr, _| {
                let mut cmd = aws_login_command(&["dumpcreds"]);
                cmd.env(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    format!("http://{addr}/v1/credentials"),
                )
                .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "CONTAINER-AUTH-TOKEN");
                cmd
            },
        },
    ]
}

/// The answers the faulty requests get, in order (then the fake's own).
fn answers(kind: &Kind, fault: Fault, trap: SocketAddr) -> Vec<Answer> {
    let good_body = match kind.name {
        "STS" => IDENTITY,
        "EC2" => NO_INSTANCES,
        "SSO portal" => ROLE_CREDENTIALS,
        "SSO OIDC" => OIDC_TOKEN,
        "sign-in" => SIGNIN_TOKEN,
        _ => METADATA_CREDENTIALS,
    };
    let (throttle_status, throttle_code) = match kind.name {
        "STS" => (400, "Throttling"),
        "EC2" => (503, "RequestLimitExceeded"),
        "SSO portal" => (429, "TooManyRequestsException"),
        "SSO OIDC" => (429, "TooManyRequestsException"),
        "sign-in" => (429, "TooManyRequestsException"),
        _ => (429, ""),
    };
    let many = |make: &dyn Fn() -> Answer| (0..8).map(|_| make()).collect::<Vec<_>>();
    match fault {
        Fault::ThrottleThenOk => vec![
            (kind.error)(throttle_status, throttle_code),
            (kind.error)(throttle_status, throttle_code),
        ],
        Fault::ServerErrorStorm => many(&|| (kind.error)(500, "InternalFailure")),
        Fault::Silent => many(&|| Answer::Hang),
        Fault::Trickle => many(&|| Answer::Trickle {
            body: good_body.to_owned(),
            pause: Duration::from_secs(1),
        }),
        Fault::Truncated => many(&|| Answer::CutOff {
            declared: good_body.len(),
            sent: &good_body[..good_body.len() / 2],
        }),
        Fault::Oversized => many(&|| Answer::Oversized { declared: 1 << 30 }),
        Fault::Html => many(&|| {
            reply(
                200,
                &format!("<!DOCTYPE html><html><body>Sign in to the Wi-Fi {CANARY}</body></html>"),
            )
            .with_header("content-type", "text/html")
        }),
        Fault::Malformed => {
            many(&|| reply(200, &format!("{{\"not\": \"what you asked for {CANARY}\"")))
                .into_iter()
                .collect()
        }
        Fault::Reset => many(&|| Answer::Reset),
        Fault::Redirect => {
            many(&|| reply(307, "").with_header("location", &format!("http://{trap}/stolen")))
        }
        Fault::Skew => {
            let ahead = aws_login::time::SystemClock.now() + chrono::TimeDelta::hours(2);
            let date = ahead.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let code = if kind.name == "STS" {
                "SignatureDoesNotMatch"
            } else {
                "RequestExpired"
            };
            let body = if kind.name == "STS" {
                "Signature expired: 20261130T000000Z is now earlier than 20261130T020000Z (20261130T021500Z - 15 min.)"
            } else {
                "Request has expired."
            };
            let error = |status| {
                let answer = (kind.error)(status, code);
                match answer {
                    Answer::Respond {
                        status,
                        headers,
                        body: b,
                    } => Answer::Respond {
                        status,
                        headers,
                        body: b.replace(&format!("{code} said"), body),
                    },
                    other => other,
                }
                .with_header("date", &date)
            };
            vec![error(if kind.name == "STS" { 403 } else { 400 })]
        }
        Fault::Expired => vec![match kind.name {
            "STS" => query_error(400, "ExpiredToken"),
            "EC2" => ec2_error(400, "RequestExpired"),
            "SSO portal" => json_error(401, "UnauthorizedException"),
            "SSO OIDC" => oauth_error(400, "ExpiredTokenException"),
            "sign-in" => signin_error(403, "TOKEN_EXPIRED"),
            _ => reply(
                200,
                &METADATA_CREDENTIALS.replace("2099-01-01", "2001-01-01"),
            ),
        }],
        Fault::Revoked => vec![match kind.name {
            "STS" => query_error(403, "InvalidClientTokenId"),
            "EC2" => ec2_error(401, "AuthFailure"),
            "SSO portal" => json_error(403, "ForbiddenException"),
            "SSO OIDC" => oauth_error(400, "InvalidGrantException"),
            "sign-in" => signin_error(403, "USER_CREDENTIALS_CHANGED"),
            _ => reply(403, ""),
        }],
        Fault::Imds401 | Fault::ImdsDown | Fault::ImdsV1Only | Fault::ImdsV1OnlyV1Disabled => {
            vec![]
        }
    }
}

/// What a row saw.
struct Seen {
    attempts: usize,
    exit: Option<i32>,
    stderr: String,
    stdout: String,
    trap_requests: usize,
    elapsed: Duration,
    skew_corrected: bool,
}

/// Runs one row of `kind`: its own mock, its own trap for redirects, its own folder.
async fn run(kind: &Kind, fault: Fault) -> Seen {
    let trap: Arc<Mutex<usize>> = Arc::default();
    let trapped = trap.clone();
    let (_, trap_addr) = serve_with(move |_| {
        *trapped.lock().unwrap() += 1;
        reply(200, IDENTITY)
    })
    .await;
    let faults: Arc<Mutex<VecDeque<Answer>>> =
        Arc::new(Mutex::new(answers(kind, fault, trap_addr).into()));
    let hit = kind.hit;
    let fake = kind.fake;
    let queue = faults.clone();
    let (mock, addr): (Arc<Mock>, SocketAddr) = serve_with(move |req| {
        let imds_token_put = req.method() == "PUT" && req.path() == "/latest/api/token";
        match fault {
            Fault::ImdsV1Only | Fault::ImdsV1OnlyV1Disabled if imds_token_put => {
                return reply(403, "");
            }
            Fault::ImdsV1Only | Fault::ImdsV1OnlyV1Disabled => {
                let mut req = req.clone();
                req.headers.insert(
                    "x-aws-ec2-metadata-token".into(),
                    "IMDS-SESSION-TOKEN".into(),
                );
                return fake(&req);
            }
            Fault::Imds401 if !imds_token_put => return reply(401, ""),
            _ => {}
        }
        let queued = if hit(req) {
            queue.lock().unwrap().pop_front()
        } else {
            None
        };
        queued.unwrap_or_else(|| fake(req))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = if fault == Fault::ImdsDown {
        common::mock::closed_port().await
    } else {
        addr
    };
    let mut cmd = (kind.command)(target, dir.path());
    match fault {
        Fault::Silent => {
            cmd.args(["--cli-read-timeout", "1"]);
        }
        Fault::Trickle => {
            cmd.args(["--operation-timeout", "3"]);
        }
        Fault::ImdsV1OnlyV1Disabled => {
            cmd.env("AWS_EC2_METADATA_V1_DISABLED", "true");
        }
        _ => {}
    }
    let started = std::time::Instant::now();
    let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "{} {fault:?}: aws-login hung (no exit within 90 s)",
                kind.name
            )
        })
        .unwrap();
    let hits: Vec<Request> = mock
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| hit(r))
        .cloned()
        .collect();
    let attempts = hits.len();
    // After a skew error, the next request is dated by the server's clock (2 h ahead).
    let skew_corrected = hits
        .get(1)
        .and_then(|r| r.header("x-amz-date"))
        .is_some_and(|d| {
            chrono::NaiveDateTime::parse_from_str(d, "%Y%m%dT%H%M%SZ").is_ok_and(|t| {
                let ahead = aws_login::time::SystemClock.now() + chrono::TimeDelta::hours(2);
                (t.and_utc() - ahead).num_seconds().abs() < 300
            })
        });
    Seen {
        attempts,
        exit: out.status.code(),
        stderr: stderr(&out),
        stdout: common::text(&out.stdout),
        trap_requests: *trap.lock().unwrap(),
        elapsed: started.elapsed(),
        skew_corrected,
    }
}

/// Runs every row of `kind` at once and checks each; all failures are reported together.
async fn check(kind_name: &str, rows: &[Row]) {
    let kinds = kinds();
    let kind = kinds.iter().find(|k| k.name == kind_name).unwrap();
    let seen = futures_util::future::join_all(rows.iter().map(|r| run(kind, r.fault))).await;
    let mut failures = Vec::new();
    let mut table = Vec::new();
    for (row, seen) in rows.iter().zip(&seen) {
        let first_line = seen
            .stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("")
            .to_owned();
        table.push(format!(
            "| {} | {:?} | {} | {:?} | {:.1} s | {} |",
            kind.name,
            row.fault,
            seen.attempts,
            seen.exit,
            seen.elapsed.as_secs_f64(),
            first_line.replace('|', "/")
        ));
        if std::env::var("AWS_LOGIN_FAULT_TABLE").is_ok_and(|v| v == "full") {
            table.push(seen.stderr.clone());
        }
        let mut wrong = Vec::new();
        if seen.attempts != row.attempts {
            wrong.push(format!(
                "attempts {} (want {})",
                seen.attempts, row.attempts
            ));
        }
        if seen.exit != Some(row.exit) {
            wrong.push(format!("exit {:?} (want {})", seen.exit, row.exit));
        }
        if !seen.stderr.contains(row.message) {
            wrong.push(format!("stderr lacks {:?}", row.message));
        }
        if seen.stderr.contains("panicked") || seen.exit == Some(101) {
            wrong.push("panicked".into());
        }
        if seen.stderr.contains(CANARY) || seen.stdout.contains(CANARY) {
            wrong.push("a body was echoed".into());
        }
        if row.fault == Skew && !seen.skew_corrected {
            wrong.push("the retry after a skew error was not dated by the server's clock".into());
        }
        if seen.trap_requests != 0 {
            wrong.push("a redirect was followed".into());
        }
        for secret in [
            "FAULT-SECRET-KEY",
            "SSO-ACCESS-TOKEN",
            "SSO-REFRESH-TOKEN",
            "SSO-CLIENT-SECRET",
            "LOGIN-REFRESH-TOKEN",
            "LOGIN-OLD-SECRET",
            "CONTAINER-AUTH-TOKEN",
            "IMDS-SESSION-TOKEN",
        ] {
            if seen.stderr.contains(secret) {
                wrong.push(format!("stderr shows {secret}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} {:?}: {}\n{}",
                kind.name,
                row.fault,
                wrong.join("; "),
                seen.stderr
            ));
        }
    }
    if std::env::var_os("AWS_LOGIN_FAULT_TABLE").is_some() {
        #[allow(clippy::print_stderr)] // asked for: the closing note's table
        {
            eprintln!("{}", table.join("\n"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

use Fault::*;

/// The transport's rows, the same for every AWS API kind but sign-in: the standard
/// retry mode's 3 attempts for throttles, 5xx (`storm` is the error shown), timeouts
/// and broken connections; one for a whole-request timeout, a body over the 10 MiB cap
/// and a redirect (never followed).
fn standard_retry_rows(storm: &'static str) -> Vec<Row> {
    vec![
        row(ThrottleThenOk, 3, 0, ""),
        row(ServerErrorStorm, 3, 3, storm),
        row(Silent, 3, 4, "for 1s (the read timeout"),
        row(
            Trickle,
            1,
            4,
            "no answer within 3s, all attempts included (the operation timeout",
        ),
        row(Truncated, 3, 4, "broke"),
        row(Oversized, 1, 4, "is larger than 10485760 bytes"),
        row(Reset, 3, 4, "broke"),
        row(Redirect, 1, 4, "HTTP 307"),
    ]
}

#[tokio::test]
async fn sts() {
    let mut rows =
        standard_retry_rows("InternalFailure: InternalFailure said (HTTP 500, request id rid-500)");
    rows.extend([
        row(Html, 1, 4, "lacks GetCallerIdentityResult/UserId"),
        row(Malformed, 1, 4, "body is not XML"),
        row(Skew, 2, 0, ""),
        row(Expired, 1, 3, "ExpiredToken"),
        row(Revoked, 1, 3, "InvalidClientTokenId"),
    ]);
    check("STS", &rows).await;
}

#[tokio::test]
async fn ec2() {
    let mut rows =
        standard_retry_rows("InternalFailure: InternalFailure said (HTTP 500, request id rid-500)");
    rows.extend([
        row(Malformed, 1, 4, "body is not XML"),
        row(Skew, 2, 0, ""),
        row(Expired, 1, 3, "RequestExpired"),
        row(Revoked, 1, 3, "AuthFailure"),
    ]);
    check("EC2", &rows).await;
}

#[tokio::test]
async fn sso_portal() {
    let mut rows = standard_retry_rows("InternalFailure");
    rows.extend([
        row(Html, 1, 4, "not JSON"),
        row(Malformed, 1, 4, "not JSON"),
        row(Expired, 1, 3, "run `aws-login sso login`"),
        row(Revoked, 1, 3, "ForbiddenException"),
    ]);
    check("SSO portal", &rows).await;
}

#[tokio::test]
async fn sso_oidc() {
    // The token has expired: each failure of its refresh is the command's failure.
    let mut rows = standard_retry_rows("InternalFailure");
    rows.extend([
        row(Html, 1, 4, "not JSON"),
        row(Malformed, 1, 4, "not JSON"),
        row(Expired, 1, 3, "ExpiredTokenException"),
        row(Revoked, 1, 3, "InvalidGrantException"),
    ]);
    check("SSO OIDC", &rows).await;
}

#[tokio::test]
async fn sign_in() {
    // A refresh token may be spent by a request whose answer was lost, and spending a
    // rotated one twice can revoke the session: a cut or silent connection is not retried
    // (a throttle or a 5xx answer is).
    check(
        "sign-in",
        &[
            row(ThrottleThenOk, 3, 0, ""),
            row(ServerErrorStorm, 3, 3, "InternalFailure"),
            row(Silent, 1, 4, "for 1s (the read timeout"),
            row(Trickle, 1, 4, "(the operation timeout"),
            row(Truncated, 1, 4, "broke"),
            row(Oversized, 1, 4, "is larger than 65536 bytes"),
            row(Html, 1, 4, "not JSON"),
            row(Malformed, 1, 4, "not JSON"),
            row(Reset, 1, 4, "broke"),
            row(Redirect, 1, 4, "HTTP 307"),
            row(
                Expired,
                1,
                3,
                "(TOKEN_EXPIRED): sign in again with `aws-login login`",
            ),
            row(Revoked, 1, 3, "(USER_CREDENTIALS_CHANGED): sign in again"),
        ],
    )
    .await;
}

#[tokio::test]
async fn imds() {
    // botocore's IMDS fetcher: AWS_METADATA_SERVICE_NUM_ATTEMPTS (3 here) each within
    // AWS_METADATA_SERVICE_TIMEOUT (1 s); an IMDS that answered the token and then fails
    // is an IMDS failure (exit 4), one that never answers is "not on EC2" (exit 1).
    check(
        "IMDS",
        &[
            row(ThrottleThenOk, 3, 0, ""),
            row(
                ServerErrorStorm,
                3,
                4,
                "instance metadata credentials answered HTTP 500",
            ),
            row(
                Silent,
                3,
                4,
                "answered, then failed when asked for the credentials",
            ),
            row(Trickle, 3, 4, "no complete response from"),
            row(Truncated, 3, 4, "broke"),
            row(Oversized, 3, 4, "is larger than 10485760 bytes"),
            row(Html, 1, 4, "not JSON"),
            row(Malformed, 1, 4, "not JSON"),
            row(Reset, 3, 4, "broke"),
            row(Redirect, 1, 4, "HTTP 307"),
            // Credentials already expired are asked for once more.
            row(Expired, 2, 0, ""),
            row(ImdsDown, 0, 1, "not on EC2 either"),
            row(
                Imds401,
                0,
                1,
                "instance metadata role name answered HTTP 401",
            ),
            row(ImdsV1Only, 1, 0, ""),
            row(ImdsV1OnlyV1Disabled, 0, 4, "IMDSv1 is disabled"),
        ],
    )
    .await;
}

#[tokio::test]
async fn container() {
    // botocore's container fetcher: 3 attempts a second apart (5 s each here); a 4xx
    // other than 429 is final.
    check(
        "container",
        &[
            row(ThrottleThenOk, 3, 0, ""),
            row(
                ServerErrorStorm,
                3,
                4,
                "the container credentials endpoint answered HTTP 500",
            ),
            row(Silent, 3, 4, "for 1s (the read timeout"),
            row(Trickle, 3, 4, "no complete response from"),
            row(Truncated, 3, 4, "broke"),
            row(Oversized, 3, 4, "is larger than 10485760 bytes"),
            row(Html, 1, 4, "not JSON"),
            row(Malformed, 1, 4, "not JSON"),
            row(Reset, 3, 4, "broke"),
            row(Redirect, 1, 4, "HTTP 307"),
            row(Expired, 2, 0, ""),
            row(
                Revoked,
                1,
                1,
                "the container credentials endpoint answered HTTP 403",
            ),
        ],
    )
    .await;
}
