//! AWS's published SigV4 test suites, read from `../shared/vectors` (or
//! `AWS_LOGIN_SIGV4_VECTORS`): every `sigv4-c-auth/v4` case in header and in query mode,
//! every `sigv4-classic` case against its `.authz`, and the two `sigv4-smithy-rs-extra`
//! cases. One test per case and mode, so a failure names its case. No case is ignored:
//! the signer takes the raw path, as the CRT harness does, so `get-space` and `get-utf8`
//! pass as written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly
#![allow(clippy::print_stderr)] // tests say what they skipped or measured

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{
    Payload, SessionTokenMode, SignableRequest, SigningKeyCache, SigningParams, SigningSettings,
    sign,
};
use chrono::{DateTime, Utc};
use common::{RawRequest, read, vectors_dir};

#[derive(Clone, Copy)]
pub(crate) enum Mode {
    Header,
    Query,
}

/// Which folder of the CRT suite: `v4` (every output compared byte for byte) or `v4a`
/// (the canonical request and string to sign byte for byte, the randomised signature
/// verified with the case's public key).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suite {
    V4,
    V4a,
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("timestamp")
        .with_timezone(&Utc)
}

/// Runs one `sigv4-c-auth/v4` case in one mode.
fn c_auth(case: &str, mode: Mode) {
    c_auth_in(Suite::V4, case, mode);
}

/// Runs one case of `suite` in one mode.
pub(crate) fn c_auth_in(suite: Suite, case: &str, mode: Mode) {
    let Some(root) = vectors_dir() else { return };
    let folder = match suite {
        Suite::V4 => "sigv4-c-auth/v4",
        Suite::V4a => "sigv4-c-auth/v4a",
    };
    let dir = root.join(folder).join(case);
    let ctx: serde_json::Value =
        serde_json::from_str(&read(&dir.join("context.json"))).expect("context");
    let creds = &ctx["credentials"];
    let credentials = Credentials::new(
        creds["access_key_id"].as_str().expect("key"),
        creds["secret_access_key"].as_str().expect("secret"),
        creds["token"].as_str().map(SecretString::new),
        None,
    );
    let sign_body = ctx["sign_body"].as_bool().unwrap_or(false);
    let mut settings = SigningSettings::default();
    settings.normalize_uri_path = ctx["normalize"].as_bool().expect("normalize");
    settings.content_sha256_header = sign_body;
    if ctx["omit_session_token"].as_bool().unwrap_or(false) {
        settings.session_token = SessionTokenMode::AddedAfterSigning;
    }
    if suite == Suite::V4a {
        settings = settings.sigv4a();
    }
    let prefix = match mode {
        Mode::Header => "header",
        Mode::Query => {
            settings = settings.presigned(ctx["expiration_in_seconds"].as_u64().expect("expires"));
            "query"
        }
    };
    let req = RawRequest::parse(&read(&dir.join("request.txt")));
    let headers = req.header_refs();
    let payload = if sign_body {
        Payload::Bytes(&req.body)
    } else {
        Payload::Bytes(b"")
    };
    let request = SignableRequest::new(&req.method, &req.path, &req.query, &headers, payload);
    let cache = SigningKeyCache::new();
    let params = SigningParams {
        credentials: &credentials,
        region: ctx["region"].as_str().expect("region"),
        service: ctx["service"].as_str().expect("service"),
        time: time(ctx["timestamp"].as_str().expect("timestamp")),
        settings: &settings,
        key_cache: Some(&cache),
    };
    let signed = sign(&request, &params).expect("signs");
    let expect = |name: &str| read(&dir.join(format!("{prefix}-{name}.txt")));
    assert_eq!(
        signed.canonical_request(),
        expect("canonical-request"),
        "{case}: canonical request"
    );
    assert_eq!(
        signed.string_to_sign(),
        expect("string-to-sign"),
        "{case}: string to sign"
    );
    if suite == Suite::V4 {
        assert_eq!(signed.signature(), expect("signature"), "{case}: signature");
    } else {
        crate::sigv4a_suites::verify(&dir, &credentials, &signed, &expect("signature"));
    }

    // End to end against the signed request file: what we add is what it shows.
    let expected = RawRequest::parse(&read(&dir.join(format!("{prefix}-signed-request.txt"))));
    match mode {
        Mode::Header => {
            for (name, value) in signed.headers() {
                let found = expected
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str());
                // A SigV4a signature differs each time: the rest of the line must not.
                let (found, value) = match (suite, found) {
                    (Suite::V4a, Some(f)) if name == "authorization" => (
                        f.split("Signature=").next().map(str::to_owned),
                        value.split("Signature=").next().unwrap_or(value).to_owned(),
                    ),
                    _ => (found.map(str::to_owned), value.to_owned()),
                };
                assert_eq!(found, Some(value), "{case}: header {name}");
            }
        }
        Mode::Query => {
            let ours: BTreeSet<&str> = signed
                .query_string()
                .expect("query")
                .split('&')
                .filter(|p| suite == Suite::V4 || !p.starts_with("X-Amz-Signature="))
                .collect();
            // The expected file keeps the user's raw `ሴ=bar`; ours is its canonical
            // (equivalent) form on the wire, so encode non-ASCII bytes before comparing.
            let expected_query: String = expected
                .query
                .bytes()
                .map(|b| {
                    if b.is_ascii() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            let theirs: BTreeSet<&str> = expected_query
                .split('&')
                .filter(|p| suite == Suite::V4 || !p.starts_with("X-Amz-Signature="))
                .collect();
            assert_eq!(ours, theirs, "{case}: presigned query");
        }
    }
}

/// Runs one `sigv4-classic` case: `.creq`, `.sts` and `.authz`, never `.sreq`.
fn classic(case: &str) {
    let Some(root) = vectors_dir() else { return };
    let dir = root.join("sigv4-classic").join(case);
    let name = Path::new(case)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name");
    let file = |ext: &str| read(&dir.join(format!("{name}.{ext}")));
    let mut req = RawRequest::parse(&file("req"));
    // The .req files carry the date (and one the token) already: the signer adds its own.
    let date = req.take_header("X-Amz-Date").expect("X-Amz-Date");
    req.take_header("X-Amz-Security-Token");
    let creq = file("creq");
    let mut settings = SigningSettings::default();
    let token = if name == "post-sts-header-after" {
        // Quirk 8: the token is sent but added after signing; it is the "before" case's.
        let before = RawRequest::parse(&read(
            &dir.join("../post-sts-header-before/post-sts-header-before.req"),
        ));
        settings.session_token = SessionTokenMode::AddedAfterSigning;
        before
            .headers
            .into_iter()
            .find(|(n, _)| n == "X-Amz-Security-Token")
            .map(|(_, v)| v)
    } else {
        creq.lines()
            .find_map(|l| l.strip_prefix("x-amz-security-token:"))
            .map(str::to_owned)
    };
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token.map(SecretString::new),
        None,
    );
    let headers = req.header_refs();
    let request = SignableRequest::new(
        &req.method,
        &req.path,
        &req.query,
        &headers,
        Payload::Bytes(&req.body),
    );
    let time = DateTime::parse_from_str(&format!("{date}+0000"), "%Y%m%dT%H%M%SZ%z")
        .expect("date")
        .with_timezone(&Utc);
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-1",
        service: "service",
        time,
        settings: &settings,
        key_cache: None,
    };
    let signed = sign(&request, &params).expect("signs");
    assert_eq!(
        signed.canonical_request(),
        creq,
        "{case}: canonical request"
    );
    assert_eq!(
        signed.string_to_sign(),
        file("sts"),
        "{case}: string to sign"
    );
    assert_eq!(
        signed.authorization(),
        Some(file("authz").as_str()),
        "{case}: authorization"
    );
}

macro_rules! c_auth_cases {
    ($($test:ident => $case:literal,)*) => {
        pub(crate) const C_AUTH_CASES: &[&str] = &[$($case),*];
        mod c_auth_v4_header {
            $( #[test] fn $test() { super::c_auth($case, super::Mode::Header) } )*
        }
        mod c_auth_v4_query {
            $( #[test] fn $test() { super::c_auth($case, super::Mode::Query) } )*
        }
        // The SigV4a folder holds the same 38 cases (plus two stubs).
        mod c_auth_v4a_header {
            $( #[test] fn $test() { super::c_auth_in(super::Suite::V4a, $case, super::Mode::Header) } )*
        }
        mod c_auth_v4a_query {
            $( #[test] fn $test() { super::c_auth_in(super::Suite::V4a, $case, super::Mode::Query) } )*
        }
    };
}

c_auth_cases! {
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_relative_normalized => "get-relative-normalized",
    get_relative_relative_normalized => "get-relative-relative-normalized",
    get_relative_relative_unnormalized => "get-relative-relative-unnormalized",
    get_relative_unnormalized => "get-relative-unnormalized",
    get_slash_dot_slash_normalized => "get-slash-dot-slash-normalized",
    get_slash_dot_slash_unnormalized => "get-slash-dot-slash-unnormalized",
    get_slash_normalized => "get-slash-normalized",
    get_slash_pointless_dot_normalized => "get-slash-pointless-dot-normalized",
    get_slash_pointless_dot_unnormalized => "get-slash-pointless-dot-unnormalized",
    get_slash_unnormalized => "get-slash-unnormalized",
    get_slashes_normalized => "get-slashes-normalized",
    get_slashes_unnormalized => "get-slashes-unnormalized",
    get_space_normalized => "get-space-normalized",
    get_space_unnormalized => "get-space-unnormalized",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_after => "post-sts-header-after",
    post_sts_header_before => "post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}

macro_rules! classic_cases {
    ($($test:ident => $case:literal,)*) => {
        const CLASSIC_CASES: &[&str] = &[$($case),*];
        mod classic {
            $( #[test] fn $test() { super::classic($case) } )*
        }
    };
}

classic_cases! {
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key => "get-vanilla-query-order-key",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_order_value => "get-vanilla-query-order-value",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    normalize_path_get_relative => "normalize-path/get-relative",
    normalize_path_get_relative_relative => "normalize-path/get-relative-relative",
    normalize_path_get_slash => "normalize-path/get-slash",
    normalize_path_get_slash_dot_slash => "normalize-path/get-slash-dot-slash",
    normalize_path_get_slash_pointless_dot => "normalize-path/get-slash-pointless-dot",
    normalize_path_get_slashes => "normalize-path/get-slashes",
    normalize_path_get_space => "normalize-path/get-space",
    normalize_path_get_special_character => "normalize-path/get-special-character",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_after => "post-sts-token/post-sts-header-after",
    post_sts_header_before => "post-sts-token/post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}

/// Every case folder of a suite: a folder holding `request.txt` or a `.req` file.
pub(crate) fn case_folders(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("suite folder").flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let is_case = std::fs::read_dir(&path)
            .expect("case folder")
            .flatten()
            .any(|f| {
                let f = f.file_name();
                let f = f.to_string_lossy();
                f == "request.txt" || f.ends_with(".req")
            });
        if is_case {
            out.insert(name);
        } else {
            case_folders(&path, &format!("{name}/"), out);
        }
    }
}

#[test]
fn every_case_of_the_suites_is_run() {
    let Some(root) = vectors_dir() else { return };
    let mut c_auth = BTreeSet::new();
    case_folders(&root.join("sigv4-c-auth/v4"), "", &mut c_auth);
    assert_eq!(c_auth, C_AUTH_CASES.iter().map(|s| s.to_string()).collect());
    assert_eq!(c_auth.len(), 38);
    let mut classic = BTreeSet::new();
    case_folders(&root.join("sigv4-classic"), "", &mut classic);
    assert_eq!(
        classic,
        CLASSIC_CASES.iter().map(|s| s.to_string()).collect()
    );
    assert_eq!(classic.len(), 34);
    let mut extra = BTreeSet::new();
    case_folders(&root.join("sigv4-smithy-rs-extra/v4"), "", &mut extra);
    assert_eq!(
        extra,
        ["double-encode-path", "double-url-encode"]
            .map(String::from)
            .into()
    );
}

fn akid_example() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
    )
}

/// The value of `Authorization:` (with or without a space after the colon).
fn authorization_line(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("Authorization:"))
        .map(|v| v.trim_start().to_owned())
        .expect("Authorization line")
}

/// Lambda ARN in the path, already percent-encoded on the wire: encoded again.
#[test]
fn smithy_rs_extra_double_url_encode() {
    let Some(root) = vectors_dir() else { return };
    let dir = root.join("sigv4-smithy-rs-extra/v4/double-url-encode");
    let mut req = RawRequest::parse(&read(&dir.join("request.txt")));
    req.take_header("X-Amz-Date");
    let headers = req.header_refs();
    let request = SignableRequest::new(
        &req.method,
        &req.path,
        &req.query,
        &headers,
        Payload::Bytes(b""),
    );
    let settings = SigningSettings::default();
    let credentials = akid_example();
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-2",
        service: "lambda",
        time: time("2021-05-11T15:40:45Z"),
        settings: &settings,
        key_cache: None,
    };
    let signed = sign(&request, &params).expect("signs");
    assert_eq!(
        signed.canonical_request(),
        read(&dir.join("header-canonical-request.txt"))
    );
    // This file alone ends with a newline; smithy-rs trims its expected files.
    assert_eq!(
        signed.string_to_sign(),
        read(&dir.join("header-string-to-sign.txt")).trim_end()
    );
    assert_eq!(
        signed.authorization().map(str::to_owned),
        Some(authorization_line(&read(
            &dir.join("header-signed-request.txt")
        )))
    );
}

/// API Gateway path with `@` and `%3D`. The suite README explains that its canonical
/// request and signed request come from two different signings; each is checked with its
/// own inputs.
#[test]
fn smithy_rs_extra_double_encode_path() {
    let Some(root) = vectors_dir() else { return };
    let dir = root.join("sigv4-smithy-rs-extra/v4/double-encode-path");
    let mut req = RawRequest::parse(&read(&dir.join("request.txt")));
    req.take_header("X-Amz-Date");
    let headers = req.header_refs();
    let request = SignableRequest::new(
        &req.method,
        &req.path,
        &req.query,
        &headers,
        Payload::Bytes(b""),
    );
    let settings = SigningSettings::default();
    let credentials = akid_example();
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-1",
        service: "service",
        time: time("2021-05-11T15:40:45Z"),
        settings: &settings,
        key_cache: None,
    };
    let signed = sign(&request, &params).expect("signs");
    assert_eq!(
        signed.canonical_request(),
        read(&dir.join("header-canonical-request.txt"))
    );

    let credentials = Credentials::new("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby", None, None);
    let params = SigningParams {
        credentials: &credentials,
        time: time("2015-08-30T12:36:00Z"),
        ..params
    };
    let signed = sign(&request, &params).expect("signs");
    assert_eq!(
        signed.authorization().map(str::to_owned),
        Some(authorization_line(&read(
            &dir.join("header-signed-request.txt")
        )))
    );
}
