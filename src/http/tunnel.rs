//! A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6), as a connector for the
//! transport: connect to the proxy, ask it to `CONNECT host:port` (with Basic
//! credentials when the proxy URL has them), and hand the open stream on (TLS goes on top
//! for `https://`). hyper-util's tunnel reports any refusal but 407 as "unsuccessful";
//! this one says what the proxy answered: its status and reason.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper::header::HeaderValue;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a proxy's answer to CONNECT may hold before the tunnel opens.
const MAX_HEAD: usize = 16 * 1024;

/// Why a tunnel did not open. Cheap to clone (the transport reports it from inside the
/// HTTP client's error), and each says what the proxy did, in its terms.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TunnelError {
    /// The proxy could not be reached (refused, unknown host).
    Connect(Arc<dyn std::error::Error + Send + Sync>),
    /// No connection to the proxy within the connect timeout.
    ConnectTimeout {
        /// The limit that passed.
        after: Duration,
    },
    /// The connection to the proxy broke while asking for the tunnel.
    Io(Arc<std::io::Error>),
    /// The proxy closed the connection without answering CONNECT.
    Closed,
    /// The proxy sent nothing for this long after CONNECT (the read timeout).
    NoAnswer {
        /// The limit that passed.
        after: Duration,
    },
    /// The target has no host.
    NoHost,
    /// The proxy refused: its status and reason phrase.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The reason phrase, as the proxy wrote it.
        reason: String,
        /// Whether the request carried credentials (from the proxy URL's userinfo).
        sent_credentials: bool,
    },
    /// The proxy's answer is not HTTP, or too long.
    Malformed,
}

impl TunnelError {
    /// Whether trying again may help: the proxy was unreachable, broke off, said
    /// nothing, or answered 5xx (botocore retries every proxy connection error); a
    /// refusal such as 407 or 403, or an answer that is not HTTP, will not change.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect(_)
            | Self::ConnectTimeout { .. }
            | Self::Io(_)
            | Self::Closed
            | Self::NoAnswer { .. } => true,
            Self::Refused { status, .. } => (500..=599).contains(status),
            Self::NoHost | Self::Malformed => false,
        }
    }
}

impl fmt::Display for TunnelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(_) => f.write_str("cannot connect to the proxy"),
            Self::ConnectTimeout { after } => write!(
                f,
                "cannot connect to the proxy within {}s (the connect timeout; --cli-connect-timeout sets it)",
                after.as_secs_f64()
            ),
            Self::Io(_) => f.write_str("the connection to the proxy broke"),
            Self::Closed => {
                f.write_str("the proxy closed the connection without answering CONNECT")
            }
            Self::NoAnswer { after } => write!(
                f,
                "the proxy did not answer CONNECT within {}s (the read timeout; --cli-read-timeout sets it)",
                after.as_secs_f64()
            ),
            Self::NoHost => f.write_str("the target URL has no host"),
            Self::Refused {
                status: 407,
                reason,
                sent_credentials: true,
            } => write!(
                f,
                "the proxy rejected the credentials in the proxy URL: it answered CONNECT with HTTP 407 {reason}"
            ),
            Self::Refused {
                status: 407,
                reason,
                sent_credentials: false,
            } => write!(
                f,
                "the proxy wants credentials: it answered CONNECT with HTTP 407 {reason} (put user:password@ in the proxy URL, e.g. HTTPS_PROXY)"
            ),
            Self::Refused { status, reason, .. } => {
                write!(f, "the proxy answered CONNECT with HTTP {status} {reason}")
            }
            Self::Malformed => f.write_str("the proxy's answer to CONNECT is not HTTP"),
        }
    }
}

impl std::error::Error for TunnelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Connect(e) => Some(e.as_ref()),
            Self::Io(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// The status and reason of a proxy's answer head (`HTTP/1.1 407 Proxy Authentication
/// Required\r\n...`); `None` when it is not an HTTP status line.
pub fn parse_status(head: &[u8]) -> Option<(u16, String)> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = String::from_utf8_lossy(line);
    let mut parts = line.trim_end().splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    Some((status, parts.next().unwrap_or_default().to_owned()))
}

/// A connector that reaches every target through a CONNECT tunnel to `proxy`.
#[derive(Clone)]
pub struct Tunnel {
    proxy: Uri,
    authorization: Option<HeaderValue>,
    inner: HttpConnector,
    connect_limit: Option<Duration>,
    answer_limit: Option<Duration>,
}

impl Tunnel {
    /// Tunnels through `proxy`, connecting to it with `inner`, whose connect timeout is
    /// `connect_limit` (named in the error when it passes); the proxy's answer to CONNECT
    /// may keep it waiting for `answer_limit` between bytes (the read timeout; `None`: as
    /// long as it takes).
    pub fn new(
        proxy: Uri,
        authorization: Option<HeaderValue>,
        inner: HttpConnector,
        connect_limit: Option<Duration>,
        answer_limit: Option<Duration>,
    ) -> Self {
        Self {
            proxy,
            authorization,
            inner,
            connect_limit,
            answer_limit,
        }
    }
}

/// Reads into `byte` within `limit`; the count read.
async fn read_within(
    stream: &mut TcpStream,
    byte: &mut [u8; 1],
    limit: Option<Duration>,
) -> Result<usize, TunnelError> {
    let read = stream.read(byte);
    let read = match limit {
        Some(after) => tokio::time::timeout(after, read)
            .await
            .map_err(|_| TunnelError::NoAnswer { after })?,
        None => read.await,
    };
    read.map_err(|e| TunnelError::Io(Arc::new(e)))
}

async fn open(tunnel: Tunnel, target: Uri) -> Result<TokioIo<TcpStream>, TunnelError> {
    use tower_service::Service;
    let Tunnel {
        proxy,
        authorization,
        mut inner,
        connect_limit,
        answer_limit,
    } = tunnel;
    let host = target.host().ok_or(TunnelError::NoHost)?;
    let port = target
        .port_u16()
        .unwrap_or(if target.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    let authority = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut stream = inner
        .call(proxy)
        .await
        .map_err(|e| {
            let timed_out =
                std::iter::successors(Some(&e as &(dyn std::error::Error + 'static)), |c| {
                    c.source()
                })
                .any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
                });
            match connect_limit {
                Some(after) if timed_out => TunnelError::ConnectTimeout { after },
                _ => TunnelError::Connect(Arc::new(e)),
            }
        })?
        .into_inner();
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    if let Some(auth) = &authorization {
        request.extend_from_slice(b"Proxy-Authorization: ");
        request.extend_from_slice(auth.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    stream
        .write_all(&request)
        .await
        .map_err(|e| TunnelError::Io(Arc::new(e)))?;
    let refused = |head: &[u8]| match parse_status(head) {
        Some((status, reason)) => TunnelError::Refused {
            status,
            reason,
            sent_credentials: authorization.is_some(),
        },
        None => TunnelError::Malformed,
    };
    // Read the answer's head, byte by byte: what follows it belongs to the tunnel. Lines
    // may end in a bare LF (RFC 9112 §2.2 lets a recipient accept it). A first line that
    // is not an HTTP status line ends it at once: waiting for a blank line an SSH server
    // or a mistyped port never sends would only end in the read timeout.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !(head.ends_with(b"\n\r\n") || head.ends_with(b"\n\n")) {
        if head.len() >= MAX_HEAD {
            return Err(refused(&head));
        }
        if head.ends_with(b"\n") && !head[..head.len() - 1].contains(&b'\n') {
            parse_status(&head).ok_or(TunnelError::Malformed)?;
        }
        if read_within(&mut stream, &mut byte, answer_limit).await? == 0 {
            return Err(if head.is_empty() {
                TunnelError::Closed
            } else {
                refused(&head)
            });
        }
        head.push(byte[0]);
    }
    match parse_status(&head) {
        Some((200..=299, _)) => Ok(TokioIo::new(stream)),
        _ => Err(refused(&head)),
    }
}

impl tower_service::Service<Uri> for Tunnel {
    type Response = TokioIo<TcpStream>;
    type Error = TunnelError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower_service::Service::<Uri>::poll_ready(&mut self.inner, cx)
            .map_err(|e| TunnelError::Connect(Arc::new(e)))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        Box::pin(open(self.clone(), target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read() {
        assert_eq!(
            parse_status(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
            Some((407, "Proxy Authentication Required".to_owned()))
        );
        assert_eq!(
            parse_status(b"HTTP/1.0 200\r\n\r\n"),
            Some((200, String::new()))
        );
        assert_eq!(parse_status(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status(b""), None);
    }
}
