//! PKCE (RFC 7636) for the authorization code flow, and the OAuth `state`, as the AWS CLI
//! v2 makes them (`SSOTokenFetcherAuth`): a 64-character verifier from the unreserved
//! characters, its S256 challenge (base64url of its SHA-256, without padding), and a
//! random UUID as the state. Pure: the random bytes come from a source passed in (the
//! binary's is the system CSPRNG, via ring).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::secret::SecretString;

/// Fills a buffer with random bytes, or says it cannot.
pub type RandomSource<'a> = &'a dyn Fn(&mut [u8]) -> Result<(), NoRandom>;

/// The random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoRandom;

impl fmt::Display for NoRandom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the system's random number generator failed")
    }
}

impl std::error::Error for NoRandom {}

/// RFC 7636's `unreserved` characters, which a verifier is made of.
const UNRESERVED: &[u8; 66] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// The verifier's length (RFC 7636 allows 43 to 128; the AWS CLI uses 64).
pub const VERIFIER_LEN: usize = 64;

/// A PKCE pair. `Debug` shows the challenge only.
#[derive(Clone)]
pub struct Pkce {
    /// `code_verifier`: sent with CreateToken (a secret until then).
    pub verifier: SecretString,
    /// `code_challenge` (S256).
    pub challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &self.verifier)
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// `count` characters of `alphabet`, each equally likely (bytes past the largest multiple
/// of the alphabet's size are drawn again).
fn random_chars(
    alphabet: &[u8],
    count: usize,
    random: RandomSource<'_>,
) -> Result<String, NoRandom> {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(count);
    let mut buf = [0u8; 64];
    while out.len() < count {
        random(&mut buf)?;
        for b in buf {
            if usize::from(b) < limit && out.len() < count {
                out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
            }
        }
    }
    Ok(out)
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)), no padding.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Pkce {
    /// A fresh pair.
    pub fn new(random: RandomSource<'_>) -> Result<Self, NoRandom> {
        let verifier = random_chars(UNRESERVED, VERIFIER_LEN, random)?;
        Ok(Self {
            challenge: challenge_of(&verifier),
            verifier: SecretString::new(verifier),
        })
    }
}

/// A random `state`: a version 4 UUID, as the AWS CLI sends.
pub fn state(random: RandomSource<'_>) -> Result<String, NoRandom> {
    let mut b = [0u8; 16];
    random(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_use_only_unreserved_characters_evenly() {
        let counter = std::cell::Cell::new(0u8);
        let sequential = |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                *b = counter.get();
                counter.set(counter.get().wrapping_add(1));
            }
            Ok(())
        };
        let pkce = Pkce::new(&sequential).unwrap();
        let v = pkce.verifier.expose();
        assert_eq!(v.len(), VERIFIER_LEN);
        assert!(v.bytes().all(|b| UNRESERVED.contains(&b)), "{v}");
        assert_eq!(pkce.challenge, challenge_of(v));
        assert!(!format!("{pkce:?}").contains(v));
        // Bytes past the last whole multiple of the alphabet are drawn again rather than
        // folded onto its first characters: with a 3-letter alphabet, 255 is skipped.
        let calls = std::cell::Cell::new(0);
        let first_high = |buf: &mut [u8]| {
            calls.set(calls.get() + 1);
            buf.fill(if calls.get() == 1 { 255 } else { 4 });
            Ok(())
        };
        assert_eq!(random_chars(b"abc", 2, &first_high).unwrap(), "bb");
        assert_eq!(calls.get(), 2);
        assert_eq!(
            Pkce::new(&|_: &mut [u8]| Err(NoRandom)).err(),
            Some(NoRandom)
        );
    }

    #[test]
    fn the_state_is_a_version_4_uuid() {
        let s = state(&|buf: &mut [u8]| {
            buf.fill(0xff);
            Ok(())
        })
        .unwrap();
        assert_eq!(s, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
