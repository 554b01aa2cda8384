//! The line-level reading of one file into raw sections, as botocore reads it: Python's
//! `configparser.RawConfigParser` with its defaults (what `botocore.configloader` uses).
//!
//! - Lines end at `\n`, `\r\n` or a lone `\r` (Python's universal newlines). A UTF-8
//!   byte-order mark at the start of the file is skipped (botocore refuses such a file).
//! - A line whose first non-blank character is `#` or `;` is a comment. There are no
//!   comments after a value: `k = v # x` is the value `v # x`.
//! - `[NAME]` is a section header; NAME is everything between the first `[` and the
//!   last `]`, not trimmed. The header may be indented.
//! - `key = value` or `key: value`, split at the first `=` or `:`; both sides trimmed, the
//!   key lower-cased. The line may be indented: after a header the first property sets
//!   the indentation, and a later line indented *more* than the property above it
//!   continues that property's value (joined with a newline). A key with an empty value
//!   followed by such lines holds sub-properties (`s3 =` then `  addressing_style = path`).
//! - Blank lines inside a value are kept; trailing ones are dropped.
//!
//! Where botocore would refuse the whole file (a line that is not a property, a property
//! before any section, a broken header, bytes that are not UTF-8), this reader skips just
//! that part and says so in a [`LineProblem`], naming the
//! section it affects, so that a broken profile does not break an unrelated one.

/// A section as written: its raw name and its properties in order, with line numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// The text between `[` and `]`, as written.
    pub name: String,
    /// The header's line number.
    pub line: usize,
    /// `(key lower-cased, value, line)`.
    pub properties: Vec<(String, String, usize)>,
}

/// Something in a file that was skipped, or that is read but worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// The 1-based line number (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// The raw name of the section it affects; `None` when it is outside any section
    /// (or its section is unknown).
    pub section: Option<String>,
    /// Whether something was left out (`true`) or only a warning (`false`: read as
    /// botocore would not, or a likely mistake).
    pub skipped: bool,
}

/// One file, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// Its path, as given (labels problems).
    pub path: String,
    /// Its sections in order (a name may repeat).
    pub sections: Vec<RawSection>,
    /// What could not be read.
    pub problems: Vec<LineProblem>,
}

/// Whitespace as Python's `str.isspace` counts it.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Splits on `\n`, `\r\n` and `\r`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = match rest.get(end..end + 2) {
            Some(b"\r\n") => 2,
            _ if end < rest.len() => 1,
            _ => 0,
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

/// `[NAME]` → NAME: the text between the first `[` and the last `]`, at least one
/// character (Python's `\[(?P<header>.+)\]` matched at the start).
fn header(stripped: &str) -> Option<&str> {
    let inner = stripped.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    (end > 0).then(|| &inner[..end])
}

/// `key = value` / `key: value` → (key, value), split at the first `=` or `:`.
fn property(stripped: &str) -> Result<(&str, &str), &'static str> {
    let at = stripped
        .find(['=', ':'])
        .ok_or("expected 'key = value' (or 'key: value')")?;
    let key = stripped[..at].trim_end_matches(is_space);
    if key.is_empty() {
        return Err("a property has no name before '='");
    }
    Ok((key, stripped[at + 1..].trim_matches(is_space)))
}

/// What is wrong with a raw line, before its meaning is looked at.
fn unreadable(bytes: &[u8]) -> Option<&'static str> {
    if bytes.contains(&0) {
        Some("it holds a NUL byte (is the file UTF-16? save it as UTF-8)")
    } else if std::str::from_utf8(bytes).is_err() {
        Some("it is not UTF-8 text (save the file as UTF-8)")
    } else if bytes.windows(3).any(|w| w == "\u{feff}".as_bytes()) {
        Some("it holds a byte-order mark (U+FEFF), invisible in most editors: delete it")
    } else {
        None
    }
}

/// Where the lines being read go.
enum Target {
    /// Before any header.
    Nothing,
    /// The section at this index of `sections`.
    Section(usize),
    /// After a header that could not be read: lines are skipped until the next one.
    Broken(Option<String>),
}

/// Reads one file. Never fails: what it cannot read is listed in `problems`.
pub(super) fn parse(bytes: &[u8]) -> ParsedFile {
    let mut out = ParsedFile::default();
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        out.problems.push(LineProblem {
            line: 0,
            message: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); the AWS CLI and aws-login read UTF-8: save it as UTF-8".into(),
            section: None,
            skipped: true,
        });
        return out;
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut target = Target::Nothing;
    // The property that indented lines continue: (its index, the lines of its value).
    let mut open: Option<(usize, Vec<String>)> = None;
    let mut indent_level = 0usize;
    let close =
        |sections: &mut Vec<RawSection>, target: &Target, open: Option<(usize, Vec<String>)>| {
            if let (Target::Section(s), Some((p, value))) = (target, open) {
                let joined = value.join("\n");
                sections[*s].properties[p].1 = joined.trim_end_matches(is_space).to_owned();
            }
        };
    for (i, raw) in lines(bytes).enumerate() {
        let n = i + 1;
        let text = String::from_utf8_lossy(raw);
        let stripped = text.trim_matches(is_space);
        if (stripped.is_empty() || stripped.starts_with(['#', ';']))
            && std::str::from_utf8(raw).is_err()
        {
            out.problems.push(LineProblem {
                line: n,
                message: "a comment that is not UTF-8 text: aws-login ignores it, but the AWS CLI refuses the whole file".into(),
                section: None,
                skipped: false,
            });
        }
        if stripped.starts_with(['#', ';']) {
            continue;
        }
        if stripped.is_empty() {
            if let Some((_, value)) = open.as_mut() {
                value.push(String::new());
            }
            continue;
        }
        let section_name = |target: &Target, sections: &[RawSection]| match target {
            Target::Nothing => None,
            Target::Section(s) => Some(sections[*s].name.clone()),
            Target::Broken(name) => name.clone(),
        };
        let indent = text.chars().take_while(|&c| is_space(c)).count();
        let problem = unreadable(raw);
        if open.is_some() && indent > indent_level {
            // A continuation line.
            if let Some(why) = problem {
                out.problems.push(LineProblem {
                    line: n,
                    message: format!("skipped: {why}"),
                    section: section_name(&target, &out.sections),
                    skipped: true,
                });
            } else if let Some((_, value)) = open.as_mut() {
                // The value above is refused as a whole (see `normalize`); a header here
                // is also worth a word to whoever looks for the profile it names.
                if let Some(name) = header(stripped) {
                    out.problems.push(LineProblem {
                        line: n,
                        message: format!(
                            "this looks like the header [{name}], but it is indented, so the AWS CLI reads it as part of the value above it: unindent it"
                        ),
                        section: Some(name.to_owned()),
                        skipped: false,
                    });
                }
                value.push(stripped.to_owned());
            }
            continue;
        }
        close(&mut out.sections, &target, open.take());
        indent_level = indent;
        // A byte-order mark before a header (two files joined) must not hide the header:
        // the lines under it would land in the section above.
        let visible = stripped
            .trim_start_matches('\u{feff}')
            .trim_matches(is_space);
        // A `[` line with no `]` after it that is a property is one (botocore reads
        // `[weird = x` so); else it is a header that cannot be read.
        let broken_header_property = visible.starts_with('[')
            && header(visible).is_none()
            && problem.is_none()
            && matches!(target, Target::Section(_))
            && property(stripped).is_ok();
        if visible.starts_with('[') && !broken_header_property {
            match (header(visible), problem) {
                (Some(name), None) => {
                    out.sections.push(RawSection {
                        name: name.to_owned(),
                        line: n,
                        properties: Vec::new(),
                    });
                    target = Target::Section(out.sections.len() - 1);
                }
                (guess, why) => {
                    let why = why.unwrap_or("a section header must end with ']'");
                    let guess = guess
                        .map(str::to_owned)
                        .or_else(|| {
                            Some(
                                visible
                                    .trim_start_matches('[')
                                    .trim_end_matches(']')
                                    .trim_matches(is_space)
                                    .to_owned(),
                            )
                        })
                        .filter(|g| !g.is_empty());
                    // Which section it meant is a guess: it may hold any profile's keys.
                    let named = guess
                        .map(|g| format!(" (it seems to name [{g}])"))
                        .unwrap_or_default();
                    out.problems.push(LineProblem {
                        line: n,
                        message: format!(
                            "section header skipped{named}, and the lines under it: {why}"
                        ),
                        section: None,
                        skipped: true,
                    });
                    target = Target::Broken(None);
                }
            }
            continue;
        }
        if let Some(why) = problem {
            out.problems.push(LineProblem {
                line: n,
                message: format!("skipped: {why}"),
                section: section_name(&target, &out.sections),
                skipped: true,
            });
            continue;
        }
        let section = match &target {
            Target::Section(s) => *s,
            Target::Nothing => {
                out.problems.push(LineProblem {
                    line: n,
                    message: "skipped: a line before any [section]".into(),
                    section: None,
                    skipped: true,
                });
                continue;
            }
            Target::Broken(_) => {
                out.problems.push(LineProblem {
                    line: n,
                    message: "skipped: under a section header that could not be read".into(),
                    section: section_name(&target, &out.sections),
                    skipped: true,
                });
                continue;
            }
        };
        match property(stripped) {
            Ok((key, value)) => {
                if broken_header_property {
                    // The AWS CLI reads it as a key, and the lines below it stay in this
                    // section: they were probably meant for the section it names.
                    out.problems.push(LineProblem {
                        line: n,
                        message: format!(
                            "this line starts like a section header but has no ']', so the AWS CLI reads it as the key {:?} of [{}] and the lines below it as part of [{}]: aws-login will not use [{}] so: fix the header",
                            super::shown_key(key),
                            out.sections[section].name,
                            out.sections[section].name,
                            out.sections[section].name
                        ),
                        section: Some(out.sections[section].name.clone()),
                        skipped: true,
                    });
                }
                if key.contains(is_space) {
                    out.problems.push(LineProblem {
                        line: n,
                        message: format!(
                            "the key {:?} has a space in it (read as written, as the AWS CLI does): is an '=' missing?",
                            super::shown_key(key)
                        ),
                        section: Some(out.sections[section].name.clone()),
                        skipped: false,
                    });
                }
                let properties = &mut out.sections[section].properties;
                properties.push((key.to_lowercase(), value.to_owned(), n));
                open = Some((properties.len() - 1, vec![value.to_owned()]));
            }
            Err(why) => out.problems.push(LineProblem {
                line: n,
                message: format!("skipped: {why}"),
                section: Some(out.sections[section].name.clone()),
                skipped: true,
            }),
        }
    }
    close(&mut out.sections, &target, open.take());
    out
}
