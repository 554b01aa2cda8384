//! Signing speed: aws-login (warm key cache and cache bypassed) beside the `aws-sigv4`
//! crate (pinned 1.6.4) on the same inputs, and the floor: hashing the request's payload
//! (when it is signed), canonical request and string to sign, plus one HMAC.
//!
//! Each scenario first asserts that aws-login and aws-sigv4 produce the same signature.
//! `python3 benches/report.py` prints the table of medians and ratios from one run.

#![allow(missing_docs)] // criterion's macros generate undocumented items
#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should stop the bench
#![allow(clippy::print_stdout)] // the paired measurement prints its result

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

mod support;

use aws_login::credentials::Credentials;
use aws_login::sigv4::{
    Payload, SignableRequest, SigningKeyCache, SigningParams, SigningSettings, derive_signing_key,
    sign,
};
use aws_sigv4::http_request as reference;
use criterion::{Criterion, criterion_group};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use support::{KEY_ID, SECRET, Scenario, TIME_SECS, scenarios, token};

fn ours<'a>(
    s: &'a Scenario,
    headers: &'a [(&'a str, &'a str)],
    credentials: &'a Credentials,
    settings: &'a SigningSettings,
    cache: Option<&'a SigningKeyCache>,
    precomputed_hash: Option<&'a str>,
) -> aws_login::sigv4::SignedRequest<'a> {
    let payload = precomputed_hash.map_or_else(|| s.payload(), Payload::Precomputed);
    let request = SignableRequest::new(s.method, s.path, s.query, headers, payload);
    let params = SigningParams {
        credentials,
        region: s.region,
        service: s.service,
        time: Scenario::time(),
        settings,
        key_cache: cache,
    };
    sign(&request, &params).unwrap()
}

/// The hashing no signer can skip: the payload (when signed), the canonical request and
/// the string to sign, and one HMAC with its key set up.
fn floor(
    body: Option<&[u8]>,
    canonical_request: &str,
    string_to_sign: &str,
    signing_key: &[u8; 32],
) -> impl Sized {
    let body = body.map(|b| Sha256::digest(black_box(b)));
    let cr = Sha256::digest(black_box(canonical_request.as_bytes()));
    let sts = Sha256::digest(black_box(string_to_sign.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(signing_key).unwrap();
    mac.update(black_box(string_to_sign.as_bytes()));
    (body, cr, sts, mac.finalize().into_bytes())
}

fn reference_sign(
    s: &Scenario,
    headers: &[(&str, &str)],
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    settings: &reference::SigningSettings,
    precomputed_hash: Option<&str>,
) -> String {
    let uri = format!("https://{}{}", s.host, s.path);
    let body = if let Some(hash) = precomputed_hash {
        reference::SignableBody::Precomputed(hash.to_owned())
    } else if s.hash_body {
        reference::SignableBody::Bytes(&s.body)
    } else {
        reference::SignableBody::UnsignedPayload
    };
    let request =
        reference::SignableRequest::new(s.method, uri, headers.iter().copied(), body).unwrap();
    let params: reference::SigningParams<'_> = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(identity)
        .region(s.region)
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
    for s in scenarios() {
        let headers = s.headers();
        let credentials = s.credentials(&token);
        let settings = s.settings();

        let mut ref_settings = reference::SigningSettings::default();
        if s.s3 {
            ref_settings.percent_encoding_mode = reference::PercentEncodingMode::Single;
            ref_settings.uri_path_normalization_mode =
                reference::UriPathNormalizationMode::Disabled;
            if s.presign.is_none() {
                ref_settings.payload_checksum_kind = reference::PayloadChecksumKind::XAmzSha256;
            }
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
        let signed = ours(&s, &headers, &credentials, &settings, Some(&cache), None);
        let reference_signature = reference_sign(&s, &headers, &identity, &ref_settings, None);
        assert_eq!(
            signed.signature(),
            reference_signature,
            "{}: aws-login and aws-sigv4 disagree",
            s.name
        );
        let canonical_request = signed.canonical_request().to_owned();
        let string_to_sign = signed.string_to_sign().to_owned();
        let date = &string_to_sign[17..25];
        let signing_key = derive_signing_key(SECRET, date, s.region, s.service);

        let mut group = c.benchmark_group(s.name);
        group.sample_size(if s.name.starts_with('d') { 40 } else { 200 });
        group.measurement_time(Duration::from_secs(if s.name.starts_with('d') {
            6
        } else {
            3
        }));
        group.bench_function("aws-login-warm-cache", |b| {
            b.iter(|| {
                ours(
                    black_box(&s),
                    &headers,
                    &credentials,
                    &settings,
                    Some(&cache),
                    None,
                )
            })
        });
        group.bench_function("aws-login-no-cache", |b| {
            b.iter(|| ours(black_box(&s), &headers, &credentials, &settings, None, None))
        });
        group.bench_function("aws-sigv4-1.6.4", |b| {
            b.iter(|| reference_sign(black_box(&s), &headers, &identity, &ref_settings, None))
        });
        let hashed_body = s.hash_body.then_some(s.body.as_slice());
        group.bench_function("floor", |b| {
            b.iter(|| {
                floor(
                    hashed_body,
                    &canonical_request,
                    &string_to_sign,
                    &signing_key,
                )
            })
        });
        if s.hash_body && s.body.len() <= 4096 {
            // The same request with its payload hash computed beforehand (a serializer can
            // hash the body as it writes it): the signers alone, and a floor without it.
            let hash = hex::encode(Sha256::digest(&s.body));
            let ours_pre = ours(
                &s,
                &headers,
                &credentials,
                &settings,
                Some(&cache),
                Some(&hash),
            );
            let ref_pre = reference_sign(&s, &headers, &identity, &ref_settings, Some(&hash));
            assert_eq!(
                ours_pre.signature(),
                ref_pre,
                "{}: precomputed hash",
                s.name
            );
            assert_eq!(
                ours_pre.signature(),
                signed.signature(),
                "{}: same request",
                s.name
            );
            group.bench_function("aws-login-warm-cache-precomputed-hash", |b| {
                b.iter(|| {
                    ours(
                        black_box(&s),
                        &headers,
                        &credentials,
                        &settings,
                        Some(&cache),
                        Some(&hash),
                    )
                })
            });
            group.bench_function("aws-sigv4-1.6.4-precomputed-hash", |b| {
                b.iter(|| {
                    reference_sign(
                        black_box(&s),
                        &headers,
                        &identity,
                        &ref_settings,
                        Some(&hash),
                    )
                })
            });
            group.bench_function("floor-precomputed-hash", |b| {
                b.iter(|| floor(None, &canonical_request, &string_to_sign, &signing_key))
            });
        }
        if s.hash_body && s.body.len() > 4096 {
            group.bench_function("sha256-payload-only", |b| {
                b.iter(|| Sha256::digest(black_box(&s.body)))
            });
        }
        group.finish();
    }
}

/// (d) against hashing its payload alone, paired: each round signs, then hashes the same
/// 1 MiB, back to back, so drift of the machine between criterion's sequential runs
/// (several % here) cancels out. Writes the medians for `benches/report.py`.
fn paired_payload_overhead() {
    let token = token();
    let Some(s) = scenarios().into_iter().find(|s| s.name.starts_with('d')) else {
        return;
    };
    let headers = s.headers();
    let credentials = s.credentials(&token);
    let settings = s.settings();
    let cache = SigningKeyCache::new();
    let (mut diffs, mut hashes) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let t = Instant::now();
        black_box(ours(
            &s,
            &headers,
            &credentials,
            &settings,
            Some(&cache),
            None,
        ));
        let signing = t.elapsed().as_nanos() as f64;
        let t = Instant::now();
        black_box(Sha256::digest(black_box(&s.body)));
        let hashing = t.elapsed().as_nanos() as f64;
        diffs.push(signing - hashing);
        hashes.push(hashing);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (diff, hash) = (median(&mut diffs), median(&mut hashes));
    println!(
        "{}: signing minus hashing 1 MiB, paired median of 300: {:.2} µs over {:.1} µs ({:+.2}%)",
        s.name,
        diff / 1000.0,
        hash / 1000.0,
        100.0 * diff / hash
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(s.name);
    let json = format!("{{\"median_diff_ns\": {diff}, \"median_hash_ns\": {hash}}}\n");
    if std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("paired.json"), json))
        .is_err()
    {
        println!("could not write {}", dir.display());
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only under `cargo bench` (which passes `--bench`), not in `cargo test --bench sign`.
    if std::env::args().any(|a| a == "--bench") {
        paired_payload_overhead();
    }
}
