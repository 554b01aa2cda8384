//! What a signature gives back: [`SignedRequest`] (the headers or the presigned query
//! to add, with every intermediate step for debugging, in one buffer) and the
//! [`Redacted`] views of its texts that hide the session token and the signature.

use std::fmt;
use std::ops::Range;

use super::amz_date::AmzDate;
use super::encode::{Keep, encode_into};
use super::hex::Hex64;
use super::settings::SignatureLocation;
use super::sign::PayloadHash;

/// A signed request: what to add to it, and every intermediate step for debugging.
///
/// In header mode, set (replacing any present) each of [`SignedRequest::headers`]. In
/// query mode, replace the request's query with [`SignedRequest::query_string`].
/// `Debug` and the `redacted_*` views hide the session token.
pub struct SignedRequest<'a> {
    pub(super) location: SignatureLocation,
    /// The canonical request, the string to sign and the output, one after the other:
    /// one allocation instead of three.
    pub(super) buf: String,
    /// End of the canonical request in `buf`.
    pub(super) cr_end: usize,
    /// End of the string to sign; the rest of `buf` is the output: the `Authorization`
    /// value (header mode) or the presigned query string (query mode).
    pub(super) sts_end: usize,
    pub(super) signed_headers: Range<usize>,
    pub(super) signature: Signature,
    /// SigV4a's region set (sent as `X-Amz-Region-Set`).
    pub(super) region_set: Option<&'a str>,
    pub(super) amz_date: AmzDate,
    pub(super) payload_hash: PayloadHash<'a>,
    pub(super) content_sha256_header: bool,
    pub(super) session_token: Option<&'a str>,
    pub(super) token_signed: bool,
}

/// A signature: SigV4's HMAC or SigV4a's ECDSA (DER), lower-case hex.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Signature {
    /// SigV4.
    Hmac(Hex64),
    /// SigV4a (64 to 72 bytes of DER).
    Ecdsa(String),
}

impl Signature {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Hmac(h) => h.as_str(),
            Self::Ecdsa(s) => s,
        }
    }
}

/// Query parameter names a presigned URL gains.
const AUTH_PARAMS: [&str; 8] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Region-Set",
    "X-Amz-SignedHeaders",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
];

impl<'a> SignedRequest<'a> {
    /// The canonical request (holds the session token when it is signed: log
    /// [`SignedRequest::redacted_canonical_request`] instead).
    pub fn canonical_request(&self) -> &str {
        &self.buf[..self.cr_end]
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.buf[self.cr_end..self.sts_end]
    }

    fn out(&self) -> &str {
        &self.buf[self.sts_end..]
    }

    /// The signature, lower-case hex.
    pub fn signature(&self) -> &str {
        self.signature.as_str()
    }

    /// The signed header names joined by `;`.
    pub fn signed_headers(&self) -> &str {
        &self.buf[self.signed_headers.clone()]
    }

    /// The `Authorization` header value (header mode only).
    pub fn authorization(&self) -> Option<&str> {
        matches!(self.location, SignatureLocation::Headers).then_some(self.out())
    }

    /// Headers to set on the request, lower-case names (empty in query mode): `x-amz-date`,
    /// `x-amz-region-set` for SigV4a, `x-amz-security-token` when there is a token,
    /// `x-amz-content-sha256` when the settings ask for it, and `authorization`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let headers = matches!(self.location, SignatureLocation::Headers);
        [
            headers.then(|| ("x-amz-date", self.amz_date.as_str())),
            self.region_set
                .filter(|_| headers)
                .map(|set| ("x-amz-region-set", set)),
            self.session_token
                .filter(|_| headers)
                .map(|t| ("x-amz-security-token", t)),
            (headers && self.content_sha256_header)
                .then(|| ("x-amz-content-sha256", self.payload_hash.as_str())),
            headers.then_some(("authorization", self.out())),
        ]
        .into_iter()
        .flatten()
    }

    /// The whole query of the presigned URL, percent-encoded, to put after `?` in place
    /// of the original query (query mode only). It holds the session token.
    pub fn query_string(&self) -> Option<&str> {
        matches!(self.location, SignatureLocation::Query { .. }).then_some(self.out())
    }

    /// The `X-Amz-*` parameters the presigned URL gained, values percent-encoded.
    pub fn added_query_params(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.query_string()
            .unwrap_or_default()
            .split('&')
            .filter_map(|p| p.split_once('='))
            .filter(|(n, _)| AUTH_PARAMS.contains(n))
    }

    /// The canonical request with the session token replaced by `<redacted>`.
    pub fn redacted_canonical_request(&self) -> Redacted<'_> {
        Redacted {
            text: self.canonical_request(),
            token: self.session_token.filter(|_| self.token_signed),
        }
    }

    /// The presigned query with the session token and signature replaced by `<redacted>`.
    pub fn redacted_query_string(&self) -> Option<Redacted<'_>> {
        self.query_string().map(|q| Redacted {
            text: q,
            token: self.session_token,
        })
    }
}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("location", &self.location)
            .field(
                "canonical_request",
                &self.redacted_canonical_request().to_string(),
            )
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &self.signature.as_str())
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .finish()
    }
}

/// Text from a signature with the session token (raw or percent-encoded) and any
/// `X-Amz-Signature` value replaced by `<redacted>`.
pub struct Redacted<'s> {
    pub(super) text: &'s str,
    pub(super) token: Option<&'s str>,
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = self.token.filter(|t| !t.is_empty());
        let mut encoded = String::new();
        if let Some(t) = token {
            encode_into(&mut encoded, t, Keep::Unreserved);
        }
        let mut rest = self.text;
        while !rest.is_empty() {
            let hit = token.and_then(|t| {
                [
                    (rest.find(t), t.len()),
                    (rest.find(encoded.as_str()), encoded.len()),
                ]
                .into_iter()
                .filter_map(|(at, len)| at.map(|a| (a, len)))
                .min()
            });
            let sig = rest
                .find("X-Amz-Signature=")
                .map(|a| a + "X-Amz-Signature=".len());
            match (hit, sig) {
                (Some((at, len)), s) if s.is_none_or(|s| at < s) => {
                    f.write_str(&rest[..at])?;
                    f.write_str("<redacted>")?;
                    rest = &rest[at + len..];
                }
                (_, Some(s)) => {
                    f.write_str(&rest[..s])?;
                    f.write_str("<redacted>")?;
                    let end = rest[s..].find('&').map_or(rest.len(), |e| s + e);
                    rest = &rest[end..];
                }
                _ => {
                    f.write_str(rest)?;
                    rest = "";
                }
            }
        }
        Ok(())
    }
}
