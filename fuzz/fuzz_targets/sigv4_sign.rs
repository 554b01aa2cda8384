//! SigV4 and SigV4a canonicalisation on arbitrary methods, paths, queries and headers:
//! no panic; a request that signs signs the same way twice (same canonical request and,
//! for SigV4, the same signature), with and without the key cache.
#![no_main]

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{Payload, SignableRequest, SigningKeyCache, SigningParams, SigningSettings, sign};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\n');
    let (Some(flags), Some(method), Some(path), Some(query)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let headers: Vec<(&str, &str)> = parts.filter_map(|l| l.split_once(':')).collect();
    let flags = flags.as_bytes().first().copied().unwrap_or(0);
    let mut settings = if flags & 1 == 0 { SigningSettings::default() } else { SigningSettings::s3() };
    if flags & 2 != 0 {
        settings = settings.presigned(900);
    }
    if flags & 4 != 0 {
        settings = settings.sigv4a();
    }
    let credentials = Credentials::new(
        "AKIDFUZZ",
        "fuzz-secret",
        (flags & 8 != 0).then(|| SecretString::new("fuzz-token")),
        None,
    );
    let request = SignableRequest::new(method, path, query, &headers, Payload::Bytes(b"body"));
    let cache = SigningKeyCache::new();
    let params = |cache| SigningParams {
        credentials: &credentials,
        region: if flags & 4 != 0 { "*" } else { "us-east-1" },
        service: "service",
        time: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        settings: &settings,
        key_cache: cache,
    };
    let first = sign(&request, &params(Some(&cache)));
    let second = sign(&request, &params(None));
    match (first, second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.canonical_request(), b.canonical_request());
            assert_eq!(a.string_to_sign(), b.string_to_sign());
            if flags & 4 == 0 {
                assert_eq!(a.signature(), b.signature());
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("signing with and without the cache disagree"),
    }
});
