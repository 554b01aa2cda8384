//! SSM's GetParameter (the awsJson1.1 protocol: `POST /`, `X-Amz-Target:
//! AmazonSSM.GetParameter`, a JSON body), for the public AMI aliases AWS publishes as
//! parameters (`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`).
//! Builder and parser pure, the call a thin function.

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::{ResponseError, ServiceError};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::{ApiRequest, Caller};

/// The body of GetParameter for `name`.
pub fn get_parameter_body(name: &str) -> String {
    serde_json::json!({ "Name": name }).to_string()
}

/// The parameter's `Value` from a GetParameter answer.
pub fn parse_get_parameter(json: &serde_json::Value, status: u16) -> Result<String, ResponseError> {
    json.pointer("/Parameter/Value")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or(ResponseError::MissingField {
            status,
            field: "Parameter.Value",
        })
}

/// Calls GetParameter: the parameter's value.
pub async fn get_parameter(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    name: &str,
) -> Result<String, ServiceError> {
    if let Some(refused) = &endpoint.refused {
        return Err(ServiceError::Endpoint(refused.clone()));
    }
    let request = ApiRequest {
        method: Method::POST,
        endpoint: &endpoint.url,
        path: "/",
        body: hyper::body::Bytes::from(get_parameter_body(name)).into(),
        payload_hash: None,
        content_type: "application/x-amz-json-1.1",
        signing: Some((credentials, endpoint.signing_region.as_str(), "ssm")),
        headers: Vec::new(),
        signed_headers: vec![(
            HeaderName::from_static("x-amz-target"),
            HeaderValue::from_static("AmazonSSM.GetParameter"),
        )],
        signing_settings: None,
        per_attempt: None,
        idempotent: true,
        max_body_bytes: Some(256 * 1024),
        error_code: super::error::error_code,
    };
    let (status, json) = super::rest_json::send(caller, &request).await?;
    Ok(parse_get_parameter(&json, status)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_is_asked_for_and_read() {
        assert_eq!(
            get_parameter_body(
                "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
            ),
            r#"{"Name":"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}"#
        );
        let answer = serde_json::json!({"Parameter": {"Name": "/x", "Type": "String", "Value": "ami-0abc", "Version": 3}});
        assert_eq!(parse_get_parameter(&answer, 200).unwrap(), "ami-0abc");
        assert!(parse_get_parameter(&serde_json::json!({}), 200).is_err());
    }
}
