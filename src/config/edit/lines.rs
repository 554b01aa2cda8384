//! The lines of a config file as the merge sees them: each line with its own ending,
//! headers, properties, comments, and the sections (blocks) they make, with the
//! `sso-session` whose marker a block carries. Pure.

use super::super::Affects;
use super::super::generate::MARKER_PREFIX;
use super::super::normalize::classify_config;

/// One line and its ending (`\n`, `\r\n`, `\r`, or none for the last line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) text: String,
    pub(super) end: &'static str,
}

pub(super) fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let (ending, skip): (&'static str, usize) = match &rest[end..] {
            r if r.starts_with("\r\n") => ("\r\n", 2),
            r if r.starts_with('\r') => ("\r", 1),
            r if r.starts_with('\n') => ("\n", 1),
            _ => ("", 0),
        };
        lines.push(Line {
            text: rest[..end].to_owned(),
            end: ending,
        });
        rest = &rest[end + skip..];
    }
    lines
}

/// The line ending most lines of `lines` use (`\n` for a file without any).
pub(super) fn dominant_ending(lines: &[Line]) -> &'static str {
    let count = |e: &str| lines.iter().filter(|l| l.end == e).count();
    let (crlf, lf, cr) = (count("\r\n"), count("\n"), count("\r"));
    if crlf > lf && crlf >= cr {
        "\r\n"
    } else if cr > lf && cr > crlf {
        "\r"
    } else {
        "\n"
    }
}

/// The text of a line without a leading byte-order mark.
pub(super) fn content(line: &Line) -> &str {
    line.text.trim_start_matches('\u{feff}')
}

pub(super) fn is_blank(line: &Line) -> bool {
    content(line).trim().is_empty()
}

pub(super) fn is_comment(line: &Line) -> bool {
    let t = content(line).trim_start();
    t.starts_with('#') || t.starts_with(';')
}

/// The raw name of a header line (`[NAME]`, possibly indented).
pub(super) fn header_name(line: &Line) -> Option<&str> {
    let t = content(line).trim_start();
    let inner = t.strip_prefix('[')?;
    let close = inner.rfind(']')?;
    Some(&inner[..close])
}

/// The lower-cased key of a property line.
pub(super) fn property_key(line: &Line) -> Option<String> {
    if is_blank(line) || is_comment(line) || header_name(line).is_some() {
        return None;
    }
    let t = content(line);
    let split = t.find(['=', ':'])?;
    Some(t[..split].trim().to_lowercase())
}

/// The value of a property line.
pub(super) fn property_value(line: &Line) -> &str {
    let t = content(line);
    t.find(['=', ':']).map_or("", |i| t[i + 1..].trim())
}

pub(super) fn indent_of(line: &Line) -> usize {
    let t = content(line);
    t.len() - t.trim_start().len()
}

/// A section: its header line and where its lines end (exclusive).
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) header: usize,
    pub(super) end: usize,
    pub(super) what: Affects,
    /// The `sso-session` its marker names, if it has one.
    pub(super) marked_for: Option<String>,
}

pub(super) fn blocks(lines: &[Line]) -> Vec<Block> {
    blocks_by(lines, classify_config)
}

/// [`blocks`], each header's name classified by `classify` (the credentials file's
/// `[NAME]` is profile NAME).
pub(super) fn blocks_by(lines: &[Line], classify: fn(&str) -> Affects) -> Vec<Block> {
    let headers: Vec<usize> = (0..lines.len())
        .filter(|&i| header_name(&lines[i]).is_some())
        .collect();
    let mut out = Vec::new();
    for (n, &header) in headers.iter().enumerate() {
        let end = headers.get(n + 1).copied().unwrap_or(lines.len());
        let name = header_name(&lines[header]).unwrap_or_default();
        let marked_for = lines[header + 1..end].iter().find_map(|l| {
            content(l)
                .trim()
                .strip_prefix(MARKER_PREFIX)
                .and_then(|r| r.strip_suffix(')'))
                .map(str::to_owned)
        });
        out.push(Block {
            header,
            end,
            what: classify(name),
            marked_for,
        });
    }
    out
}

/// The last line of a block that belongs to it (header, property, continuation, marker,
/// a commented-out key), inclusive.
pub(super) fn own_end(lines: &[Line], block: &Block) -> usize {
    let mut last = block.header;
    for (i, line) in lines
        .iter()
        .enumerate()
        .take(block.end)
        .skip(block.header + 1)
    {
        let t = content(line).trim();
        let commented_key = t
            .strip_prefix('#')
            .is_some_and(|r| r.contains('=') && !r.trim_start().starts_with(' '));
        if !is_blank(line)
            && (property_key(line).is_some() || t.starts_with(MARKER_PREFIX) || commented_key)
        {
            last = i;
        }
    }
    last
}

/// The assignment an aws-login profile block is for: `ACCOUNT/ROLE` from its
/// `sso_account_id` and `sso_role_name`, or its `role_arn`.
pub(super) fn assignment_of(lines: &[Line], block: &Block) -> Option<String> {
    let value = |key: &str| {
        (block.header + 1..block.end)
            .find(|&i| property_key(&lines[i]).as_deref() == Some(key))
            .map(|i| property_value(&lines[i]).to_owned())
    };
    match (value("sso_account_id"), value("sso_role_name")) {
        (Some(account), Some(role)) => Some(format!("{account}/{role}")),
        _ => value("role_arn"),
    }
}
