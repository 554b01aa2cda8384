//! Splitting a line into words as botocore does: Python's `shlex.split` in POSIX mode
//! (`botocore.compat.compat_shell_split` on every platform but Windows). botocore uses it
//! for `credential_process` command lines and for config-file section names
//! (`[profile "My MacBook Pro"]`).
//!
//! The rules (CPython's `shlex.shlex.read_token` with `posix=True`, `whitespace_split=True`
//! and no comment characters):
//! - space, tab, CR and LF separate words; nothing is expanded (no `$`, no globs);
//! - `'...'` is literal;
//! - `"..."` is literal except that a backslash before `"` or `\` escapes it (before any
//!   other character the backslash stays);
//! - outside quotes a backslash escapes the next character, whatever it is;
//! - quotes join with what touches them (`a'b c'd` is one word), and `''` is an empty word;
//! - an unclosed quote or a backslash at the end is an error.
//!
//! Why not the `shlex` crate: it follows the POSIX shell, not Python. Inside double
//! quotes it also drops the backslash before `$` and `` ` `` (`"\$x"` is `$x` there,
//! `\$x` in Python and botocore). Put in place of this module (1.3), it failed both the
//! unit cases below and the 2000-line differential against Python's `shlex.split`
//! (`tests/botocore_config_differential.rs`) on its first seed.
//!
//! Pure.

use std::fmt;

/// Why a line does not split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// A `'` or `"` is never closed (Python: "No closing quotation").
    UnclosedQuote,
    /// The line ends with a lone backslash (Python: "No escaped character").
    TrailingBackslash,
}

impl SplitError {
    /// What is wrong, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            Self::UnclosedQuote => "a quote is never closed",
            Self::TrailingBackslash => "it ends with a lone backslash",
        }
    }
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for SplitError {}

const WHITESPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// The words of `line`, as Python's `shlex.split(line)` gives them.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    // Whether the current word has begun (a quote begins one, even an empty one).
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if WHITESPACE.contains(&c) => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            '\'' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(SplitError::UnclosedQuote),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\')) => word.push(ch),
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(SplitError::TrailingBackslash),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(SplitError::UnclosedQuote),
                    }
                }
            }
            '\\' => {
                started = true;
                word.push(chars.next().ok_or(SplitError::TrailingBackslash)?);
            }
            ch => {
                started = true;
                word.push(ch);
            }
        }
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_python_shlex_does() {
        let ok = |line: &str| split(line).unwrap();
        assert_eq!(
            ok("aws-login dumpcreds --credential-helper"),
            ["aws-login", "dumpcreds", "--credential-helper"]
        );
        assert_eq!(
            ok("profile \"My MacBook Pro\""),
            ["profile", "My MacBook Pro"]
        );
        assert_eq!(ok("profile 'a b'"), ["profile", "a b"]);
        assert_eq!(ok("profile a\\ b"), ["profile", "a b"]);
        assert_eq!(
            ok("  a\t'b c'  \"d \\\"e\\\" $f\" g\\ h "),
            ["a", "b c", "d \"e\" $f", "g h"]
        );
        // Inside double quotes only `"` and `\` are escaped; `$` and `n` keep the backslash.
        assert_eq!(ok("\"\\$x \\n \\\\\""), ["\\$x \\n \\"]);
        // Outside quotes a backslash escapes anything, a newline included.
        assert_eq!(ok("a\\\nb"), ["a\nb"]);
        assert_eq!(ok("a''b \"\" ''"), ["ab", "", ""]);
        assert_eq!(ok("x#y"), ["x#y"]);
        assert_eq!(ok(""), Vec::<String>::new());
        assert_eq!(ok(" \r\n"), Vec::<String>::new());
        assert_eq!(split("a 'b"), Err(SplitError::UnclosedQuote));
        assert_eq!(split("a \"b"), Err(SplitError::UnclosedQuote));
        assert_eq!(split("a \\"), Err(SplitError::TrailingBackslash));
        assert_eq!(split("\"a\\"), Err(SplitError::TrailingBackslash));
    }
}
