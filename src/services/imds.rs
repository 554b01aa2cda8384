//! EC2 instance credentials from the instance metadata service, IMDSv2: a session token
//! from `PUT /latest/api/token` (with its TTL header), reused for the role name and the
//! credentials, and IMDSv1 only when the token call answers 403, 404 or 405, or gets no
//! answer in time (botocore's rules), and `AWS_EC2_METADATA_V1_DISABLED` is not set. Short timeouts, so that a machine without
//! IMDS moves on within about a second.

use std::fmt;
use std::time::Duration;

use hyper::body::Bytes;
use hyper::header::{HOST, HeaderValue};
use hyper::{HeaderMap, Method, Uri};

use super::metadata::parse_credentials;
use crate::credentials::Credentials;
use crate::http::call::Caller;
use crate::http::client::{Request, TransportError};
use crate::http::retry::FetchPolicy;

/// The IPv4 endpoint.
pub const ENDPOINT_V4: &str = "http://169.254.169.254";
/// The IPv6 endpoint.
pub const ENDPOINT_V6: &str = "http://[fd00:ec2::254]";
const TOKEN_TTL: &str = "21600";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";

/// How to reach IMDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdsConfig {
    /// The endpoint URL, without a trailing slash.
    pub endpoint: String,
    /// The time limit of each request.
    pub timeout: Duration,
    /// Attempts per request.
    pub attempts: u32,
    /// Refuse IMDSv1.
    pub v1_disabled: bool,
}

fn truthy(v: Option<String>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl ImdsConfig {
    /// From the environment (which wins) and the profile; `None` when
    /// `AWS_EC2_METADATA_DISABLED=true`.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
        profile: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Self> {
        if truthy(env("AWS_EC2_METADATA_DISABLED")) {
            return None;
        }
        let either = |e: &str, p: &str| {
            env(e)
                .filter(|v| !v.trim().is_empty())
                .or_else(|| profile(p))
        };
        let mode_v6 = either(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "ec2_metadata_service_endpoint_mode",
        )
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("ipv6"));
        let endpoint = either(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "ec2_metadata_service_endpoint",
        )
        .unwrap_or_else(|| if mode_v6 { ENDPOINT_V6 } else { ENDPOINT_V4 }.to_owned());
        let timeout = env("AWS_METADATA_SERVICE_TIMEOUT")
            .and_then(|t| t.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0 && t.is_finite())
            .map_or(Duration::from_secs(1), Duration::from_secs_f64);
        let attempts = env("AWS_METADATA_SERVICE_NUM_ATTEMPTS")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        Some(Self {
            endpoint: endpoint.trim().trim_end_matches('/').to_owned(),
            timeout,
            attempts,
            v1_disabled: truthy(either(
                "AWS_EC2_METADATA_V1_DISABLED",
                "ec2_metadata_v1_disabled",
            )),
        })
    }
}

/// Why IMDS gave no credentials.
#[derive(Debug)]
#[non_exhaustive]
pub enum ImdsError {
    /// The endpoint is not a URL.
    InvalidEndpoint(String),
    /// IMDS did not answer (not on EC2, or blocked).
    Unreachable(TransportError),
    /// IMDS answered an earlier request of this run (the session token or the role
    /// name), then this one failed: it is there, so this is not "not on EC2".
    Interrupted {
        /// What was asked.
        what: &'static str,
        /// How it failed.
        source: TransportError,
    },
    /// The token call was refused and IMDSv1 is disabled.
    V1Disabled,
    /// The token call got no answer in time and IMDSv1 is disabled.
    TokenTimeout {
        /// The time limit.
        after: Duration,
    },
    /// An answer with an unexpected status.
    Status {
        /// What was asked.
        what: &'static str,
        /// The status.
        status: u16,
    },
    /// The instance has no role attached.
    NoRole,
    /// The session token IMDS gave cannot be one (too long, or not printable ASCII).
    BadToken,
    /// The credentials document is not valid.
    BadCredentials(super::metadata::DocumentError),
}

impl fmt::Display for ImdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEndpoint(e) => write!(
                f,
                "invalid instance metadata endpoint {:?}",
                crate::secret::redact_userinfo(e)
            ),
            Self::Unreachable(_) => f.write_str("the instance metadata service did not answer"),
            Self::Interrupted { what, .. } => write!(
                f,
                "the instance metadata service answered, then failed when asked for the {what}"
            ),
            Self::V1Disabled => f.write_str(
                "the instance metadata service refused a session token, and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED or the profile's ec2_metadata_v1_disabled)",
            ),
            Self::TokenTimeout { after } => write!(
                f,
                "the instance metadata service did not answer the session-token request (PUT /latest/api/token) within {}s, and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED or the profile's ec2_metadata_v1_disabled): in a container on EC2, the instance's PUT response hop limit must be 2 or more (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)",
                after.as_secs_f64()
            ),
            Self::Status { what, status } => write!(f, "instance metadata {what} answered HTTP {status}"),
            Self::NoRole => f.write_str("the instance has no IAM role (instance profile) attached"),
            Self::BadToken => f.write_str(
                "the instance metadata service answered the session-token request with something that is not a token (over 1024 bytes, or not printable ASCII)",
            ),
            Self::BadCredentials(why) => write!(f, "instance metadata credentials are not valid: {why}"),
        }
    }
}

impl ImdsError {
    /// Its kind: a bad endpoint setting is a usage error, an instance without a role
    /// gives no credentials; an IMDS that does not answer, or not as promised, is the
    /// network's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::InvalidEndpoint(_) => crate::error_kind::ErrorKind::Usage,
            Self::NoRole => crate::error_kind::ErrorKind::Failure,
            // It answered: a refusal (4xx) is not the network's.
            Self::Status { status, .. } if (400..500).contains(status) => {
                crate::error_kind::ErrorKind::Failure
            }
            _ => crate::error_kind::ErrorKind::Network,
        }
    }
}

impl std::error::Error for ImdsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(e) | Self::Interrupted { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

fn request(
    config: &ImdsConfig,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> Result<Request, ImdsError> {
    let url = format!("{}{path}", config.endpoint);
    let uri: Uri = url
        .parse()
        .map_err(|_| ImdsError::InvalidEndpoint(config.endpoint.clone()))?;
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .ok_or_else(|| ImdsError::InvalidEndpoint(config.endpoint.clone()))?;
    let mut headers = HeaderMap::new();
    let value = |v: &str| {
        HeaderValue::from_str(v).map_err(|_| ImdsError::InvalidEndpoint(config.endpoint.clone()))
    };
    headers.insert(HOST, value(&host)?);
    match token {
        Some(t) => {
            headers.insert(TOKEN_HEADER, value(t)?);
        }
        None if method == Method::PUT => {
            headers.insert(TTL_HEADER, HeaderValue::from_static(TOKEN_TTL));
        }
        None => {}
    }
    Ok(Request {
        method,
        uri,
        headers,
        body: Bytes::new().into(),
    })
}

/// The fetch policy of `config`: botocore's IMDS fetcher retries each request
/// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` times at once, each within
/// `AWS_METADATA_SERVICE_TIMEOUT`.
fn policy(config: &ImdsConfig) -> FetchPolicy {
    FetchPolicy {
        attempts: config.attempts,
        attempt_timeout: config.timeout,
        pause: Duration::ZERO,
    }
}

async fn send(
    caller: &Caller<'_>,
    config: &ImdsConfig,
    req: Request,
) -> Result<(u16, Bytes), ImdsError> {
    caller
        .fetch(&req, &policy(config))
        .await
        .map(|r| (r.status, r.body))
        .map_err(ImdsError::Unreachable)
}

/// A session token, or `None` when IMDSv1 may be used instead: the token call is
/// forbidden (403, 404, 405: an old or v1-only IMDS), or it connects and gets no answer in
/// time, or the connection drops (botocore's rules: a container on EC2 whose instance has
/// a PUT response hop limit of 1 never sees the answer, while plain GETs work).
async fn token(caller: &Caller<'_>, config: &ImdsConfig) -> Result<Option<String>, ImdsError> {
    let sent = send(
        caller,
        config,
        request(config, Method::PUT, "/latest/api/token", None)?,
    )
    .await;
    let (status, body) = match sent {
        Ok(answer) => answer,
        Err(ImdsError::Unreachable(
            TransportError::Timeout { .. }
            | TransportError::ReadTimeout { .. }
            | TransportError::ConnectTimeout { .. }
            | TransportError::Reset { .. },
        )) if config.v1_disabled => {
            return Err(ImdsError::TokenTimeout {
                after: config.timeout,
            });
        }
        Err(ImdsError::Unreachable(
            TransportError::Timeout { .. }
            | TransportError::ReadTimeout { .. }
            | TransportError::ConnectTimeout { .. }
            | TransportError::Reset { .. },
        )) => return Ok(None),
        Err(e) => return Err(e),
    };
    match status {
        200 => {
            let token = String::from_utf8_lossy(&body).trim().to_owned();
            let plausible = !token.is_empty()
                && token.len() <= 1024
                && token.bytes().all(|b| b.is_ascii_graphic());
            if plausible {
                Ok(Some(token))
            } else {
                Err(ImdsError::BadToken)
            }
        }
        403..=405 if config.v1_disabled => Err(ImdsError::V1Disabled),
        403..=405 => Ok(None),
        status => Err(ImdsError::Status {
            what: "token",
            status,
        }),
    }
}

/// GETs `path`; `answered`: IMDS answered an earlier request of this run, so a transport
/// failure is [`ImdsError::Interrupted`] rather than [`ImdsError::Unreachable`].
async fn get(
    caller: &Caller<'_>,
    config: &ImdsConfig,
    path: &str,
    token: Option<&str>,
    what: &'static str,
    answered: bool,
) -> Result<Bytes, ImdsError> {
    let sent = send(caller, config, request(config, Method::GET, path, token)?).await;
    let (status, body) = match sent {
        Err(ImdsError::Unreachable(source)) if answered => {
            return Err(ImdsError::Interrupted { what, source });
        }
        other => other?,
    };
    match status {
        200 => Ok(body),
        404 if what == "role name" => Err(ImdsError::NoRole),
        status => Err(ImdsError::Status { what, status }),
    }
}

/// The instance role's credentials.
pub async fn credentials(
    caller: &Caller<'_>,
    config: &ImdsConfig,
) -> Result<Credentials, ImdsError> {
    let token = token(caller, config).await?;
    let token = token.as_deref();
    let base = "/latest/meta-data/iam/security-credentials/";
    let roles = get(caller, config, base, token, "role name", token.is_some()).await?;
    let role = String::from_utf8_lossy(&roles)
        .lines()
        .next()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if role.is_empty() {
        return Err(ImdsError::NoRole);
    }
    let body = get(
        caller,
        config,
        &format!("{base}{role}"),
        token,
        "credentials",
        true,
    )
    .await?;
    parse_credentials(&body).map_err(ImdsError::BadCredentials)
}

/// A session for reading any path of IMDS (`aws-login metadata`): one session token,
/// asked for once and reused for every GET (or IMDSv1, by the chain's rules: see
/// [`credentials`]). Source: the EC2 User Guide, "Use the Instance Metadata Service to
/// access instance metadata" (IMDSv2 token: PUT `/latest/api/token` with a TTL header,
/// then the token on each GET).
pub struct MetadataSession {
    token: Option<String>,
}

impl MetadataSession {
    /// Asks for the session token (or settles on IMDSv1). Errors: IMDS does not answer
    /// ([`ImdsError::Unreachable`]), refuses a token while IMDSv1 is disabled, or answers
    /// the token request with another status.
    pub async fn open(caller: &Caller<'_>, config: &ImdsConfig) -> Result<Self, ImdsError> {
        Ok(Self {
            token: token(caller, config).await?,
        })
    }

    /// Whether this session uses IMDSv2 (a token).
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// GETs `/latest/{path}` (`path` without its leading slash): the body on 200, `None`
    /// on 404; another status is [`ImdsError::Status`], a transport failure after the
    /// token [`ImdsError::Interrupted`].
    pub async fn get(
        &self,
        caller: &Caller<'_>,
        config: &ImdsConfig,
        path: &str,
    ) -> Result<Option<Bytes>, ImdsError> {
        let full = format!("/latest/{path}");
        let sent = send(
            caller,
            config,
            request(config, Method::GET, &full, self.token.as_deref())?,
        )
        .await;
        let (status, body) = match sent {
            Err(ImdsError::Unreachable(source)) if self.token.is_some() => {
                return Err(ImdsError::Interrupted {
                    what: "path",
                    source,
                });
            }
            other => other?,
        };
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            status => Err(ImdsError::Status {
                what: "path",
                status,
            }),
        }
    }
}

/// The instance's region (`placement/region`).
pub async fn region(caller: &Caller<'_>, config: &ImdsConfig) -> Result<String, ImdsError> {
    let token = token(caller, config).await?;
    let body = get(
        caller,
        config,
        "/latest/meta-data/placement/region",
        token.as_deref(),
        "region",
        token.is_some(),
    )
    .await?;
    Ok(String::from_utf8_lossy(&body).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_environment_and_profile() {
        let none = |_: &str| None;
        let c = ImdsConfig::from_env(&none, &none).unwrap();
        assert_eq!(
            (c.endpoint.as_str(), c.timeout, c.attempts, c.v1_disabled),
            (ENDPOINT_V4, Duration::from_secs(1), 1, false)
        );
        let env = |k: &str| match k {
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE" => Some("IPv6".to_owned()),
            "AWS_METADATA_SERVICE_TIMEOUT" => Some("0.5".to_owned()),
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS" => Some("3".to_owned()),
            _ => None,
        };
        let profile = |k: &str| (k == "ec2_metadata_v1_disabled").then(|| "true".to_owned());
        let c = ImdsConfig::from_env(&env, &profile).unwrap();
        assert_eq!(
            (c.endpoint.as_str(), c.timeout, c.attempts, c.v1_disabled),
            (ENDPOINT_V6, Duration::from_millis(500), 3, true)
        );
        let shown = ImdsError::InvalidEndpoint("http://u:SECRETPW@[bad/".into()).to_string();
        assert!(!shown.contains("SECRETPW"), "{shown}");
        let disabled = |k: &str| (k == "AWS_EC2_METADATA_DISABLED").then(|| "TRUE".to_owned());
        assert!(ImdsConfig::from_env(&disabled, &none).is_none());
    }
}
