//! DPoP proofs (RFC 9449) for the Sign-In service's CreateOAuth2Token: a JWT signed with
//! ES256 by the session's P-256 key, its header carrying the public key as a JWK:
//!
//! - header `{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","x":…,"y":…,"crv":"P-256"}}`;
//! - payload `{"htm":"POST","htu":URL,"iat":SECONDS,"jti":UNIQUE}`;
//! - each part base64url without padding, the signature the raw `r || s` (64 bytes), as
//!   JWS ES256 has it (RFC 7518 section 3.4).
//!
//! The same shapes as botocore's `_build_dpop_header`. Pure: the time and the unique id
//! are passed in. The key is a secret: its `Debug` shows nothing of it.

use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey as _;

use crate::secret::SecretString;

/// Why a key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Not PEM, or not an EC private key (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`)
    /// on P-256.
    NotP256,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotP256 => {
                f.write_str("the dpopKey is not a P-256 EC private key in PEM (SEC1 or PKCS#8)")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// A session's DPoP key.
#[derive(Clone)]
pub struct DpopKey {
    key: SigningKey,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(<redacted>)")
    }
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

impl DpopKey {
    /// The key of a PEM text: SEC1 (`-----BEGIN EC PRIVATE KEY-----`, what the AWS CLI
    /// writes) or PKCS#8 (`-----BEGIN PRIVATE KEY-----`). A SEC1 key without its public
    /// point is fine: the point is derived from the secret. Errors: [`KeyError::NotP256`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim();
        let secret = if pem.contains("BEGIN EC PRIVATE KEY") {
            p256::SecretKey::from_sec1_pem(pem).map_err(|_| KeyError::NotP256)?
        } else {
            p256::SecretKey::from_pkcs8_pem(pem).map_err(|_| KeyError::NotP256)?
        };
        Ok(Self {
            key: SigningKey::from(secret),
        })
    }

    /// The key of 32 secret bytes (a new key's, from the system's random source).
    /// Errors: bytes that are not a valid P-256 scalar (zero, or past the order).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let secret = p256::SecretKey::from_slice(bytes).map_err(|_| KeyError::NotP256)?;
        Ok(Self {
            key: SigningKey::from(secret),
        })
    }

    /// The key as SEC1 PEM (`EC PRIVATE KEY`) with its curve named and its public
    /// point, as the AWS CLI stores it and as awscrt (botocore's reader) requires: a
    /// secret.
    pub fn to_sec1_pem(&self) -> Result<SecretString, KeyError> {
        use p256::elliptic_curve::sec1::ToSec1Point as _;
        use p256::pkcs8::AssociatedOid as _;
        use sec1::der::Encode as _;
        let secret = p256::SecretKey::from(&self.key);
        let private = secret.to_bytes();
        let point = secret.public_key().to_sec1_point(false);
        let der = sec1::EcPrivateKey {
            private_key: &private,
            parameters: Some(sec1::EcParameters::NamedCurve(p256::NistP256::OID)),
            public_key: Some(point.as_bytes()),
        }
        .to_der()
        .map_err(|_| KeyError::NotP256)?;
        let pem = sec1::der::pem::encode_string("EC PRIVATE KEY", sec1::LineEnding::LF, &der)
            .map_err(|_| KeyError::NotP256)?;
        Ok(SecretString::new(pem))
    }

    /// The public key as a JWK, members in botocore's order.
    pub fn jwk(&self) -> String {
        let point = self.key.verifying_key().to_sec1_point(false);
        let (x, y) = (
            point.x().map(|x| b64(x)).unwrap_or_default(),
            point.y().map(|y| b64(y)).unwrap_or_default(),
        );
        format!(r#"{{"kty":"EC","x":"{x}","y":"{y}","crv":"P-256"}}"#)
    }

    /// The DPoP proof for `method` on `url` at `iat` (seconds since the epoch), unique by
    /// `jti`.
    pub fn proof(&self, method: &str, url: &str, iat: i64, jti: &str) -> String {
        let header = format!(r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{}}}"#, self.jwk());
        let payload = serde_json::json!({"htm": method, "htu": url, "iat": iat, "jti": jti});
        // The payload's members in the RFC's order (serde_json sorts them: htm, htu,
        // iat, jti, which is that order).
        let signing_input = format!(
            "{}.{}",
            b64(header.as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(&signature.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier as _;

    /// A SEC1 key with its public point, as `openssl ecparam -genkey -name prime256v1
    /// -noout` writes one (generated for this test, used nowhere else).
    const SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIAHYuY2RPOsP4Kbgea70GAV3m3TNTvzsZtGD7tUWOW8EoAoGCCqGSM49
AwEHoUQDQgAEpJGBDHndeVwXoVdPCQ6Sh9ZnYB2XeNvAmoQreCJdEYmN9NrOABdc
CrqBKg2zXMC5FZazdyMkx4sAUbMshwoNAg==
-----END EC PRIVATE KEY-----";

    /// The same key without its public point (`openssl ec -no_public`).
    const SEC1_NO_PUBLIC: &str = "-----BEGIN EC PRIVATE KEY-----
MDECAQEEIAHYuY2RPOsP4Kbgea70GAV3m3TNTvzsZtGD7tUWOW8EoAoGCCqGSM49
AwEH
-----END EC PRIVATE KEY-----";

    /// The same key in PKCS#8.
    const PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAdi5jZE86w/gpuB5
rvQYBXebdM1O/Oxm0YPu1RY5bwShRANCAASkkYEMed15XBehV08JDpKH1mdgHZd4
28CahCt4Il0RiY302s4AF1wKuoEqDbNcwLkVlrN3IyTHiwBRsyyHCg0C
-----END PRIVATE KEY-----";

    /// A P-384 key.
    const P384: &str = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDCbx4KIGnV1pgRtxNnbnP7wECmKtylAzMTiYiNMLnqhNNJ1rWqnKwDl
+3tKO/ub9JagBwYFK4EEACKhZANiAASw665rKYnCpc89ZypUeyJ8066zNY9MmmWs
1slynKI5vLJGvd1HU4+dDa3pTDZkCzyjVHUFk+jKBvbk8fwpEN0XPmPoTcaIZnM2
fCId6yMtgilwbLbqo9p3c6Cr1eGV99g=
-----END EC PRIVATE KEY-----";

    fn part(jwt: &str, n: usize) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(n).unwrap())
            .unwrap()
    }

    #[test]
    fn a_proof_has_the_rfcs_shape_and_verifies_with_its_own_jwk() {
        let key = DpopKey::from_pem(SEC1).unwrap();
        let proof = key.proof(
            "POST",
            "https://us-east-1.signin.aws.amazon.com/v1/token",
            1_700_000_000,
            "jti-1",
        );
        let header: serde_json::Value = serde_json::from_slice(&part(&proof, 0)).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert_eq!(header["jwk"]["crv"], "P-256");
        assert_eq!(
            String::from_utf8(part(&proof, 1)).unwrap(),
            r#"{"htm":"POST","htu":"https://us-east-1.signin.aws.amazon.com/v1/token","iat":1700000000,"jti":"jti-1"}"#
        );
        // Verified as a server does: the key from the JWK's x and y, the signature r || s.
        let coordinate = |name: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header["jwk"][name].as_str().unwrap())
                .unwrap()
        };
        let mut sec1 = vec![4u8];
        sec1.extend(coordinate("x"));
        sec1.extend(coordinate("y"));
        let verifying = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let signature = Signature::from_slice(&part(&proof, 2)).unwrap();
        let signed = proof.rsplit_once('.').unwrap().0;
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        assert!(verifying.verify(b"something else", &signature).is_err());
        assert_eq!(format!("{key:?}"), "DpopKey(<redacted>)");
    }

    #[test]
    fn keys_round_trip_and_bad_ones_are_refused() {
        let key = DpopKey::from_pem(SEC1).unwrap();
        let pem = key.to_sec1_pem().unwrap();
        // As openssl writes it: the curve named (prime256v1's OID) and the public point,
        // 121 bytes of DER.
        let der = base64::engine::general_purpose::STANDARD
            .decode(
                pem.expose()
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .unwrap();
        assert_eq!(der.len(), 121);
        assert!(
            der.windows(10)
                .any(|w| w == [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07])
        );
        let again = DpopKey::from_pem(pem.expose()).unwrap();
        assert_eq!(again.jwk(), key.jwk());
        assert_eq!(DpopKey::from_pem(SEC1_NO_PUBLIC).unwrap().jwk(), key.jwk());
        assert_eq!(DpopKey::from_pem(PKCS8).unwrap().jwk(), key.jwk());
        assert_eq!(DpopKey::from_pem(P384).err(), Some(KeyError::NotP256));
        for bad in [
            "",
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
            "not a key",
        ] {
            assert_eq!(
                DpopKey::from_pem(bad).err(),
                Some(KeyError::NotP256),
                "{bad}"
            );
        }
        assert!(DpopKey::from_bytes(&[0u8; 32]).is_err(), "zero is no key");
        assert!(DpopKey::from_bytes(&[7u8; 32]).is_ok());
    }
}
