//! SigV4 and SigV4a canonicalisation on arbitrary methods, paths, queries and headers:
//! no panic; a request that signs signs the same way twice (same canonical request and,
//! for SigV4, the same signature), with and without the key cache; and a signed request
//! that HTTP can carry as it is (token method and names, one header per name, values
//! without line breaks or blanks around them) verifies with the project's verifier (the
//! fakes' `tests/common/verifier.rs`) as a server would receive it.
#![no_main]

/// The request as a fake server reads it: the shape `tests/common/verifier.rs` checks.
mod mock {
    use std::collections::HashMap;

    pub struct Request {
        pub head: String,
        pub headers: HashMap<String, String>,
        pub body: String,
    }

    impl Request {
        pub fn method(&self) -> &str {
            self.head.split(' ').next().unwrap_or_default()
        }

        pub fn target(&self) -> &str {
            self.head.split(' ').nth(1).unwrap_or_default()
        }

        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).map(String::as_str)
        }
    }
}

#[path = "../../tests/common/verifier.rs"]
mod verifier;

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{
    Payload, SignableRequest, SigningKeyCache, SigningParams, SigningSettings, sign,
};
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
    let mut settings = if flags & 1 == 0 {
        SigningSettings::default()
    } else {
        SigningSettings::s3()
    };
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
            if flags & 2 == 0 {
                if let Some(received) = as_received(method, path, query, &headers, &a) {
                    if let Err(e) = verifier::verify(&received, "fuzz-secret", flags & 1 != 0) {
                        panic!("a signed request does not verify: {e}");
                    }
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("signing with and without the cache disagree"),
    }
});

/// RFC 9110's `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The signed request as a server receives it, when HTTP/1.1 can carry it unchanged.
fn as_received(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed: &aws_login::sigv4::SignedRequest<'_>,
) -> Option<mock::Request> {
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && b != b'#');
    if !is_token(method) || !path.starts_with('/') || !plain(path) || !plain(query) {
        return None;
    }
    let mut received = std::collections::HashMap::new();
    let added: Vec<(&str, &str)> = signed.headers().collect();
    for (name, value) in headers.iter().copied().chain(added) {
        let carried = is_token(name)
            && value.trim() == value
            && !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
        if !carried
            || received
                .insert(name.to_ascii_lowercase(), value.to_owned())
                .is_some()
        {
            return None;
        }
    }
    let target = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    Some(mock::Request {
        head: format!("{method} {target} HTTP/1.1"),
        headers: received,
        body: "body".into(),
    })
}
