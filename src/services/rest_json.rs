//! The restJson protocol (the IAM Identity Center portal now; its OIDC service and the
//! sign-in service next): an operation is a method and a path (its members in the query
//! or a JSON body), the answer a JSON document; an error has its code in the
//! `x-amzn-errortype` header or the body (read by [`super::error::read_aws_error`]).

use hyper::Method;
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue};

use super::error::{ResponseError, ServiceError};
use crate::endpoints::Endpoint;
use crate::http::call::{ApiRequest, Caller};

/// A final answer read: the JSON document of a 2xx, or the error it describes (an AWS
/// error, or `Malformed` when it names no error code or is not JSON).
pub fn read_response(
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Value, ResponseError> {
    if !(200..300).contains(&status) {
        return Err(
            match super::error::read_aws_error(status, error_type, body) {
                Some(error) => ResponseError::Aws(error),
                None => ResponseError::Malformed {
                    status,
                    detail: format!("error status with no error code ({} bytes)", body.len()),
                },
            },
        );
    }
    // An operation without output (the portal's Logout) answers with no body at all.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(body).map_err(|_| ResponseError::Malformed {
        status,
        detail: "body is not JSON".into(),
    })
}

/// One restJson call, unsigned (the portal and OIDC authorize with a bearer token or
/// client secret in `headers` or `body`): `method` on `path` (with its query), the JSON
/// `body` if any, with the transport's retries; the answer read with [`read_response`]
/// and then `parse` (status, document). Errors: the endpoint refused by configuration,
/// the call (network, retries spent), or the answer's.
pub async fn call<T>(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
    parse: fn(u16, &serde_json::Value) -> Result<T, ResponseError>,
) -> Result<T, ServiceError> {
    if let Some(refused) = &endpoint.refused {
        return Err(ServiceError::Endpoint(refused.clone()));
    }
    let request = ApiRequest {
        method,
        endpoint: &endpoint.url,
        path,
        body: body
            .map_or_else(Bytes::new, |b| Bytes::from(b.to_string()))
            .into(),
        payload_hash: None,
        content_type: "application/json",
        signing: None,
        headers,
        signed_headers: Vec::new(),
        signing_settings: None,
        per_attempt: None,
        idempotent: true,
        max_body_bytes: None,
        error_code: super::error::error_code,
    };
    let (status, document) = send(caller, &request).await?;
    Ok(parse(status, &document)?)
}

/// Sends `request` (built by a JSON-protocol client: restJson, awsJson) and reads its
/// answer: the status and document of a 2xx, or the error it names (the
/// `x-amzn-errortype` header or the body, as [`read_response`] reads it).
pub async fn send(
    caller: &Caller<'_>,
    request: &ApiRequest<'_>,
) -> Result<(u16, serde_json::Value), ServiceError> {
    let answer = caller.call(request).await?.response;
    let error_type = answer
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    let document = read_response(answer.status, error_type, &answer.body)?;
    Ok((answer.status, document))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_a_document_or_the_error_they_name() {
        assert_eq!(
            read_response(200, None, br#"{"a":1}"#).unwrap()["a"],
            serde_json::json!(1)
        );
        assert_eq!(
            read_response(200, None, b"").unwrap(),
            serde_json::Value::Null
        );
        assert!(matches!(
            read_response(200, None, b"<html>"),
            Err(ResponseError::Malformed { status: 200, .. })
        ));
        match read_response(403, Some("ForbiddenException:x"), br#"{"message":"no"}"#) {
            Err(ResponseError::Aws(e)) => {
                assert_eq!(
                    (e.code.as_str(), e.message.as_str()),
                    ("ForbiddenException", "no")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_response(502, None, b"bad gateway"),
            Err(ResponseError::Malformed { status: 502, .. })
        ));
    }
}
