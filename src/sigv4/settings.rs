//! How a request is signed: where the signature goes, how the path is canonicalised,
//! what happens to the session token, which headers are never signed.

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureLocation {
    /// An `Authorization` header (plus `X-Amz-Date` and friends).
    Headers,
    /// Query parameters: a presigned URL valid for `expires_in` seconds (1 to 604800).
    Query {
        /// `X-Amz-Expires`, in seconds.
        expires_in: u64,
    },
}

/// How the URI path becomes the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriEncoding {
    /// Every service but S3: the path as sent is percent-encoded again, so `%3D` becomes
    /// `%253D` and a space becomes `%20`.
    Double,
    /// S3: the path as sent is used as is; only bytes that may not appear raw in a URI
    /// are encoded (existing `%XX` escapes are kept).
    Single,
}

/// What happens to a session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTokenMode {
    /// `X-Amz-Security-Token` is part of the signature (the usual case).
    Signed,
    /// The token is added after signing and left out of the canonical request (some
    /// services, such as IoT presigned WebSocket URLs, require this).
    AddedAfterSigning,
}

/// Which signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// SigV4 (`AWS4-HMAC-SHA256`): the scope names one region.
    SigV4,
    /// SigV4a (`AWS4-ECDSA-P256-SHA256`): the signing region is a region set (`*`, or
    /// regions separated by commas), sent as `X-Amz-Region-Set`; the scope names none.
    SigV4a,
}

/// The settings of one kind of signature. Build once, share freely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSettings {
    /// Header signing or presigned URL.
    pub location: SignatureLocation,
    /// Double (default) or single (S3) encoding of the path.
    pub uri_encoding: UriEncoding,
    /// Remove `.`/`..` segments and collapse repeated slashes (not for S3).
    pub normalize_uri_path: bool,
    /// Signed or added after signing.
    pub session_token: SessionTokenMode,
    /// Add and sign `x-amz-content-sha256` (S3 requires it) when signing with headers.
    pub content_sha256_header: bool,
    /// SigV4 (default) or SigV4a.
    pub algorithm: SigningAlgorithm,
    excluded_headers: Vec<String>,
}

/// Headers that proxies and transports change, so they are never signed by default.
pub const DEFAULT_EXCLUDED_HEADERS: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

impl Default for SigningSettings {
    fn default() -> Self {
        Self {
            location: SignatureLocation::Headers,
            uri_encoding: UriEncoding::Double,
            normalize_uri_path: true,
            session_token: SessionTokenMode::Signed,
            content_sha256_header: false,
            algorithm: SigningAlgorithm::SigV4,
            excluded_headers: DEFAULT_EXCLUDED_HEADERS
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
        }
    }
}

impl SigningSettings {
    /// The settings S3 needs: single encoding, no path normalisation, `x-amz-content-sha256`.
    pub fn s3() -> Self {
        Self {
            uri_encoding: UriEncoding::Single,
            normalize_uri_path: false,
            content_sha256_header: true,
            ..Self::default()
        }
    }

    /// The same settings, signing with SigV4a (the signing region is then a region set).
    pub fn sigv4a(mut self) -> Self {
        self.algorithm = SigningAlgorithm::SigV4a;
        self
    }

    /// The same settings, presigning a URL valid for `expires_in` seconds.
    pub fn presigned(mut self, expires_in: u64) -> Self {
        self.location = SignatureLocation::Query { expires_in };
        self
    }

    /// Replaces the set of headers that are never signed (names compared without case).
    pub fn with_excluded_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.excluded_headers = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        self
    }

    /// The headers that are never signed, lower-cased.
    pub fn excluded_headers(&self) -> &[String] {
        &self.excluded_headers
    }

    pub(crate) fn is_excluded(&self, name: &str) -> bool {
        self.excluded_headers
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name))
    }
}
