//! The shared AWS `config` and `credentials` files, read as the AWS CLI (botocore) reads
//! them: Python's configparser for the lines (see `parse`), botocore's `configloader`
//! for what the sections mean (see `normalize`), and the credentials file's keys
//! overriding the config file's per profile.
//!
//! Where botocore refuses a whole file, aws-login skips only what it cannot read and
//! lists it in [`SharedConfig::problems`], naming the profile it affects: the chain fails
//! only when it needs that profile (see `provider::plan`).
//!
//! Pure: file contents in, profiles out. Only `files` reads the disk (the paths from
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `~/.aws`).

pub mod edit;
pub mod files;
pub mod generate;
pub mod look_alikes;
mod normalize;
mod parse;

use std::collections::BTreeMap;
use std::fmt;

pub use normalize::merge;
pub use parse::{LineProblem, ParsedFile, RawSection};

/// Reads one file's bytes; `path` labels its problems. Never fails: what cannot be read
/// is listed in [`ParsedFile::problems`].
pub fn parse(bytes: &[u8], path: &str) -> ParsedFile {
    let mut file = parse::parse(bytes);
    file.path = path.to_owned();
    file
}

/// Which file a text came from: their section names differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]`.
    Credentials,
}

/// What a problem in the shared files touches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Affects {
    /// Nothing known: the whole file, a line outside any section, a `[DEFAULT]` section
    /// (whose keys reach every section), or a header too broken to name its section.
    Unknown,
    /// A profile.
    Profile(String),
    /// An `[sso-session NAME]` section.
    SsoSession(String),
    /// A `[services NAME]` section.
    Services(String),
    /// A section aws-login does not read.
    Other(String),
}

/// Something in the shared files that aws-login left out, or read with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The file's path (as given).
    pub path: String,
    /// The 1-based line; 0 for the file as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// What it touches.
    pub affects: Affects,
    /// `true`: something was left out, and what needs it must fail. `false`: a warning
    /// (read, though the AWS CLI refuses it or it is a likely mistake).
    pub skipped: bool,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{} line {}: {}", self.path, self.line, self.message)
        }
    }
}

impl std::error::Error for ConfigProblem {}

/// The lines of a value, cut where Python's `str.splitlines` cuts them (botocore splits
/// sub-properties so).
fn sub_property_lines(value: &str) -> impl Iterator<Item = &str> {
    value.split(|c| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    })
}

/// One key's value in each file.
#[derive(Clone, Default, PartialEq, Eq)]
struct Slot {
    config: Option<String>,
    credentials: Option<String>,
}

/// The keys of a profile, an `sso-session` or a `services` section, with the value each
/// file gives (a profile can be in both). Values of keys with sub-properties keep them as
/// `\nkey = value` lines; see [`Section::sub_properties`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    properties: BTreeMap<String, Slot>,
}

/// Keys whose values are secrets, shown as `<redacted>` by `Debug`.
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

/// A key as messages show it: a key with a space in it may be a whole line that lacks its
/// `=` (`aws_session_token FwoG...==` splits at the token's padding), so only its first
/// word is shown.
pub(crate) fn shown_key(key: &str) -> String {
    match key.split_once(parse::is_space) {
        Some((first, _)) => format!("{first} …"),
        None => key.to_owned(),
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for k in self.keys() {
            if k.contains(parse::is_space) {
                map.entry(&shown_key(k), &"<redacted>");
            } else if SECRET_KEYS.contains(&k) {
                map.entry(&k, &"<redacted>");
            } else {
                map.entry(&k, &self.get(k));
            }
        }
        map.finish()
    }
}

impl Section {
    /// The value of `key` (lower case), if set: the credentials file's, else the config
    /// file's (as botocore's `full_config` merges them).
    pub fn get(&self, key: &str) -> Option<&str> {
        let slot = self.properties.get(key)?;
        slot.credentials.as_deref().or(slot.config.as_deref())
    }

    /// The value of `key` in one file only (botocore's key providers read each file on
    /// its own).
    pub fn get_in(&self, key: &str, file: FileKind) -> Option<&str> {
        let slot = self.properties.get(key)?;
        match file {
            FileKind::Config => slot.config.as_deref(),
            FileKind::Credentials => slot.credentials.as_deref(),
        }
    }

    /// The `key = value` lines nested under `key` (`s3 =` then indented lines), split at
    /// the first `=` and trimmed, keys as written (botocore's `_parse_nested`).
    pub fn sub_properties(&self, key: &str) -> BTreeMap<String, String> {
        sub_property_lines(self.get(key).unwrap_or_default())
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim_matches(parse::is_space).to_owned(),
                    v.trim_matches(parse::is_space).to_owned(),
                )
            })
            .collect()
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }

    /// The file the value of `key` (as [`Section::get`] gives it) came from.
    pub fn origin(&self, key: &str) -> Option<FileKind> {
        let slot = self.properties.get(key)?;
        if slot.credentials.is_some() {
            Some(FileKind::Credentials)
        } else {
            slot.config.as_ref().map(|_| FileKind::Config)
        }
    }

    pub(crate) fn insert(&mut self, key: String, value: String, origin: FileKind) {
        let slot = self.properties.entry(key).or_default();
        match origin {
            FileKind::Config => slot.config = Some(value),
            FileKind::Credentials => slot.credentials = Some(value),
        }
    }
}

/// The merged contents of both files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedConfig {
    /// Profiles by name (`default` included).
    pub profiles: BTreeMap<String, Section>,
    /// `[sso-session NAME]` sections.
    pub sso_sessions: BTreeMap<String, Section>,
    /// `[services NAME]` sections.
    pub services: BTreeMap<String, Section>,
    /// What was left out or warned about, in file and line order.
    pub problems: Vec<ConfigProblem>,
}

impl SharedConfig {
    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// The endpoint URL a profile's `services` section gives `service_key` (`sts`...).
    pub fn service_endpoint(&self, profile: &str, service_key: &str) -> Option<String> {
        let services = self.profile(profile)?.get("services")?;
        self.services
            .get(services)?
            .sub_properties(service_key)
            .remove("endpoint_url")
    }

    /// What was left out of a profile, or of the `sso-session` and `services` sections
    /// it names.
    pub fn skipped_for_profile(&self, profile: &str) -> Vec<ConfigProblem> {
        let named = |key: &str| {
            self.profile(profile)
                .and_then(|s| s.get(key))
                .map(|v| v.trim().to_owned())
        };
        let mut parts = vec![Affects::Profile(profile.to_owned())];
        parts.extend(named("sso_session").map(Affects::SsoSession));
        parts.extend(named("services").map(Affects::Services));
        parts
            .iter()
            .flat_map(|part| self.skipped(part))
            .cloned()
            .collect()
    }

    /// What was left out of the part `what` names.
    pub fn skipped(&self, what: &Affects) -> Vec<&ConfigProblem> {
        self.problems
            .iter()
            .filter(|p| p.skipped && &p.affects == what)
            .collect()
    }
}
