//! Differential test against botocore for the shared files: `vectors/botocore_config_oracle.py`
//! makes fresh random config and credentials files from a seed (indentation, `key: value`,
//! quoted and spaced section names, `[DEFAULT]`, continuation lines, sub-properties,
//! repeats, byte-order marks, bytes that are not UTF-8, CR line endings...) and reads them
//! with botocore's `configloader`; aws-login must read the same profiles, `sso-session` and
//! `services` sections from every file botocore accepts, and must report a problem in every
//! file botocore refuses. Where aws-login is stricter on purpose, botocore's reading is
//! trimmed to match: a one-line setting that goes on over indented lines is left out (it
//! may hold lines meant as keys), and the profile is refused; so is a section with a `[`
//! line read as a key, or one section spelled two ways. Nothing else may be skipped in a
//! file botocore accepts. Command lines are split by Python's
//! `shlex.split` and by aws-login's `shlex::split` and must give the same words.
//!
//! Needs `AWS_LOGIN_BOTOCORE_PYTHON` (see `botocore_differential.rs`); `AWS_LOGIN_DIFF_SEED`
//! replays a seed, `AWS_LOGIN_DIFF_COUNT` sets the number of files (default 2000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly
#![allow(clippy::print_stderr)] // tests say what they skipped or measured

use crate::common;

use aws_login::config::{Section, merge, parse};
use serde_json::Value;
use std::collections::BTreeMap;

/// What aws-login refuses on purpose in a file botocore accepts.
const STRICTER: [&str; 3] = [
    "goes on over the indented lines below it",
    "starts like a section header but has no ']'",
    "name the same section",
];

/// botocore's sections without the values aws-login leaves out on purpose: a value that
/// goes on over lines but is neither sub-properties nor `credential_process`.
fn trimmed(sections: &Value) -> Value {
    let mut out = sections.clone();
    if let Some(sections) = out.as_object_mut() {
        for keys in sections.values_mut().filter_map(Value::as_object_mut) {
            keys.retain(|key, value| {
                !value.as_str().is_some_and(|v| {
                    v.contains('\n') && !v.starts_with('\n') && key != "credential_process"
                })
            });
        }
    }
    out
}

/// Our sections in botocore's shape: a string per key, or an object of sub-properties.
fn ours(sections: &BTreeMap<String, Section>) -> Value {
    let mut out = serde_json::Map::new();
    for (name, section) in sections {
        let mut keys = serde_json::Map::new();
        for key in section.keys() {
            let value = section.get(key).unwrap_or_default();
            let value = if value.starts_with('\n') {
                Value::Object(
                    section
                        .sub_properties(key)
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                )
            } else {
                Value::String(value.to_owned())
            };
            keys.insert(key.to_owned(), value);
        }
        out.insert(name.clone(), Value::Object(keys));
    }
    Value::Object(out)
}

/// Compares one file read as a config file and as a credentials file.
fn check(file: &Value) -> Result<(), String> {
    let bytes = common::botocore::b64_decode(file["bytes_b64"].as_str().unwrap());
    let empty = parse(b"", "empty");
    let as_config = merge(&parse(&bytes, "config"), &empty);
    let as_credentials = merge(&empty, &parse(&bytes, "credentials"));
    // A byte-order mark after the start: botocore reads it as part of a key or name (which
    // then matches nothing); aws-login skips that line and names the mark.
    let bom = "\u{feff}".as_bytes();
    if bytes.len() > 3 && bytes[3..].windows(3).any(|w| w == bom) {
        let named = |c: &aws_login::config::SharedConfig| {
            c.problems
                .iter()
                .any(|p| p.message.contains("byte-order mark"))
        };
        return if named(&as_config) && named(&as_credentials) {
            Ok(())
        } else {
            Err("a byte-order mark inside the file is not named".into())
        };
    }
    for (what, theirs, mine, pairs) in [
        (
            "config",
            &file["config"],
            &as_config,
            vec![
                ("profiles", ours(&as_config.profiles)),
                ("sso_sessions", ours(&as_config.sso_sessions)),
                ("services", ours(&as_config.services)),
            ],
        ),
        (
            "credentials",
            &file["credentials"],
            &as_credentials,
            vec![("sections", ours(&as_credentials.profiles))],
        ),
    ] {
        let problems: Vec<String> = mine.problems.iter().map(ToString::to_string).collect();
        if let Some(error) = theirs.get("error") {
            if problems.is_empty() {
                return Err(format!(
                    "as a {what} file: botocore refuses it ({error}), aws-login reports nothing"
                ));
            }
            continue;
        }
        let unexpected = mine
            .problems
            .iter()
            .any(|p| p.skipped && !STRICTER.iter().any(|s| p.message.contains(s)));
        if unexpected {
            return Err(format!(
                "as a {what} file: botocore reads it all, aws-login skipped some: {problems:?}"
            ));
        }
        for (key, got) in pairs {
            let want = trimmed(&theirs[key]);
            if want != got {
                return Err(format!(
                    "as a {what} file, {key}:\n  botocore  {want}\n  aws-login {got}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn aws_login_reads_the_shared_files_as_botocore_does() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let seed = common::botocore::seed();
    let (doc, count) = common::botocore::oracle(&python, "botocore_config_oracle.py", seed);
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), count, "seed {seed}");
    let mut accepted = 0;
    for file in files {
        if let Err(diff) = check(file) {
            let text = String::from_utf8_lossy(&common::botocore::b64_decode(
                file["bytes_b64"].as_str().unwrap(),
            ))
            .into_owned();
            panic!(
                "aws-login and botocore {} read a file differently (seed {seed}, replay with AWS_LOGIN_DIFF_SEED={seed}): {diff}\nthe file: {text:?}",
                doc["botocore"]
            );
        }
        accepted += usize::from(file["config"].get("error").is_none());
    }
    for case in doc["shlex"].as_array().expect("shlex") {
        let line = case["line"].as_str().unwrap();
        let got = aws_login::shlex::split(line).ok();
        let want: Option<Vec<String>> = serde_json::from_value(case["words"].clone()).unwrap();
        assert_eq!(got, want, "shlex.split({line:?}) (seed {seed})");
    }
    eprintln!(
        "{count} random files read as botocore {} reads them ({accepted} it accepts), and {} command lines split alike (seed {seed})",
        doc["botocore"],
        doc["shlex"].as_array().map_or(0, Vec::len)
    );
}
