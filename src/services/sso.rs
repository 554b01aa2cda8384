//! The IAM Identity Center portal: GetRoleCredentials (`GET /federation/credentials`) and
//! Logout (`POST /logout`), the access token in `x-amz-sso_bearer_token`, unsigned;
//! builders and parsers.

use chrono::DateTime;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::error::{ResponseError, ServiceError};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::sigv4::encode_query_component;

/// The path and query of GetRoleCredentials.
pub fn get_role_credentials_path(account_id: &str, role_name: &str) -> String {
    let mut path = String::from("/federation/credentials?account_id=");
    encode_query_component(&mut path, account_id);
    path.push_str("&role_name=");
    encode_query_component(&mut path, role_name);
    path
}

/// Parses a GetRoleCredentials response (status, `x-amzn-errortype`, body).
pub fn parse_get_role_credentials(
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
) -> Result<Credentials, ResponseError> {
    role_credentials(
        status,
        &super::rest_json::read_response(status, error_type, body)?,
    )
}

/// The credentials in a GetRoleCredentials document.
fn role_credentials(status: u16, json: &serde_json::Value) -> Result<Credentials, ResponseError> {
    let creds = json
        .get("roleCredentials")
        .ok_or(ResponseError::MissingField {
            status,
            field: "roleCredentials",
        })?;
    let text = |k: &'static str| {
        creds
            .get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or(ResponseError::MissingField { status, field: k })
    };
    let expiration = creds
        .get("expiration")
        .and_then(serde_json::Value::as_i64)
        .and_then(DateTime::from_timestamp_millis)
        .ok_or(ResponseError::InvalidField {
            status,
            field: "expiration",
        })?;
    Ok(Credentials::new(
        text("accessKeyId")?,
        text("secretAccessKey")?,
        Some(SecretString::new(text("sessionToken")?)),
        Some(expiration),
    ))
}

/// Calls GetRoleCredentials with an SSO access token.
pub async fn get_role_credentials(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials, ServiceError> {
    let token =
        HeaderValue::from_str(access_token.expose()).map_err(|_| ResponseError::Malformed {
            status: 0,
            detail: "the SSO access token is not a valid header value".into(),
        })?;
    let path = get_role_credentials_path(account_id, role_name);
    super::rest_json::call(
        caller,
        endpoint,
        Method::GET,
        &path,
        None,
        vec![(HeaderName::from_static("x-amz-sso_bearer_token"), token)],
        role_credentials,
    )
    .await
}

/// Calls Logout (`POST /logout`, the access token in `x-amz-sso_bearer_token`): the
/// token and the role credentials it gave stop working.
pub async fn logout(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
) -> Result<(), ServiceError> {
    let token =
        HeaderValue::from_str(access_token.expose()).map_err(|_| ResponseError::Malformed {
            status: 0,
            detail: "the SSO access token is not a valid header value".into(),
        })?;
    super::rest_json::call(
        caller,
        endpoint,
        Method::POST,
        "/logout",
        None,
        vec![(HeaderName::from_static("x-amz-sso_bearer_token"), token)],
        |_, _| Ok(()),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses_get_role_credentials() {
        assert_eq!(
            get_role_credentials_path("111122223333", "Power User"),
            "/federation/credentials?account_id=111122223333&role_name=Power%20User"
        );
        let c = parse_get_role_credentials(200, None, br#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"S","sessionToken":"T","expiration":1700000000000}}"#).unwrap();
        assert_eq!(c.access_key_id(), "ASIASSO");
        assert_eq!(c.expiration().map(|e| e.timestamp()), Some(1_700_000_000));
        let err = parse_get_role_credentials(
            401,
            Some("UnauthorizedException:http://internal.amazon.com/"),
            br#"{"message":"Session token not found or invalid"}"#,
        )
        .unwrap_err();
        match err {
            ResponseError::Aws(e) => assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                (
                    "UnauthorizedException",
                    "Session token not found or invalid"
                )
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_get_role_credentials(200, None, b"{}"),
            Err(ResponseError::MissingField {
                field: "roleCredentials",
                ..
            })
        ));
    }
}
