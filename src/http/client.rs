//! The one HTTP transport: hyper 1 over rustls (ring), HTTP/1.1 with keep-alive, built
//! once per process. It sends one attempt of one request: TLS trust, proxies, timeouts and
//! a cap on response bodies live here; retries and signing wrap around it.
//!
//! Trust is Mozilla's roots (bundled) plus the system store plus an optional PEM bundle
//! (`AWS_CA_BUNDLE`, profile `ca_bundle`), so a TLS-inspecting corporate proxy works.
//! `https://` requests go through `HTTPS_PROXY`, `http://` ones through `HTTP_PROXY`, both
//! in a CONNECT tunnel, unless `NO_PROXY` says otherwise; loopback and the
//! instance/container metadata addresses never do.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use super::idle::IdleConnector;
use super::trust::{LazyVerifier, Roots};
use super::tunnel::{Tunnel, TunnelError};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Response bodies larger than this are refused (10 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// How long to wait for a connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a read may wait for the next bytes from the server by default (the AWS
/// CLI's `--cli-read-timeout` default).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

pub use super::body::Body;
use super::body::SendBody;
pub use super::config::{ProxyConfig, TransportConfig};
pub use super::error::{CaBundleError, TransportError};
use super::stream::is_read_timeout;
pub use super::stream::{Answer, ResponseStream};
pub use crate::secret::redact_userinfo;

/// One request to send.
#[derive(Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub uri: Uri,
    /// Headers, `Host` included (it is signed, so it is set explicitly).
    pub headers: HeaderMap,
    /// The body: bytes, or a file streamed from disk.
    pub body: Body,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers and body carry signatures, tokens and MFA codes.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("uri", &redact_query(&self.uri))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// A URL for logs: the query, which may hold a presigned token or signature, is dropped.
pub fn redact_query(uri: &Uri) -> String {
    let mut shown = format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("?"),
        uri.authority().map_or("", |a| a.as_str()),
        uri.path()
    );
    if uri.query().is_some() {
        shown.push_str("?<redacted>");
    }
    redact_userinfo(&shown)
}

/// A response, its body read in full.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

type DirectClient = Client<HttpsConnector<IdleConnector<HttpConnector>>, SendBody>;
type TunnelClient = Client<HttpsConnector<IdleConnector<Tunnel>>, SendBody>;

/// The HTTP client. Cheap to share by reference; build one per process.
pub struct HttpClient {
    direct: DirectClient,
    proxies: Option<Proxies>,
    config: TransportConfig,
}

/// The configured proxies: which targets go through one, and a tunnelling client for each
/// scheme that has a proxy.
struct Proxies {
    matcher: Matcher,
    https: Option<Proxied>,
    http: Option<Proxied>,
}

/// A tunnelling client and its proxy's URL as shown (credentials redacted).
struct Proxied {
    client: TunnelClient,
    shown: String,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .field("proxied", &self.proxies.is_some())
            .finish()
    }
}

/// The extra bundle's certificates, parsed now so a broken one is refused at once.
fn extra_roots(config: &TransportConfig) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let Some(pem) = &config.extra_ca_pem else {
        return Ok(Vec::new());
    };
    let mut certs = Vec::new();
    for cert in CertificateDer::pem_slice_iter(pem) {
        // The PEM framing and base64 are checked here; the certificates themselves are
        // parsed on the first handshake, with the rest of the trust store.
        certs.push(cert.map_err(|e| TransportError::CaBundle(CaBundleError::Pem(e)))?);
    }
    if certs.is_empty() {
        return Err(TransportError::CaBundle(CaBundleError::NoCertificate));
    }
    Ok(certs)
}

/// The TLS configuration: its trust store is built on the first handshake (see
/// [`super::trust`]), so a run that makes no TLS connection reads no certificate.
fn tls_config(config: &TransportConfig) -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Roots {
        system: config.system_roots,
        ssl_cert_file: config.ssl_cert_file.clone(),
        extra: extra_roots(config)?,
    };
    let verifier = Arc::new(LazyVerifier::new(roots, provider.clone()));
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TransportError::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(tls)
}

fn http_connector(config: &TransportConfig) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(config.connect_timeout);
    http.set_nodelay(true);
    http
}

/// The instance metadata service's IPv6 address.
const IMDS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
/// The EKS Pod Identity agent's IPv6 address.
const CONTAINER_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// Hosts that never go through a proxy: loopback and the metadata endpoints.
fn never_proxied(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Ok(IpAddr::V6(ip)) => ip.is_loopback() || ip == IMDS_V6 || ip == CONTAINER_V6,
        Err(_) => false,
    }
}

/// A client that reaches `scheme://` targets through a CONNECT tunnel to the proxy at
/// `url` (with its `user:password`, if any, as Basic credentials).
fn tunnel_client(
    scheme: &str,
    url: &str,
    tls: &rustls::ClientConfig,
    config: &TransportConfig,
) -> Result<Proxied, TransportError> {
    let invalid = || TransportError::InvalidProxy(redact_userinfo(url));
    // Only plain-HTTP proxies: the tunnel speaks to the proxy in clear HTTP, which an
    // https:// proxy would not understand and a SOCKS proxy is not.
    if let Some((scheme, _)) = url.split_once("://")
        && !scheme.eq_ignore_ascii_case("http")
    {
        return Err(TransportError::UnsupportedProxy(redact_userinfo(url)));
    }
    let probe: Uri = format!("{scheme}://aws.amazon.com/")
        .parse()
        .map_err(|_| invalid())?;
    let matcher = match scheme {
        "https" => Matcher::builder().https(url.to_owned()),
        _ => Matcher::builder().http(url.to_owned()),
    }
    .build();
    let intercept = matcher.intercept(&probe).ok_or_else(invalid)?;
    if !port_ok(intercept.uri()) || url.parse::<Uri>().is_ok_and(|u| !port_ok(&u)) {
        return Err(invalid());
    }
    let tunnel = Tunnel::new(
        intercept.uri().clone(),
        intercept.basic_auth().cloned(),
        http_connector(config),
        config.connect_timeout,
        config.read_timeout,
    );
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls.clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(IdleConnector::new(tunnel, config.read_timeout));
    Ok(Proxied {
        client: Client::builder(TokioExecutor::new()).build(connector),
        shown: redact_userinfo(url),
    })
}

/// Whether `uri`'s port, if it has one, is a port a connection can go to (1-65535): the
/// URI grammar (RFC 3986 §3.2.3) allows any digits, and `:99999` or `:0` would otherwise
/// fail later, or quietly mean the scheme's default port.
pub fn port_ok(uri: &Uri) -> bool {
    // `Uri::port` is `None` for a port that does not fit a u16: read the authority.
    let Some(authority) = uri.authority() else {
        return true;
    };
    let host_port = authority.as_str().rsplit('@').next().unwrap_or_default();
    let after_host = host_port
        .rfind(']')
        .map_or(host_port, |end| &host_port[end + 1..]);
    match after_host.rfind(':') {
        None => true,
        Some(at) => {
            let port = &after_host[at + 1..];
            // Digits only: u16's parser would take `+80`.
            !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|port| port != 0)
        }
    }
}

/// hyper-util's client error without its own layer ("client error (Connect)", which says
/// nothing the transport's error does not): shows and chains what it wraps.
struct Unwrapped(hyper_util::client::legacy::Error);

impl fmt::Debug for Unwrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Unwrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::error::Error::source(&self.0) {
            Some(inner) => fmt::Display::fmt(inner, f),
            None => fmt::Display::fmt(&self.0, f),
        }
    }
}

impl std::error::Error for Unwrapped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0).and_then(std::error::Error::source)
    }
}

/// `e` and its causes, outermost first.
pub(super) fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |c| c.source())
}

impl HttpClient {
    /// Builds the client. Fails on a broken CA bundle or proxy URL.
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        let tls = tls_config(&config)?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(IdleConnector::new(
                http_connector(&config),
                config.read_timeout,
            ));
        let direct = Client::builder(TokioExecutor::new()).build(https);
        let proxies = match (&config.proxy.https, &config.proxy.http) {
            (None, None) => None,
            (https, http) => {
                let mut builder = Matcher::builder();
                if let Some(url) = https {
                    builder = builder.https(url.clone());
                }
                if let Some(url) = http {
                    builder = builder.http(url.clone());
                }
                if let Some(no) = &config.proxy.no_proxy {
                    builder = builder.no(no.clone());
                }
                let tunnel = |scheme: &str, url: &Option<String>| {
                    url.as_deref()
                        .map(|u| tunnel_client(scheme, u, &tls, &config))
                        .transpose()
                };
                Some(Proxies {
                    matcher: builder.build(),
                    https: tunnel("https", https)?,
                    http: tunnel("http", http)?,
                })
            }
        };
        Ok(Self {
            direct,
            proxies,
            config,
        })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// The tunnelling client a request to `uri` goes through, if any.
    fn proxy_for(&self, uri: &Uri) -> Option<&Proxied> {
        let proxies = self.proxies.as_ref()?;
        if uri.host().is_none_or(never_proxied) {
            return None;
        }
        proxies.matcher.intercept(uri)?;
        match uri.scheme_str() {
            Some("https") => proxies.https.as_ref(),
            Some("http") => proxies.http.as_ref(),
            _ => None,
        }
    }

    /// Whether a request to `uri` would go through a proxy.
    pub fn uses_proxy(&self, uri: &Uri) -> bool {
        self.proxy_for(uri).is_some()
    }

    /// Sends one attempt and reads the whole body, within the connect and read timeouts
    /// and the body cap.
    pub async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let url = redact_query(&request.uri);
        self.exchange(request, &url, self.config.max_body_bytes)
            .await
    }

    /// As [`HttpClient::send`], with a body cap of this request's own (bytes).
    pub async fn send_capped(
        &self,
        request: Request,
        max_body_bytes: usize,
    ) -> Result<Response, TransportError> {
        let url = redact_query(&request.uri);
        self.exchange(request, &url, max_body_bytes).await
    }

    /// Sends one attempt that must end within `timeout` as a whole (the instance
    /// metadata service gets about a second).
    pub async fn send_within(
        &self,
        request: Request,
        timeout: Duration,
    ) -> Result<Response, TransportError> {
        let url = redact_query(&request.uri);
        let exchange = self.exchange(request, &url, self.config.max_body_bytes);
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout {
                url,
                after: timeout,
            }),
        }
    }

    pub(super) async fn exchange(
        &self,
        request: Request,
        url: &str,
        limit: usize,
    ) -> Result<Response, TransportError> {
        let (url, parts, body) = self.head(request, url).await?;
        let body = self.read_body(body, &url, limit).await?;
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// Sends one attempt and waits for the answer's head: the URL as errors name it
    /// (through the proxy, if one), the head, and the body still to read.
    pub(super) async fn head(
        &self,
        request: Request,
        url: &str,
    ) -> Result<(String, hyper::http::response::Parts, hyper::body::Incoming), TransportError> {
        let tunnel = self.proxy_for(&request.uri);
        // Through a proxy, every failure names it: what broke may be the proxy's doing.
        let plain_url = url;
        let through = tunnel.map(|t| format!("{url} (through the proxy {})", t.shown));
        let url = through.as_deref().unwrap_or(url);
        let body = request
            .body
            .sender()
            .map_err(|source| TransportError::BodyFile {
                url: url.to_owned(),
                source,
            })?;
        let mut http = hyper::Request::builder()
            .method(request.method)
            .uri(request.uri)
            .body(body)
            .map_err(|e| TransportError::Connect {
                url: url.to_owned(),
                source: Box::new(e),
            })?;
        *http.headers_mut() = request.headers;
        let sent = match tunnel {
            Some(tunnel) => tunnel.client.request(http).await,
            None => self.direct.request(http).await,
        };
        let read_timeout = is_read_timeout;
        let timed_out = |url: &str| TransportError::ReadTimeout {
            url: url.to_owned(),
            after: self.config.read_timeout.unwrap_or_default(),
        };
        let response = sent.map_err(|e| {
            if let Some(source) = chain(&e).find_map(|c| c.downcast_ref::<TunnelError>()) {
                TransportError::Proxy {
                    url: plain_url.to_owned(),
                    proxy: tunnel.map(|t| t.shown.clone()).unwrap_or_default(),
                    source: source.clone(),
                }
            } else if read_timeout(&e) {
                timed_out(url)
            } else if e.is_connect() {
                let timed_out = chain(&e).any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
                });
                match self.config.connect_timeout {
                    Some(after) if timed_out => TransportError::ConnectTimeout {
                        url: url.to_owned(),
                        after,
                    },
                    _ => TransportError::Connect {
                        url: url.to_owned(),
                        source: Box::new(Unwrapped(e)),
                    },
                }
            } else if chain(&e).any(|c| {
                c.downcast_ref::<hyper::Error>()
                    .is_some_and(hyper::Error::is_parse)
            }) {
                TransportError::NotHttp {
                    url: url.to_owned(),
                    source: Box::new(Unwrapped(e)),
                }
            } else {
                TransportError::Reset {
                    url: url.to_owned(),
                    source: Box::new(Unwrapped(e)),
                }
            }
        })?;
        let (parts, body) = response.into_parts();
        Ok((url.to_owned(), parts, body))
    }
}

#[cfg(test)]
mod tests;
