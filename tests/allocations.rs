//! Heap allocations per signature, counted with dhat: at most 4 with a warm key cache, for
//! the benchmark's four scenarios and for the shapes that need scratch space (a query to
//! sort, more headers than fit inline).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly
#![allow(clippy::print_stderr)] // the counts are worth seeing

#[path = "../benches/support/mod.rs"]
mod support;

use aws_login::sigv4::{SignableRequest, SigningKeyCache, SigningParams, sign};
use support::{Scenario, scenarios, token};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations made while signing `s` once with a warm cache (the result dropped too).
fn count(
    s: &Scenario,
    headers: &[(&str, &str)],
    query: &str,
    cache: Option<&SigningKeyCache>,
) -> u64 {
    let token = token();
    let credentials = s.credentials(&token);
    let settings = s.settings();
    let params = SigningParams {
        credentials: &credentials,
        region: s.region,
        service: s.service,
        time: Scenario::time(),
        settings: &settings,
        key_cache: cache,
    };
    let request = SignableRequest::new(s.method, s.path, query, headers, s.payload());
    drop(sign(&request, &params).unwrap()); // warms the cache
    let before = dhat::HeapStats::get().total_blocks;
    let signed = sign(&request, &params).unwrap();
    assert_eq!(signed.signature().len(), 64);
    drop(signed);
    dhat::HeapStats::get().total_blocks - before
}

#[test]
fn at_most_four_allocations_per_signature() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let cache = SigningKeyCache::new();
    let mut report = Vec::new();
    for s in scenarios() {
        let headers = s.headers();
        let warm = count(&s, &headers, s.query, Some(&cache));
        let cold = count(&s, &headers, s.query, None);
        report.push(format!("{}: {warm} warm, {cold} without cache", s.name));
        assert!(
            warm <= 4,
            "{}: {warm} allocations with a warm cache",
            s.name
        );
        assert!(cold <= 4, "{}: {cold} allocations without a cache", s.name);
    }

    // A header-signed request with a query string to canonicalise.
    let a = &scenarios()[0];
    let query = "Action=DescribeInstances&Filter.1.Name=tag%3AName&Filter.1.Value.1=web+01&Version=2016-11-15";
    let n = count(a, &a.headers(), query, Some(&cache));
    report.push(format!("header mode with a 4-parameter query: {n}"));
    assert!(n <= 4, "query: {n}");

    // A presigned URL with parameters of its own.
    let c = &scenarios()[2];
    let n = count(
        c,
        &c.headers(),
        "response-content-type=text%2Fcsv&versionId=3HL4kqtJlcpXroDTDmJ",
        Some(&cache),
    );
    report.push(format!("presigned with 2 parameters: {n}"));
    assert!(n <= 4, "presigned query: {n}");

    // More headers than the inline scratch holds.
    let names: Vec<String> = (0..30).map(|i| format!("x-amz-meta-h{i:02}")).collect();
    let mut many = a.headers();
    many.extend(names.iter().map(|n| (n.as_str(), "value")));
    let n = count(a, &many, "", Some(&cache));
    report.push(format!("32 headers: {n}"));
    assert!(n <= 4, "32 headers: {n}");

    eprintln!("allocations per signature:\n  {}", report.join("\n  "));
}
