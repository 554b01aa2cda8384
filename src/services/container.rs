//! Container credentials (ECS task roles, EKS Pod Identity): a GET to
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on 169.254.170.2, or to
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` when its host is loopback, 169.254.170.2,
//! 169.254.170.23 or fd00:ec2::23 (or it is https), with the token of
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.

use std::fmt;
use std::net::IpAddr;

use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, HOST, HeaderValue};
use hyper::{HeaderMap, Method, Uri};

use super::metadata::parse_credentials;
use crate::credentials::Credentials;
use crate::http::call::Caller;
use crate::http::client::{Request, TransportError};
use crate::http::retry::FetchPolicy;
use crate::secret::SecretString;

/// The ECS credentials host.
pub const ECS_HOST: &str = "http://169.254.170.2";

/// Where and how to ask.
#[derive(Clone, PartialEq, Eq)]
pub struct ContainerConfig {
    /// The full URL.
    pub url: String,
    /// Where the token is read from, if anywhere: a file path or the variable.
    pub token_file: Option<String>,
    /// The token given directly.
    pub token: Option<SecretString>,
}

impl fmt::Debug for ContainerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerConfig")
            .field("url", &self.url)
            .field("token_file", &self.token_file)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why container credentials could not be had.
#[derive(Debug)]
#[non_exhaustive]
pub enum ContainerError {
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` names a host that is not allowed.
    ForbiddenHost(String),
    /// The URI does not parse.
    InvalidUri(String),
    /// The token file cannot be read.
    TokenFile {
        /// Its path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The token holds a line break or control character.
    InvalidToken,
    /// The endpoint did not answer.
    Unreachable(TransportError),
    /// It answered with an error status.
    Status(u16),
    /// The credentials document is not valid.
    BadCredentials(super::metadata::DocumentError),
}

impl fmt::Display for ContainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ForbiddenHost(h) => write!(
                f,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI host {h} is not allowed: use loopback, 169.254.170.2, 169.254.170.23, fd00:ec2::23 or https"
            ),
            Self::InvalidUri(u) => write!(
                f,
                "invalid container credentials URI {:?}",
                crate::secret::redact_userinfo(u)
            ),
            Self::TokenFile { path, .. } => write!(
                f,
                "cannot read the container authorization token file {path}"
            ),
            Self::InvalidToken => f.write_str(
                "the container authorization token holds a line break or control character",
            ),
            Self::Unreachable(_) => {
                f.write_str("the container credentials endpoint did not answer")
            }
            Self::Status(s) => write!(f, "the container credentials endpoint answered HTTP {s}"),
            Self::BadCredentials(why) => write!(f, "container credentials are not valid: {why}"),
        }
    }
}

impl ContainerError {
    /// Its kind: settings that cannot work are usage errors, an unreadable token file or
    /// a refusal (4xx) a failure; an endpoint that does not answer, answers 5xx or not as
    /// promised, is the network's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::ForbiddenHost(_) | Self::InvalidUri(_) | Self::InvalidToken => {
                crate::error_kind::ErrorKind::Usage
            }
            Self::TokenFile { .. } => crate::error_kind::ErrorKind::Failure,
            // It answered: a refusal (401, a wrong token) is not the network's; a redirect
            // (never followed) is not what the protocol promises.
            Self::Status(status) if (400..500).contains(status) => {
                crate::error_kind::ErrorKind::Failure
            }
            _ => crate::error_kind::ErrorKind::Network,
        }
    }
}

impl std::error::Error for ContainerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::TokenFile { source, .. } => Some(source),
            Self::Unreachable(e) => Some(e),
            _ => None,
        }
    }
}

fn allowed_host(uri: &Uri) -> bool {
    if uri.scheme_str() == Some("https") {
        return true;
    }
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(IpAddr::V4(ip)) => {
            ip.octets() == [169, 254, 170, 2] || ip.octets() == [169, 254, 170, 23]
        }
        Ok(IpAddr::V6(ip)) => ip.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23],
        Err(_) => false,
    }
}

impl ContainerConfig {
    /// From the environment; `Ok(None)` when neither URI variable is set.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, ContainerError> {
        let set = |k: &str| {
            env(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let url = match (
            set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
            set("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ) {
            (Some(relative), _) => format!("{ECS_HOST}{relative}"),
            (None, Some(full)) => {
                let uri: Uri = full
                    .parse()
                    .map_err(|_| ContainerError::InvalidUri(full.clone()))?;
                if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                    return Err(ContainerError::InvalidUri(full));
                }
                if !allowed_host(&uri) {
                    return Err(ContainerError::ForbiddenHost(
                        uri.host().unwrap_or_default().to_owned(),
                    ));
                }
                full
            }
            (None, None) => return Ok(None),
        };
        Ok(Some(Self {
            url,
            token_file: set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
            token: set("AWS_CONTAINER_AUTHORIZATION_TOKEN").map(SecretString::new),
        }))
    }
}

/// How the endpoint is retried: 3 attempts with a second between them, as botocore's
/// `ContainerMetadataFetcher` (each attempt gets 5 s here, against botocore's 2: an EKS
/// Pod Identity agent under load answers slowly). A 429 is retried; any other 4xx (a wrong
/// token) is final, where botocore would ask twice more.
pub const FETCH_POLICY: FetchPolicy = FetchPolicy {
    attempts: 3,
    attempt_timeout: std::time::Duration::from_secs(5),
    pause: std::time::Duration::from_secs(1),
};

/// Fetches the credentials (the token file is read now: it is rotated), retried as
/// [`FETCH_POLICY`] says.
pub async fn credentials(
    caller: &Caller<'_>,
    config: &ContainerConfig,
) -> Result<Credentials, ContainerError> {
    let token = match (&config.token_file, &config.token) {
        (Some(path), _) => Some(SecretString::new(
            std::fs::read_to_string(path)
                .map_err(|source| ContainerError::TokenFile {
                    path: path.clone(),
                    source,
                })?
                .trim(),
        )),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
    };
    let uri: Uri = config
        .url
        .parse()
        .map_err(|_| ContainerError::InvalidUri(config.url.clone()))?;
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .ok_or_else(|| ContainerError::InvalidUri(config.url.clone()))?;
    let mut headers = HeaderMap::new();
    headers.insert(
        HOST,
        HeaderValue::from_str(&host).map_err(|_| ContainerError::InvalidUri(config.url.clone()))?,
    );
    if let Some(token) = &token {
        let value =
            HeaderValue::from_str(token.expose()).map_err(|_| ContainerError::InvalidToken)?;
        headers.insert(AUTHORIZATION, value);
    }
    let request = Request {
        method: Method::GET,
        uri,
        headers,
        body: Bytes::new().into(),
    };
    let response = caller
        .fetch(&request, &FETCH_POLICY)
        .await
        .map_err(ContainerError::Unreachable)?;
    if response.status != 200 {
        return Err(ContainerError::Status(response.status));
    }
    parse_credentials(&response.body).map_err(ContainerError::BadCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn uris_and_allowed_hosts() {
        let c = ContainerConfig::from_env(&env(&[(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/abc",
        )]))
        .unwrap()
        .unwrap();
        assert_eq!(c.url, "http://169.254.170.2/v2/credentials/abc");
        for ok in [
            "http://127.0.0.1:8080/creds",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1",
            "https://creds.example.com/x",
            "http://localhost/x",
        ] {
            let pairs: &'static [(&str, &str)] =
                Box::leak(Box::new([("AWS_CONTAINER_CREDENTIALS_FULL_URI", ok)]));
            assert!(
                ContainerConfig::from_env(&env(pairs)).unwrap().is_some(),
                "{ok}"
            );
        }
        for bad in [
            "http://10.0.0.1/creds",
            "http://example.com/x",
            "http://169.254.169.254/",
        ] {
            let pairs: &'static [(&str, &str)] =
                Box::leak(Box::new([("AWS_CONTAINER_CREDENTIALS_FULL_URI", bad)]));
            assert!(
                matches!(
                    ContainerConfig::from_env(&env(pairs)),
                    Err(ContainerError::ForbiddenHost(_))
                ),
                "{bad}"
            );
        }
        assert!(ContainerConfig::from_env(&env(&[])).unwrap().is_none());
        let c = ContainerConfig::from_env(&env(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/x"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "SECRET-TOKEN"),
        ]))
        .unwrap()
        .unwrap();
        assert!(!format!("{c:?}").contains("SECRET-TOKEN"));
        let err = ContainerConfig::from_env(&env(&[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://u:SECRETPW@[bad/",
        )]))
        .unwrap_err()
        .to_string();
        assert!(!err.contains("SECRETPW"), "{err}");
    }
}
