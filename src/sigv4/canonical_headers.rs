//! Step 1c: canonical headers and the signed-headers list.
//!
//! Names are lower-cased, values trimmed with inner runs of whitespace (including folded
//! line breaks) collapsed to one space, repeated headers joined with `,` in the order they
//! were given, and the result sorted by name.

use std::cmp::Ordering;

use super::scratch::Scratch;

/// One header to sign. `order` keeps repeated headers in their original order.
#[derive(Clone, Copy, Default)]
pub(crate) struct HeaderEntry<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) order: u32,
}

/// The headers to sign, sorted.
pub(crate) struct SortedHeaders<'a> {
    entries: Scratch<HeaderEntry<'a>, 24>,
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

    pub(crate) fn push(&mut self, name: &'a str, value: &'a str) {
        let order = self.entries.as_slice().len() as u32;
        self.entries.push(HeaderEntry { name, value, order });
    }

    pub(crate) fn sort(&mut self) {
        self.entries.as_mut_slice().sort_unstable_by(|a, b| {
            cmp_ignore_case(a.name, b.name).then(a.order.cmp(&b.order))
        });
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
            push_lowercase(out, group[0].name);
            out.push(':');
            for (i, e) in group.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_trimmed_value(out, e.value);
            }
            out.push('\n');
        }
    }

    /// Appends the lower-cased names joined by `;`.
    pub(crate) fn write_signed(&self, out: &mut String, sep: &str) {
        self.write_signed_with(out, sep, push_lowercase);
    }

    /// Appends the names joined by `sep`, each written by `push_name` (which lower-cases,
    /// and percent-encodes when the list goes into a query).
    pub(crate) fn write_signed_with(
        &self,
        out: &mut String,
        sep: &str,
        push_name: impl Fn(&mut String, &str),
    ) {
        for (i, group) in self.groups().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            push_name(out, group[0].name);
        }
    }
}

fn push_lowercase(out: &mut String, name: &str) {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(name);
    }
}

/// Whether a header byte needs a closer look: whitespace, control characters, DEL.
#[inline]
fn is_special(b: u8) -> bool {
    b <= b' ' || b == 0x7f
}

/// Appends a value trimmed, with runs of ASCII whitespace collapsed to one space.
fn push_trimmed_value(out: &mut String, value: &str) {
    // Counting (rather than `any`) lets the compiler vectorise the common case: tokens and
    // dates with no whitespace at all.
    if value.bytes().filter(|&b| is_special(b)).count() == 0 {
        out.push_str(value);
        return;
    }
    for (i, word) in value.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Whether a name is an RFC 9110 token.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
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
                )
        })
}

/// Whether a value holds only visible characters, spaces, tabs and folded line breaks
/// (CR/LF followed by a space or tab, as in obsolete line folding).
pub(crate) fn is_valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.iter().filter(|&&b| is_special(b)).count() == 0 {
        return true;
    }
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b' ' | b'\t' => true,
        b'\r' => bytes.get(i + 1) == Some(&b'\n') || matches!(bytes.get(i + 1), Some(b' ' | b'\t')),
        b'\n' => matches!(bytes.get(i + 1), Some(b' ' | b'\t')),
        b if b < b' ' || b == 0x7f => false,
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(headers: &[(&str, &str)]) -> (String, String) {
        let mut sorted = SortedHeaders::new();
        for (n, v) in headers {
            sorted.push(n, v);
        }
        sorted.sort();
        let mut c = String::new();
        sorted.write_canonical(&mut c);
        let mut s = String::new();
        sorted.write_signed(&mut s, ";");
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
        let (c, _) = canonical(&[("a", "  value1  "), ("b", "\"a   b   c\""), ("c", "v1\n  v2\n\t v3")]);
        assert_eq!(c, "a:value1\nb:\"a b c\"\nc:v1 v2 v3\n");
    }

    #[test]
    fn validates_names_and_values() {
        assert!(is_valid_name("X-Amz-Date"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name("a:b"));
        assert!(is_valid_value("v1\n  v2"));
        assert!(is_valid_value("v1\r\n v2"));
        assert!(!is_valid_value("v1\nv2"));
        assert!(!is_valid_value("v1\0"));
        assert!(!is_valid_value("v1\x7f"));
        assert!(is_valid_value("caf\u{e9}"));
    }
}
