//! The credentials endpoint `runas --credentials-server` gives its child: the container
//! credentials protocol (as ECS and EKS Pod Identity serve it) on 127.0.0.1, guarded by a
//! random token, answering with whatever the caller provides (renewed credentials).
//! Not a general server: up to [`MAX_CONNECTIONS`] connections at once, each with a few
//! seconds to send its request headers, no keep-alive, GET only. A local process that
//! connects and stalls, without the token, cannot keep the child from its credentials.

use std::convert::Infallible;
use std::io::Read;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// The longest one connection may take, renewal included (an MFA prompt on the terminal
/// is the slow case).
pub const CONNECTION_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);
/// How long a connection has to send its request headers.
pub const HEADER_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);
/// How many connections are served at once; past this, new ones wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 32;

/// A bound endpoint: where the child finds it and the token it must send.
pub struct CredentialsEndpoint {
    listener: TcpListener,
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub url: String,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN` (secret).
    pub token: String,
}

impl std::fmt::Debug for CredentialsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsEndpoint")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Binds 127.0.0.1 on a free port, with a 256-bit token from the kernel's random source.
pub async fn bind() -> std::io::Result<CredentialsEndpoint> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/credentials", listener.local_addr()?);
    Ok(CredentialsEndpoint {
        listener,
        url,
        token: hex::encode(bytes),
    })
}

impl CredentialsEndpoint {
    /// The next connection.
    pub async fn accept(&self) -> std::io::Result<TcpStream> {
        self.listener.accept().await.map(|(stream, _)| stream)
    }
}

/// Whether a request may have the credentials: a GET with the token as its Authorization
/// (compared without an early exit, so timing does not tell how much of it was right).
pub fn authorized(method: &hyper::Method, authorization: Option<&[u8]>, token: &str) -> bool {
    let Some(sent) = authorization else {
        return false;
    };
    let want = token.as_bytes();
    let same = sent.len() == want.len()
        && sent.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    method == hyper::Method::GET && same
}

fn reply(status: u16, body: String) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Serves one connection: 401 without the token, else the JSON `provide` gives (500 with
/// its message when it fails). Returns when the connection ends, or after
/// [`CONNECTION_LIMIT`].
pub async fn serve(
    stream: TcpStream,
    token: &str,
    provide: &impl AsyncFn() -> Result<String, String>,
) {
    let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
        let auth = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .map(hyper::header::HeaderValue::as_bytes);
        if !authorized(req.method(), auth, token) {
            return Ok::<_, Infallible>(reply(
                401,
                r#"{"code":"Unauthorized","message":"wrong or missing Authorization token"}"#
                    .to_owned(),
            ));
        }
        Ok(match provide().await {
            Ok(json) => reply(200, json),
            Err(message) => reply(
                500,
                serde_json::json!({"code": "CredentialsUnavailable", "message": message})
                    .to_string(),
            ),
        })
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_LIMIT)
        .serve_connection(TokioIo::new(stream), service);
    // A client that connects and sends nothing must not hold the endpoint for long.
    let _ = tokio::time::timeout(CONNECTION_LIMIT, connection).await;
}

/// Connections being served, each a future that ends with its connection.
pub struct Connections<'a> {
    open: Vec<std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>>,
}

impl<'a> Connections<'a> {
    /// None yet.
    pub fn new() -> Self {
        Self { open: Vec::new() }
    }

    /// Whether another may be accepted ([`MAX_CONNECTIONS`]).
    pub fn has_room(&self) -> bool {
        self.open.len() < MAX_CONNECTIONS
    }

    /// Serves one more.
    pub fn add(&mut self, connection: impl Future<Output = ()> + 'a) {
        self.open.push(Box::pin(connection));
    }

    /// Drives every connection; returns when one has ended (never, with none open).
    pub async fn next_ended(&mut self) {
        std::future::poll_fn(|cx| {
            let mut ended = false;
            self.open.retain_mut(|connection| {
                let done = connection.as_mut().poll(cx).is_ready();
                ended |= done;
                !done
            });
            if ended {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
    }
}

impl Default for Connections<'_> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_get_with_the_exact_token_is_authorized() {
        let get = hyper::Method::GET;
        assert!(authorized(&get, Some(b"abc123"), "abc123"));
        assert!(!authorized(&get, Some(b"abc124"), "abc123"));
        assert!(!authorized(&get, Some(b"abc1234"), "abc123"));
        assert!(!authorized(&get, Some(b""), "abc123"));
        assert!(!authorized(&get, None, "abc123"));
        assert!(!authorized(&hyper::Method::POST, Some(b"abc123"), "abc123"));
    }

    #[tokio::test]
    async fn the_token_is_random_and_not_in_debug() {
        let a = bind().await.unwrap();
        let b = bind().await.unwrap();
        assert_eq!(a.token.len(), 64);
        assert_ne!(a.token, b.token);
        assert!(a.url.starts_with("http://127.0.0.1:"));
        assert!(!format!("{a:?}").contains(&a.token));
    }
}
