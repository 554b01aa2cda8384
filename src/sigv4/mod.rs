//! AWS Signature Version 4, pure: a borrowed request and parameters in, the headers or
//! query parameters to add out, with every intermediate step for debugging.
//!
//! No clock, no environment, no I/O: the signing time and credentials are arguments. One
//! step per file: `canonical_uri`, `canonical_query` and `canonical_headers` make the
//! canonical request, `string_to_sign` the string to sign, `signing_key` the key (with a
//! shareable [`SigningKeyCache`]), and [`sign`](fn@sign) joins them.
//!
//! SigV4a (`sigv4a`) shares every step but the scope, the string to sign's algorithm and
//! the signature (ECDSA P-256 by a key derived from the credentials, with its own
//! [`SigV4aKeyCache`]). This module does not send anything.

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
pub mod sigv4a;
pub mod string_to_sign;
mod validate;

pub(crate) use canonical_headers::is_valid_name as is_http_token;
pub(crate) use validate::{is_region_set, is_scope_part};

pub use encode::encode_query_component;
pub use error::SigningError;
pub use request::{Payload, SignableRequest};
pub use settings::{
    DEFAULT_EXCLUDED_HEADERS, SessionTokenMode, SignatureLocation, SigningAlgorithm,
    SigningSettings, UriEncoding,
};
pub use sign::{EMPTY_PAYLOAD_SHA256, MAX_EXPIRES_SECS, SigningParams, UNSIGNED_PAYLOAD, sign};
pub use signed::{Redacted, SignedRequest};
pub use signing_key::{SigningKeyCache, derive_signing_key};
pub use sigv4a::{ALGORITHM_V4A, SigV4aKeyCache, derive_sigv4a_key};
pub use string_to_sign::ALGORITHM;
