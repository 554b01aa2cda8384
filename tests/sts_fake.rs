//! STS end to end against an in-process fake (raw HTTP/1.1 on 127.0.0.1:0) that serves
//! queued answers and records each request: every operation's request and parsed result,
//! and each fault (throttling, 503 storm, silent server, truncated, oversized, malformed
//! and HTML bodies, a skewed clock) ending in the right result or a clear error.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use aws_login::credentials::Credentials;
use aws_login::endpoints::{Endpoint, EndpointSource};
use aws_login::http::call::Caller;
use aws_login::http::client::{HttpClient, TransportConfig, TransportError};
use aws_login::http::retry::{Jitter, RetryPolicy};
use aws_login::secret::SecretString;
use aws_login::services::sts;
use aws_login::services::{ResponseError, ServiceError};
use aws_login::time::Clock;
use chrono::{DateTime, TimeDelta, Utc};
use common::mock::{Answer, error, ok, start};

struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Jitter that replays `u` forever, so delays are known (and tiny).
struct Constant(f64);

impl Jitter for Constant {
    fn next_unit(&mut self) -> f64 {
        self.0
    }
}

fn time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn endpoint(addr: SocketAddr) -> Endpoint {
    Endpoint {
        url: format!("http://{addr}"),
        signing_region: "eu-west-1".into(),
        source: EndpointSource::Flag,
        refused: None,
    }
}

fn keys() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "SECRETKEY",
        Some(SecretString::new("SESSIONTOKEN")),
        None,
    )
}

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

const CREDS: &str = "<Credentials><AccessKeyId>ASIANEW</AccessKeyId><SecretAccessKey>NEWSECRET</SecretAccessKey><SessionToken>NEWTOKEN</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>";

async fn with_caller<T>(
    config: TransportConfig,
    jitter: f64,
    f: impl AsyncFnOnce(&Caller<'_>, &Mutex<Vec<String>>) -> T,
) -> T {
    let client = HttpClient::new(TransportConfig {
        system_roots: false,
        ..config
    })
    .unwrap();
    let clock = FixedClock(time());
    let trace = Mutex::new(Vec::new());
    let sink = |line: &str| trace.lock().unwrap().push(line.to_owned());
    let caller = Caller::new(
        &client,
        &clock,
        RetryPolicy::default(),
        Box::new(Constant(jitter)),
    )
    .with_trace(&sink);
    f(&caller, &trace).await
}

#[tokio::test]
async fn every_operation_sends_its_action_and_parses_its_result() {
    let assume = format!(
        "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>{CREDS}</AssumeRoleResult></AssumeRoleResponse>"
    );
    let session = format!(
        "<GetSessionTokenResponse><GetSessionTokenResult>{CREDS}</GetSessionTokenResult></GetSessionTokenResponse>"
    );
    let federation = format!(
        "<GetFederationTokenResponse><GetFederationTokenResult>{CREDS}<FederatedUser><Arn>arn:aws:sts::1:federated-user/bob</Arn><FederatedUserId>1:bob</FederatedUserId></FederatedUser></GetFederationTokenResult></GetFederationTokenResponse>"
    );
    let web = format!(
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/ci/gha</Arn><AssumedRoleId>AROA:gha</AssumedRoleId></AssumedRoleUser>{CREDS}</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
    );
    let decoded = "<DecodeAuthorizationMessageResponse><DecodeAuthorizationMessageResult><DecodedMessage>{\"allowed\":false}</DecodedMessage></DecodeAuthorizationMessageResult></DecodeAuthorizationMessageResponse>";
    let (fake, addr) = start(vec![
        ok(IDENTITY),
        ok(&assume),
        ok(&session),
        ok(&federation),
        ok(&web),
        ok(decoded),
    ])
    .await;
    let ep = endpoint(addr);
    let creds = keys();
    with_caller(TransportConfig::default(), 0.0, async |caller, _| {
        let id = sts::get_caller_identity(caller, &ep, &creds).await.unwrap();
        assert_eq!(
            (id.account.as_str(), id.arn.as_str()),
            ("123456789012", "arn:aws:iam::123456789012:user/alice")
        );
        let code = SecretString::new("123456");
        let role = sts::assume_role(
            caller,
            &ep,
            &creds,
            &sts::AssumeRoleRequest {
                role_arn: "arn:aws:iam::1:role/r",
                role_session_name: "s1",
                serial_number: Some("arn:aws:iam::1:mfa/alice"),
                token_code: Some(&code),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(role.credentials.access_key_id(), "ASIANEW");
        let st = sts::get_session_token(
            caller,
            &ep,
            &creds,
            &sts::SessionTokenRequest {
                duration_seconds: Some(3600),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(st.session_token().unwrap().expose(), "NEWTOKEN");
        let fed = sts::get_federation_token(
            caller,
            &ep,
            &creds,
            &sts::FederationTokenRequest {
                name: "bob",
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(fed.federated_user_id, "1:bob");
        let jwt = SecretString::new("eyJ.token.sig");
        let w = sts::assume_role_with_web_identity(
            caller,
            &ep,
            &sts::WebIdentityRequest {
                role_arn: "arn:aws:iam::1:role/ci",
                role_session_name: "gha",
                web_identity_token: Some(&jwt),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(w.arn, "arn:aws:sts::1:assumed-role/ci/gha");
        let msg = sts::decode_authorization_message(caller, &ep, &creds, "enc")
            .await
            .unwrap();
        assert_eq!(msg, "{\"allowed\":false}");
    })
    .await;

    let seen = fake.seen.lock().unwrap().clone();
    let actions: Vec<String> = seen.iter().map(|s| s.form()["Action"].clone()).collect();
    assert_eq!(
        actions,
        [
            "GetCallerIdentity",
            "AssumeRole",
            "GetSessionToken",
            "GetFederationToken",
            "AssumeRoleWithWebIdentity",
            "DecodeAuthorizationMessage"
        ]
    );
    for (i, s) in seen.iter().enumerate() {
        assert_eq!(s.head, "POST / HTTP/1.1", "{i}");
        assert_eq!(s.form()["Version"], "2011-06-15");
        assert_eq!(
            s.headers["content-type"],
            "application/x-www-form-urlencoded; charset=utf-8"
        );
        assert_eq!(s.headers["host"], addr.to_string());
        assert!(s.headers["user-agent"].starts_with("aws-login/"));
        let signed = s.headers.get("authorization");
        if actions[i] == "AssumeRoleWithWebIdentity" {
            assert!(signed.is_none(), "web identity is sent unsigned");
        } else {
            let auth = signed.unwrap();
            assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="), "{auth}");
            assert_eq!(s.headers["x-amz-date"], "20231114T221320Z");
            assert_eq!(s.headers["x-amz-security-token"], "SESSIONTOKEN");
        }
    }
    assert_eq!(seen[1].form()["TokenCode"], "123456");
    assert_eq!(
        seen[1].form()["SerialNumber"],
        "arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Falice"
    );
    assert_eq!(seen[4].form()["WebIdentityToken"], "eyJ.token.sig");
}

#[tokio::test]
async fn requests_outside_the_sts_model_are_never_sent() {
    let (fake, addr) = start(vec![]).await;
    let ep = endpoint(addr);
    let creds = keys();
    let code = SecretString::new("12345");
    let errors = with_caller(TransportConfig::default(), 0.0, async |caller, _| {
        fn role<'a>(
            arn: &'a str,
            name: &'a str,
            duration: Option<u32>,
            code: Option<&'a SecretString>,
        ) -> sts::AssumeRoleRequest<'a> {
            sts::AssumeRoleRequest {
                role_arn: arn,
                role_session_name: name,
                duration_seconds: duration,
                serial_number: code.map(|_| "arn:aws:iam::1:mfa/alice"),
                token_code: code,
                ..Default::default()
            }
        }
        let mut errors = Vec::new();
        for req in [
            role("arn:aws:iam::1:r", "ok", None, None),
            role("arn:aws:iam::1:role/r", "x", None, None),
            role("arn:aws:iam::1:role/r", "my session", None, None),
            role("arn:aws:iam::1:role/r", "ok", Some(0), None),
            role("arn:aws:iam::1:role/r", "ok", Some(43201), None),
            role("arn:aws:iam::1:role/r", "ok", None, Some(&code)),
        ] {
            errors.push(
                sts::assume_role(caller, &ep, &creds, &req)
                    .await
                    .unwrap_err()
                    .to_string(),
            );
        }
        let fed = |policy| sts::FederationTokenRequest {
            name: "bob",
            policy: Some(policy),
            ..Default::default()
        };
        for policy in [
            "not json",
            "[1]",
            &format!("{{\"a\": \"{}\"}}", "x".repeat(2048)),
        ] {
            errors.push(
                sts::get_federation_token(caller, &ep, &creds, &fed(policy))
                    .await
                    .unwrap_err()
                    .to_string(),
            );
        }
        errors.push(
            sts::get_session_token(
                caller,
                &ep,
                &creds,
                &sts::SessionTokenRequest {
                    duration_seconds: Some(129_601),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err()
            .to_string(),
        );
        errors.push(
            sts::decode_authorization_message(caller, &ep, &creds, "")
                .await
                .unwrap_err()
                .to_string(),
        );
        errors
    })
    .await;
    assert_eq!(
        errors,
        [
            "not sent: RoleArn of AssumeRole must be 20 to 2048 characters long (it is 16)",
            "not sent: RoleSessionName of AssumeRole must be 2 to 64 characters long (it is 1)",
            "not sent: RoleSessionName of AssumeRole may hold only letters, digits and _+=,.@- (no spaces) (character 3 is not one)",
            "not sent: DurationSeconds of AssumeRole must be from 900 to 43200 (it is 0)",
            "not sent: DurationSeconds of AssumeRole must be from 900 to 43200 (it is 43201)",
            "not sent: TokenCode of AssumeRole must be exactly 6 characters long (it is 5)",
            "not sent: Policy of GetFederationToken is not JSON (an IAM policy document is a JSON object): expected ident at line 1 column 2",
            "not sent: Policy of GetFederationToken must be a JSON object (an IAM policy document)",
            "not sent: Policy of GetFederationToken must be 1 to 2048 characters long (it is 2057)",
            "not sent: DurationSeconds of GetSessionToken must be from 900 to 129600 (it is 129601)",
            "not sent: EncodedMessage of DecodeAuthorizationMessage must be 1 to 10240 characters long (it is 0)",
        ]
    );
    assert!(fake.seen.lock().unwrap().is_empty(), "nothing reached STS");
}

#[tokio::test]
async fn throttled_twice_then_answered_in_three_attempts() {
    let (fake, addr) = start(vec![
        error(400, "Throttling"),
        error(400, "Throttling"),
        ok(IDENTITY),
    ])
    .await;
    let ep = endpoint(addr);
    let trace = with_caller(TransportConfig::default(), 0.001, async |caller, trace| {
        sts::get_caller_identity(caller, &ep, &keys())
            .await
            .unwrap();
        trace.lock().unwrap().clone()
    })
    .await;
    assert_eq!(fake.seen.lock().unwrap().len(), 3);
    let waits: Vec<&String> = trace.iter().filter(|l| l.starts_with("retrying")).collect();
    // Throttled: 1 s * 2^(i-1) * (1 + rand) / 2 with rand = 0.001: 500 ms, then 1001 ms.
    assert_eq!(waits, ["retrying in 500 ms", "retrying in 1001 ms"]);
    assert!(
        trace.iter().any(|l| l.contains("-> 200 (attempt 3")),
        "{trace:?}"
    );
}

/// Calls GetCallerIdentity against a fake serving `answers`; the error and how many
/// requests the fake saw.
async fn failing(answers: Vec<Answer>, config: TransportConfig) -> (ServiceError, usize) {
    let (fake, addr) = start(answers).await;
    let ep = endpoint(addr);
    let err = with_caller(config, 0.0, async |caller, _| {
        sts::get_caller_identity(caller, &ep, &keys())
            .await
            .unwrap_err()
    })
    .await;
    let seen = fake.seen.lock().unwrap().len();
    (err, seen)
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    // Each attempt would wait 1 s for a silent server, three attempts: the operation
    // timeout of 1.5 s ends the call during the second.
    let (fake, addr) = start(vec![Answer::Hang, Answer::Hang, Answer::Hang]).await;
    let ep = endpoint(addr);
    let client = HttpClient::new(TransportConfig {
        system_roots: false,
        read_timeout: Some(Duration::from_secs(1)),
        ..TransportConfig::default()
    })
    .unwrap();
    let clock = FixedClock(time());
    let caller = Caller::new(
        &client,
        &clock,
        RetryPolicy::default(),
        Box::new(Constant(0.0)),
    )
    .with_operation_timeout(Some(Duration::from_millis(1500)));
    let err = sts::get_caller_identity(&caller, &ep, &keys())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Call(aws_login::http::call::CallError::OperationTimeout { .. })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("within 1.5s, all attempts included"),
        "{err}"
    );
    assert!(fake.seen.lock().unwrap().len() < 3);
}

#[tokio::test]
async fn a_503_storm_gives_up_after_max_attempts_with_the_last_error() {
    let storm = (0..5).map(|_| error(503, "ServiceUnavailable")).collect();
    let (err, seen) = failing(storm, TransportConfig::default()).await;
    assert_eq!(seen, 3);
    let aws = err.aws().unwrap();
    assert_eq!(
        (aws.code.as_str(), aws.status, aws.request_id.as_deref()),
        ("ServiceUnavailable", 503, Some("rid-503"))
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (err, seen) = failing(
        vec![error(403, "AccessDenied"), ok(IDENTITY)],
        TransportConfig::default(),
    )
    .await;
    assert_eq!(seen, 1);
    assert!(
        err.to_string()
            .contains("AccessDenied: m (HTTP 403, request id rid-403)"),
        "{err}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_on_every_attempt() {
    let config = TransportConfig {
        read_timeout: Some(Duration::from_millis(200)),
        ..TransportConfig::default()
    };
    let (err, seen) = failing(vec![Answer::Hang, Answer::Hang, Answer::Hang], config).await;
    assert_eq!(seen, 3);
    match err {
        ServiceError::Call(aws_login::http::call::CallError::Transport {
            source: TransportError::ReadTimeout { .. },
            attempts: 3,
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn truncated_oversized_malformed_and_html_bodies_are_clear_errors() {
    // Cut off mid-body: a broken connection, retried, then reported.
    let cut = |sent| Answer::CutOff {
        declared: 500,
        sent,
    };
    let (err, seen) = failing(
        vec![cut("<GetCallerIdentityResponse>"), cut("<Get"), cut("")],
        TransportConfig::default(),
    )
    .await;
    assert_eq!(seen, 3);
    assert!(err.to_string().contains("after 3 attempt"), "{err}");

    // A complete response whose XML stops short.
    let (err, _) = failing(
        vec![ok(&IDENTITY[..IDENTITY.len() / 2])],
        TransportConfig::default(),
    )
    .await;
    assert!(
        matches!(
            err,
            ServiceError::Response(ResponseError::Malformed { status: 200, .. })
        ),
        "{err:?}"
    );

    // Larger than the cap: refused, not retried.
    let config = TransportConfig {
        max_body_bytes: 1024,
        ..TransportConfig::default()
    };
    let (err, seen) = failing(vec![ok(&"x".repeat(4096))], config).await;
    assert_eq!(seen, 1);
    assert!(err.to_string().contains("after 1 attempt"), "{err}");
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("larger than 1024 bytes")
    );

    // Malformed XML.
    let (err, _) = failing(
        vec![ok(
            "<GetCallerIdentityResponse><Arn>x</Account></GetCallerIdentityResponse>",
        )],
        TransportConfig::default(),
    )
    .await;
    assert!(err.to_string().contains("XML error"), "{err}");

    // A proxy's HTML error page on 502: retried as transient, then named with its status.
    let html = || Answer::Respond {
        status: 502,
        headers: vec![],
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
    };
    let (err, seen) = failing(vec![html(), html(), html()], TransportConfig::default()).await;
    assert_eq!(seen, 3);
    assert!(err.to_string().contains("HTTP 502"), "{err}");
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_by_one_resigned_retry_and_kept() {
    let server_time = time() + TimeDelta::hours(1);
    let date = server_time.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let skewed = Answer::Respond {
        status: 403,
        headers: vec![("Date", date)],
        body: "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20231114T221320Z is now earlier than 20231114T231820Z</Message></Error><RequestId>s</RequestId></ErrorResponse>".into(),
    };
    let (fake, addr) = start(vec![skewed, ok(IDENTITY), ok(IDENTITY)]).await;
    let ep = endpoint(addr);
    let skew = with_caller(TransportConfig::default(), 0.0, async |caller, _| {
        sts::get_caller_identity(caller, &ep, &keys())
            .await
            .unwrap();
        sts::get_caller_identity(caller, &ep, &keys())
            .await
            .unwrap();
        caller.skew_seconds()
    })
    .await;
    assert_eq!(skew, 3600);
    let dates: Vec<String> = fake
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.headers["x-amz-date"].clone())
        .collect();
    assert_eq!(
        dates,
        ["20231114T221320Z", "20231114T231320Z", "20231114T231320Z"]
    );
}

/// A GetCallerIdentity request built by hand, for the `ApiRequest` options.
fn raw_request<'r>(
    ep: &'r Endpoint,
    creds: &'r Credentials,
) -> aws_login::http::call::ApiRequest<'r> {
    aws_login::http::call::ApiRequest {
        method: hyper::Method::POST,
        endpoint: &ep.url,
        path: "/",
        body: hyper::body::Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15")
            .into(),
        payload_hash: None,
        content_type: "application/x-www-form-urlencoded; charset=utf-8",
        signing: Some((creds, "eu-west-1", "sts")),
        headers: vec![],
        signed_headers: vec![],
        signing_settings: None,
        per_attempt: None,
        idempotent: true,
        max_body_bytes: None,
        error_code: |_| None,
    }
}

#[tokio::test]
async fn signed_headers_and_signing_settings_reach_the_signature() {
    let (fake, addr) = start(vec![ok(IDENTITY)]).await;
    let ep = endpoint(addr);
    let creds = keys();
    let s3 = aws_login::sigv4::SigningSettings::s3();
    with_caller(TransportConfig::default(), 0.0, async |caller, _| {
        let mut req = raw_request(&ep, &creds);
        req.signed_headers = vec![(
            hyper::header::HeaderName::from_static("x-amz-target"),
            hyper::header::HeaderValue::from_static(
                "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
            ),
        )];
        req.signing_settings = Some(&s3);
        caller.call(&req).await.unwrap();
    })
    .await;
    let seen = fake.seen.lock().unwrap().clone();
    let auth = &seen[0].headers["authorization"];
    assert!(auth.contains("x-amz-target"), "{auth}");
    // S3's settings add and sign x-amz-content-sha256.
    assert!(auth.contains("x-amz-content-sha256"), "{auth}");
    assert_eq!(
        seen[0].headers["x-amz-target"],
        "AWSSecurityTokenServiceV20110615.GetCallerIdentity"
    );
}

#[tokio::test]
async fn a_request_that_is_not_idempotent_is_not_sent_again_after_a_cut() {
    let cut = || Answer::CutOff {
        declared: 100,
        sent: "short",
    };
    for (idempotent, sent) in [(true, 3), (false, 1)] {
        let (fake, addr) = start(vec![cut(), cut(), cut()]).await;
        let ep = endpoint(addr);
        let creds = keys();
        with_caller(TransportConfig::default(), 0.0, async |caller, _| {
            let mut req = raw_request(&ep, &creds);
            req.idempotent = idempotent;
            assert!(caller.call(&req).await.is_err());
        })
        .await;
        assert_eq!(
            fake.seen.lock().unwrap().len(),
            sent,
            "idempotent: {idempotent}"
        );
    }
}

#[tokio::test]
async fn a_request_can_cap_its_own_answer() {
    let (_fake, addr) = start(vec![ok(IDENTITY)]).await;
    let ep = endpoint(addr);
    let creds = keys();
    with_caller(TransportConfig::default(), 0.0, async |caller, _| {
        let mut req = raw_request(&ep, &creds);
        req.max_body_bytes = Some(16);
        let err = caller.call(&req).await.unwrap_err();
        assert!(
            matches!(
                err,
                aws_login::http::call::CallError::Transport {
                    source: TransportError::BodyTooLarge { limit: 16, .. },
                    ..
                }
            ),
            "{err:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_metadata_fetch_is_retried_on_5xx_only_as_its_policy_says() {
    use aws_login::http::client::Request;
    use aws_login::http::retry::FetchPolicy;
    let status = |status: u16| Answer::Respond {
        status,
        headers: vec![],
        body: String::new(),
    };
    let policy = FetchPolicy {
        attempts: 3,
        attempt_timeout: Duration::from_secs(5),
        pause: Duration::ZERO,
    };
    // (answers, the status returned, the requests made)
    for (answers, want, made) in [
        (vec![status(500), status(503), ok("done")], 200, 3),
        (vec![status(404)], 404, 1),
        (vec![status(500), status(500), status(500)], 500, 3),
    ] {
        let (fake, addr) = start(answers).await;
        let request = Request {
            method: hyper::Method::GET,
            uri: format!("http://{addr}/latest/meta-data/").parse().unwrap(),
            headers: hyper::HeaderMap::new(),
            body: hyper::body::Bytes::new().into(),
        };
        let got = with_caller(TransportConfig::default(), 0.0, async |caller, trace| {
            let r = caller.fetch(&request, &policy).await.unwrap();
            assert_eq!(
                trace.lock().unwrap().len(),
                made,
                "one trace line per attempt"
            );
            r.status
        })
        .await;
        assert_eq!(got, want);
        assert_eq!(fake.seen.lock().unwrap().len(), made);
    }
}
