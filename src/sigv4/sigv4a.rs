//! SigV4a, the asymmetric variant (S3 Multi-Region Access Points and other endpoints that
//! serve several regions): the same canonical request, but
//!
//! - the algorithm `AWS4-ECDSA-P256-SHA256`, and a credential scope without a region
//!   (`date/service/aws4_request`): the regions go in `X-Amz-Region-Set` (a signed
//!   header, or a query parameter of a presigned URL), `*` for all of them;
//! - the signature an ECDSA P-256 signature (DER, lower-case hex) of the SHA-256 of the
//!   string to sign, by a key derived from the credentials alone (no date, no scope);
//! - the key: NIST SP 800-108 in counter mode with HMAC-SHA256 as its PRF, keyed with
//!   `"AWS4A" + secret`, over `[i = 1]₃₂ || "AWS4-ECDSA-P256-SHA256" || 0x00 ||
//!   access key id || counter₈ || [L = 256]₃₂`; the first output `c` with
//!   `c <= n - 2` (n the order of P-256), counter from 1, gives the private key `c + 1`.
//!
//! The derivation is the AWS SigV4a specification's (as the AWS SDKs and aws-c-auth
//! implement it); the curve arithmetic and ECDSA are RustCrypto's `p256`, no
//! hand-written elliptic-curve code. ECDSA signatures use RFC 6979 nonces.

use std::collections::VecDeque;
use std::sync::Mutex;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::PrimeField as _;

use super::error::SigningError;
use super::signing_key::hmac_with_key;
use crate::secret::SecretString;
use hmac::Mac as _;

/// The algorithm name of SigV4a.
pub const ALGORITHM_V4A: &str = "AWS4-ECDSA-P256-SHA256";

/// The KDF's label (the algorithm name).
const LABEL: &[u8] = ALGORITHM_V4A.as_bytes();

/// Derives the SigV4a private key of an access key id and its secret (no date, no
/// scope: one key for as long as the credentials last). Errors: no counter from 1 to 254
/// gives a key (a chance of about 2^-8000; the specification gives up there too).
pub fn derive_sigv4a_key(access_key_id: &str, secret: &str) -> Result<SigningKey, SigningError> {
    let mut input_key = Vec::with_capacity(5 + secret.len());
    input_key.extend_from_slice(b"AWS4A");
    input_key.extend_from_slice(secret.as_bytes());
    for counter in 1u8..=254 {
        let mut mac = hmac_with_key(&input_key);
        mac.update(&1u32.to_be_bytes());
        mac.update(LABEL);
        mac.update(&[0]);
        mac.update(access_key_id.as_bytes());
        mac.update(&[counter]);
        mac.update(&256u32.to_be_bytes());
        let c: [u8; 32] = mac.finalize().into_bytes().into();
        // c <= n - 2 exactly when c is a scalar (c < n) and c + 1 is not n (zero).
        let Some(c) = Option::<p256::Scalar>::from(p256::Scalar::from_repr(c.into())) else {
            continue;
        };
        let d = c + p256::Scalar::ONE;
        if let Some(d) = Option::<p256::NonZeroScalar>::from(p256::NonZeroScalar::new(d)) {
            return Ok(SigningKey::from(d));
        }
    }
    Err(SigningError::KeyDerivation)
}

/// The signature of `string_to_sign`: ECDSA P-256 over its SHA-256, DER, lower-case hex.
pub(crate) fn sign_string(key: &SigningKey, string_to_sign: &str) -> String {
    let signature: Signature = key.sign(string_to_sign.as_bytes());
    hex::encode(signature.to_der().as_bytes())
}

/// The public key of a SigV4a key: its X and Y coordinates, lower-case hex (as AWS's
/// test suite gives them).
pub fn public_key_hex(key: &SigningKey) -> (String, String) {
    let point = key.verifying_key().to_sec1_point(false);
    (
        point.x().map(hex::encode).unwrap_or_default(),
        point.y().map(hex::encode).unwrap_or_default(),
    )
}

struct Entry {
    access_key_id: Box<str>,
    secret: SecretString,
    key: SigningKey,
}

/// Derived SigV4a keys by credentials, shared between tasks and threads: the derivation
/// (one or more HMACs and a scalar multiplication when signing starts) runs once per
/// access key. Keeps the 4 most recent. `Debug` shows only the count.
pub struct SigV4aKeyCache {
    entries: Mutex<VecDeque<Entry>>,
}

const CAPACITY: usize = 4;

impl Default for SigV4aKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SigV4aKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigV4aKeyCache")
            .field("entries", &self.len())
            .finish()
    }
}

impl SigV4aKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        // Entries are pushed whole: a poisoned cache is still consistent.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key of these credentials, from the cache or derived.
    pub fn key(&self, access_key_id: &str, secret: &str) -> Result<SigningKey, SigningError> {
        let matches = |e: &Entry| *e.access_key_id == *access_key_id && e.secret.expose() == secret;
        if let Some(e) = self.lock().iter().find(|e| matches(e)) {
            return Ok(e.key.clone());
        }
        let key = derive_sigv4a_key(access_key_id, secret)?;
        let mut entries = self.lock();
        if !entries.iter().any(matches) {
            if entries.len() == CAPACITY {
                entries.pop_front();
            }
            entries.push_back(Entry {
                access_key_id: access_key_id.into(),
                secret: SecretString::new(secret),
                key: key.clone(),
            });
        }
        Ok(key)
    }

    /// How many keys are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_of_the_aws_suite_is_derived() {
        // sigv4-c-auth/v4a/*/public-key.json, for AKIDEXAMPLE and its secret.
        let key =
            derive_sigv4a_key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        assert_eq!(
            public_key_hex(&key),
            (
                "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1".to_owned(),
                "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518".to_owned()
            )
        );
    }

    #[test]
    fn a_signature_verifies_and_the_cache_keeps_keys_apart() {
        use p256::ecdsa::signature::Verifier as _;
        let cache = SigV4aKeyCache::new();
        let key = cache.key("AKID1", "secret-1").unwrap();
        let again = cache.key("AKID1", "secret-1").unwrap();
        assert_eq!(key.verifying_key(), again.verifying_key());
        let other = cache.key("AKID1", "secret-2").unwrap();
        assert_ne!(key.verifying_key(), other.verifying_key());
        assert_eq!(cache.len(), 2);
        assert!(!format!("{cache:?}").contains("secret"));
        let signature = sign_string(&key, "string to sign");
        let der = hex::decode(&signature).unwrap();
        let parsed = Signature::from_der(&der).unwrap();
        assert!(
            key.verifying_key()
                .verify(b"string to sign", &parsed)
                .is_ok()
        );
    }
}
