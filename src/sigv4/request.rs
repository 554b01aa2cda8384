//! The borrowed view of a request that the signer reads. Nothing here allocates or copies.

/// The body as the signer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The body bytes: the signer hashes them (an empty slice for no body).
    Bytes(&'a [u8]),
    /// A hash computed elsewhere (hex SHA-256, or a marker such as
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), used as is.
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD` (S3 over TLS, presigned URLs).
    Unsigned,
}

/// A request to sign, borrowed from wherever it lives.
///
/// `path` and `query` are what goes on the wire: the path may be percent-encoded
/// already (it is encoded again under [`UriEncoding::Double`](super::UriEncoding)), and
/// raw UTF-8 or spaces are accepted and encoded. `query` is the part after `?`, without
/// the `?`; `+` in it means a space, as form encoding and AWS services read it.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// `GET`, `POST`... used exactly as given.
    pub method: &'a str,
    /// The path as raw bytes (must be UTF-8 and start with `/`; empty means `/`).
    pub path: &'a [u8],
    /// The query string without `?` (empty for none).
    pub query: &'a str,
    /// Header names and values as sent, in order, repeats allowed; must include `host`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body or its hash.
    pub payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request view from its parts.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        payload: Payload<'a>,
    ) -> Self {
        Self {
            method,
            path: path.as_bytes(),
            query,
            headers,
            payload,
        }
    }
}
