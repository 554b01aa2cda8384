//! The shared AWS `config` and `credentials` files, parsed and merged as the AWS SDKs
//! specify: sections, comments, continuation lines and sub-properties, case-insensitive
//! keys, later duplicates winning, and the credentials file overriding the config file.
//!
//! Pure: file contents in, profiles out. Only `files` reads the disk (the paths from
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `~/.aws`).
//!
//! Known difference from the AWS CLI (botocore): a `#` or `;` after whitespace in a value
//! starts a comment here, as the SDK specification says; botocore keeps it in the value.

pub mod files;
mod normalize;
mod parse;

use std::collections::BTreeMap;
use std::fmt;

pub use normalize::merge;
pub use parse::parse;

/// Which file a text came from: their section names differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]`.
    Credentials,
}

/// A file that does not parse: its path, the line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file's path (as given).
    pub path: String,
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.path, self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The keys of a profile, an `sso-session` or a `services` section. Values of keys with
/// sub-properties keep them as `\nkey = value` lines; see [`Section::sub_properties`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    properties: BTreeMap<String, String>,
    /// Keys whose value came from the credentials file (the rest came from config).
    from_credentials: std::collections::BTreeSet<String>,
}

/// Keys whose values are secrets, shown as `<redacted>` by `Debug`.
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in &self.properties {
            if SECRET_KEYS.contains(&k.as_str()) {
                map.entry(k, &"<redacted>");
            } else {
                map.entry(k, v);
            }
        }
        map.finish()
    }
}

impl Section {
    /// The value of `key` (lower case), if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    /// The `key = value` lines nested under `key` (`s3 =` then indented lines).
    pub fn sub_properties(&self, key: &str) -> BTreeMap<String, String> {
        self.get(key)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect()
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }

    /// The file the value of `key` came from.
    pub fn origin(&self, key: &str) -> Option<FileKind> {
        self.properties.contains_key(key).then(|| {
            if self.from_credentials.contains(key) {
                FileKind::Credentials
            } else {
                FileKind::Config
            }
        })
    }

    pub(crate) fn insert(&mut self, key: String, value: String, origin: FileKind) {
        if origin == FileKind::Credentials {
            self.from_credentials.insert(key.clone());
        } else {
            self.from_credentials.remove(&key);
        }
        self.properties.insert(key, value);
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
}
