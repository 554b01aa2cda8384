//! Why a request could not be signed. Messages never include secret values.

use std::fmt;

/// A request or parameter the signer refuses. Signing never panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    /// The HTTP method is empty or not an RFC 9110 token.
    InvalidMethod,
    /// The path is not UTF-8, does not start with `/`, or holds control characters.
    InvalidPath(&'static str),
    /// The query holds control characters or `#`.
    InvalidQuery,
    /// A header name is empty or not an RFC 9110 token; the index is its position.
    InvalidHeaderName {
        /// Position of the header in the request's header list.
        index: usize,
    },
    /// A header value holds control characters (other than folded line breaks).
    InvalidHeaderValue {
        /// The header's name (never its value, which may be a secret).
        name: String,
    },
    /// A precomputed payload hash that cannot appear in a canonical request.
    InvalidPayloadHash,
    /// Presigned URLs last from 1 s to 604800 s (7 days).
    ExpiresOutOfRange {
        /// The requested lifetime in seconds.
        seconds: u64,
    },
    /// The region is empty or holds characters outside `A-Z a-z 0-9 - _ .`.
    InvalidRegion,
    /// The service name is empty or holds characters outside `A-Z a-z 0-9 - _ .`.
    InvalidService,
    /// The access key id is empty or holds spaces, commas, slashes or control characters.
    InvalidAccessKeyId,
    /// The secret access key is empty.
    EmptySecretAccessKey,
    /// The signing time is outside the years 0000-9999.
    TimeOutOfRange,
    /// The SigV4a region set is empty or holds characters outside `a-z 0-9 - * ,`.
    InvalidRegionSet,
    /// No SigV4a key could be derived from the credentials (the specification's 254
    /// tries all failed: practically never).
    KeyDerivation,
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMethod => f.write_str("invalid HTTP method"),
            Self::InvalidPath(why) => write!(f, "invalid request path: {why}"),
            Self::InvalidQuery => f.write_str("invalid query string: control characters or '#'"),
            Self::InvalidHeaderName { index } => write!(f, "invalid name for header #{index}"),
            Self::InvalidHeaderValue { name } => {
                write!(f, "invalid value for header {name:?}: control characters")
            }
            Self::InvalidPayloadHash => f.write_str("invalid precomputed payload hash"),
            Self::ExpiresOutOfRange { seconds } => write!(
                f,
                "presigned URL lifetime {seconds}s is out of range (1 to 604800 seconds)"
            ),
            Self::InvalidRegion => f.write_str("invalid or empty signing region"),
            Self::InvalidService => f.write_str("invalid or empty signing service name"),
            Self::InvalidAccessKeyId => f.write_str("invalid or empty access key id"),
            Self::EmptySecretAccessKey => f.write_str("empty secret access key"),
            Self::TimeOutOfRange => f.write_str("signing time outside years 0000-9999"),
            Self::InvalidRegionSet => {
                f.write_str("invalid or empty SigV4a region set (regions or '*', comma-separated)")
            }
            Self::KeyDerivation => {
                f.write_str("no SigV4a key can be derived from these credentials")
            }
        }
    }
}

impl std::error::Error for SigningError {}
