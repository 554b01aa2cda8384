//! The credentials endpoint `runas --credentials-server` gives its child: the container
//! credentials protocol (as ECS and EKS Pod Identity serve it) on 127.0.0.1, guarded by a
//! random token, answering with whatever the caller provides (renewed credentials).
//! Not a general server: up to [`MAX_CONNECTIONS`] connections at once, each with a few
//! seconds to send its request headers, no keep-alive, GET only.
//!
//! A local process that connects and stalls, without the token, cannot keep the child
//! from its credentials: when all [`MAX_CONNECTIONS`] are taken, a new connection takes
//! the place of the oldest one that has not sent an authorized request, so stalled
//! connections, however many, only delay the child by the time it takes to read its
//! request. (A local process can still slow the machine itself; nothing here prevents
//! that.)

use std::cell::Cell;
use std::convert::Infallible;
use std::io::Read;
use std::rc::Rc;

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
/// How many connections are served at once; past this, a new one replaces the oldest that
/// has not sent an authorized request, or waits in the listen queue if every one has.
pub const MAX_CONNECTIONS: usize = 32;

/// A bound endpoint: where the child finds it and the token it must send.
pub struct CredentialsEndpoint {
    listener: TcpListener,
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub url: String,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN` (secret).
    pub token: crate::secret::SecretString,
}

impl std::fmt::Debug for CredentialsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsEndpoint")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// 256 bits from the kernel's random source, as hex.
pub fn random_token() -> std::io::Result<crate::secret::SecretString> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(hex::encode(bytes).into())
}

/// Binds 127.0.0.1 on a free port, with a 256-bit token from the kernel's random source.
pub async fn bind() -> std::io::Result<CredentialsEndpoint> {
    bind_to(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Binds `addr` (`aws-login serve --listen`), with a 256-bit token; the URL names the
/// address bound (its port when `addr` asked for any).
pub async fn bind_to(addr: std::net::SocketAddr) -> std::io::Result<CredentialsEndpoint> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}{CREDENTIALS_PATH}", listener.local_addr()?);
    Ok(CredentialsEndpoint {
        listener,
        url,
        token: random_token()?,
    })
}

impl CredentialsEndpoint {
    /// The address bound.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

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

/// An answer: status, body and content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
    /// The `Content-Type`.
    pub content_type: &'static str,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: String) -> Self {
        Self {
            status,
            body,
            content_type: "application/json",
        }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: String) -> Self {
        Self {
            status,
            body,
            content_type: "text/plain",
        }
    }
}

fn response(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or_default();
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(reply.content_type),
    );
    response
}

/// The path of the credentials (`AWS_CONTAINER_CREDENTIALS_FULL_URI`'s).
pub const CREDENTIALS_PATH: &str = "/credentials";

/// The container protocol's answer: 401 without the token (whatever the method or
/// path, so nothing is learnt without it), then 405 for a method other than GET and
/// 404 for another path, else the JSON `provide` gives (500 with its message when it
/// fails); and whether the request was authorized.
pub async fn container_answer(
    method: &hyper::Method,
    path: &str,
    headers: &hyper::HeaderMap,
    token: &str,
    provide: &impl AsyncFn() -> Result<String, String>,
) -> (Reply, bool) {
    let auth = headers
        .get(hyper::header::AUTHORIZATION)
        .map(hyper::header::HeaderValue::as_bytes);
    if !authorized(&hyper::Method::GET, auth, token) {
        let body = r#"{"code":"Unauthorized","message":"wrong or missing Authorization token"}"#;
        return (Reply::json(401, body.to_owned()), false);
    }
    if method != hyper::Method::GET {
        let body = r#"{"code":"MethodNotAllowed","message":"GET only"}"#;
        return (Reply::json(405, body.to_owned()), false);
    }
    if path != CREDENTIALS_PATH {
        let body = r#"{"code":"NotFound","message":"the credentials are at /credentials"}"#;
        return (Reply::json(404, body.to_owned()), false);
    }
    let reply = match provide().await {
        Ok(json) => Reply::json(200, json),
        Err(message) => Reply::json(
            500,
            serde_json::json!({"code": "CredentialsUnavailable", "message": message}).to_string(),
        ),
    };
    (reply, true)
}

/// Serves one connection with the container protocol (see [`container_answer`]); sets
/// `proven` once a request carried the token. Returns when the connection ends, or after
/// [`CONNECTION_LIMIT`].
pub async fn serve(
    stream: TcpStream,
    token: &str,
    provide: &impl AsyncFn() -> Result<String, String>,
    proven: Rc<Cell<bool>>,
) {
    let answer = async |method: &hyper::Method, path: &str, headers: &hyper::HeaderMap| {
        container_answer(method, path, headers, token, provide).await
    };
    serve_with(stream, &answer, proven).await;
}

/// Serves one connection, each request answered by `answer` (method, path, headers →
/// the reply, and whether the request proved it may have credentials, which sets
/// `proven`). HTTP/1.1, no keep-alive, [`HEADER_LIMIT`] for the request headers, the
/// whole connection within [`CONNECTION_LIMIT`].
pub async fn serve_with(
    stream: TcpStream,
    answer: &impl AsyncFn(&hyper::Method, &str, &hyper::HeaderMap) -> (Reply, bool),
    proven: Rc<Cell<bool>>,
) {
    let proven = &*proven;
    let service = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
        let (reply, allowed) = answer(req.method(), req.uri().path(), req.headers()).await;
        proven.set(allowed);
        Ok::<_, Infallible>(response(reply))
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_LIMIT)
        .serve_connection(TokioIo::new(stream), service);
    // A client that connects and sends nothing must not hold the endpoint for long.
    let _ = tokio::time::timeout(CONNECTION_LIMIT, connection).await;
}

/// One connection being served: whether it has sent an authorized request, and the
/// future that ends with it.
type Open<'a> = (
    Rc<Cell<bool>>,
    std::pin::Pin<Box<dyn Future<Output = ()> + 'a>>,
);

/// Connections being served, oldest first.
pub struct Connections<'a> {
    open: Vec<Open<'a>>,
}

impl<'a> Connections<'a> {
    /// None yet.
    pub fn new() -> Self {
        Self { open: Vec::new() }
    }

    /// Whether another may be accepted: fewer than [`MAX_CONNECTIONS`] are open, or one
    /// of them has not sent an authorized request and can make way.
    pub fn has_room(&self) -> bool {
        self.open.len() < MAX_CONNECTIONS || self.open.iter().any(|(proven, _)| !proven.get())
    }

    /// Serves one more: `serve` gets the flag to set once the connection is proven (see
    /// [`serve`]). When [`MAX_CONNECTIONS`] are open, the oldest unproven one is closed.
    pub fn add<F: Future<Output = ()> + 'a>(&mut self, serve: impl FnOnce(Rc<Cell<bool>>) -> F) {
        if self.open.len() >= MAX_CONNECTIONS
            && let Some(at) = self.open.iter().position(|(proven, _)| !proven.get())
        {
            // Dropping its future closes the connection.
            drop(self.open.remove(at));
        }
        let proven = Rc::new(Cell::new(false));
        self.open.push((proven.clone(), Box::pin(serve(proven))));
    }

    /// How many are open.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Drives every connection; returns when one has ended (never, with none open).
    pub async fn next_ended(&mut self) {
        std::future::poll_fn(|cx| {
            let mut ended = false;
            self.open.retain_mut(|(_, connection)| {
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

    #[test]
    fn a_new_connection_replaces_the_oldest_unproven_one_when_full() {
        // Each connection's future notes when it is dropped (closed).
        let closed: Rc<std::cell::RefCell<Vec<usize>>> = Rc::default();
        struct Noted(usize, Rc<std::cell::RefCell<Vec<usize>>>);
        impl Drop for Noted {
            fn drop(&mut self) {
                self.1.borrow_mut().push(self.0);
            }
        }
        let mut flags = Vec::new();
        let mut open = Connections::new();
        for n in 0..MAX_CONNECTIONS {
            let closed = closed.clone();
            open.add(|proven| {
                flags.push(proven);
                let noted = Noted(n, closed);
                async move {
                    let _noted = noted;
                    std::future::pending::<()>().await;
                }
            });
        }
        // 0 and 1 proved themselves: 2 is the oldest unproven.
        flags[0].set(true);
        flags[1].set(true);
        assert!(open.has_room());
        open.add(|_| std::future::pending());
        assert_eq!(open.len(), MAX_CONNECTIONS);
        assert_eq!(*closed.borrow(), vec![2]);
        // All proven: no room, nothing closed.
        for flag in &flags {
            flag.set(true);
        }
        let mut all = Connections::new();
        for flag in flags.iter().take(MAX_CONNECTIONS) {
            all.add(|proven| {
                proven.set(flag.get());
                std::future::pending()
            });
        }
        assert!(!all.has_room());
        assert!(!all.is_empty());
    }

    #[tokio::test]
    async fn the_token_is_random_and_not_in_debug() {
        let a = bind().await.unwrap();
        let b = bind().await.unwrap();
        assert_eq!(a.token.expose().len(), 64);
        assert_ne!(a.token, b.token);
        assert!(a.url.starts_with("http://127.0.0.1:"));
        assert!(!format!("{a:?}").contains(a.token.expose()));
    }
}
