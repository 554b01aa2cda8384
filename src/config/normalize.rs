//! From raw sections of both files to profiles, `sso-session` and `services` sections,
//! as botocore's `configloader` and `Session.full_config` give them:
//!
//! - Config file: a section whose name starts with `profile` is split into words as a
//!   shell would (`shlex`), and names the profile when there are exactly two
//!   (`[profile dev]`, `[profile "My MacBook Pro"]`); the same for `sso-session` and
//!   `services`; `[default]` is the default profile; anything else is not read. When two
//!   sections name the same profile (`[default]` and `[profile default]`), the later one
//!   replaces the earlier.
//! - Credentials file: every section is the profile of that exact name (`[Foo Bar]`).
//! - `[DEFAULT]` (Python configparser's default section) gives its keys to every other
//!   section of its file that lacks them, and is not a profile itself.
//! - The credentials file's keys override the config file's, key by key.
//!
//! botocore refuses a whole file that repeats a section or a key; aws-login refuses only
//! the profile it affects (two blocks of keys for one profile, or an indented header that
//! made a block part of the one above, must not silently give a mix).

use std::collections::BTreeMap;

use super::parse::{LineProblem, ParsedFile};
use super::{Affects, ConfigProblem, FileKind, Section, SharedConfig};

/// The section Python's configparser treats as defaults for all others.
const DEFAULTS: &str = "DEFAULT";

/// What a config-file section is.
pub(crate) fn classify_config(name: &str) -> Affects {
    let named = |prefix: &str| {
        name.starts_with(prefix)
            .then(|| crate::shlex::split(name).ok())
            .flatten()
            .filter(|words| words.len() == 2)
            .and_then(|mut words| words.pop())
    };
    if name.starts_with("profile") {
        named("profile").map_or_else(|| Affects::Other(name.to_owned()), Affects::Profile)
    } else if name.starts_with("sso-session") {
        named("sso-session").map_or_else(|| Affects::Other(name.to_owned()), Affects::SsoSession)
    } else if name.starts_with("services") {
        named("services").map_or_else(|| Affects::Other(name.to_owned()), Affects::Services)
    } else if name == "default" {
        Affects::Profile("default".to_owned())
    } else {
        Affects::Other(name.to_owned())
    }
}

fn classify(name: &str, kind: FileKind) -> Affects {
    match kind {
        _ if name == DEFAULTS => Affects::Unknown,
        FileKind::Config => classify_config(name),
        FileKind::Credentials => Affects::Profile(name.to_owned()),
    }
}

/// One section name's keys, merged over its repeats.
struct Group {
    name: String,
    /// The line of its first header.
    line: usize,
    /// Key → (value, line).
    keys: BTreeMap<String, (String, usize)>,
}

/// Sections grouped by exact name in the order they first appear, repeats merged with a
/// warning each; `[DEFAULT]`'s keys given to the others.
fn groups(file: &ParsedFile, problems: &mut Vec<ConfigProblem>, kind: FileKind) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for section in &file.sections {
        let at = match groups.iter().position(|g| g.name == section.name) {
            // Python's configparser lets [DEFAULT] repeat.
            Some(at) if section.name == DEFAULTS => at,
            Some(at) => {
                problems.push(refusal(
                    file,
                    section.line,
                    format!(
                        "section [{}] appears again (first at line {}): aws-login will not guess how the two go together (the AWS CLI refuses such a file): make them one",
                        section.name, groups[at].line
                    ),
                    classify(&section.name, kind),
                ));
                at
            }
            None => {
                groups.push(Group {
                    name: section.name.clone(),
                    line: section.line,
                    keys: BTreeMap::new(),
                });
                groups.len() - 1
            }
        };
        for (key, value, line) in &section.properties {
            if let Some((_, first)) = groups[at].keys.get(key) {
                let first = *first;
                problems.push(refusal(
                    file,
                    *line,
                    format!(
                        "{} is set again (first at line {first}): aws-login will not guess which one you meant (the AWS CLI refuses such a file): keep one",
                        super::shown_key(key)
                    ),
                    classify(&section.name, kind),
                ));
            }
            groups[at].keys.insert(key.clone(), (value.clone(), *line));
        }
    }
    if let Some(at) = groups.iter().position(|g| g.name == DEFAULTS) {
        let defaults = groups.remove(at).keys;
        for group in &mut groups {
            for (k, v) in &defaults {
                group.keys.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    for group in &groups {
        for (key, (value, line)) in &group.keys {
            if continued(key, value) {
                problems.push(ConfigProblem {
                    path: file.path.clone(),
                    line: *line,
                    message: format!(
                        "skipped: {} goes on over the indented lines below it (an indented line continues the value above it, as the AWS CLI reads the file), so it is left out: unindent those lines",
                        super::shown_key(key)
                    ),
                    affects: classify(&group.name, kind),
                    skipped: true,
                });
            }
            if bad_sub_properties(value) {
                problems.push(ConfigProblem {
                    path: file.path.clone(),
                    line: *line,
                    message: format!(
                        "skipped: a sub-property of {} has no '='",
                        super::shown_key(key)
                    ),
                    affects: classify(&group.name, kind),
                    skipped: true,
                });
            }
        }
    }
    groups
}

/// A value that goes on over indented lines when it should be one line: anything but
/// sub-properties (a value that starts with a newline) and `credential_process` (a
/// command line, which botocore splits at newlines as at spaces). Such a value is left
/// out: it may have swallowed lines meant as keys (secrets among them), and a message
/// that showed it would show them.
fn continued(key: &str, value: &str) -> bool {
    value.contains('\n') && !value.starts_with('\n') && key != "credential_process"
}

/// A value that starts with a newline holds sub-properties, each `key = value`: botocore
/// splits them at the first `=` (lines as Python's `str.splitlines` cuts them), and
/// refuses the file when one has none.
fn bad_sub_properties(value: &str) -> bool {
    value.starts_with('\n')
        && super::sub_property_lines(value)
            .map(|l| l.trim_matches(super::parse::is_space))
            .any(|l| !l.is_empty() && !l.contains('='))
}

/// Something read, but that the profile it affects must not be used with: fatal when that
/// profile is needed.
fn refusal(file: &ParsedFile, line: usize, message: String, affects: Affects) -> ConfigProblem {
    ConfigProblem {
        skipped: true,
        ..warning(file, line, message, affects)
    }
}

fn warning(file: &ParsedFile, line: usize, message: String, affects: Affects) -> ConfigProblem {
    ConfigProblem {
        path: file.path.clone(),
        line,
        message,
        affects,
        skipped: false,
    }
}

fn problem(file: &ParsedFile, p: &LineProblem, kind: FileKind) -> ConfigProblem {
    ConfigProblem {
        path: file.path.clone(),
        line: p.line,
        message: p.message.clone(),
        affects: p
            .section
            .as_deref()
            .map_or(Affects::Unknown, |name| classify(name, kind)),
        skipped: p.skipped,
    }
}

fn section(keys: &BTreeMap<String, (String, usize)>, origin: FileKind) -> Section {
    let mut s = Section::default();
    for (k, (v, _)) in keys {
        if !continued(k, v) {
            s.insert(k.clone(), v.clone(), origin);
        }
    }
    s
}

/// Merges the config file's and the credentials file's sections (either may be empty),
/// with every problem found in either.
pub fn merge(config: &ParsedFile, credentials: &ParsedFile) -> SharedConfig {
    let mut out = SharedConfig::default();
    out.problems.extend(
        config
            .problems
            .iter()
            .map(|p| problem(config, p, FileKind::Config)),
    );
    // Sections of the config file that name the same thing twice, spelled two ways
    // (`[default]` and `[profile default]`, `[services corp]` and `[services "corp"]`):
    // botocore keeps the later one whole, silently dropping the other.
    let mut seen: BTreeMap<Affects, (String, usize)> = BTreeMap::new();
    for group in groups(config, &mut out.problems, FileKind::Config) {
        let keys = section(&group.keys, FileKind::Config);
        let what = classify_config(&group.name);
        if matches!(
            what,
            Affects::Profile(_) | Affects::SsoSession(_) | Affects::Services(_)
        ) && let Some((earlier, line)) =
            seen.insert(what.clone(), (group.name.clone(), group.line))
        {
            out.problems.push(refusal(
                config,
                group.line,
                format!(
                    "[{}] and [{earlier}] (line {line}) name the same section: the AWS CLI keeps only the later one, and aws-login will not guess: make them one",
                    group.name
                ),
                what.clone(),
            ));
        }
        match what {
            Affects::Profile(name) => {
                out.profiles.insert(name, keys);
            }
            Affects::SsoSession(name) => {
                out.sso_sessions.insert(name, keys);
            }
            Affects::Services(name) => {
                out.services.insert(name, keys);
            }
            Affects::Other(name) if name.starts_with("profile") => {
                out.problems.push(warning(
                    config,
                    group.line,
                    format!("[{name}] is not a profile: a profile section is [profile NAME], with a NAME that has spaces in quotes ([profile \"My Profile\"])"),
                    Affects::Other(name.clone()),
                ));
            }
            Affects::Other(name) if name != DEFAULTS && !name.contains(super::parse::is_space) => {
                // `[dev]` in the config file: the AWS CLI does not read it as profile dev.
                out.problems.push(warning(
                    config,
                    group.line,
                    format!(
                        "[{name}] in the config file is not a profile there (the config file names them [profile {name}])"
                    ),
                    Affects::Profile(name.clone()),
                ));
            }
            Affects::Other(_) | Affects::Unknown => {}
        }
    }
    out.problems.extend(
        credentials
            .problems
            .iter()
            .map(|p| problem(credentials, p, FileKind::Credentials)),
    );
    for group in groups(credentials, &mut out.problems, FileKind::Credentials) {
        if let Affects::Profile(meant) = classify_config(&group.name)
            && meant != group.name
        {
            // `[profile dev]` in the credentials file is the profile "profile dev".
            out.problems.push(warning(
                credentials,
                group.line,
                format!(
                    "[{}] in the credentials file is the profile {:?} there (the credentials file names them [{meant}])",
                    group.name, group.name
                ),
                Affects::Profile(meant),
            ));
        }
        let target = out.profiles.entry(group.name).or_default();
        for (k, (v, _)) in group.keys {
            if !continued(&k, &v) {
                target.insert(k, v, FileKind::Credentials);
            }
        }
    }
    out.problems
        .sort_by_key(|p| (p.path != config.path, p.line));
    out
}
