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

/// `%00%01...%FF`: the escape of byte `b` is `ESCAPES[3 * b..3 * b + 3]`.
const ESCAPES: &str = {
    const BYTES: [u8; 768] = {
        let mut t = [0u8; 768];
        let mut i = 0;
        while i < 256 {
            t[3 * i] = b'%';
            t[3 * i + 1] = HEX_UPPER[i >> 4];
            t[3 * i + 2] = HEX_UPPER[i & 15];
            i += 1;
        }
        t
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("escapes are ASCII"),
    }
};

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
    let at = 3 * b as usize;
    out.push_str(&ESCAPES[at..at + 3]);
}

/// Whether `b` is kept, by arithmetic rather than a table so that a loop over a block of
/// bytes compiles to vector compares.
#[inline(always)]
fn kept(b: u8, slash: bool, percent: bool) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
        | (b == b'~')
        | (slash & (b == b'/'))
        | (percent & (b == b'%'))
}

/// Bit `j` is set when byte `j` of the block must be escaped.
///
/// The per-byte test runs as vector compares into 0/1 flags; each 8 flags then become 8
/// bits with one multiplication: byte `j` (0 or 1) of `w` lands on bit `56 + j` of
/// `w * 0x0102040810204080`, since that is `sum(2^(7k))` for k = 1..8 and every
/// (byte, term) pair hits a different bit, so nothing carries.
#[inline(always)]
fn escape_mask(block: &[u8; 64], slash: bool, percent: bool) -> u64 {
    let mut flags = [0u8; 64];
    for (f, &b) in flags.iter_mut().zip(block) {
        *f = u8::from(!kept(b, slash, percent));
    }
    let mut bits = 0u64;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
        bits |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    bits
}

/// Appends `s` percent-encoded, keeping the bytes `keep` allows.
///
/// Long inputs (session tokens are 700+ bytes of base64 with a `/` or `+` every ~30
/// bytes) go 64 bytes at a time: one branch-free pass marks the bytes to escape, then
/// the runs between them are copied whole.
pub(crate) fn encode_into(out: &mut String, s: &str, keep: Keep) {
    let (slash, percent) = match keep {
        Keep::Unreserved => (false, false),
        Keep::UnreservedAndSlash => (true, false),
        Keep::UnreservedSlashAndPercent => (true, true),
    };
    let bytes = s.as_bytes();
    let mut base = 0;
    for block in bytes.chunks_exact(64) {
        let block: &[u8; 64] = block.try_into().unwrap_or(&[0; 64]);
        let mut escapes = escape_mask(block, slash, percent);
        let mut run = 0;
        while escapes != 0 {
            let j = escapes.trailing_zeros() as usize;
            if j > run {
                // Kept bytes are ASCII, so both ends of a non-empty run are char boundaries.
                out.push_str(&s[base + run..base + j]);
            }
            push_escaped(out, block[j]);
            run = j + 1;
            escapes &= escapes - 1;
        }
        if run < 64 {
            out.push_str(&s[base + run..base + 64]);
        }
        base += 64;
    }
    encode_tail(out, s, base, keep);
}

/// Appends `s` percent-encoded as SigV4 encodes query names and values (and as the SDKs
/// form-encode Query-protocol bodies): RFC 3986 unreserved characters kept, every other
/// byte `%XX`.
pub fn encode_query_component(out: &mut String, s: &str) {
    encode_into(out, s, Keep::Unreserved);
}

/// The scalar path: appends `s[from..]` encoded, a byte at a time.
fn encode_tail(out: &mut String, s: &str, from: usize, keep: Keep) {
    let mask = keep.mask();
    let bytes = s.as_bytes();
    let mut i = from;
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
    fn block_path_matches_byte_path() {
        // Long inputs with escapes at every position of a 64-byte block, multi-byte
        // characters straddling block edges, and clean blocks.
        let samples = [
            "a".repeat(200),
            "/+=".repeat(70),
            format!("{}\u{1234}{}", "x".repeat(63), "y/".repeat(50)),
            (0..300)
                .map(|i| ['a', '/', '%', ' ', '\u{e9}', '~', 'Z', '+'][i % 8])
                .collect(),
            format!("{}{}", "AbC0-_.~".repeat(16), "\u{1F600}".repeat(20)),
        ];
        for sample in &samples {
            for keep in [
                Keep::Unreserved,
                Keep::UnreservedAndSlash,
                Keep::UnreservedSlashAndPercent,
            ] {
                let mut fast = String::new();
                encode_into(&mut fast, sample, keep);
                let mut slow = String::new();
                encode_tail(&mut slow, sample, 0, keep);
                assert_eq!(fast, slow, "{sample}");
            }
        }
        let block: [u8; 64] =
            std::array::from_fn(|j| [b'a', b'/', b' ', 0xe9, b'~', b'%'][j * 7 % 6]);
        let expected = (0..64).fold(0u64, |bits, j| {
            bits | (u64::from(CLASS[block[j] as usize] & UNRESERVED == 0) << j)
        });
        assert_eq!(escape_mask(&block, false, false), expected);
        let all: Vec<u8> = (0..=255).collect();
        for b in all {
            assert_eq!(kept(b, true, true), CLASS[b as usize] != 0, "byte {b}");
            assert_eq!(kept(b, false, false), is_unreserved(b), "byte {b}");
        }
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
