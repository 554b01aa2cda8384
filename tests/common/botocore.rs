//! Cases made by `vectors/botocore_oracle.py`: inputs, and what botocore signed. Signs
//! each with aws-login and reports the first difference.

use std::collections::BTreeSet;

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{
    Payload, SignableRequest, SigningKeyCache, SigningParams, SigningSettings, sign,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

fn str_of<'v>(case: &'v Value, key: &str) -> &'v str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case field {key}"))
}

pub fn b64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64"),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Signs a case with aws-login; `Err` describes the first difference from botocore.
pub fn check_case(case: &Value, cache: &SigningKeyCache) -> Result<(), String> {
    let signer = str_of(case, "signer");
    let query_mode = signer.ends_with("QueryAuth");
    let s3 = signer.starts_with("S3");
    let unsigned = case["unsigned_payload"].as_bool().unwrap_or(false);
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if query_mode {
        settings = settings.presigned(case["expires"].as_u64().expect("expires"));
    }
    if unsigned && !s3 {
        settings.content_sha256_header = true;
    }
    let excluded: Vec<&str> = case["excluded_headers"]
        .as_array()
        .expect("excluded_headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let settings = settings.with_excluded_headers(excluded);

    let body = b64_decode(str_of(case, "body_b64"));
    let payload = if unsigned || (s3 && query_mode) {
        Payload::Unsigned
    } else {
        Payload::Bytes(&body)
    };
    let headers: Vec<(&str, &str)> = case["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| (h[0].as_str().expect("name"), h[1].as_str().expect("value")))
        .collect();
    let credentials = Credentials::new(
        str_of(case, "access_key_id"),
        str_of(case, "secret_access_key"),
        case["session_token"].as_str().map(SecretString::new),
        None,
    );
    let time = DateTime::parse_from_rfc3339(str_of(case, "time"))
        .expect("time")
        .with_timezone(&Utc);
    let request = SignableRequest::new(
        str_of(case, "method"),
        str_of(case, "path"),
        str_of(case, "query"),
        &headers,
        payload,
    );
    let params = SigningParams {
        credentials: &credentials,
        region: str_of(case, "region"),
        service: str_of(case, "service"),
        time,
        settings: &settings,
        key_cache: Some(cache),
    };
    let signed = sign(&request, &params).map_err(|e| format!("aws-login refused to sign: {e}"))?;
    let expected = &case["expected"];
    let compare = |what: &str, ours: &str, theirs: &str| {
        if ours == theirs {
            Ok(())
        } else {
            Err(format!(
                "{what} differs\n--- aws-login\n{ours}\n--- botocore\n{theirs}"
            ))
        }
    };
    compare(
        "canonical request",
        signed.canonical_request(),
        str_of(expected, "canonical_request"),
    )?;
    compare(
        "string to sign",
        signed.string_to_sign(),
        str_of(expected, "string_to_sign"),
    )?;
    compare(
        "signature",
        signed.signature(),
        str_of(expected, "signature"),
    )?;
    if query_mode {
        let ours: BTreeSet<&str> = signed
            .query_string()
            .unwrap_or_default()
            .split('&')
            .collect();
        let theirs: BTreeSet<&str> = str_of(expected, "query").split('&').collect();
        if ours != theirs {
            return Err(format!(
                "presigned query differs\n--- aws-login\n{ours:?}\n--- botocore\n{theirs:?}"
            ));
        }
    } else {
        compare(
            "authorization",
            signed.authorization().unwrap_or_default(),
            str_of(expected, "authorization"),
        )?;
    }
    Ok(())
}

/// The request of a case, without its secrets, for a failure message.
pub fn describe(case: &Value) -> String {
    let mut shown = case.clone();
    if let Some(obj) = shown.as_object_mut() {
        obj.remove("expected");
        obj.remove("excluded_headers");
        obj.insert("secret_access_key".into(), Value::from("<not shown>"));
        let body = obj
            .get("body_b64")
            .and_then(Value::as_str)
            .map_or(0, |b| b.len());
        if body > 200 {
            obj.insert(
                "body_b64".into(),
                Value::from(format!("<{body} base64 chars>")),
            );
        }
    }
    serde_json::to_string_pretty(&shown).unwrap_or_default()
}

/// `AWS_LOGIN_BOTOCORE_PYTHON`: a Python with the pinned botocore. `None` skips the test
/// locally (saying so); under `CI` its absence fails the test.
#[allow(clippy::print_stderr)] // a skipped test says so
pub fn python() -> Option<std::ffi::OsString> {
    let python = std::env::var_os("AWS_LOGIN_BOTOCORE_PYTHON");
    if python.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "AWS_LOGIN_BOTOCORE_PYTHON is not set: CI must run the botocore differential tests"
        );
        eprintln!("skipped: set AWS_LOGIN_BOTOCORE_PYTHON to a python with botocore");
    }
    python
}

/// A new seed each run (`AWS_LOGIN_DIFF_SEED` replays one).
#[allow(clippy::disallowed_methods)] // a fresh seed per run is the point
pub fn seed() -> u64 {
    if let Some(seed) = std::env::var("AWS_LOGIN_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return seed;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (nanos ^ (u64::from(std::process::id()) << 32)) % 1_000_000_000
}

/// Runs an oracle script of `vectors/` with `--seed` and `--count` (and `PYTHONUTF8=1`),
/// and returns its JSON document; panics with the seed when it fails.
pub fn oracle(python: &std::ffi::OsStr, script: &str, seed: u64) -> (Value, usize) {
    let count: usize = std::env::var("AWS_LOGIN_DIFF_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let script = format!("{}/vectors/{script}", env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(python)
        .args([
            script.as_str(),
            "--seed",
            &seed.to_string(),
            "--count",
            &count.to_string(),
        ])
        .env("PYTHONUTF8", "1")
        .output()
        .expect("run the botocore oracle");
    assert!(
        output.status.success(),
        "botocore oracle {script} failed (seed {seed}): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = serde_json::from_slice(&output.stdout).expect("oracle JSON");
    (doc, count)
}
