//! Signing speed: aws-login (warm key cache and cache bypassed) beside the `aws-sigv4`
//! crate (pinned 1.6.4) on the same inputs, and the floor: hashing the request's payload
//! (when it is signed), canonical request and string to sign, plus one HMAC.
//!
//! Each scenario first asserts that aws-login and aws-sigv4 produce the same signature.
//! `python3 benches/report.py` prints the table of medians and ratios from one run.

#![allow(missing_docs)] // criterion's macros generate undocumented items
#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should stop the bench

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{
    Payload, SignableRequest, SigningKeyCache, SigningParams, SigningSettings, derive_signing_key,
    sign,
};
use aws_sigv4::http_request as reference;
use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TIME_SECS: i64 = 1_705_312_800; // 2024-01-15T10:00:00Z

/// A 700-character session token, shaped like a real one (base64 with `/` and `+`).
fn token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x9e37_79b9;
    let mut t: String = (0..698)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            alphabet[(x % 64) as usize] as char
        })
        .collect();
    t.push_str("==");
    t
}

struct Scenario {
    name: &'static str,
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Payload hashed by the signer (false: UNSIGNED-PAYLOAD).
    hash_body: bool,
    region: &'static str,
    service: &'static str,
    token: bool,
    s3: bool,
    presign: Option<u64>,
}

fn scenarios() -> Vec<Scenario> {
    let mut ec2 = String::from(
        "Action=RunInstances&Version=2016-11-15&ImageId=ami-0abcdef1234567890&InstanceType=t3.micro\
         &MinCount=1&MaxCount=1&KeyName=ops&SecurityGroupId.1=sg-0123456789abcdef0&UserData=",
    );
    let user_data = "IyEvYmluL2Jhc2gKc2V0IC1ldW8gcGlwZWZhaWwKYXdzLWxvZ2luIGR1bXBjcmVkcwo%3D";
    while ec2.len() < 2048 {
        ec2.push_str(user_data);
    }
    vec![
        Scenario {
            name: "a_sts_get_caller_identity",
            method: "POST",
            host: "sts.us-east-1.amazonaws.com",
            path: "/",
            query: "",
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
            body: b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
            hash_body: true,
            region: "us-east-1",
            service: "sts",
            token: true,
            s3: false,
            presign: None,
        },
        Scenario {
            name: "b_ec2_query_post_2k",
            method: "POST",
            host: "ec2.eu-west-1.amazonaws.com",
            path: "/",
            query: "",
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
            body: ec2.into_bytes(),
            hash_body: true,
            region: "eu-west-1",
            service: "ec2",
            token: false,
            s3: false,
            presign: None,
        },
        Scenario {
            name: "c_s3_presigned_get",
            method: "GET",
            host: "examplebucket.s3.us-west-2.amazonaws.com",
            path: "/reports/2024/01/summary%20final.csv",
            query: "",
            content_type: None,
            body: Vec::new(),
            hash_body: false,
            region: "us-west-2",
            service: "s3",
            token: true,
            s3: true,
            presign: Some(3600),
        },
        Scenario {
            name: "d_s3_put_1mib",
            method: "PUT",
            host: "examplebucket.s3.us-west-2.amazonaws.com",
            path: "/uploads/blob.bin",
            query: "",
            content_type: Some("application/octet-stream"),
            body: (0..1 << 20)
                .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            hash_body: true,
            region: "us-west-2",
            service: "s3",
            token: false,
            s3: true,
            presign: None,
        },
    ]
}

fn ours<'a>(
    s: &'a Scenario,
    headers: &'a [(&'a str, &'a str)],
    credentials: &'a Credentials,
    settings: &'a SigningSettings,
    cache: Option<&'a SigningKeyCache>,
) -> aws_login::sigv4::SignedRequest<'a> {
    let payload = if s.hash_body {
        Payload::Bytes(&s.body)
    } else {
        Payload::Unsigned
    };
    let request = SignableRequest::new(s.method, s.path, s.query, headers, payload);
    let time = DateTime::<Utc>::from_timestamp(TIME_SECS, 0).unwrap();
    let params = SigningParams {
        credentials,
        region: s.region,
        service: s.service,
        time,
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
        let mut headers: Vec<(&str, &str)> = vec![("host", s.host)];
        if let Some(ct) = s.content_type {
            headers.push(("content-type", ct));
        }
        let credentials = Credentials::new(
            KEY_ID,
            SECRET,
            s.token.then(|| SecretString::new(token.clone())),
            None,
        );
        let mut settings = if s.s3 {
            SigningSettings::s3()
        } else {
            SigningSettings::default()
        };
        if let Some(expires) = s.presign {
            settings = settings.presigned(expires);
        }

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
        let signed = ours(&s, &headers, &credentials, &settings, Some(&cache));
        let reference_signature = reference_sign(&s, &headers, &identity, &ref_settings);
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
        group.sample_size(if s.name.starts_with('d') { 30 } else { 200 });
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
                let body = if s.hash_body {
                    Some(Sha256::digest(black_box(&s.body)))
                } else {
                    None
                };
                let cr = Sha256::digest(black_box(canonical_request.as_bytes()));
                let sts = Sha256::digest(black_box(string_to_sign.as_bytes()));
                let mut mac = Hmac::<Sha256>::new_from_slice(&signing_key).unwrap();
                mac.update(black_box(string_to_sign.as_bytes()));
                (body, cr, sts, mac.finalize().into_bytes())
            })
        });
        if s.hash_body && s.body.len() > 4096 {
            group.bench_function("sha256-payload-only", |b| {
                b.iter(|| Sha256::digest(black_box(&s.body)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
