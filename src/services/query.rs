//! Bodies of Query-protocol requests (STS, EC2): `Action=...&Version=...&Name=Value`,
//! form-encoded as the SDKs send them (RFC 3986 unreserved characters kept, `%20` for a
//! space). The body may hold secrets (an MFA code, a web identity token), so its `Debug`
//! shows the action only.

use std::fmt;

use hyper::Method;
use hyper::body::Bytes;

use super::error::{ResponseError, ServiceError};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::{ApiRequest, Caller};
use crate::sigv4::encode_query_component;

/// The form content type of Query-protocol requests.
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// One Query-protocol call (STS, EC2): POSTs `form` to `endpoint`'s `/`, signed for
/// `service` in the endpoint's signing region with `credentials` (or unsigned), with the
/// transport's retries, and reads the final answer with `parse` (status, body). Errors:
/// the endpoint refused by configuration, the call itself (network, retries spent), or
/// what `parse` says (an AWS error, a body it cannot read).
pub async fn call<T>(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    service: &str,
    form: QueryForm,
    credentials: Option<&Credentials>,
    parse: fn(u16, &[u8]) -> Result<T, ResponseError>,
) -> Result<T, ServiceError> {
    call_once_or_more(caller, endpoint, service, form, credentials, parse, true).await
}

/// [`call`] for an action that sending twice may not be harmless (`ec2 call` of an
/// action that changes something and has no client token): when `idempotent` is false,
/// only failures before the request could reach the service are retried.
pub async fn call_once_or_more<T>(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    service: &str,
    form: QueryForm,
    credentials: Option<&Credentials>,
    parse: fn(u16, &[u8]) -> Result<T, ResponseError>,
    idempotent: bool,
) -> Result<T, ServiceError> {
    if let Some(refused) = &endpoint.refused {
        return Err(ServiceError::Endpoint(refused.clone()));
    }
    let request = ApiRequest {
        method: Method::POST,
        endpoint: &endpoint.url,
        path: "/",
        body: Bytes::from(form.into_string()).into(),
        payload_hash: None,
        content_type: FORM,
        signing: credentials.map(|c| (c, endpoint.signing_region.as_str(), service)),
        headers: Vec::new(),
        signed_headers: Vec::new(),
        signing_settings: None,
        per_attempt: None,
        // aws-login's own Query calls read, ask for a session, or carry a ClientToken
        // (RunInstances): sending them twice is harmless.
        idempotent,
        max_body_bytes: None,
        error_code: super::error::error_code,
    };
    let answer = caller.call(&request).await?;
    Ok(parse(answer.response.status, &answer.response.body)?)
}

/// A form body under construction.
#[derive(Clone, PartialEq, Eq)]
pub struct QueryForm {
    body: String,
    action_len: usize,
}

impl QueryForm {
    /// `Action=action&Version=version`.
    pub fn new(action: &str, version: &str) -> Self {
        let mut body = String::with_capacity(64);
        body.push_str("Action=");
        encode_query_component(&mut body, action);
        let action_len = body.len();
        body.push_str("&Version=");
        encode_query_component(&mut body, version);
        Self { body, action_len }
    }

    /// Appends `&name=value`.
    pub fn param(&mut self, name: &str, value: &str) -> &mut Self {
        self.body.push('&');
        encode_query_component(&mut self.body, name);
        self.body.push('=');
        encode_query_component(&mut self.body, value);
        self
    }

    /// Appends `&name=value` when there is a value.
    pub fn opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.param(name, v);
        }
        self
    }

    /// The encoded body.
    pub fn as_str(&self) -> &str {
        &self.body
    }

    /// The encoded body, owned.
    pub fn into_string(self) -> String {
        self.body
    }
}

impl fmt::Debug for QueryForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryForm({}&...)", &self.body[..self.action_len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_sdks() {
        let mut form = QueryForm::new("AssumeRole", "2011-06-15");
        form.param("RoleSessionName", "a b/c+d=é~")
            .opt("ExternalId", None)
            .opt("TokenCode", Some("123456"));
        assert_eq!(
            form.as_str(),
            "Action=AssumeRole&Version=2011-06-15&RoleSessionName=a%20b%2Fc%2Bd%3D%C3%A9~&TokenCode=123456"
        );
        assert_eq!(format!("{form:?}"), "QueryForm(Action=AssumeRole&...)");
    }
}
