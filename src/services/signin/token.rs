//! The Sign-In service's CreateOAuth2Token for a refresh (restJson: `POST /v1/token`,
//! unsigned, a DPoP proof in the `DPoP` header). The model's `tokenInput` and
//! `tokenOutput` are the HTTP payloads themselves: the body is
//! `{"clientId","refreshToken","grantType":"refresh_token"}`, the answer
//! `{"accessToken":{accessKeyId, secretAccessKey, sessionToken}, "tokenType",
//! "expiresIn", "refreshToken", "idToken"?}`; and `AccessDeniedException`'s `error` read
//! into what the user must do (botocore's `LoginCredentialFetcher`; the service model
//! `signin` 2023-01-01). Builder and parser pure; the call a thin function.

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::super::ServiceError;
use super::super::error::ResponseError;
use super::dpop::DpopKey;
use crate::endpoints::Endpoint;
use crate::http::call::{ApiRequest, Caller};
use crate::provider::login_cache::Refreshed;
use crate::secret::SecretString;

/// The path of CreateOAuth2Token.
pub const TOKEN_PATH: &str = "/v1/token";

/// The AWS managed policy that allows CreateOAuth2Token (`signin:CreateOAuth2Token`).
pub const POLICY: &str = "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess";

/// What an `AccessDeniedException` of CreateOAuth2Token means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// `TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`: the session is over; sign in again.
    SignInAgain(String),
    /// `INSUFFICIENT_PERMISSIONS`: the identity lacks [`POLICY`].
    InsufficientPermissions,
    /// Another error code.
    Other(String),
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignInAgain(code) => write!(
                f,
                "the console session is over ({code}): sign in again with `aws-login login` (or `aws login`)"
            ),
            Self::InsufficientPermissions => write!(
                f,
                "the identity may not refresh its console session (INSUFFICIENT_PERMISSIONS): it needs the managed policy {POLICY}"
            ),
            Self::Other(code) => write!(f, "the sign-in service refused the refresh ({code})"),
        }
    }
}

impl std::error::Error for Denied {}

/// The body of a refresh (a secret: it holds the refresh token).
pub fn refresh_body(client_id: &str, refresh_token: &SecretString) -> SecretString {
    SecretString::new(
        serde_json::json!({
            "clientId": client_id,
            "refreshToken": refresh_token.expose(),
            "grantType": "refresh_token",
        })
        .to_string(),
    )
}

/// Reads a 200 answer.
pub fn parse_refresh(status: u16, json: &serde_json::Value) -> Result<Refreshed, ResponseError> {
    let field = |path: &str, name: &'static str| {
        json.pointer(path)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(ResponseError::MissingField {
                status,
                field: name,
            })
    };
    Ok(Refreshed {
        access_key_id: field("/accessToken/accessKeyId", "accessKeyId")?,
        secret_access_key: SecretString::new(field(
            "/accessToken/secretAccessKey",
            "secretAccessKey",
        )?),
        session_token: SecretString::new(field("/accessToken/sessionToken", "sessionToken")?),
        expires_in: json
            .pointer("/expiresIn")
            .and_then(serde_json::Value::as_i64)
            .filter(|s| *s > 0)
            .ok_or(ResponseError::MissingField {
                status,
                field: "expiresIn",
            })?,
        refresh_token: SecretString::new(field("/refreshToken", "refreshToken")?),
    })
}

/// What an `AccessDeniedException` body says (its `error` member).
pub fn denied(body: &serde_json::Value) -> Denied {
    match body.get("error").and_then(serde_json::Value::as_str) {
        Some(code @ ("TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED")) => {
            Denied::SignInAgain(code.to_owned())
        }
        Some("INSUFFICIENT_PERMISSIONS") => Denied::InsufficientPermissions,
        Some(other) => Denied::Other(other.to_owned()),
        None => Denied::Other("no error code".to_owned()),
    }
}

/// Why a refresh failed.
#[derive(Debug)]
pub enum RefreshError {
    /// The service said no, and what to do.
    Denied(Denied),
    /// The call failed or its answer could not be read.
    Service(ServiceError),
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Denied(d) => d.fmt(f),
            Self::Service(_) => f.write_str("CreateOAuth2Token failed"),
        }
    }
}

impl std::error::Error for RefreshError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Denied(_) => None,
            Self::Service(e) => Some(e),
        }
    }
}

/// Refreshes a session: CreateOAuth2Token on `endpoint`, with a DPoP proof made with
/// `key` at `iat` unique by `jti`.
pub async fn refresh(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    key: &DpopKey,
    client_id: &str,
    refresh_token: &SecretString,
    iat: i64,
    jti: &str,
) -> Result<Refreshed, RefreshError> {
    if let Some(refused) = &endpoint.refused {
        return Err(RefreshError::Service(ServiceError::Endpoint(
            refused.clone(),
        )));
    }
    let url = format!("{}{TOKEN_PATH}", endpoint.url.trim_end_matches('/'));
    let proof = key.proof("POST", &url, iat, jti);
    let dpop = HeaderValue::from_str(&proof).map_err(|_| {
        RefreshError::Service(ServiceError::Response(ResponseError::Malformed {
            status: 0,
            detail: "the DPoP proof is not a header value".into(),
        }))
    })?;
    let body = refresh_body(client_id, refresh_token);
    let request = ApiRequest {
        method: Method::POST,
        endpoint: &endpoint.url,
        path: TOKEN_PATH,
        body: hyper::body::Bytes::from(body.expose().to_owned()),
        content_type: "application/json",
        signing: None,
        headers: vec![(HeaderName::from_static("dpop"), dpop)],
        signed_headers: Vec::new(),
        signing_settings: None,
        // A proof is good once (its jti): a retry would be refused as a replay, and a
        // refresh token may be spent. Only failures before sending are retried.
        idempotent: false,
        max_body_bytes: Some(64 * 1024),
        error_code: super::super::error::error_code,
    };
    let answer = caller
        .call(&request)
        .await
        .map_err(|e| RefreshError::Service(e.into()))?
        .response;
    let error_type = answer
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    if answer.status == 403 || error_type.is_some_and(|t| t.starts_with("AccessDeniedException")) {
        let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        return Err(RefreshError::Denied(denied(&json)));
    }
    let json = super::super::rest_json::read_response(answer.status, error_type, &answer.body)
        .map_err(|e| RefreshError::Service(e.into()))?;
    parse_refresh(answer.status, &json).map_err(|e| RefreshError::Service(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_is_asked_for_and_read_as_the_model_has_it() {
        let body = refresh_body(
            "arn:aws:signin:::devtools/same-device",
            &SecretString::new("R1"),
        );
        assert_eq!(
            body.expose(),
            r#"{"clientId":"arn:aws:signin:::devtools/same-device","grantType":"refresh_token","refreshToken":"R1"}"#
        );
        assert!(!format!("{body:?}").contains("R1"));
        let answer = serde_json::json!({
            "accessToken": {"accessKeyId": "ASIA2", "secretAccessKey": "S2", "sessionToken": "T2"},
            "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": "R2"});
        let refreshed = parse_refresh(200, &answer).unwrap();
        assert_eq!(refreshed.access_key_id, "ASIA2");
        assert_eq!(refreshed.expires_in, 900);
        assert_eq!(refreshed.refresh_token.expose(), "R2");
        assert!(matches!(
            parse_refresh(200, &serde_json::json!({})),
            Err(ResponseError::MissingField {
                field: "accessKeyId",
                ..
            })
        ));
    }

    #[test]
    fn each_denial_says_what_to_do() {
        let said = |code: &str| denied(&serde_json::json!({"error": code, "message": "m"}));
        assert_eq!(
            said("TOKEN_EXPIRED"),
            Denied::SignInAgain("TOKEN_EXPIRED".into())
        );
        assert_eq!(
            said("USER_CREDENTIALS_CHANGED"),
            Denied::SignInAgain("USER_CREDENTIALS_CHANGED".into())
        );
        assert_eq!(
            said("INSUFFICIENT_PERMISSIONS"),
            Denied::InsufficientPermissions
        );
        assert!(
            said("INSUFFICIENT_PERMISSIONS")
                .to_string()
                .contains(POLICY)
        );
        assert_eq!(said("invalid_grant"), Denied::Other("invalid_grant".into()));
    }
}
