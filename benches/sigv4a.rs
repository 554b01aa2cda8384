//! SigV4a signing speed: aws-login (warm key cache, and the key derived each time) beside
//! the `aws-sigv4` crate's sigv4a (pinned 1.6.4, which derives its key each time) on the
//! same inputs, the region set `*`; and the floor of any SigV4a signer: hashing the
//! canonical request and string to sign, plus one ECDSA P-256 signature.
//!
//! Each scenario first checks that both signers sign the same string: aws-sigv4's
//! (randomised) signature verifies with aws-login's public key over aws-login's string to
//! sign. `python3 benches/report.py --sigv4a` prints the table from one run.

#![allow(missing_docs)] // criterion's macros generate undocumented items
#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should stop the bench

use std::hint::black_box;
use std::time::{Duration, SystemTime};

mod support;

use aws_login::credentials::Credentials;
use aws_login::sigv4::sigv4a::derive_sigv4a_key;
use aws_login::sigv4::{SignableRequest, SigningKeyCache, SigningParams, SigningSettings, sign};
use aws_sigv4::http_request as reference;
use criterion::{Criterion, criterion_group, criterion_main};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use sha2::{Digest, Sha256};
use support::{KEY_ID, SECRET, Scenario, TIME_SECS, scenarios, token};

fn ours<'a>(
    s: &'a Scenario,
    headers: &'a [(&'a str, &'a str)],
    credentials: &'a Credentials,
    settings: &'a SigningSettings,
    cache: Option<&'a SigningKeyCache>,
) -> aws_login::sigv4::SignedRequest<'a> {
    let request = SignableRequest::new(s.method, s.path, s.query, headers, s.payload());
    let params = SigningParams {
        credentials,
        region: "*",
        service: s.service,
        time: Scenario::time(),
        settings,
        key_cache: cache,
    };
    sign(&request, &params).unwrap()
}

fn reference_sign(
    s: &Scenario,
    headers: &[(&str, &str)],
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    settings: &reference::SigningSettings,
) -> String {
    let uri = format!("https://{}{}", s.host, s.path);
    let body = if s.hash_body {
        reference::SignableBody::Bytes(&s.body)
    } else {
        reference::SignableBody::UnsignedPayload
    };
    let request =
        reference::SignableRequest::new(s.method, uri, headers.iter().copied(), body).unwrap();
    let params: reference::SigningParams<'_> = aws_sigv4::sign::v4a::SigningParams::builder()
        .identity(identity)
        .region_set("*")
        .name(s.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(TIME_SECS as u64))
        .settings(settings.clone())
        .build()
        .unwrap()
        .into();
    reference::sign(request, &params)
        .unwrap()
        .signature()
        .to_owned()
}

fn bench(c: &mut Criterion) {
    let token = token();
    // (a) STS with a token, (c) the S3 presigned GET: the cases SigV4a is used for
    // (global endpoints, Multi-Region Access Points), without a large body.
    for s in scenarios()
        .into_iter()
        .filter(|s| s.name.starts_with('a') || s.name.starts_with('c'))
    {
        let headers = s.headers();
        let credentials = s.credentials(&token);
        let settings = s.settings().sigv4a();
        let mut ref_settings = reference::SigningSettings::default();
        if s.s3 {
            ref_settings.percent_encoding_mode = reference::PercentEncodingMode::Single;
            ref_settings.uri_path_normalization_mode =
                reference::UriPathNormalizationMode::Disabled;
        }
        if let Some(expires) = s.presign {
            ref_settings.signature_location = reference::SignatureLocation::QueryParams;
            ref_settings.expires_in = Some(Duration::from_secs(expires));
        }
        let identity = aws_credential_types::Credentials::new(
            KEY_ID,
            SECRET,
            s.token.then(|| token.clone()),
            None,
            "bench",
        )
        .into();

        let cache = SigningKeyCache::new();
        let signed = ours(&s, &headers, &credentials, &settings, Some(&cache));
        let key = derive_sigv4a_key(KEY_ID, SECRET).unwrap();
        let theirs = reference_sign(&s, &headers, &identity, &ref_settings);
        let der = hex::decode(&theirs).unwrap();
        let signature = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert!(
            key.verifying_key()
                .verify(signed.string_to_sign().as_bytes(), &signature)
                .is_ok(),
            "{}: aws-sigv4 signed another string than aws-login",
            s.name
        );
        let canonical_request = signed.canonical_request().to_owned();
        let string_to_sign = signed.string_to_sign().to_owned();

        let mut group = c.benchmark_group(format!("sigv4a_{}", s.name));
        group.sample_size(100);
        group.measurement_time(Duration::from_secs(3));
        group.bench_function("aws-login-warm-cache", |b| {
            b.iter(|| {
                ours(
                    black_box(&s),
                    &headers,
                    &credentials,
                    &settings,
                    Some(&cache),
                )
            })
        });
        group.bench_function("aws-login-no-cache", |b| {
            b.iter(|| ours(black_box(&s), &headers, &credentials, &settings, None))
        });
        group.bench_function("aws-sigv4-1.6.4", |b| {
            b.iter(|| reference_sign(black_box(&s), &headers, &identity, &ref_settings))
        });
        group.bench_function("floor", |b| {
            b.iter(|| {
                let cr = Sha256::digest(black_box(canonical_request.as_bytes()));
                let signature: p256::ecdsa::Signature =
                    key.sign(black_box(string_to_sign.as_bytes()));
                (cr, signature)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
