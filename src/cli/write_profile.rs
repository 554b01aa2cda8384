//! `dumpcreds --write-profile NAME`: the seeds' "paste these into ~/.aws/credentials",
//! done for the user. The acquired temporary credentials go into `[NAME]` of the shared
//! credentials file botocore reads (`AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/credentials`) through the config files' writer (`config_file.rs`: locked,
//! atomic, owner kept, the old text kept as `.bak`), made its owner's alone (0600 for a
//! new file; a wider mode is narrowed, and said), keys set in place as `aws configure
//! set` sets them, every other byte kept.
//!
//! Refused, before anything is written: long-term keys (they are not what this is for),
//! a name the credentials file cannot hold, a profile that holds long-term keys, and
//! the very profile the credentials came from (its keys in the credentials file would
//! hide its role, SSO or process settings from then on), the last two unless `--force`.

use std::fmt;

use super::config_file::ConfigFile;
use super::{CliError, Context, Output};
use crate::config::edit::set_credentials_keys;
use crate::credentials::Credentials;

/// Why nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteProfileError {
    /// The name cannot be a section of the credentials file.
    BadName(String),
    /// The credentials are long-term keys.
    NotTemporary,
    /// `AWS_SHARED_CREDENTIALS_FILE` is set but empty.
    NoFile,
    /// The profile holds long-term keys.
    LongTermKeys {
        /// The profile.
        name: String,
        /// The file.
        path: String,
    },
    /// The profile is the one the credentials came from.
    SourceProfile(String),
    /// The file has the section twice, or as `[ NAME ]` (which other SDKs read as
    /// `[NAME]`): which one is meant cannot be told.
    Ambiguous {
        /// The profile.
        name: String,
        /// The file.
        path: String,
    },
}

impl fmt::Display for WriteProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName(n) => write!(
                f,
                "--write-profile {n:?}: a profile name is one line without '[' or ']', blanks around it, or the 'profile ' prefix (that is the config file's form)"
            ),
            Self::NotTemporary => f.write_str(
                "--write-profile writes temporary credentials, and these are long-term keys: assume a role, use SSO, or add --get-session-token",
            ),
            Self::NoFile => f.write_str(
                "--write-profile: AWS_SHARED_CREDENTIALS_FILE is set but empty, so there is no credentials file to write",
            ),
            Self::LongTermKeys { name, path } => write!(
                f,
                "[{name}] in {path} holds long-term keys (an access key without a session token): not replaced (--force replaces them; the old file is kept as .bak)"
            ),
            Self::Ambiguous { name, path } => write!(
                f,
                "{path} has [{name}] more than once (or with blanks inside the brackets): botocore refuses such a file, and which one to write cannot be told: leave one [{name}] and try again"
            ),
            Self::SourceProfile(name) => write!(
                f,
                "the credentials come from profile {name:?}: keys written into [{name}] of the credentials file would take its place from then on (write another profile, or --force)"
            ),
        }
    }
}

impl std::error::Error for WriteProfileError {}

impl WriteProfileError {
    /// Its kind: a bad name is a usage error, the rest refusals.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::BadName(_) => crate::error_kind::ErrorKind::Usage,
            _ => crate::error_kind::ErrorKind::Failure,
        }
    }
}

/// Whether `name` can be a section of the credentials file as botocore reads it.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.trim() == name
        && !name.starts_with("profile ")
        && !name.contains(['[', ']'])
        && !name.chars().any(char::is_control)
}

/// Writes `creds` into profile `name`; `source` is the profile they came from, if any.
/// Returns what was written (the key id, the names of the secret keys, the expiry).
pub fn write(
    name: &str,
    force: bool,
    creds: &Credentials,
    source: Option<&str>,
    ctx: &Context<'_>,
) -> Result<Output, CliError> {
    let refuse = |e: WriteProfileError| CliError::WriteProfile(Box::new(e));
    if !valid_name(name) {
        return Err(refuse(WriteProfileError::BadName(name.to_owned())));
    }
    let Some(token) = creds.session_token() else {
        return Err(refuse(WriteProfileError::NotTemporary));
    };
    if !force && source == Some(name) {
        return Err(refuse(WriteProfileError::SourceProfile(name.to_owned())));
    }
    let home_of = crate::config::files::system_home_of(ctx.env);
    let (_, path) = crate::config::files::paths(ctx.env, &home_of);
    let path = path.ok_or(refuse(WriteProfileError::NoFile))?;
    let shown = path.display().to_string();
    let mut file = ConfigFile::open_as(&shown, "the shared credentials file", ctx)?;
    let old = file.text.clone().unwrap_or_default();
    let parsed = crate::config::parse(old.as_bytes(), &shown);
    let same = parsed
        .sections
        .iter()
        .filter(|s| s.name.trim() == name)
        .count();
    let exact = parsed.sections.iter().filter(|s| s.name == name).count();
    if same > 1 || same != exact {
        return Err(refuse(WriteProfileError::Ambiguous {
            name: name.to_owned(),
            path: shown,
        }));
    }
    let long_term = parsed
        .sections
        .iter()
        .rev()
        .find(|s| s.name == name)
        .is_some_and(|s| {
            let has = |key: &str| {
                s.properties
                    .iter()
                    .any(|(k, v, _)| k == key && !v.is_empty())
            };
            has("aws_access_key_id") && !has("aws_session_token") && !has("aws_security_token")
        });
    if long_term && !force {
        return Err(refuse(WriteProfileError::LongTermKeys {
            name: name.to_owned(),
            path: shown,
        }));
    }
    let keys = [
        ("aws_access_key_id", creds.access_key_id()),
        ("aws_secret_access_key", creds.secret_access_key().expose()),
        ("aws_session_token", token.expose()),
    ];
    let (text, _) = set_credentials_keys(&old, name, &keys);
    if let Some(mode) = file.make_private() {
        (ctx.stderr)(&format!(
            "{shown} was mode {mode:o}: it is written 0600 now, as it holds credentials (its .bak too)."
        ));
    }
    file.write(&text, ctx)?;
    let expiry = match creds.expiration() {
        Some(at) => {
            let minutes = (at - ctx.clock.now()).num_minutes();
            let left = match minutes {
                m if m < 0 => "already".to_owned(),
                m if m < 120 => format!("in {m} min"),
                m if m < 48 * 60 => format!("in {} h", m / 60),
                m => format!("in {} days", m / (24 * 60)),
            };
            format!(
                "; they expire at {} ({left})",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        }
        None => String::new(),
    };
    Ok(Output::stdout(format!(
        "[{name}] in {shown}: aws_access_key_id = {}, aws_secret_access_key, aws_session_token{expiry}\n",
        creds.access_key_id()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_credentials_file_can_hold() {
        for ok in ["default", "dev", "ci-role.1", "team@prod"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", " dev", "dev ", "profile dev", "a]b", "[a", "a\nb"] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn refusals_say_what_to_do_and_never_show_a_secret() {
        let e = WriteProfileError::LongTermKeys {
            name: "ci".into(),
            path: "/h/.aws/credentials".into(),
        };
        assert!(e.to_string().contains("--force"));
        assert_eq!(e.kind(), crate::error_kind::ErrorKind::Failure);
        assert_eq!(
            WriteProfileError::BadName("x]".into()).kind(),
            crate::error_kind::ErrorKind::Usage
        );
    }
}
