//! What the one transport is asked to do for an AWS API call ([`ApiRequest`]: endpoint,
//! body, signing, retry safety) and what it gives back ([`CallResponse`]).

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::client::{Body, Response};
use crate::credentials::Credentials;
use crate::sigv4::SigningSettings;

/// A request to an AWS endpoint.
pub struct ApiRequest<'r> {
    /// `POST` for the Query protocol.
    pub method: Method,
    /// The endpoint URL (`https://sts.eu-west-1.amazonaws.com`).
    pub endpoint: &'r str,
    /// The path below the endpoint (`/`).
    pub path: &'r str,
    /// The body: bytes, or a file streamed from disk (`aws-login request -d @FILE`).
    pub body: Body,
    /// The payload's hash for the signature when it is not hashed from the bytes: a
    /// file body's SHA-256 (hex, computed beforehand in one pass) or `UNSIGNED-PAYLOAD`.
    /// `None`: the bytes are hashed (a file body then cannot be signed).
    pub payload_hash: Option<&'r str>,
    /// The `Content-Type` (empty: none is sent).
    pub content_type: &'r str,
    /// The SigV4 service name and region; `None` sends the request unsigned
    /// (AssumeRoleWithWebIdentity, SSO portal calls).
    pub signing: Option<(&'r Credentials, &'r str, &'r str)>,
    /// Extra headers, not signed (the SSO bearer token...).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Extra headers that are signed too (`x-amz-target` of the JSON protocols...).
    pub signed_headers: Vec<(HeaderName, HeaderValue)>,
    /// How to sign (S3's single encoding, an unsigned payload...); `None`: the default
    /// settings of every service but S3.
    pub signing_settings: Option<&'r SigningSettings>,
    /// A header made anew for each attempt, not signed: a DPoP proof (RFC 9449), which
    /// is good for one request only, so a retry sent with the first attempt's would be
    /// refused as a replay. `None` from the maker fails the call before sending.
    pub per_attempt: Option<PerAttemptHeader<'r>>,
    /// Whether sending it twice is harmless. When it is not (launching instances
    /// without a client token), only failures that happened before the request could
    /// reach the service (no connection made) are retried; a cut or silent connection
    /// is not, since the service may have acted on it.
    pub idempotent: bool,
    /// The largest answer taken, in bytes; `None`: the transport's cap.
    pub max_body_bytes: Option<usize>,
    /// Reads the AWS error code of a failed response, for the retry policy and the
    /// clock-skew check: the protocol's reader, given by the service layer
    /// (`services::error::error_code`).
    pub error_code: ErrorCodeReader,
}

/// A header's name and what makes its value for one attempt (`None`: it cannot be made).
pub type PerAttemptHeader<'r> = (HeaderName, &'r dyn Fn() -> Option<HeaderValue>);

/// How a service's protocol names the error of a response (`Throttling`...).
pub type ErrorCodeReader = fn(&Response) -> Option<String>;

/// A final response, and how many attempts it took.
#[derive(Debug)]
pub struct CallResponse {
    /// The last response (of a streamed 2xx, the head only: the body is in `stream`).
    pub response: Response,
    /// Attempts made, the first included.
    pub attempts: u32,
    /// A 2xx body to read as it comes ([`Caller::call_streaming`] only).
    pub stream: Option<super::client::ResponseStream>,
}
