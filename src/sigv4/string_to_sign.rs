//! Step 2: the string to sign: algorithm, time, credential scope, hash of the canonical request.

use std::ops::Range;

/// The algorithm name SigV4 uses everywhere.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Appends the string to sign of `algorithm` and returns where the credential scope sits
/// in it (`region` `None`: SigV4a's scope, which names no region).
pub(crate) fn write_string_to_sign(
    out: &mut String,
    algorithm: &str,
    amz_date: &str,
    date: &str,
    region: Option<&str>,
    service: &str,
    canonical_request_hash: &str,
) -> Range<usize> {
    out.push_str(algorithm);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    let start = out.len();
    write_scope(out, date, region, service, "/");
    let end = out.len();
    out.push('\n');
    out.push_str(canonical_request_hash);
    start..end
}

/// Appends `date/region/service/aws4_request` (SigV4a: `date/service/aws4_request`),
/// with `sep` between the parts (`%2F` when the scope goes into a query).
pub(crate) fn write_scope(
    out: &mut String,
    date: &str,
    region: Option<&str>,
    service: &str,
    sep: &str,
) {
    out.push_str(date);
    out.push_str(sep);
    if let Some(region) = region {
        out.push_str(region);
        out.push_str(sep);
    }
    out.push_str(service);
    out.push_str(sep);
    out.push_str("aws4_request");
}
