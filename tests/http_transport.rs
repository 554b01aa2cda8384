//! The transport against the mock server on 127.0.0.1:0: a plain HTTP echo, oversized,
//! silent, refusing and cut-off answers, a TLS echo whose CA is only in the extra
//! bundle; and, in front of them, fake proxies (CONNECT and plain, refusing in every way
//! a proxy can), which are proxies in the path rather than endpoints, so written here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common::mock::{self, Answer, closed_port, reply, serve_tls_with, serve_with, start};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_login::http::client::{HttpClient, ProxyConfig, Request, TransportConfig, TransportError};
use hyper::body::Bytes;
use hyper::header::{HOST, HeaderValue};
use hyper::{HeaderMap, Method};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/tls/server.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/server.key");

/// Answers every request with its method, path, `x-test` header and body.
fn echo(req: &mock::Request) -> Answer {
    let text = format!(
        "{} {} {} {}",
        req.method(),
        req.target(),
        req.header("x-test").unwrap_or(""),
        req.body
    );
    reply(201, &text).with_header("x-reply", "yes")
}

async fn spawn_http() -> SocketAddr {
    serve_with(echo).await.1
}

async fn spawn_tls() -> SocketAddr {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT)
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    serve_tls_with(Arc::new(config), echo).await.1
}

/// A fake proxy: runs `script` on each connection a client opens to it.
async fn spawn_proxy<F, Fut>(script: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(script(stream));
        }
    });
    addr
}

/// A mock that answers its first request with `answer`.
async fn answering(answer: Answer) -> SocketAddr {
    start(vec![answer]).await.1
}

fn request(url: &str, body: &'static str) -> Request {
    let uri: hyper::Uri = url.parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        HOST,
        HeaderValue::from_str(uri.authority().unwrap().as_str()).unwrap(),
    );
    headers.insert("x-test", HeaderValue::from_static("hello"));
    Request {
        method: Method::POST,
        uri,
        headers,
        body: Bytes::from(body).into(),
    }
}

fn local_config() -> TransportConfig {
    TransportConfig {
        system_roots: false,
        ..TransportConfig::default()
    }
}

#[tokio::test]
async fn sends_and_reads_a_whole_exchange() {
    let addr = spawn_http().await;
    let client = HttpClient::new(local_config()).unwrap();
    let resp = client
        .send(request(&format!("http://{addr}/a/b?c=d"), "body!"))
        .await
        .unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.headers.get("x-reply").unwrap(), "yes");
    assert_eq!(resp.body, Bytes::from("POST /a/b?c=d hello body!"));
    // Keep-alive: a second request on the same client works too.
    let again = client
        .send(request(&format!("http://{addr}/x"), ""))
        .await
        .unwrap();
    assert_eq!(again.body, Bytes::from("POST /x hello "));
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let addr = spawn_http().await;
    let client = HttpClient::new(TransportConfig {
        max_body_bytes: 16,
        ..local_config()
    })
    .unwrap();
    let err = client
        .send(request(
            &format!("http://{addr}/"),
            "a body longer than sixteen bytes",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::BodyTooLarge { limit: 16, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let addr = answering(Answer::Hang).await;
    let client = HttpClient::new(TransportConfig {
        read_timeout: Some(Duration::from_millis(300)),
        ..local_config()
    })
    .unwrap();
    let err = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::ReadTimeout { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("for 0.3s (the read timeout; --cli-read-timeout sets it)"),
        "{err}"
    );
}

#[tokio::test]
async fn the_read_timeout_is_between_bytes_not_for_the_whole_answer() {
    // The answer comes a byte at a time, 100 ms apart: 2 s in all, never 1 s of silence.
    let addr = answering(Answer::Trickle {
        body: "slow but steady, twenty".into(),
        pause: Duration::from_millis(100),
    })
    .await;
    let client = HttpClient::new(TransportConfig {
        read_timeout: Some(Duration::from_secs(1)),
        ..local_config()
    })
    .unwrap();
    let resp = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap();
    assert_eq!(resp.body, Bytes::from("slow but steady, twenty"));
}

#[tokio::test]
async fn an_answer_that_is_not_http_says_so() {
    let addr = answering(Answer::Raw(b"SSH-2.0-OpenSSH_9.2\r\n")).await;
    let client = HttpClient::new(local_config()).unwrap();
    let err = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::NotHttp { .. }), "{err:?}");
    let chain = chain_text(&err);
    assert!(
        chain.starts_with(&format!("the answer from http://{addr}/ is not HTTP")),
        "{chain}"
    );
    assert!(!chain.contains("client error"), "{chain}");
}

#[tokio::test]
async fn refused_and_cut_off_connections_are_told_apart() {
    let closed = closed_port().await;
    let client = HttpClient::new(local_config()).unwrap();
    let err = client
        .send(request(&format!("http://{closed}/"), ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");

    let addr = answering(Answer::CutOff {
        declared: 100,
        sent: "short",
    })
    .await;
    let err = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Reset { .. }), "{err:?}");

    // Closed after the request, without a word: a reset too, not a refusal.
    let addr = answering(Answer::Close).await;
    let err = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Reset { .. }), "{err:?}");
}

#[tokio::test]
async fn tls_trusts_the_extra_bundle_and_only_it() {
    let addr = spawn_tls().await;
    let url = format!("https://localhost:{}/tls", addr.port());
    let trusting = HttpClient::new(TransportConfig {
        extra_ca_pem: Some(CA.to_vec()),
        ..local_config()
    })
    .unwrap();
    let resp = trusting.send(request(&url, "secure")).await.unwrap();
    assert_eq!(resp.body, Bytes::from("POST /tls hello secure"));

    let strict = HttpClient::new(local_config()).unwrap();
    let err = strict.send(request(&url, "")).await.unwrap_err();
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
}

/// A CONNECT proxy that tunnels every connection to `target`, recording each request head.
async fn spawn_connect_proxy(target: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen_by_proxy = seen.clone();
    let proxy = spawn_proxy(move |mut client| {
        let seen = seen_by_proxy.clone();
        async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if client.read(&mut byte).await.unwrap_or(0) == 0 {
                    return;
                }
                head.push(byte[0]);
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            let mut upstream = tokio::net::TcpStream::connect(target).await.unwrap();
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .unwrap();
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
    })
    .await;
    (proxy, seen)
}

#[tokio::test]
async fn https_goes_through_the_connect_proxy_with_its_credentials() {
    let target = spawn_tls().await;
    let (proxy, seen) = spawn_connect_proxy(target).await;
    let config = TransportConfig {
        extra_ca_pem: Some(CA.to_vec()),
        proxy: ProxyConfig {
            https: Some(format!("http://alice:s3cret@{proxy}")),
            http: None,
            no_proxy: Some("internal.example".into()),
        },
        ..local_config()
    };
    let client = HttpClient::new(config).unwrap();
    assert!(client.uses_proxy(&"https://sts.test/".parse().unwrap()));
    assert!(!client.uses_proxy(&"https://internal.example/".parse().unwrap()));
    assert!(!client.uses_proxy(&"https://127.0.0.1:8443/".parse().unwrap()));
    assert!(!client.uses_proxy(&"https://169.254.169.254/".parse().unwrap()));
    assert!(!client.uses_proxy(&"http://sts.test/".parse().unwrap()));

    let resp = client
        .send(request("https://sts.test/via-proxy", "tunnelled"))
        .await
        .unwrap();
    assert_eq!(resp.body, Bytes::from("POST /via-proxy hello tunnelled"));
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with("CONNECT sts.test:443 HTTP/1.1\r\n"),
        "{}",
        heads[0]
    );
    // base64("alice:s3cret")
    assert!(heads[0].contains("Basic YWxpY2U6czNjcmV0"), "{}", heads[0]);
    assert!(!format!("{client:?}").contains("s3cret"));
}

#[tokio::test]
async fn http_goes_through_the_http_proxy() {
    let target = spawn_http().await;
    let (proxy, seen) = spawn_connect_proxy(target).await;
    let config = TransportConfig {
        proxy: ProxyConfig {
            https: None,
            http: Some(format!("http://{proxy}")),
            no_proxy: None,
        },
        ..local_config()
    };
    let client = HttpClient::new(config).unwrap();
    assert!(client.uses_proxy(&"http://ec2.test:8080/".parse().unwrap()));
    assert!(!client.uses_proxy(&"https://ec2.test/".parse().unwrap()));
    let resp = client
        .send(request("http://ec2.test:8080/plain", "via"))
        .await
        .unwrap();
    assert_eq!(resp.body, Bytes::from("POST /plain hello via"));
    let heads = seen.lock().unwrap().clone();
    assert!(
        heads[0].starts_with("CONNECT ec2.test:8080 HTTP/1.1\r\n"),
        "{}",
        heads[0]
    );
}

/// What a misbehaving proxy does after reading a CONNECT.
#[derive(Clone, Copy)]
enum ProxyDoes {
    Answer(&'static str),
    AnswerAndHold(&'static str),
    Close,
    Nothing,
}

/// A proxy that does `does` with every CONNECT.
async fn spawn_refusing_proxy(does: ProxyDoes) -> SocketAddr {
    spawn_proxy(move |mut client| async move {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if client.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        match does {
            ProxyDoes::Answer(answer) => {
                let _ = client.write_all(answer.as_bytes()).await;
            }
            ProxyDoes::AnswerAndHold(answer) => {
                let _ = client.write_all(answer.as_bytes()).await;
                let _ = client.read(&mut byte).await;
            }
            ProxyDoes::Close => {}
            ProxyDoes::Nothing => {
                // Hold the connection open, silent, until the client gives up.
                let _ = client.read(&mut byte).await;
            }
        }
    })
    .await
}

/// `err` and its causes, as the binary prints them.
fn chain_text(err: &TransportError) -> String {
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// `config` with `url` as the proxy for https:// targets.
fn through(url: String, config: TransportConfig) -> TransportConfig {
    TransportConfig {
        proxy: ProxyConfig {
            https: Some(url),
            http: None,
            no_proxy: None,
        },
        ..config
    }
}

/// The error of sending to https://sts.test/x with `config`, and its cause chain.
async fn failure(config: TransportConfig) -> (TransportError, String) {
    let err = HttpClient::new(config)
        .unwrap()
        .send(request("https://sts.test/x", ""))
        .await
        .unwrap_err();
    let chain = chain_text(&err);
    (err, chain)
}

#[tokio::test]
async fn a_proxy_that_refuses_the_tunnel_is_named_with_what_it_did() {
    use ProxyDoes::*;
    for (does, userinfo, says) in [
        (
            Answer("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
            "",
            "the proxy wants credentials: it answered CONNECT with HTTP 407 Proxy Authentication Required (put user:password@ in the proxy URL",
        ),
        (
            Answer("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
            "alice:wrong@",
            "the proxy rejected the credentials in the proxy URL: it answered CONNECT with HTTP 407 Proxy Authentication Required",
        ),
        (
            Answer("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"),
            "",
            "the proxy answered CONNECT with HTTP 502 Bad Gateway",
        ),
        (
            Answer("SSH-2.0-OpenSSH_9.2\r\n\r\n"),
            "",
            "the proxy's answer to CONNECT is not HTTP",
        ),
        (
            Close,
            "",
            "the proxy closed the connection without answering CONNECT",
        ),
        // Not HTTP, and no blank line ever comes: said at once, not at the read timeout.
        (
            AnswerAndHold("SSH-2.0-OpenSSH_9.0\r\nhello\r\n"),
            "",
            "the proxy's answer to CONNECT is not HTTP",
        ),
        // Bare LF line ends.
        (
            AnswerAndHold("HTTP/1.1 407 Proxy Authentication Required\n\n"),
            "",
            "the proxy wants credentials: it answered CONNECT with HTTP 407",
        ),
        (
            Nothing,
            "",
            "the proxy did not answer CONNECT within 0.3s (the read timeout; --cli-read-timeout sets it)",
        ),
    ] {
        let proxy = spawn_refusing_proxy(does).await;
        let config = TransportConfig {
            read_timeout: Some(Duration::from_millis(300)),
            ..local_config()
        };
        let (err, chain) = failure(through(format!("http://{userinfo}{proxy}"), config)).await;
        let shown = if userinfo.is_empty() {
            format!("http://{proxy}")
        } else {
            format!("http://<redacted>@{proxy}")
        };
        assert!(
            chain.starts_with(&format!(
                "cannot reach https://sts.test/x through the proxy {shown}: {says}"
            )),
            "{chain}"
        );
        assert!(!chain.contains("wrong"), "{chain}");
        // Not hyper's wrapping ("client error (Connect)").
        assert!(!chain.contains("client error"), "{chain}");
        assert!(matches!(err, TransportError::Proxy { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn an_unreachable_proxy_is_named() {
    let closed = closed_port().await;
    let (_, chain) = failure(through(format!("http://u:pw@{closed}"), local_config())).await;
    assert!(
        chain.starts_with(&format!(
            "cannot reach https://sts.test/x through the proxy http://<redacted>@{closed}: cannot connect to the proxy: "
        )),
        "{chain}"
    );
    assert!(!chain.contains("pw"), "{chain}");
}

/// A listener whose accept queue is full and never accepted: the kernel drops further
/// connection attempts, so connecting to it waits until the connect timeout. Keep both.
async fn unconnectable() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut filling = Vec::new();
    for _ in 0..4 {
        let attempt = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(200), attempt).await {
            filling.push(stream);
        }
    }
    (listener, filling)
}

#[tokio::test]
async fn proxy_failures_name_the_limit_and_the_proxy() {
    // The proxy cannot be reached within the connect timeout.
    let (listener, _filling) = unconnectable().await;
    let proxy = listener.local_addr().unwrap();
    let config = TransportConfig {
        connect_timeout: Some(Duration::from_millis(300)),
        ..local_config()
    };
    let (_, chain) = failure(through(format!("http://u:pw@{proxy}"), config)).await;
    assert!(
        chain.contains("cannot connect to the proxy within 0.3s (the connect timeout; --cli-connect-timeout sets it)"),
        "{chain}"
    );
    // The tunnel opens, then nothing comes through it: the proxy is named as well.
    let silent = spawn_refusing_proxy(ProxyDoes::AnswerAndHold(
        "HTTP/1.1 200 Connection established\r\n\r\n",
    ))
    .await;
    let config = TransportConfig {
        read_timeout: Some(Duration::from_millis(300)),
        ..local_config()
    };
    let (_, chain) = failure(through(format!("http://u:pw@{silent}"), config)).await;
    assert!(
        chain.contains(&format!(
            "https://sts.test/x (through the proxy http://<redacted>@{silent})"
        )),
        "{chain}"
    );
    assert!(!chain.contains("pw@"), "{chain}");
}

#[tokio::test]
async fn proxy_urls_that_cannot_work_are_refused() {
    for (url, says) in [
        (
            "socks5://alice:pw@127.0.0.1:1080",
            "unsupported proxy URL socks5://<redacted>@127.0.0.1:1080: only http:// proxies",
        ),
        (
            "https://proxy.test:443",
            "unsupported proxy URL https://proxy.test:443",
        ),
        (
            "http://u:pw@proxy.test:99999",
            "invalid proxy URL http://<redacted>@proxy.test:99999",
        ),
        (
            "http://proxy.test:+80",
            "invalid proxy URL http://proxy.test:+80",
        ),
        ("proxy.test:0", "invalid proxy URL proxy.test:0"),
    ] {
        let err = HttpClient::new(through(url.to_owned(), local_config())).unwrap_err();
        assert!(err.to_string().starts_with(says), "{url}: {err}");
    }
}

#[tokio::test]
async fn the_connect_timeout_is_told_from_the_read_timeout() {
    let (listener, _filling) = unconnectable().await;
    let addr = listener.local_addr().unwrap();
    let client = HttpClient::new(TransportConfig {
        connect_timeout: Some(Duration::from_millis(300)),
        read_timeout: Some(Duration::from_secs(30)),
        ..local_config()
    })
    .unwrap();
    let err = client
        .send(request(&format!("http://{addr}/"), ""))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::ConnectTimeout { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("within 0.3s (the connect timeout; --cli-connect-timeout sets it)"),
        "{err}"
    );
    drop(listener);
}
