//! Quoting a value for each shell so that it arrives byte for byte.

/// sh/bash/zsh: single quotes; a `'` becomes `'\''`.
pub(crate) fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish: single quotes, in which only `\` and `'` are special.
pub(crate) fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell: single quotes (no expansion), each quote character doubled. PowerShell
/// treats the typographic quotes U+2018..U+201B as single quotes too.
pub(crate) fn powershell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// cmd.exe: `set "NAME=value"`, where `& | < > ^` are literal. `"`, `%` and `!` (with
/// delayed expansion) and line breaks cannot be carried: `None`.
pub(crate) fn cmd_set(name: &str, value: &str) -> Option<String> {
    if value.contains(['"', '%', '!', '\n', '\r']) {
        return None;
    }
    Some(format!("set \"{name}={value}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_by_each_shells_rules() {
        assert_eq!(posix_quote("a'b $x"), r"'a'\''b $x'");
        assert_eq!(fish_quote(r"a'b\c $x"), r"'a\'b\\c $x'");
        assert_eq!(
            powershell_quote("a'b\u{2019}c $x"),
            "'a''b\u{2019}\u{2019}c $x'"
        );
        assert_eq!(
            cmd_set("K", "a&b|c<d>e^f").as_deref(),
            Some("set \"K=a&b|c<d>e^f\"")
        );
        assert_eq!(cmd_set("K", "100%"), None);
    }
}
