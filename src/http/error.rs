//! What can go wrong sending one attempt, each with its kind: configuration (CA bundle,
//! proxy URL), connecting, timeouts, resets, answers that are not HTTP, bodies over the
//! cap; and what a whole call ends with when no final answer came ([`CallError`]).

use std::fmt;

use std::time::Duration;

use super::tunnel::TunnelError;
use crate::sigv4::SigningError;

/// What is wrong with the extra CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`).
#[derive(Debug)]
#[non_exhaustive]
pub enum CaBundleError {
    /// Its PEM framing or base64 is broken.
    Pem(rustls::pki_types::pem::Error),
    /// It holds no PEM certificate.
    NoCertificate,
}

impl fmt::Display for CaBundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => e.fmt(f),
            Self::NoCertificate => f.write_str("no PEM certificate in it"),
        }
    }
}

/// What went wrong sending one attempt.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// The extra CA bundle holds no certificate or a broken one.
    CaBundle(CaBundleError),
    /// The TLS configuration could not be built.
    Tls(rustls::Error),
    /// The proxy URL does not parse, or its port is not 1-65535.
    InvalidProxy(String),
    /// The proxy URL's scheme is not `http://` (SOCKS and HTTPS proxies are not spoken).
    UnsupportedProxy(String),
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect {
        /// The URL, query redacted.
        url: String,
        /// The cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The connection broke during the exchange.
    Reset {
        /// The URL, query redacted.
        url: String,
        /// The cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The connection was not made within the connect timeout (`--cli-connect-timeout`).
    ConnectTimeout {
        /// The URL, query redacted.
        url: String,
        /// The limit.
        after: Duration,
    },
    /// The server sent nothing for the read timeout (`--cli-read-timeout`), between two
    /// reads of its answer.
    ReadTimeout {
        /// The URL, query redacted.
        url: String,
        /// The limit.
        after: Duration,
    },
    /// The exchange as a whole took longer than its limit (see
    /// [`HttpClient::send_within`]).
    Timeout {
        /// The URL, query redacted.
        url: String,
        /// The limit.
        after: Duration,
    },
    /// The proxy did not open a tunnel to the target: the cause says what it did.
    Proxy {
        /// The URL, query redacted.
        url: String,
        /// The proxy's URL, credentials redacted.
        proxy: String,
        /// What the proxy did.
        source: TunnelError,
    },
    /// What came back is not an HTTP response (a wrong port or scheme in the URL, or
    /// something other than a web server listening there).
    NotHttp {
        /// The URL, query redacted.
        url: String,
        /// What the HTTP parser said.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The body is larger than the cap.
    BodyTooLarge {
        /// The URL, query redacted.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The file a request body is sent from cannot be opened.
    BodyFile {
        /// The URL, query redacted.
        url: String,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CaBundle(why) => write!(f, "cannot use the CA bundle: {why}"),
            Self::Tls(_) => f.write_str("cannot set up TLS"),
            Self::InvalidProxy(url) => write!(
                f,
                "invalid proxy URL {url}: expected http://[user:password@]host[:port], the port 1-65535"
            ),
            Self::UnsupportedProxy(url) => write!(
                f,
                "unsupported proxy URL {url}: only http:// proxies are supported (not socks5:// or https://)"
            ),
            Self::Connect { url, .. } => write!(f, "cannot connect to {url}"),
            Self::Reset { url, .. } => write!(f, "connection to {url} broke"),
            Self::ConnectTimeout { url, after } => write!(
                f,
                "cannot connect to {url} within {}s (the connect timeout; --cli-connect-timeout sets it)",
                after.as_secs_f64()
            ),
            Self::ReadTimeout { url, after } => write!(
                f,
                "no data from {url} for {}s (the read timeout; --cli-read-timeout sets it)",
                after.as_secs_f64()
            ),
            Self::Timeout { url, after } => {
                write!(
                    f,
                    "no complete response from {url} within {}s",
                    after.as_secs_f64()
                )
            }
            Self::Proxy { url, proxy, .. } => {
                write!(f, "cannot reach {url} through the proxy {proxy}")
            }
            Self::NotHttp { url, .. } => write!(
                f,
                "the answer from {url} is not HTTP (is the URL's scheme and port right?)"
            ),
            Self::BodyTooLarge { url, limit } => {
                write!(f, "response from {url} is larger than {limit} bytes")
            }
            Self::BodyFile { url, .. } => {
                write!(f, "cannot open the file of the body to send to {url}")
            }
        }
    }
}

impl TransportError {
    /// Its kind: a proxy URL that cannot work is a usage error; everything else about
    /// reaching a server is the network's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            Self::InvalidProxy(_) | Self::UnsupportedProxy(_) => ErrorKind::Usage,
            Self::CaBundle(_) | Self::Tls(_) | Self::BodyFile { .. } => ErrorKind::Failure,
            _ => ErrorKind::Network,
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect { source, .. }
            | Self::Reset { source, .. }
            | Self::NotHttp { source, .. } => Some(source.as_ref()),
            Self::Proxy { source, .. } => Some(source),
            Self::Tls(source) => Some(source),
            Self::BodyFile { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A call that got no final HTTP response.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallError {
    /// The endpoint and path do not make a URL.
    InvalidUrl(String),
    /// The request could not be signed.
    Signing(SigningError),
    /// The transport failed on the last attempt.
    Transport {
        /// The failure.
        source: TransportError,
        /// Attempts made.
        attempts: u32,
    },
    /// The operation timeout ran out, all attempts included.
    OperationTimeout {
        /// The limit.
        after: Duration,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl(url) => write!(f, "invalid request URL {url}"),
            Self::Signing(_) => f.write_str("cannot sign the request"),
            Self::Transport { attempts, .. } => {
                write!(f, "request failed after {attempts} attempt(s)")
            }
            Self::OperationTimeout { after } => write!(
                f,
                "no answer within {}s, all attempts included (the operation timeout; --operation-timeout sets it)",
                after.as_secs_f64()
            ),
        }
    }
}

impl CallError {
    /// Its kind: the transport's for a failed attempt, the network's for the operation
    /// timeout.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            Self::InvalidUrl(_) => ErrorKind::Usage,
            Self::Signing(_) => ErrorKind::Failure,
            Self::Transport { source, .. } => source.kind(),
            Self::OperationTimeout { .. } => ErrorKind::Network,
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidUrl(_) | Self::OperationTimeout { .. } => None,
            Self::Signing(e) => Some(e),
            Self::Transport { source, .. } => Some(source),
        }
    }
}
