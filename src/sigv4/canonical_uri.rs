//! Step 1a: the canonical URI, from the path as sent.
//!
//! Normalisation follows botocore's `remove_dot_segments` (the reference for every AWS
//! SDK's behaviour here): empty and `.` segments are dropped, `..` drops the previous
//! segment, a trailing slash is kept when something remains.

use super::encode::{Keep, encode_into};
use super::settings::UriEncoding;

/// Appends the canonical URI of `path` (already validated: UTF-8, empty or starting with `/`).
pub(crate) fn write_canonical_uri(
    out: &mut String,
    path: &str,
    encoding: UriEncoding,
    normalize: bool,
) {
    let keep = match encoding {
        UriEncoding::Double => Keep::UnreservedAndSlash,
        UriEncoding::Single => Keep::UnreservedSlashAndPercent,
    };
    if path.is_empty() {
        out.push('/');
    } else if !normalize || !needs_normalizing(path) {
        encode_into(out, path, keep);
    } else {
        write_normalized(out, path, keep);
    }
}

/// S3's canonical URI of `path` as sent (single encoding, no normalisation): every byte
/// that is not unreserved, `/` or an existing `%` escape percent-encoded. What
/// `aws-login request` puts on the wire for S3, so that what is sent is what is signed.
pub fn single_encoded(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    write_canonical_uri(&mut out, path, UriEncoding::Single, false);
    out
}

/// Whether any segment is empty (other than a trailing slash), `.` or `..`.
fn needs_normalizing(path: &str) -> bool {
    let rest = path.strip_prefix('/').unwrap_or(path);
    let mut segments = rest.split('/').peekable();
    while let Some(seg) = segments.next() {
        let last = segments.peek().is_none();
        if seg == "." || seg == ".." || (seg.is_empty() && !last) {
            return true;
        }
    }
    false
}

fn write_normalized(out: &mut String, path: &str, keep: Keep) {
    let mut kept: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            s => kept.push(s),
        }
    }
    out.push('/');
    for (i, seg) in kept.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_into(out, seg, keep);
    }
    if path.ends_with('/') && !kept.is_empty() {
        out.push('/');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str, encoding: UriEncoding, normalize: bool) -> String {
        let mut out = String::new();
        write_canonical_uri(&mut out, path, encoding, normalize);
        out
    }

    #[test]
    fn normalizes_like_botocore() {
        let d = UriEncoding::Double;
        assert_eq!(uri("", d, true), "/");
        assert_eq!(uri("/", d, true), "/");
        assert_eq!(uri("//example//", d, true), "/example/");
        assert_eq!(uri("/./example", d, true), "/example");
        assert_eq!(uri("/example/..", d, true), "/");
        assert_eq!(uri("/a/b/../c/./d/", d, true), "/a/c/d/");
        assert_eq!(uri("/a/.", d, true), "/a");
        assert_eq!(uri("/../..", d, true), "/");
        assert_eq!(uri("/a/b/", d, true), "/a/b/");
    }

    #[test]
    fn double_encoding_encodes_escapes_again() {
        assert_eq!(
            uri(
                "/test/@connections/JBDvjfGEIAMCERw%3D",
                UriEncoding::Double,
                true
            ),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(
            uri("/example space/", UriEncoding::Double, false),
            "/example%20space/"
        );
    }

    #[test]
    fn single_encoding_keeps_escapes_and_dots() {
        assert_eq!(
            uri("/b/a%2Fb/../c", UriEncoding::Single, false),
            "/b/a%2Fb/../c"
        );
        assert_eq!(uri("/b//k ey", UriEncoding::Single, false), "/b//k%20ey");
    }
}
