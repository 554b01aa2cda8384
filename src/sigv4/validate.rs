//! What the signer checks before it signs: the scope's parts, the path and query as
//! given, and the payload hash; and the payload's hash itself.

use sha2::{Digest, Sha256};

use super::encode::is_unreserved;
use super::error::SigningError;
use super::hex::Hex64;
use super::request::Payload;
use super::settings::{SignatureLocation, SigningAlgorithm};
use super::sign::{
    EMPTY_PAYLOAD_SHA256, MAX_EXPIRES_SECS, PayloadHash, SigningParams, UNSIGNED_PAYLOAD,
};

/// Whether `s` can be a part of a credential scope (a region, a service name):
/// unreserved characters only, not empty.
pub(crate) fn is_scope_part(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_unreserved)
}

pub(super) fn validate_params(params: &SigningParams<'_>) -> Result<(), SigningError> {
    match params.settings.algorithm {
        SigningAlgorithm::SigV4 if !is_scope_part(params.region) => {
            return Err(SigningError::InvalidRegion);
        }
        SigningAlgorithm::SigV4a if !is_region_set(params.region) => {
            return Err(SigningError::InvalidRegionSet);
        }
        _ => {}
    }
    if !is_scope_part(params.service) {
        return Err(SigningError::InvalidService);
    }
    let key_id = params.credentials.access_key_id();
    if key_id.is_empty()
        || !key_id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b',' && b != b'/')
    {
        return Err(SigningError::InvalidAccessKeyId);
    }
    if params.credentials.secret_access_key().is_empty() {
        return Err(SigningError::EmptySecretAccessKey);
    }
    if let SignatureLocation::Query { expires_in } = params.settings.location
        && !(1..=MAX_EXPIRES_SECS).contains(&expires_in)
    {
        return Err(SigningError::ExpiresOutOfRange {
            seconds: expires_in,
        });
    }
    Ok(())
}

/// A SigV4a region set: `*`, or regions (with `*` wildcards) separated by commas.
pub(crate) fn is_region_set(s: &str) -> bool {
    !s.is_empty()
        && s.split(',').all(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
        })
}

pub(super) fn validate_path(path: &[u8]) -> Result<&str, SigningError> {
    let path = std::str::from_utf8(path).map_err(|_| SigningError::InvalidPath("not UTF-8"))?;
    if !path.is_empty() && !path.starts_with('/') {
        return Err(SigningError::InvalidPath("does not start with '/'"));
    }
    if path
        .bytes()
        .any(|b| b < b' ' || b == 0x7f || b == b'?' || b == b'#')
    {
        return Err(SigningError::InvalidPath("control character, '?' or '#'"));
    }
    Ok(path)
}

pub(super) fn validate_query(query: &str) -> Result<(), SigningError> {
    if query.bytes().any(|b| b < b' ' || b == 0x7f || b == b'#') {
        return Err(SigningError::InvalidQuery);
    }
    Ok(())
}

pub(super) fn payload_hash<'a>(payload: Payload<'a>) -> Result<PayloadHash<'a>, SigningError> {
    Ok(match payload {
        Payload::Bytes([]) => PayloadHash::Given(EMPTY_PAYLOAD_SHA256),
        Payload::Bytes(body) => PayloadHash::Computed(Hex64::new(&Sha256::digest(body).into())),
        Payload::Unsigned => PayloadHash::Given(UNSIGNED_PAYLOAD),
        Payload::Precomputed(h) => {
            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(SigningError::InvalidPayloadHash);
            }
            PayloadHash::Given(h)
        }
    })
}
