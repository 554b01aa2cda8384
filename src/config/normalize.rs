//! From raw sections of both files to profiles, `sso-session` and `services` sections:
//! what each section name means in each file, which names and keys are valid, and which
//! value wins.

use std::collections::BTreeMap;

use super::parse::RawSection;
use super::{FileKind, Section, SharedConfig};

/// Characters of profile names and keys (`[A-Za-z0-9_\-/.%@:+]`).
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+')
        })
}

/// What a section is.
enum Kind<'a> {
    Profile(&'a str),
    /// `[profile default]`, which wins over `[default]` in the config file.
    ExplicitDefault,
    SsoSession(&'a str),
    Services(&'a str),
    Ignored,
}

/// `word NAME` with one or more spaces or tabs between.
fn prefixed<'a>(name: &'a str, word: &str) -> Option<&'a str> {
    let rest = name.strip_prefix(word)?;
    let trimmed = rest.trim_start_matches([' ', '\t']);
    (trimmed.len() < rest.len()).then_some(trimmed)
}

fn classify(name: &str, kind: FileKind) -> Kind<'_> {
    match kind {
        FileKind::Credentials => Kind::Profile(name),
        FileKind::Config => {
            if name == "default" {
                Kind::Profile("default")
            } else if let Some(p) = prefixed(name, "profile") {
                if p == "default" {
                    Kind::ExplicitDefault
                } else {
                    Kind::Profile(p)
                }
            } else if let Some(s) = prefixed(name, "sso-session") {
                Kind::SsoSession(s)
            } else if let Some(s) = prefixed(name, "services") {
                Kind::Services(s)
            } else {
                Kind::Ignored
            }
        }
    }
}

fn add(into: &mut BTreeMap<String, Section>, name: &str, section: &RawSection, origin: FileKind) {
    if !is_identifier(name) {
        return;
    }
    let target = into.entry(name.to_owned()).or_default();
    for (key, value, _) in &section.properties {
        if is_identifier(key) {
            target.insert(key.clone(), value.clone(), origin);
        }
    }
}

/// Merges the config file's and the credentials file's sections (either may be empty):
/// later sections and keys win within a file, the credentials file wins over the config
/// file, and `[profile default]` wins over `[default]`.
pub fn merge(config: &[RawSection], credentials: &[RawSection]) -> SharedConfig {
    let mut out = SharedConfig::default();
    let has_explicit_default = config
        .iter()
        .any(|s| matches!(classify(&s.name, FileKind::Config), Kind::ExplicitDefault));
    for section in config {
        match classify(&section.name, FileKind::Config) {
            Kind::Profile("default") if has_explicit_default => {}
            Kind::Profile(name) => add(&mut out.profiles, name, section, FileKind::Config),
            Kind::ExplicitDefault => add(&mut out.profiles, "default", section, FileKind::Config),
            Kind::SsoSession(name) => add(&mut out.sso_sessions, name, section, FileKind::Config),
            Kind::Services(name) => add(&mut out.services, name, section, FileKind::Config),
            Kind::Ignored => {}
        }
    }
    for section in credentials {
        if let Kind::Profile(name) = classify(&section.name, FileKind::Credentials) {
            add(&mut out.profiles, name, section, FileKind::Credentials);
        }
    }
    out
}
