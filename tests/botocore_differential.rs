//! Differential test against botocore: `vectors/botocore_oracle.py` makes fresh random
//! requests from a seed and signs them with botocore; aws-login signs the same and the
//! test fails on the first difference, printing the seed and the request.
//!
//! Needs `AWS_LOGIN_BOTOCORE_PYTHON`: a Python with the pinned botocore of
//! `vectors/requirements.txt` (`.ci/run` makes one). Without it the test is skipped
//! locally and fails under `CI`. `AWS_LOGIN_DIFF_SEED` replays a seed;
//! `AWS_LOGIN_DIFF_COUNT` sets the number of requests (default 2000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly
#![allow(clippy::print_stderr)] // tests say what they skipped or measured

use crate::common;

use aws_login::sigv4::SigningKeyCache;
use common::botocore::{check_case, describe};

#[test]
fn aws_login_signs_as_botocore_does() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let seed = common::botocore::seed();
    let (doc, count) = common::botocore::oracle(&python, "botocore_oracle.py", seed);
    let cases = doc["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), count, "seed {seed}");
    let cache = SigningKeyCache::new();
    for case in cases {
        if let Err(diff) = check_case(case, &cache) {
            panic!(
                "aws-login and botocore {} differ (seed {seed}, replay with AWS_LOGIN_DIFF_SEED={seed}) on {}:\n{diff}\nrequest: {}",
                doc["botocore"],
                case["id"],
                describe(case)
            );
        }
    }
    eprintln!(
        "{count} random requests signed identically by aws-login and botocore {} (seed {seed})",
        doc["botocore"]
    );
}
