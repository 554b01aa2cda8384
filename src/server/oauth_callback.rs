//! The loopback redirect target of the PKCE sign-in (RFC 8252 section 7.3): a listener on
//! `127.0.0.1` (an ephemeral port, or `--listen-port`) that waits for the browser's
//! `GET /oauth/callback?code=…&state=…`.
//!
//! Only that path is answered with a page; anything else gets 404 (405 for another
//! method) and is ignored, as is a callback without a code. A callback whose `state` is
//! not the one sent ends the wait with an error (someone else's redirect, or a forged
//! one), and so does an `error` the service sent back (the user denied access). The first
//! valid callback ends it with the code. Connections are served side by side (browsers
//! open spare ones), each with a few seconds to send its request, one request each.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::secret::SecretString;

/// The callback's path.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// How long one connection has to send its request.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(10);

/// The page the browser ends on when its redirect brought a code. The code is exchanged
/// after this page is sent, so it does not say the sign-in is complete: the terminal does.
pub const SUCCESS_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>aws-login: sign-in received</title></head><body><h1>aws-login: sign-in received</h1><p>aws-login has what it needs from this page; the terminal says when the sign-in is complete. You can close this tab.</p></body></html>";

const FAILED_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>aws-login: sign-in failed</title></head><body><h1>aws-login: sign-in failed</h1><p>Return to the terminal to see why.</p></body></html>";

/// Why the wait ended without a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// The callback's `state` is not the one aws-login sent.
    StateMismatch,
    /// The redirect carries this sign-in's state but no code (and no error).
    NoCode,
    /// The redirect gives a parameter twice.
    Ambiguous,
    /// The service redirected with an OAuth error (`access_denied`...).
    Denied {
        /// `error`.
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
    },
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StateMismatch => f.write_str(
                "the browser came back with a state that is not the one aws-login sent (another sign-in's redirect, or a forged one); nothing was exchanged",
            ),
            Self::NoCode => f.write_str(
                "the browser came back without an authorization code (and without an error): sign in again",
            ),
            Self::Ambiguous => f.write_str(
                "the browser came back with a parameter given twice (two codes or states); nothing was exchanged: sign in again",
            ),
            Self::Denied { error, description } => {
                write!(f, "the sign-in was refused: {error}")?;
                if let Some(d) = description {
                    write!(f, " ({d})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CallbackError {}

/// A bound callback listener.
#[derive(Debug)]
pub struct Callback {
    listener: TcpListener,
    addr: SocketAddr,
}

/// Binds the listener on `127.0.0.1:port` (`None`: an ephemeral port).
pub async fn bind(port: Option<u16>) -> std::io::Result<Callback> {
    let listener = TcpListener::bind(("127.0.0.1", port.unwrap_or(0))).await?;
    let addr = listener.local_addr()?;
    Ok(Callback { listener, addr })
}

/// What one request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Not the callback, or no code: answered and ignored.
    Ignored(u16),
    /// The code.
    Code(String),
    /// The end of the wait with an error.
    Failed(CallbackError),
}

/// `application/x-www-form-urlencoded` decoding of a query component (a `%` not
/// followed by two hex digits stays as it is).
pub fn decode(s: &str) -> String {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a request (method, path and query) means for the wait. Pure.
fn judge(method: &hyper::Method, path: &str, query: Option<&str>, state: &str) -> Outcome {
    if path != CALLBACK_PATH {
        return Outcome::Ignored(404);
    }
    if method != hyper::Method::GET {
        return Outcome::Ignored(405);
    }
    let mut params: HashMap<String, String> = HashMap::new();
    let mut repeated = false;
    for (k, v) in query
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
    {
        repeated |= params.insert(decode(k), decode(v)).is_some();
    }
    let state_ok = params.get("state").is_some_and(|s| s == state);
    // A parameter given twice (which code?) is not guessed at.
    if repeated && state_ok {
        return Outcome::Failed(CallbackError::Ambiguous);
    }
    if let Some(error) = params.get("error") {
        if !state_ok {
            return Outcome::Failed(CallbackError::StateMismatch);
        }
        return Outcome::Failed(CallbackError::Denied {
            error: error.clone(),
            description: params.get("error_description").cloned(),
        });
    }
    match params.get("code").filter(|c| !c.is_empty()) {
        // This sign-in's redirect, without a code: nothing more will come.
        None if state_ok => Outcome::Failed(CallbackError::NoCode),
        None => Outcome::Ignored(400),
        Some(_) if !state_ok => Outcome::Failed(CallbackError::StateMismatch),
        Some(code) => Outcome::Code(code.clone()),
    }
}

impl Callback {
    /// The redirect URI to register the authorize request with.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.addr.port())
    }

    /// The listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the callback that carries `state`: its code, or why the sign-in ended.
    /// Runs until then (the caller bounds it).
    pub async fn wait(self, state: &str) -> Result<SecretString, CallbackError> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Outcome>();
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let tx = tx.clone();
                    let state = state.to_owned();
                    connections.spawn(async move {
                        let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                            let outcome = judge(req.method(), req.uri().path(), req.uri().query(), &state);
                            let (status, page) = match &outcome {
                                Outcome::Ignored(404) => (404, "not found"),
                                Outcome::Ignored(405) => (405, "method not allowed"),
                                Outcome::Ignored(_) => (400, "no code in this callback"),
                                Outcome::Code(_) => (200, SUCCESS_PAGE),
                                Outcome::Failed(_) => (400, FAILED_PAGE),
                            };
                            if !matches!(outcome, Outcome::Ignored(_)) {
                                let _ = tx.send(outcome);
                            }
                            let response = hyper::Response::builder()
                                .status(status)
                                .header("content-type", "text/html; charset=utf-8")
                                .header("cache-control", "no-store")
                                .header("connection", "close")
                                .body(Full::new(Bytes::from_static(page.as_bytes())));
                            async move {
                                Ok::<_, Infallible>(response.unwrap_or_else(|_| {
                                    hyper::Response::new(Full::new(Bytes::new()))
                                }))
                            }
                        });
                        let conn = hyper::server::conn::http1::Builder::new()
                            .keep_alive(false)
                            .serve_connection(TokioIo::new(stream), service);
                        let _ = tokio::time::timeout(REQUEST_LIMIT, conn).await;
                    });
                }
                Some(outcome) = rx.recv() => {
                    // Let the browser have its page before the listener goes.
                    let _ = tokio::time::timeout(Duration::from_secs(2), async {
                        while connections.join_next().await.is_some() {}
                    })
                    .await;
                    return match outcome {
                        Outcome::Code(code) => Ok(SecretString::new(code)),
                        Outcome::Failed(e) => Err(e),
                        Outcome::Ignored(_) => continue,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_with_the_state_gives_a_code() {
        let get = hyper::Method::GET;
        assert_eq!(
            judge(&get, "/oauth/callback", Some("code=abc%2B1&state=s1"), "s1"),
            Outcome::Code("abc+1".into())
        );
        assert_eq!(
            judge(&get, "/favicon.ico", None, "s1"),
            Outcome::Ignored(404)
        );
        assert_eq!(decode("a%zz%4"), "a%zz%4");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(
            judge(
                &hyper::Method::POST,
                "/oauth/callback",
                Some("code=a&state=s1"),
                "s1"
            ),
            Outcome::Ignored(405)
        );
        assert_eq!(
            judge(&get, "/oauth/callback", Some("state=s1"), "s1"),
            Outcome::Failed(CallbackError::NoCode)
        );
        assert_eq!(
            judge(&get, "/oauth/callback", Some("state=other"), "s1"),
            Outcome::Ignored(400)
        );
        assert_eq!(
            judge(
                &get,
                "/oauth/callback",
                Some("code=A&state=s1&code=B"),
                "s1"
            ),
            Outcome::Failed(CallbackError::Ambiguous)
        );
        assert_eq!(
            judge(&get, "/oauth/callback", Some("code=a&state=other"), "s1"),
            Outcome::Failed(CallbackError::StateMismatch)
        );
        assert_eq!(
            judge(
                &get,
                "/oauth/callback",
                Some("error=access_denied&error_description=User+denied&state=s1"),
                "s1"
            ),
            Outcome::Failed(CallbackError::Denied {
                error: "access_denied".into(),
                description: Some("User denied".into())
            })
        );
    }
}
