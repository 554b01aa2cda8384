//! The signer end to end: header and query signing, presigning limits, redaction.

use super::*;
use crate::secret::SecretString;
use crate::sigv4::request::Payload;

const TOKEN: &str = "FQoGZXIvYXdzE+token/with=chars";

fn creds(token: Option<&str>) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "SECRETSECRET",
        token.map(SecretString::new),
        None,
    )
}

fn time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_440_938_160, 0).unwrap_or_default() // 2015-08-30T12:36:00Z
}

fn sign_with<'a>(
    request: &SignableRequest<'a>,
    credentials: &'a Credentials,
    settings: &'a SigningSettings,
) -> Result<SignedRequest<'a>, SigningError> {
    sign(
        request,
        &SigningParams {
            credentials,
            region: "us-east-1",
            service: "service",
            time: time(),
            settings,
            key_cache: None,
        },
    )
}

const HOST: [(&str, &str); 1] = [("host", "example.amazonaws.com")];

fn get(headers: &'static [(&'static str, &'static str)]) -> SignableRequest<'static> {
    SignableRequest::new("GET", "/", "", headers, Payload::Bytes(b""))
}

#[test]
fn header_mode_adds_date_token_and_authorization() {
    let c = creds(Some(TOKEN));
    let settings = SigningSettings::default();
    let signed = sign_with(&get(&HOST), &c, &settings).unwrap();
    let headers: Vec<_> = signed.headers().collect();
    assert_eq!(headers[0], ("x-amz-date", "20150830T123600Z"));
    assert_eq!(headers[1], ("x-amz-security-token", TOKEN));
    assert_eq!(headers[2].0, "authorization");
    assert_eq!(headers.len(), 3);
    assert_eq!(
        signed.signed_headers(),
        "host;x-amz-date;x-amz-security-token"
    );
    assert!(signed.query_string().is_none());
    assert_eq!(signed.added_query_params().count(), 0);
}

#[test]
fn token_added_after_signing_is_sent_but_not_signed() {
    let c = creds(Some(TOKEN));
    let mut settings = SigningSettings::default();
    settings.session_token = SessionTokenMode::AddedAfterSigning;
    let signed = sign_with(&get(&HOST), &c, &settings).unwrap();
    assert!(!signed.canonical_request().contains(TOKEN));
    assert!(
        signed
            .headers()
            .any(|h| h == ("x-amz-security-token", TOKEN))
    );
    let without = creds(None);
    let plain = sign_with(&get(&HOST), &without, &settings).unwrap();
    assert_eq!(signed.signature(), plain.signature());

    let presigned = SigningSettings::default().presigned(60);
    let mut after = presigned.clone();
    after.session_token = SessionTokenMode::AddedAfterSigning;
    let signed = sign_with(&get(&HOST), &c, &after).unwrap();
    let query = signed.query_string().unwrap();
    assert!(query.contains("X-Amz-Security-Token=FQoGZXIvYXdzE%2Btoken%2Fwith%3Dchars"));
    assert!(!signed.canonical_request().contains("Security-Token"));
    let names: Vec<_> = signed.added_query_params().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 7, "{names:?}");
}

#[test]
fn our_headers_replace_the_callers() {
    let c = creds(Some(TOKEN));
    let settings = SigningSettings::s3();
    let headers: &[(&str, &str)] = &[
        ("host", "b.s3.amazonaws.com"),
        ("X-Amz-Date", "19990101T000000Z"),
        ("Authorization", "stale"),
        ("x-amz-security-token", "stale"),
        ("x-amz-content-sha256", "stale"),
        ("User-Agent", "curl"),
    ];
    let request = SignableRequest::new("PUT", "/k", "", headers, Payload::Bytes(b"hi"));
    let signed = sign_with(&request, &c, &settings).unwrap();
    assert!(!signed.canonical_request().contains("stale"));
    assert!(!signed.canonical_request().contains("1999"));
    assert!(!signed.canonical_request().contains("curl"));
    assert_eq!(
        signed.signed_headers(),
        "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
    );
    let sha = signed
        .headers()
        .find(|(n, _)| *n == "x-amz-content-sha256")
        .unwrap()
        .1;
    assert_eq!(
        sha,
        "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"
    );
}

#[test]
fn debug_and_redacted_views_hide_the_token() {
    let c = creds(Some(TOKEN));
    for settings in [
        SigningSettings::default(),
        SigningSettings::default().presigned(60),
    ] {
        let signed = sign_with(&get(&HOST), &c, &settings).unwrap();
        let debug = format!("{signed:?}");
        let redacted = signed.redacted_canonical_request().to_string();
        for text in [&debug, &redacted] {
            assert!(!text.contains("FQoGZXIvYXdz"), "{text}");
            assert!(!text.contains("SECRETSECRET"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        if let Some(q) = signed.redacted_query_string() {
            let q = q.to_string();
            assert!(!q.contains("FQoGZXIvYXdz"), "{q}");
            assert!(!q.contains(signed.signature()), "{q}");
            assert!(q.contains("X-Amz-Signature=<redacted>"), "{q}");
        }
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let c = creds(None);
    let s = SigningSettings::default();
    let req = |method, path: &'static str, query, headers| {
        SignableRequest::new(method, path, query, headers, Payload::Bytes(b""))
    };
    let err = |r: SignableRequest<'static>| sign_with(&r, &c, &s).err();
    assert_eq!(
        err(req("", "/", "", &HOST)),
        Some(SigningError::InvalidMethod)
    );
    assert_eq!(
        err(req("G T", "/", "", &HOST)),
        Some(SigningError::InvalidMethod)
    );
    assert!(matches!(
        err(req("GET", "x", "", &HOST)),
        Some(SigningError::InvalidPath(_))
    ));
    assert!(matches!(
        err(req("GET", "/a?b", "", &HOST)),
        Some(SigningError::InvalidPath(_))
    ));
    assert_eq!(
        err(req("GET", "/", "a=\n", &HOST)),
        Some(SigningError::InvalidQuery)
    );
    assert_eq!(
        err(req("GET", "/", "", &[("bad name", "v")])),
        Some(SigningError::InvalidHeaderName { index: 0 })
    );
    assert_eq!(
        err(req("GET", "/", "", &[("host", "h"), ("x", "a\nb")])),
        Some(SigningError::InvalidHeaderValue { name: "x".into() })
    );
    let mut non_utf8 = get(&HOST);
    non_utf8.path = b"/\xff";
    assert_eq!(err(non_utf8), Some(SigningError::InvalidPath("not UTF-8")));
    let bad_hash = SignableRequest::new("GET", "/", "", &HOST, Payload::Precomputed("a b"));
    assert_eq!(
        sign_with(&bad_hash, &c, &s).err(),
        Some(SigningError::InvalidPayloadHash)
    );

    for seconds in [0, 604_801] {
        let presigned = SigningSettings::default().presigned(seconds);
        assert_eq!(
            sign_with(&get(&HOST), &c, &presigned).err(),
            Some(SigningError::ExpiresOutOfRange { seconds })
        );
    }
    for ok in [1, 604_800] {
        assert!(sign_with(&get(&HOST), &c, &SigningSettings::default().presigned(ok)).is_ok());
    }

    let params = |region, service, credentials| SigningParams {
        credentials,
        region,
        service,
        time: time(),
        settings: &s,
        key_cache: None,
    };
    let r = get(&HOST);
    assert_eq!(
        sign(&r, &params("", "sts", &c)).err(),
        Some(SigningError::InvalidRegion)
    );
    assert_eq!(
        sign(&r, &params("us/east", "sts", &c)).err(),
        Some(SigningError::InvalidRegion)
    );
    assert_eq!(
        sign(&r, &params("us-east-1", "", &c)).err(),
        Some(SigningError::InvalidService)
    );
    let no_key = Credentials::new("", "s", None, None);
    assert_eq!(
        sign(&r, &params("r", "s", &no_key)).err(),
        Some(SigningError::InvalidAccessKeyId)
    );
    let no_secret = Credentials::new("AKID", "", None, None);
    assert_eq!(
        sign(&r, &params("r", "s", &no_secret)).err(),
        Some(SigningError::EmptySecretAccessKey)
    );
    let bad_token = creds(Some("a\nb"));
    assert_eq!(
        sign(&r, &params("r", "s", &bad_token)).err(),
        Some(SigningError::InvalidHeaderValue {
            name: "x-amz-security-token".into()
        })
    );
    let far = SigningParams {
        time: DateTime::from_timestamp(253_402_300_800, 0).unwrap_or_default(), // year 10000
        ..params("r", "s", &c)
    };
    assert_eq!(sign(&r, &far).err(), Some(SigningError::TimeOutOfRange));
}

#[test]
fn auth_params_are_listed_in_canonical_order() {
    let names = AuthParam::SORTED.map(AuthParam::name);
    let mut sorted = names;
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

#[test]
fn errors_never_show_header_values() {
    let c = creds(None);
    let s = SigningSettings::default();
    let headers = [("x-secret", "hunter2\0")];
    let r = SignableRequest::new("GET", "/", "", &headers, Payload::Bytes(b""));
    let e = sign_with(&r, &c, &s)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("x-secret") && !e.contains("hunter2"), "{e}");
}

#[test]
fn cache_and_no_cache_sign_the_same() {
    let c = creds(Some(TOKEN));
    let settings = SigningSettings::default();
    let cache = SigningKeyCache::new();
    let r = get(&HOST);
    let with = sign(
        &r,
        &SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "service",
            time: time(),
            settings: &settings,
            key_cache: Some(&cache),
        },
    )
    .unwrap();
    let without = sign_with(&r, &c, &settings).unwrap();
    assert_eq!(with.signature(), without.signature());
    assert_eq!(cache.len(), 1);
}
