//! What a service answered instead of a result: an AWS error, or a body that could not be
//! read. Messages never quote a response body, which may hold credentials.

use std::fmt;

/// An error AWS returned: `<ErrorResponse>` (STS, IAM) or `<Response><Errors>` (EC2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The HTTP status of the response.
    pub status: u16,
    /// `Sender` or `Receiver`, when the service says.
    pub kind: Option<String>,
    /// The error code: `AccessDenied`, `ExpiredToken`, `Throttling`...
    pub code: String,
    /// The service's message.
    pub message: String,
    /// The request id, for AWS support and CloudTrail.
    pub request_id: Option<String>,
}

impl AwsError {
    /// A hint for the user where the code has a common cause.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "SignatureDoesNotMatch" => {
                "check the secret access key, and that nothing rewrites the request on its way (proxy)"
            }
            "InvalidClientTokenId" | "UnrecognizedClientException" => {
                "the access key id is not known to AWS: is it deleted, or from another partition?"
            }
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
                "the credentials or the request have expired: get new credentials, and check the clock"
            }
            "AccessDenied" | "AccessDeniedException" => {
                "the identity lacks permission, or the role's trust policy does not allow it"
            }
            "RegionDisabledException" => "STS is not activated in this region for the account",
            "UnauthorizedException" => {
                "the SSO sign-in is no longer valid: run `aws-login sso login` (or `aws sso login`) again"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.trim().is_empty() {
            write!(f, "{} (HTTP {}", self.code, self.status)?;
        } else {
            write!(f, "{}: {} (HTTP {}", self.code, self.message, self.status)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        f.write_str(")")?;
        if let Some(hint) = self.hint() {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AwsError {}

/// The AWS error a response describes, whatever its protocol: the one reader, used for
/// the results (each service's parser) and for retry decisions ([`error_code`]).
/// - Query XML (STS, IAM, EC2): `<Error><Code>`, `<Message>`, `<Type>`, and the request
///   id (`RequestId`, EC2's `RequestID`);
/// - JSON (restJson, awsJson, OAuth): the `x-amzn-errortype` header (`Code:detail`), else
///   the body's `__type` (namespaced as `com.amazon.coral#Code`), `code` or `error`
///   (RFC 6749 §5.2); the message from `message`, `Message` or `error_description`.
///
/// `None` when the response names no error code (an HTML error page, an empty body).
pub(crate) fn read_aws_error(
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
) -> Option<AwsError> {
    let text = std::str::from_utf8(body).unwrap_or_default();
    if text.trim_start().starts_with('<') {
        return super::xml::Leaves::parse(status, body)
            .ok()?
            .aws_error(status);
    }
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| json.get(n).and_then(serde_json::Value::as_str))
            .map(str::to_owned)
    };
    let code = error_type
        .map(|t| t.split(':').next().unwrap_or(t).to_owned())
        .filter(|t| !t.is_empty())
        .or_else(|| field(&["__type", "code", "error"]))
        .map(|c| c.rsplit('#').next().unwrap_or(&c).to_owned())?;
    Some(AwsError {
        status,
        kind: None,
        code,
        message: field(&["message", "Message", "error_description"]).unwrap_or_default(),
        request_id: None,
    })
}

/// Only the error code of a response (see [`read_aws_error`]): what the retry policy
/// and the clock-skew check look at.
pub(crate) fn error_code(response: &crate::http::client::Response) -> Option<String> {
    let error_type = response
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    read_aws_error(response.status, error_type, &response.body).map(|e| e.code)
}

/// A response that is not the expected result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// AWS answered with an error.
    Aws(AwsError),
    /// The body is not well-formed XML (an HTML error page, a cut-off body...).
    Malformed {
        /// The HTTP status of the response.
        status: u16,
        /// What is wrong, without the body's content.
        detail: String,
    },
    /// The XML lacks an element the result needs.
    MissingField {
        /// The HTTP status of the response.
        status: u16,
        /// The element, as a path below the result element.
        field: &'static str,
    },
    /// An element holds a value that does not parse (a date, a number).
    InvalidField {
        /// The HTTP status of the response.
        status: u16,
        /// The element, as a path below the result element.
        field: &'static str,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Aws(e) => e.fmt(f),
            Self::Malformed { status, detail } => {
                write!(f, "unreadable response (HTTP {status}): {detail}")
            }
            Self::MissingField { status, field } => {
                write!(f, "response (HTTP {status}) lacks {field}")
            }
            Self::InvalidField { status, field } => {
                write!(f, "response (HTTP {status}) has an invalid {field}")
            }
        }
    }
}

impl ResponseError {
    /// Its kind: AWS's error, or an answer that is not what the protocol promises (the
    /// network's: a proxy or a wrong endpoint is the usual cause).
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Aws(_) => crate::error_kind::ErrorKind::Aws,
            _ => crate::error_kind::ErrorKind::Network,
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // `Aws` shows the AWS error itself, so it has no further cause to list.
        None
    }
}

/// A service call that failed: no final response, or a response that is not the result.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServiceError {
    /// The request breaks the service model's constraints, so it was not sent.
    Invalid(super::constraints::ParamError),
    /// The endpoint's settings forbid sending (an invalid `AWS_STS_REGIONAL_ENDPOINTS`).
    Endpoint(crate::endpoints::EndpointError),
    /// The request got no final HTTP response (connection, timeout, signing).
    Call(crate::http::call::CallError),
    /// The response is an AWS error or unreadable.
    Response(ResponseError),
}

impl From<super::constraints::ParamError> for ServiceError {
    fn from(e: super::constraints::ParamError) -> Self {
        Self::Invalid(e)
    }
}

impl ResponseError {
    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        match self {
            Self::Aws(e) => e.status,
            Self::Malformed { status, .. }
            | Self::MissingField { status, .. }
            | Self::InvalidField { status, .. } => *status,
        }
    }
}

impl ServiceError {
    /// The AWS error, when the service answered with one.
    pub fn aws(&self) -> Option<&AwsError> {
        match self {
            Self::Response(ResponseError::Aws(e)) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "not sent: {e}"),
            Self::Endpoint(e) => write!(f, "not sent: {e}"),
            Self::Call(e) => e.fmt(f),
            Self::Response(e) => e.fmt(f),
        }
    }
}

impl ServiceError {
    /// Its kind: nothing sent is a usage error; else the call's or the answer's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Invalid(_) | Self::Endpoint(_) => crate::error_kind::ErrorKind::Usage,
            Self::Call(e) => e.kind(),
            Self::Response(e) => e.kind(),
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid(_) | Self::Endpoint(_) => None,
            Self::Call(e) => e.source(),
            Self::Response(e) => e.source(),
        }
    }
}

impl From<crate::http::call::CallError> for ServiceError {
    fn from(e: crate::http::call::CallError) -> Self {
        Self::Call(e)
    }
}

impl From<ResponseError> for ServiceError {
    fn from(e: ResponseError) -> Self {
        Self::Response(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reader_for_xml_json_and_the_header() {
        let code = |header: Option<&str>, body: &[u8]| {
            read_aws_error(400, header, body).map(|e| (e.code, e.message))
        };
        assert_eq!(
            code(None, b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>slow down</Message></Error><RequestId>r1</RequestId></ErrorResponse>"),
            Some(("Throttling".into(), "slow down".into()))
        );
        // EC2's shape.
        assert_eq!(
            code(None, b"<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>m</Message></Error></Errors><RequestID>r2</RequestID></Response>"),
            Some(("InvalidInstanceID.NotFound".into(), "m".into()))
        );
        assert_eq!(
            code(
                None,
                br#"{"__type":"com.amazon.coral.service#ThrottlingException","message":"x"}"#
            ),
            Some(("ThrottlingException".into(), "x".into()))
        );
        assert_eq!(
            code(
                None,
                br#"{"error":"authorization_pending","error_description":"wait"}"#
            ),
            Some(("authorization_pending".into(), "wait".into()))
        );
        assert_eq!(
            code(
                Some("UnauthorizedException:http://internal.amazon.com/"),
                br#"{"message":"Session token not found or invalid"}"#
            ),
            Some((
                "UnauthorizedException".into(),
                "Session token not found or invalid".into()
            ))
        );
        assert_eq!(code(None, b"<html>502</html>"), None);
        assert_eq!(code(None, b""), None);
        assert_eq!(code(Some(""), b"{}"), None);
    }
}
