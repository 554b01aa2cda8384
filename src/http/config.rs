//! What the transport is built from: proxies, trust, timeouts, the body cap.

use std::fmt;
use std::time::Duration;

use super::client::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_READ_TIMEOUT};
use crate::secret::redact_userinfo;

/// Proxy settings, as `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (either case) give them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// The proxy for `https://` targets.
    pub https: Option<String>,
    /// The proxy for `http://` targets.
    pub http: Option<String>,
    /// Hosts, domains and CIDRs that bypass the proxy, comma-separated.
    pub no_proxy: Option<String>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs may carry `user:password@`.
        let redact = |v: &Option<String>| v.as_deref().map(redact_userinfo);
        f.debug_struct("ProxyConfig")
            .field("https", &redact(&self.https))
            .field("http", &redact(&self.http))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxyConfig {
    /// Reads the proxy variables (upper case first, as curl does for `HTTPS_PROXY`).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let either = |upper: &str, lower: &str| {
            env(upper)
                .or_else(|| env(lower))
                .filter(|v| !v.trim().is_empty())
        };
        Self {
            https: either("HTTPS_PROXY", "https_proxy")
                .or_else(|| either("ALL_PROXY", "all_proxy")),
            http: either("HTTP_PROXY", "http_proxy").or_else(|| either("ALL_PROXY", "all_proxy")),
            no_proxy: either("NO_PROXY", "no_proxy"),
        }
    }
}

/// How the transport is built.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// How long a connection may take to open (`None`: as long as the system allows).
    pub connect_timeout: Option<Duration>,
    /// How long a read may wait for the next bytes (`None`: as long as the server
    /// takes). Not a limit on the whole response: see the caller's operation timeout.
    pub read_timeout: Option<Duration>,
    /// The largest response body accepted.
    pub max_body_bytes: usize,
    /// Extra trusted certificates, PEM (the contents of `AWS_CA_BUNDLE`).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Whether to add the system's trusted roots.
    pub system_roots: bool,
    /// The system bundle file to read them from (`SSL_CERT_FILE`); `None`: the
    /// distribution's usual place.
    pub ssl_cert_file: Option<String>,
    /// Proxies.
    pub proxy: ProxyConfig,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            extra_ca_pem: None,
            system_roots: true,
            ssl_cert_file: None,
            proxy: ProxyConfig::default(),
        }
    }
}
