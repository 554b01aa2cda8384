//! Step 3: the signing key, derived by four HMACs from the secret, and a cache of it.
//!
//! The cache holds the HMAC state already keyed with the signing key, so a warm signature
//! skips both the derivation and the key setup of the final HMAC.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::SecretString;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 keyed with `key`.
pub(crate) fn hmac_with_key(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; `new_from_slice` only fails for fixed-size MACs.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hmac_once(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = hmac_with_key(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Derives the SigV4 signing key for a secret, a date (`YYYYMMDD`), a region and a service.
pub fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = if secret.len() <= 124 {
        let mut buf = [0u8; 128];
        buf[..4].copy_from_slice(b"AWS4");
        buf[4..4 + secret.len()].copy_from_slice(secret.as_bytes());
        hmac_once(&buf[..4 + secret.len()], date.as_bytes())
    } else {
        let mut key = Vec::with_capacity(4 + secret.len());
        key.extend_from_slice(b"AWS4");
        key.extend_from_slice(secret.as_bytes());
        hmac_once(&key, date.as_bytes())
    };
    let k_region = hmac_once(&k_date, region.as_bytes());
    let k_service = hmac_once(&k_region, service.as_bytes());
    hmac_once(&k_service, b"aws4_request")
}

struct Entry {
    secret: SecretString,
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    mac: HmacSha256,
}

/// Signing keys by (secret, date, region, service), shared between tasks and threads.
///
/// A key is good for one day and one scope, so the four-HMAC derivation runs once a day
/// per scope. The cache keeps the 16 most recently added scopes. `Debug` shows only the
/// number of entries.
pub struct SigningKeyCache {
    entries: Mutex<VecDeque<Entry>>,
    /// SigV4a's keys, which depend on the credentials alone.
    sigv4a: super::sigv4a::SigV4aKeyCache,
}

const CAPACITY: usize = 16;

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            sigv4a: super::sigv4a::SigV4aKeyCache::new(),
        }
    }

    /// The SigV4a key of these credentials, from the cache or derived.
    pub(crate) fn sigv4a_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<p256::ecdsa::SigningKey, super::SigningError> {
        self.sigv4a.key(access_key_id, secret)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        // A panic while holding the lock cannot leave an entry half-written (entries are
        // pushed whole), so a poisoned cache is still consistent.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The HMAC keyed with the signing key for this scope, from the cache or derived.
    pub(crate) fn keyed_mac(
        &self,
        secret: &str,
        date: &[u8; 8],
        date_str: &str,
        region: &str,
        service: &str,
    ) -> HmacSha256 {
        let matches = |e: &Entry| {
            &e.date == date
                && *e.region == *region
                && *e.service == *service
                && e.secret.expose() == secret
        };
        if let Some(e) = self.lock().iter().find(|e| matches(e)) {
            return e.mac.clone();
        }
        // Derive outside the lock; at worst two tasks derive the same key once.
        let mac = hmac_with_key(&derive_signing_key(secret, date_str, region, service));
        let mut entries = self.lock();
        if !entries.iter().any(matches) {
            if entries.len() == CAPACITY {
                entries.pop_front();
            }
            entries.push_back(Entry {
                secret: SecretString::new(secret),
                date: *date,
                region: region.into(),
                service: service.into(),
                mac: mac.clone(),
            });
        }
        mac
    }

    /// How many scopes are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("entries", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_documented_example_key() {
        // From the AWS General Reference's "Examples of how to derive a signing key".
        let key = derive_signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn long_secrets_derive_the_same_way() {
        let long = "k".repeat(300);
        let mut key = b"AWS4".to_vec();
        key.extend_from_slice(long.as_bytes());
        let expected = hmac_once(
            &hmac_once(&hmac_once(&hmac_once(&key, b"20200101"), b"r"), b"s"),
            b"aws4_request",
        );
        assert_eq!(derive_signing_key(&long, "20200101", "r", "s"), expected);
    }

    #[test]
    fn cache_reuses_and_separates_scopes() {
        let cache = SigningKeyCache::new();
        let a = cache.keyed_mac("s1", b"20200101", "20200101", "us-east-1", "sts");
        let b = cache.keyed_mac("s1", b"20200101", "20200101", "us-east-1", "sts");
        assert_eq!(cache.len(), 1);
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
        cache.keyed_mac("s2", b"20200101", "20200101", "us-east-1", "sts");
        cache.keyed_mac("s1", b"20200102", "20200102", "us-east-1", "sts");
        cache.keyed_mac("s1", b"20200101", "20200101", "us-west-2", "sts");
        assert_eq!(cache.len(), 4);
        for i in 0..40 {
            cache.keyed_mac("s1", b"20200101", "20200101", &format!("r{i}"), "sts");
        }
        assert_eq!(cache.len(), CAPACITY);
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { entries: 16 }");
    }

    #[test]
    fn cache_is_shared_between_threads() {
        let cache = std::sync::Arc::new(SigningKeyCache::new());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    let mac = cache.keyed_mac("s", b"20200101", "20200101", "r", "s");
                    mac.finalize().into_bytes()
                })
            })
            .collect();
        let macs: Vec<_> = handles.into_iter().map(|h| h.join().ok()).collect();
        assert!(macs.windows(2).all(|w| w[0] == w[1] && w[0].is_some()));
        assert_eq!(cache.len(), 1);
    }
}
