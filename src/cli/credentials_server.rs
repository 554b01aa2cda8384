//! The credentials endpoint `runas --credentials-server` gives its child: the container
//! credentials protocol (as ECS and EKS Pod Identity serve it) on 127.0.0.1, guarded by a
//! random token, answering with whatever the caller provides (renewed credentials).
//! Not a general server: one connection at a time, no keep-alive, GET only.

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
        .serve_connection(TokioIo::new(stream), service);
    // A client that connects and sends nothing must not hold the endpoint for long.
    let _ = tokio::time::timeout(CONNECTION_LIMIT, connection).await;
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
