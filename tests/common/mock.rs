//! The one mock server of the tests (object_store's `MockServer` is the model): HTTP/1.1
//! on 127.0.0.1:0, plain or TLS. Every request is recorded, in order, for the test to
//! assert. Each is answered by the next queued [`Answer`], else by the mock's handler
//! (fakes that behave like a service: IMDSv2, the container endpoint, STS, the SSO
//! portal), else with a 500 `NoAnswerQueued`. Answers include the faults a real network
//! has: throttling and 5xx (as AWS sends them), a server that never answers, one that
//! answers a byte at a time, a body cut off, an oversized one (declared or endless), bytes
//! that are not HTTP, a connection closed without an answer, and one reset (RST).
//!
//! Written on raw TCP (not a server library) so that it can send what a correct server
//! never would.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the mock does with a request.
pub enum Answer {
    /// A whole answer (`Content-Length` set; `Content-Type: text/xml` unless given).
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// A 200 whose body comes a byte at a time, `pause` apart.
    Trickle { body: String, pause: Duration },
    /// No answer ever; the connection stays open.
    Hang,
    /// A 200 declaring `declared` bytes, then only `sent`, then the connection closes.
    CutOff { declared: usize, sent: &'static str },
    /// Bytes as they are (not HTTP), then the connection closes.
    Raw(&'static [u8]),
    /// The connection closes without an answer.
    Close,
    /// The connection is reset (`SO_LINGER` 0, then closed: the client reads RST).
    Reset,
    /// A 200 declaring `declared` bytes, then `x`s in 64 KiB writes until the client stops
    /// reading (a body no client should read whole).
    Oversized { declared: u64 },
}

impl Answer {
    /// The answer with one more header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Answer::Respond { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }
}

/// A 200 with `body`.
pub fn ok(body: &str) -> Answer {
    reply(200, body)
}

/// `status` with `body`.
pub fn reply(status: u16, body: &str) -> Answer {
    Answer::Respond {
        status,
        headers: vec![],
        body: body.to_owned(),
    }
}

/// An AWS Query error (STS, EC2's siblings) with `code`: `Throttling` for a throttle,
/// `InternalFailure` with a 5xx status for a server error.
pub fn error(status: u16, code: &str) -> Answer {
    reply(
        status,
        &format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>rid-{status}</RequestId></ErrorResponse>"
        ),
    )
}

/// A request as the mock read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line (`POST / HTTP/1.1`).
    pub head: String,
    /// The headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: String,
}

impl Request {
    /// The method.
    pub fn method(&self) -> &str {
        self.head.split(' ').next().unwrap_or_default()
    }

    /// The request target (path and query).
    pub fn target(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or_default()
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target().split('?').next().unwrap_or_default()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body's form pairs, values as sent (still percent-encoded).
    pub fn form(&self) -> HashMap<String, String> {
        self.body
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// The query's pairs, decoded.
    pub fn query(&self) -> HashMap<String, String> {
        self.target()
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or_default()
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect()
    }

    /// The body's form pairs, decoded.
    pub fn decoded_form(&self) -> HashMap<String, String> {
        self.form()
            .into_iter()
            .map(|(k, v)| (decode(&k), decode(&v)))
            .collect()
    }
}

/// `application/x-www-form-urlencoded` decoding of one item.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Answers a request when nothing is queued.
type Handler = Box<dyn Fn(&Request) -> Answer + Send + Sync>;

/// A running mock: its queue and what it has seen.
pub struct Mock {
    /// Answers still to give, first first.
    pub answers: Mutex<VecDeque<Answer>>,
    /// Every request, in the order they came.
    pub seen: Mutex<Vec<Request>>,
    handler: Option<Handler>,
}

impl Mock {
    /// Queues one more answer.
    pub fn push(&self, answer: Answer) {
        self.answers.lock().unwrap().push_back(answer);
    }

    fn answer(&self, request: &Request) -> Answer {
        if let Some(answer) = self.answers.lock().unwrap().pop_front() {
            return answer;
        }
        match &self.handler {
            Some(handler) => handler(request),
            None => error(500, "NoAnswerQueued"),
        }
    }
}

/// Reads one request; `None` when the client closed the connection.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut BufReader<S>) -> Option<Request> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let head = lines.first().cloned().unwrap_or_default();
    let headers: HashMap<String, String> = lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await.ok()?;
    Some(Request {
        head,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A connection that can be reset.
trait Resettable {
    /// Makes closing it send RST.
    fn set_reset(&self);
}

impl Resettable for tokio::net::TcpStream {
    fn set_reset(&self) {
        let _ = self.set_zero_linger();
    }
}

impl Resettable for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn set_reset(&self) {
        self.get_ref().0.set_reset();
    }
}

/// Serves one connection until the client closes it or an answer ends it.
async fn serve<S: AsyncRead + AsyncWrite + Unpin + Resettable>(mock: Arc<Mock>, stream: S) {
    let mut stream = BufReader::new(stream);
    while let Some(request) = read_request(&mut stream).await {
        mock.seen.lock().unwrap().push(request.clone());
        let answer = mock.answer(&request);
        let written = match answer {
            Answer::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    out.push_str("Content-Type: text/xml\r\n");
                }
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                stream.write_all(out.as_bytes()).await
            }
            Answer::Trickle { body, pause } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for b in body.bytes() {
                    tokio::time::sleep(pause).await;
                    if stream.write_all(&[b]).await.is_err() {
                        return;
                    }
                }
                Ok(())
            }
            Answer::Hang => std::future::pending().await,
            Answer::CutOff { declared, sent } => {
                let out = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n{sent}");
                let _ = stream.write_all(out.as_bytes()).await;
                return;
            }
            Answer::Raw(bytes) => {
                let _ = stream.write_all(bytes).await;
                return;
            }
            Answer::Close => return,
            Answer::Reset => {
                stream.get_ref().set_reset();
                return;
            }
            Answer::Oversized { declared } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0u64;
                while sent < declared {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len() as u64;
                }
                Ok(())
            }
        };
        if written.is_err() || stream.flush().await.is_err() {
            return;
        }
        // A client that asked for the connection to close gets its end of file.
        if request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            return;
        }
    }
}

async fn listen(
    mock: Arc<Mock>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> (Arc<Mock>, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = mock.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let mock = server.clone();
            match tls.clone() {
                None => {
                    tokio::spawn(serve(mock, stream));
                }
                Some(acceptor) => {
                    tokio::spawn(async move {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(mock, stream).await;
                        }
                    });
                }
            }
        }
    });
    (mock, addr)
}

fn mock(answers: Vec<Answer>, handler: Option<Handler>) -> Arc<Mock> {
    Arc::new(Mock {
        answers: Mutex::new(answers.into()),
        seen: Mutex::default(),
        handler,
    })
}

/// A mock that gives `answers` in order (then 500 `NoAnswerQueued`).
pub async fn start(answers: Vec<Answer>) -> (Arc<Mock>, SocketAddr) {
    listen(mock(answers, None), None).await
}

/// A mock that answers every request with `handler` (unless an answer is queued).
pub async fn serve_with<F>(handler: F) -> (Arc<Mock>, SocketAddr)
where
    F: Fn(&Request) -> Answer + Send + Sync + 'static,
{
    listen(mock(Vec::new(), Some(Box::new(handler))), None).await
}

/// [`serve_with`] over TLS with `config` (the tests' own CA signs its certificate).
pub async fn serve_tls_with<F>(
    config: Arc<rustls::ServerConfig>,
    handler: F,
) -> (Arc<Mock>, SocketAddr)
where
    F: Fn(&Request) -> Answer + Send + Sync + 'static,
{
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    listen(mock(Vec::new(), Some(Box::new(handler))), Some(acceptor)).await
}

/// A loopback address where nothing listens (connections are refused).
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// A loopback address that accepts connections and never answers (a black hole, as a
/// firewalled metadata address looks).
pub async fn silent_port() -> SocketAddr {
    serve_with(|_| Answer::Hang).await.1
}
