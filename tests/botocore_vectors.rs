//! The project's own vectors (`vectors/botocore-sigv4.json`), made by botocore through
//! `vectors/botocore_oracle.py`: checked offline on every `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly
#![allow(clippy::print_stderr)] // tests say what they skipped or measured

use crate::common;

use aws_login::sigv4::SigningKeyCache;
use common::botocore::{check_case, describe};

#[test]
fn botocore_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/botocore-sigv4.json");
    let text = std::fs::read_to_string(path).expect("vectors/botocore-sigv4.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("vectors JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 300, "only {} vectors", cases.len());
    let cache = SigningKeyCache::new();
    let mut failures = Vec::new();
    for case in cases {
        if let Err(diff) = check_case(case, &cache) {
            failures.push(format!(
                "{}: {diff}\nrequest: {}",
                case["id"],
                describe(case)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} botocore vectors differ; first:\n{}",
        failures.len(),
        cases.len(),
        failures[0]
    );
}
