//! Percent-encoding as SigV4 defines it: RFC 3986 unreserved characters stay, every other
//! byte becomes `%XX` with upper-case hex.

/// What a byte may be left as in the output.
const UNRESERVED: u8 = 1;
const SLASH: u8 = 2;
const PERCENT: u8 = 4;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~' {
            t[i] = UNRESERVED;
        }
        i += 1;
    }
    t[b'/' as usize] = SLASH;
    t[b'%' as usize] = PERCENT;
    t
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Which bytes are copied as they are.
#[derive(Clone, Copy)]
pub(crate) enum Keep {
    /// Unreserved characters only (query names and values).
    Unreserved,
    /// Unreserved characters and `/` (canonical URI, double encoding).
    UnreservedAndSlash,
    /// Unreserved, `/` and `%` (canonical URI, single encoding: escapes already there stay).
    UnreservedSlashAndPercent,
}

impl Keep {
    #[inline]
    fn mask(self) -> u8 {
        match self {
            Keep::Unreserved => UNRESERVED,
            Keep::UnreservedAndSlash => UNRESERVED | SLASH,
            Keep::UnreservedSlashAndPercent => UNRESERVED | SLASH | PERCENT,
        }
    }
}

/// Whether a byte is an RFC 3986 unreserved character.
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    CLASS[b as usize] & UNRESERVED != 0
}

/// Appends `%XX` for one byte.
#[inline]
pub(crate) fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(HEX_UPPER[(b >> 4) as usize] as char);
    out.push(HEX_UPPER[(b & 0xf) as usize] as char);
}

/// Appends `s` percent-encoded, keeping the bytes `keep` allows. Runs of kept bytes are
/// copied at once: base64 tokens and ordinary paths are mostly such runs.
pub(crate) fn encode_into(out: &mut String, s: &str, keep: Keep) {
    let mask = keep.mask();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && CLASS[bytes[i] as usize] & mask != 0 {
            i += 1;
        }
        if i > start {
            // Kept bytes are ASCII, so both ends of the run are char boundaries.
            out.push_str(&s[start..i]);
        }
        if i < bytes.len() {
            push_escaped(out, bytes[i]);
            i += 1;
        }
    }
}

/// The value of an ASCII hex digit.
#[inline]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends a query component as it arrived on the wire, decoded (`%XX` and `+` for a
/// space) and encoded again canonically. A `%` that does not start a valid escape is
/// taken literally, as form decoders do.
pub(crate) fn reencode_query_component(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && is_unreserved(bytes[i]) {
            i += 1;
        }
        if i > start {
            out.push_str(&s[start..i]);
        }
        if i >= bytes.len() {
            break;
        }
        let b = bytes[i];
        let decoded = match b {
            b'+' => {
                i += 1;
                b' '
            }
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                (Some(hi), Some(lo)) => {
                    i += 3;
                    (hi << 4) | lo
                }
                _ => {
                    i += 1;
                    b'%'
                }
            },
            other => {
                i += 1;
                other
            }
        };
        if is_unreserved(decoded) {
            out.push(decoded as char);
        } else {
            push_escaped(out, decoded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str, keep: Keep) -> String {
        let mut out = String::new();
        encode_into(&mut out, s, keep);
        out
    }

    fn reenc(s: &str) -> String {
        let mut out = String::new();
        reencode_query_component(&mut out, s);
        out
    }

    #[test]
    fn unreserved_stay_everything_else_escapes() {
        assert_eq!(enc("AZaz09-_.~", Keep::Unreserved), "AZaz09-_.~");
        assert_eq!(enc("a b/c", Keep::Unreserved), "a%20b%2Fc");
        assert_eq!(enc("a b/c%", Keep::UnreservedAndSlash), "a%20b/c%25");
        assert_eq!(
            enc("a b/c%3D", Keep::UnreservedSlashAndPercent),
            "a%20b/c%3D"
        );
        assert_eq!(enc("\u{1234}", Keep::Unreserved), "%E1%88%B4");
    }

    #[test]
    fn query_components_decode_then_encode() {
        assert_eq!(reenc("a+b"), "a%20b");
        assert_eq!(reenc("a%20b"), "a%20b");
        assert_eq!(reenc("a%2bb"), "a%2Bb");
        assert_eq!(reenc("%7e%41"), "~A");
        assert_eq!(reenc("100%"), "100%25");
        assert_eq!(reenc("%zz"), "%25zz");
        assert_eq!(reenc("\u{1234}=/"), "%E1%88%B4%3D%2F");
        assert_eq!(reenc("%FF"), "%FF");
    }
}
