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
