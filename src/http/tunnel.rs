//! A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6), as a connector for the
//! transport: connect to the proxy, ask it to `CONNECT host:port` (with Basic
//! credentials when the proxy URL has them), and hand the open stream on (TLS goes on top
//! for `https://`). hyper-util's tunnel reports any refusal but 407 as "unsuccessful";
//! this one says what the proxy answered: its status and reason.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper::header::HeaderValue;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a proxy's answer to CONNECT may hold before the tunnel opens.
const MAX_HEAD: usize = 16 * 1024;

/// Why a tunnel did not open.
#[derive(Debug)]
#[non_exhaustive]
pub enum TunnelError {
    /// The proxy could not be reached.
    Connect(Box<dyn std::error::Error + Send + Sync>),
    /// Talking to the proxy failed.
    Io(std::io::Error),
    /// The target has no host.
    NoHost,
    /// The proxy refused: its status and reason phrase.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The reason phrase, as the proxy wrote it.
        reason: String,
    },
    /// The proxy's answer is not HTTP, or too long.
    Malformed,
}

impl fmt::Display for TunnelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(_) => f.write_str("cannot connect to the proxy"),
            Self::Io(_) => f.write_str("the connection to the proxy failed"),
            Self::NoHost => f.write_str("the target URL has no host"),
            Self::Refused {
                status: 407,
                reason,
            } => write!(
                f,
                "the proxy wants credentials: it answered CONNECT with HTTP 407 {reason} (put user:password@ in HTTPS_PROXY)"
            ),
            Self::Refused { status, reason } => {
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
            Self::Io(e) => Some(e),
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
}

impl Tunnel {
    /// Tunnels through `proxy`, connecting to it with `inner`.
    pub fn new(proxy: Uri, authorization: Option<HeaderValue>, inner: HttpConnector) -> Self {
        Self {
            proxy,
            authorization,
            inner,
        }
    }
}

async fn open(
    mut inner: HttpConnector,
    proxy: Uri,
    authorization: Option<HeaderValue>,
    target: Uri,
) -> Result<TokioIo<TcpStream>, TunnelError> {
    use tower_service::Service;
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
        .map_err(|e| TunnelError::Connect(Box::new(e)))?
        .into_inner();
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    if let Some(auth) = &authorization {
        request.extend_from_slice(b"Proxy-Authorization: ");
        request.extend_from_slice(auth.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).await.map_err(TunnelError::Io)?;
    // Read the answer's head, byte by byte: what follows it belongs to the tunnel.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD || stream.read(&mut byte).await.map_err(TunnelError::Io)? == 0 {
            return Err(
                parse_status(&head).map_or(TunnelError::Malformed, |(status, reason)| {
                    TunnelError::Refused { status, reason }
                }),
            );
        }
        head.push(byte[0]);
    }
    match parse_status(&head) {
        Some((200..=299, _)) => Ok(TokioIo::new(stream)),
        Some((status, reason)) => Err(TunnelError::Refused { status, reason }),
        None => Err(TunnelError::Malformed),
    }
}

impl tower_service::Service<Uri> for Tunnel {
    type Response = TokioIo<TcpStream>;
    type Error = TunnelError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower_service::Service::<Uri>::poll_ready(&mut self.inner, cx)
            .map_err(|e| TunnelError::Connect(Box::new(e)))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        Box::pin(open(
            self.inner.clone(),
            self.proxy.clone(),
            self.authorization.clone(),
            target,
        ))
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
