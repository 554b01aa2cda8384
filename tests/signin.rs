//! The console federation endpoint against the mock: the exact getSigninToken request
//! (unsigned, the session in the query, SessionDuration or none), the token read from
//! its answer, and an HTML page, a 4xx and JSON without SigninToken refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use aws_login::credentials::Credentials;
use aws_login::endpoints::{Endpoint, EndpointSource};
use aws_login::secret::SecretString;
use aws_login::services::signin::{get_signin_token, get_signin_token_path};
use aws_login::services::{ResponseError, ServiceError};
use common::caller::{loopback_client, test_caller};
use common::mock::{ok, reply, start};
use common::sign_in_service::dpop_check;

#[tokio::test]
async fn get_signin_token_is_sent_as_the_federation_endpoint_expects() {
    let (mock, addr) = start(vec![
        ok(r#"{"SigninToken":"SIGNIN-TOKEN"}"#),
        reply(200, "<html>sign-in is down</html>"),
        reply(400, "<html>Bad request</html>"),
        ok(r#"{"NotAToken":1}"#),
    ])
    .await;
    let client = loopback_client();
    let caller = test_caller(&client);
    let endpoint = Endpoint {
        url: format!("http://{addr}"),
        signing_region: "us-east-1".into(),
        source: EndpointSource::ServiceEnv,
        refused: None,
    };
    let creds = Credentials::new(
        "ASIAEXAMPLE",
        "PLANTED-SECRET",
        Some(SecretString::new("PLANTED-TOKEN")),
        None,
    );
    let path = get_signin_token_path(&creds, Some(7200)).unwrap();
    let token = get_signin_token(&caller, &endpoint, &path).await.unwrap();
    assert_eq!(token.expose(), "SIGNIN-TOKEN");
    {
        let seen = mock.seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!(request.method(), "GET");
        assert!(request.header("authorization").is_none(), "unsigned");
        assert!(
            request
                .target()
                .starts_with("/federation?Action=getSigninToken&SessionDuration=7200&Session=%7B%22sessionId%22%3A%22ASIAEXAMPLE%22"),
            "{}",
            request.target()
        );
    }
    for _ in 0..3 {
        let err = get_signin_token(&caller, &endpoint, &path)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                ServiceError::Response(
                    ResponseError::Malformed { .. } | ResponseError::MissingField { .. }
                )
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains("PLANTED"), "{err}");
    }
}

#[tokio::test]
async fn a_session_is_refreshed_with_a_dpop_proof_the_service_accepts() {
    use aws_login::services::signin::dpop::DpopKey;
    use aws_login::services::signin::token::{Denied, TokenError, refresh};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    // The test caller's fixed clock: each proof is dated by it.
    let now = 1_800_000_000;
    let fails_once = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (_, addr) = {
        let seen = seen.clone();
        let log = log.clone();
        let fails_once = fails_once.clone();
        common::mock::serve_with(move |req| {
            let url = format!("http://{}/v1/token", req.header("host").unwrap_or_default());
            let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
            match dpop_check(req, &url, now, &seen) {
                Ok(()) if body["refreshToken"] == "FLAKY"
                    && fails_once.swap(false, std::sync::atomic::Ordering::SeqCst) =>
                {
                    log.lock().unwrap().push("ok, then 500".into());
                    reply(500, r#"{"message":"internal error"}"#)
                }
                Err(why) => {
                    log.lock().unwrap().push(why);
                    reply(400, r#"{"error":"invalid_request","message":"bad dpop"}"#)
                }
                Ok(()) if body["refreshToken"] == "EXPIRED" => {
                    log.lock().unwrap().push("ok".into());
                    reply(403, r#"{"error":"TOKEN_EXPIRED","message":"expired"}"#)
                        .with_header("x-amzn-errortype", "AccessDeniedException:")
                }
                Ok(()) => {
                    log.lock().unwrap().push("ok".into());
                    ok(r#"{"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"S","sessionToken":"T"},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"R2"}"#)
                }
            }
        })
        .await
    };
    let client = loopback_client();
    let caller = test_caller(&client);
    let endpoint = Endpoint {
        url: format!("http://{addr}"),
        signing_region: "us-east-1".into(),
        source: EndpointSource::ServiceEnv,
        refused: None,
    };
    let key = DpopKey::from_bytes(&[7u8; 32]).unwrap();
    let client_id = "arn:aws:signin:::devtools/same-device";
    let ids = std::cell::Cell::new(0);
    let fresh_id = || {
        ids.set(ids.get() + 1);
        Some(format!("jti-{}", ids.get()))
    };
    let refreshed = refresh(
        &caller,
        &endpoint,
        &key,
        client_id,
        &SecretString::new("R1"),
        &fresh_id,
    )
    .await
    .unwrap();
    assert_eq!(refreshed.access_key_id, "ASIANEW");
    assert_eq!(refreshed.refresh_token.expose(), "R2");
    // The same proof id again: refused by the service, as a replay.
    let replay = refresh(
        &caller,
        &endpoint,
        &key,
        client_id,
        &SecretString::new("R1"),
        &|| Some("jti-1".to_owned()),
    )
    .await;
    assert!(replay.is_err());
    // A 500 is retried with a proof of its own (the first attempt's would be a replay).
    let retried = refresh(
        &caller,
        &endpoint,
        &key,
        client_id,
        &SecretString::new("FLAKY"),
        &fresh_id,
    )
    .await;
    assert!(retried.is_ok(), "{retried:?}");
    let expired = refresh(
        &caller,
        &endpoint,
        &key,
        client_id,
        &SecretString::new("EXPIRED"),
        &fresh_id,
    )
    .await;
    assert!(matches!(
        expired,
        Err(TokenError::Denied(Denied::SignInAgain(_)))
    ));
    // No proof id (the random source failed): nothing is sent.
    let no_id = refresh(
        &caller,
        &endpoint,
        &key,
        client_id,
        &SecretString::new("R1"),
        &|| None,
    )
    .await;
    assert!(no_id.is_err());
    assert_eq!(
        *log.lock().unwrap(),
        ["ok", "jti reused", "ok, then 500", "ok", "ok"]
    );
}
