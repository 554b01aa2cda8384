//! Step 1c: canonical headers and the signed-headers list.
//!
//! Names are lower-cased, values trimmed with inner runs of whitespace (including folded
//! line breaks) collapsed to one space, repeated headers joined with `,` in the order they
//! were given, and the result sorted by name.

use std::cmp::Ordering;

use super::encode::{is_unreserved, push_escaped};
use super::scratch::Scratch;

/// One header to sign. `order` keeps repeated headers in their original order.
#[derive(Clone, Copy, Default)]
pub(crate) struct HeaderEntry<'a> {
    name: &'a str,
    value: &'a str,
    order: u32,
    /// The name has no upper-case letters: it is copied as is.
    lower: bool,
    /// The value has no whitespace to trim or collapse: it is copied as is.
    plain: bool,
}

/// A header name checked once: whether it is a valid token, and already lower-case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameInfo {
    lower: bool,
}

/// A header value checked once: valid, and whether it needs trimming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueInfo {
    plain: bool,
}

impl ValueInfo {
    /// A value known to hold no whitespace (dates, hashes).
    pub(crate) const PLAIN: ValueInfo = ValueInfo { plain: true };
}

impl NameInfo {
    /// A name known to be a lower-case token.
    pub(crate) const LOWER: NameInfo = NameInfo { lower: true };
}

/// The headers to sign, sorted.
pub(crate) struct SortedHeaders<'a> {
    entries: Scratch<HeaderEntry<'a>, 16>,
}

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl<'a> SortedHeaders<'a> {
    pub(crate) fn new() -> Self {
        Self {
            entries: Scratch::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        name: &'a str,
        name_info: NameInfo,
        value: &'a str,
        value_info: ValueInfo,
    ) {
        let order = self.entries.as_slice().len() as u32;
        self.entries.push(HeaderEntry {
            name,
            value,
            order,
            lower: name_info.lower,
            plain: value_info.plain,
        });
    }

    pub(crate) fn sort(&mut self) {
        self.entries
            .as_mut_slice()
            .sort_unstable_by(|a, b| cmp_ignore_case(a.name, b.name).then(a.order.cmp(&b.order)));
    }

    /// The distinct names, in order, each with the entries that share it.
    fn groups(&self) -> impl Iterator<Item = &[HeaderEntry<'a>]> {
        self.entries
            .as_slice()
            .chunk_by(|a, b| a.name.eq_ignore_ascii_case(b.name))
    }

    /// Upper bound of the bytes `write_canonical` and `write_signed` append.
    pub(crate) fn byte_bound(&self) -> usize {
        self.entries
            .as_slice()
            .iter()
            .map(|e| 2 * e.name.len() + e.value.len() + 3)
            .sum()
    }

    /// Appends `name:value\n` for each distinct header.
    pub(crate) fn write_canonical(&self, out: &mut String) {
        for group in self.groups() {
            push_name(out, &group[0]);
            out.push(':');
            for (i, e) in group.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if e.plain {
                    out.push_str(e.value);
                } else {
                    push_trimmed_value(out, e.value);
                }
            }
            out.push('\n');
        }
    }

    /// Appends the lower-cased names joined by `;`.
    pub(crate) fn write_signed(&self, out: &mut String) {
        for (i, group) in self.groups().enumerate() {
            if i > 0 {
                out.push(';');
            }
            push_name(out, &group[0]);
        }
    }

    /// Appends the lower-cased names percent-encoded and joined by `%3B`: the value of
    /// `X-Amz-SignedHeaders` in a presigned URL.
    pub(crate) fn write_signed_for_query(&self, out: &mut String) {
        for (i, group) in self.groups().enumerate() {
            if i > 0 {
                out.push_str("%3B");
            }
            for b in group[0].name.bytes().map(|b| b.to_ascii_lowercase()) {
                if is_unreserved(b) {
                    out.push(b as char);
                } else {
                    push_escaped(out, b);
                }
            }
        }
    }
}

fn push_name(out: &mut String, e: &HeaderEntry<'_>) {
    if e.lower {
        out.push_str(e.name);
    } else {
        out.extend(e.name.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// Appends a value trimmed, with runs of ASCII whitespace collapsed to one space.
fn push_trimmed_value(out: &mut String, value: &str) {
    for (i, word) in value.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// RFC 9110 token characters.
static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    t
};

/// Whether a name (or method) is an RFC 9110 token.
pub(crate) fn is_valid_name(name: &str) -> bool {
    check_name(name).is_some()
}

/// Checks a header name: `None` if it is not a token.
pub(crate) fn check_name(name: &str) -> Option<NameInfo> {
    let mut valid = !name.is_empty();
    let mut upper = false;
    for &b in name.as_bytes() {
        valid &= TCHAR[b as usize];
        upper |= b.is_ascii_uppercase();
    }
    valid.then_some(NameInfo { lower: !upper })
}

/// Checks a header value: `None` unless it holds only visible characters, spaces, tabs
/// and folded line breaks (CR/LF followed by a space or tab, as in obsolete line folding).
pub(crate) fn check_value(value: &str) -> Option<ValueInfo> {
    let bytes = value.as_bytes();
    // One branch-free pass the compiler vectorises (session tokens are hundreds of bytes):
    // is there whitespace to collapse, is there a control character to look at closely?
    let (mut space, mut control) = (false, false);
    for &b in bytes {
        space |= (b == b' ') | (b == b'\t');
        control |= ((b < b' ') & (b != b'\t')) | (b == 0x7f);
    }
    if !control {
        return Some(ValueInfo { plain: !space });
    }
    let valid = bytes.iter().enumerate().all(|(i, &b)| match b {
        b' ' | b'\t' => true,
        b'\r' => bytes.get(i + 1) == Some(&b'\n') || matches!(bytes.get(i + 1), Some(b' ' | b'\t')),
        b'\n' => matches!(bytes.get(i + 1), Some(b' ' | b'\t')),
        b if b < b' ' || b == 0x7f => false,
        _ => true,
    });
    valid.then_some(ValueInfo { plain: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(headers: &[(&str, &str)]) -> (String, String) {
        let mut sorted = SortedHeaders::new();
        for (n, v) in headers {
            sorted.push(n, check_name(n).unwrap(), v, check_value(v).unwrap());
        }
        sorted.sort();
        let mut c = String::new();
        sorted.write_canonical(&mut c);
        let mut s = String::new();
        sorted.write_signed(&mut s);
        let mut q = String::new();
        sorted.write_signed_for_query(&mut q);
        assert_eq!(q, s.replace(';', "%3B"));
        assert!(c.len() + s.len() <= sorted.byte_bound());
        (c, s)
    }

    #[test]
    fn lowercases_sorts_and_joins_repeats_in_order() {
        let (c, s) = canonical(&[
            ("My-Header1", "value2"),
            ("host", "h"),
            ("my-header1", "value2"),
            ("MY-HEADER1", "value1"),
        ]);
        assert_eq!(c, "host:h\nmy-header1:value2,value2,value1\n");
        assert_eq!(s, "host;my-header1");
    }

    #[test]
    fn trims_and_collapses_whitespace_even_in_quotes() {
        let (c, _) = canonical(&[
            ("a", "  value1  "),
            ("b", "\"a   b   c\""),
            ("c", "v1\n  v2\n\t v3"),
        ]);
        assert_eq!(c, "a:value1\nb:\"a b c\"\nc:v1 v2 v3\n");
    }

    #[test]
    fn validates_names_and_values() {
        assert!(is_valid_name("X-Amz-Date"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("a:b"));
        assert_eq!(check_name("x-amz-date"), Some(NameInfo { lower: true }));
        assert_eq!(check_name("X-Amz-Date"), Some(NameInfo { lower: false }));
        assert_eq!(check_value("abc"), Some(ValueInfo { plain: true }));
        assert_eq!(check_value("a b"), Some(ValueInfo { plain: false }));
        assert_eq!(
            check_value(&"x".repeat(70)),
            Some(ValueInfo { plain: true })
        );
        assert_eq!(
            check_value(&format!("{}\t", "x".repeat(70))),
            Some(ValueInfo { plain: false })
        );
        assert!(check_value("v1\n  v2").is_some());
        assert!(check_value("v1\r\n v2").is_some());
        assert!(check_value("v1\nv2").is_none());
        assert!(check_value("v1\0").is_none());
        assert!(check_value(&format!("{}\0{}", "x".repeat(40), "y".repeat(40))).is_none());
        assert!(check_value("v1\x7f").is_none());
        assert!(check_value("caf\u{e9}").is_some());
    }
}
