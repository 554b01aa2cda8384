//! The line-level reading of one file into raw sections: `[name]` headers, `key = value`
//! properties, continuation lines and sub-properties, comments. Names are not interpreted
//! here (see `normalize`).

use super::ConfigError;

/// Whitespace, as the specification counts it: only spaces and tabs.
const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// A section as written: its raw name and its properties in order, with line numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// The text between `[` and `]`, trimmed.
    pub name: String,
    /// The header's line number.
    pub line: usize,
    /// `(key lower-cased, value, line)`.
    pub properties: Vec<(String, String, usize)>,
}

/// Drops a trailing comment and surrounding whitespace. In a property value a comment
/// needs whitespace before it (`a=b#c` keeps `b#c`); in a header it does not.
fn strip_comment(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut prev_ws = false;
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        if COMMENT.contains(&c) && (prev_ws || !comments_need_whitespace) {
            end = i;
            break;
        }
        prev_ws = WHITESPACE.contains(&c);
    }
    line[..end].trim_matches(WHITESPACE)
}

/// `key = value` → (key lower-cased, value), or what is wrong with it.
fn property(line: &str) -> Result<(String, &str), &'static str> {
    let line = strip_comment(line, true);
    let (k, v) = line.split_once('=').ok_or("expected 'key = value'")?;
    let k = k.trim_matches(WHITESPACE);
    if k.is_empty() {
        return Err("a property has no name before '='");
    }
    Ok((k.to_ascii_lowercase(), v.trim_matches(WHITESPACE)))
}

/// Reads one file's text. `path` only labels errors.
pub fn parse(text: &str, path: &str) -> Result<Vec<RawSection>, ConfigError> {
    let error = |line: usize, message: &str| ConfigError {
        path: path.to_owned(),
        line,
        message: message.to_owned(),
    };
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether the last property had an empty value (so indented lines are sub-properties).
    let mut last_property: Option<bool> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let name = header
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or_else(|| error(n, "a section header must end with ']'"))?;
            sections.push(RawSection {
                name: name.trim_matches(WHITESPACE).to_owned(),
                line: n,
                properties: Vec::new(),
            });
            last_property = None;
        } else if line.starts_with(WHITESPACE) {
            let section = sections
                .last_mut()
                .ok_or_else(|| error(n, "an indented line before any section"))?;
            let Some(sub) = last_property else {
                return Err(error(n, "an indented line that continues no property"));
            };
            if sub && !line.trim_matches(WHITESPACE).is_empty() {
                property(line).map_err(|m| error(n, &format!("sub-property: {m}")))?;
            }
            if let Some((_, value, _)) = section.properties.last_mut() {
                value.push('\n');
                value.push_str(line.trim_matches(WHITESPACE));
            }
        } else {
            let section = sections
                .last_mut()
                .ok_or_else(|| error(n, "a property before any [section]"))?;
            let (key, value) = property(line).map_err(|m| error(n, m))?;
            last_property = Some(value.is_empty());
            section.properties.push((key, value.to_owned(), n));
        }
    }
    Ok(sections)
}
