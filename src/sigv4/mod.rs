//! AWS Signature Version 4, pure: a borrowed request and parameters in, the headers or
//! query parameters to add out, with every intermediate step for debugging.
//!
//! No clock, no environment, no I/O: the signing time and credentials are arguments. One
//! step per file: `canonical_uri`, `canonical_query` and `canonical_headers` make the
//! canonical request, `string_to_sign` the string to sign, `signing_key` the key (with a
//! shareable [`SigningKeyCache`]), and [`sign`](fn@sign) joins them.
//!
//! This module does not send anything, and does not implement SigV4a.

mod amz_date;
pub mod canonical_headers;
pub mod canonical_query;
pub mod canonical_uri;
mod encode;
mod error;
mod hex;
mod request;
mod scratch;
mod settings;
mod sign;
mod signed;
pub mod signing_key;
pub mod string_to_sign;
mod validate;

pub use encode::encode_query_component;
pub use error::SigningError;
pub use request::{Payload, SignableRequest};
pub use settings::{
    DEFAULT_EXCLUDED_HEADERS, SessionTokenMode, SignatureLocation, SigningSettings, UriEncoding,
};
pub use sign::{EMPTY_PAYLOAD_SHA256, MAX_EXPIRES_SECS, SigningParams, UNSIGNED_PAYLOAD, sign};
pub use signed::{Redacted, SignedRequest};
pub use signing_key::{SigningKeyCache, derive_signing_key};
pub use string_to_sign::ALGORITHM;
