//! AWS's published SigV4a suite (`sigv4-c-auth/v4a` of `../shared/vectors`): the 38
//! complete cases in header and in query mode (one test each, made by `sigv4_suites`'
//! case list, which the folder shares with `v4`). The canonical request and the string to
//! sign are compared byte for byte; the signature, an ECDSA signature that differs each
//! time, is verified with the case's public key (and the case's own signature with the
//! same key, so the check can fail); the key derived from the credentials has the case's
//! public key. The two stub cases (`get-vanilla-query-order-key`, `-value`, which hold
//! only a context and a request) are named and left out, as the CRT harness leaves them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use std::collections::BTreeSet;
use std::path::Path;

use aws_login::credentials::Credentials;
use aws_login::sigv4::SignedRequest;
use aws_login::sigv4::sigv4a::{derive_sigv4a_key, public_key_hex};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

use crate::common::{read, vectors_dir};
use crate::sigv4_suites::{C_AUTH_CASES, case_folders};

/// The cases with nothing to compare against.
const STUBS: [&str; 2] = [
    "get-vanilla-query-order-key",
    "get-vanilla-query-order-value",
];

/// Checks a SigV4a signature of the case in `dir`: ours and the case's verify with the
/// case's public key over the string to sign; the key derived from `credentials` is the
/// case's.
pub(crate) fn verify(
    dir: &Path,
    credentials: &Credentials,
    signed: &SignedRequest<'_>,
    theirs: &str,
) {
    let public: serde_json::Value =
        serde_json::from_str(&read(&dir.join("public-key.json"))).unwrap();
    let (x, y) = (
        public["X"].as_str().unwrap().to_ascii_lowercase(),
        public["Y"].as_str().unwrap().to_ascii_lowercase(),
    );
    let derived = derive_sigv4a_key(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
    )
    .unwrap();
    assert_eq!(
        public_key_hex(&derived),
        (x.clone(), y.clone()),
        "{dir:?}: derived key"
    );
    let mut point = vec![4u8];
    point.extend(hex::decode(&x).unwrap());
    point.extend(hex::decode(&y).unwrap());
    let key = VerifyingKey::from_sec1_bytes(&point).unwrap();
    let sts = signed.string_to_sign().as_bytes();
    for (who, hex_signature) in [("ours", signed.signature()), ("theirs", theirs)] {
        let der = hex::decode(hex_signature.trim()).unwrap();
        let signature = Signature::from_der(&der).unwrap();
        assert!(
            key.verify(sts, &signature).is_ok(),
            "{dir:?}: {who} signature does not verify"
        );
    }
    // And a signature of another text does not.
    let der = hex::decode(signed.signature()).unwrap();
    let signature = Signature::from_der(&der).unwrap();
    assert!(key.verify(b"another text", &signature).is_err());
}

#[test]
fn every_complete_case_of_the_suite_is_run() {
    let Some(root) = vectors_dir() else { return };
    let mut found = BTreeSet::new();
    case_folders(&root.join("sigv4-c-auth/v4a"), "", &mut found);
    assert_eq!(found.len(), 40);
    for stub in STUBS {
        assert!(found.remove(stub), "{stub} is in the suite");
        assert!(
            !root
                .join("sigv4-c-auth/v4a")
                .join(stub)
                .join("header-canonical-request.txt")
                .exists(),
            "{stub} is a stub"
        );
    }
    // The cases `sigv4_suites`' list runs in the v4a folder too.
    assert_eq!(found, C_AUTH_CASES.iter().map(|s| s.to_string()).collect());
    assert_eq!(found.len(), 38);
}
