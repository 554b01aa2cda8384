//! The AWS CLI's SSO token cache (`~/.aws/sso/cache/<sha1>.json`): the file for an
//! `sso-session` (SHA-1 of its name) or a legacy start URL (SHA-1 of the URL), and the
//! access token in it while it is valid. Pure but for the file read.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use sha1::{Digest, Sha1};

use crate::secret::SecretString;

/// The cache file name for a session name or a legacy start URL.
pub fn cache_file_name(session_or_start_url: &str) -> String {
    format!(
        "{}.json",
        hex::encode(Sha1::digest(session_or_start_url.as_bytes()))
    )
}

/// Why there is no usable token.
#[derive(Debug)]
#[non_exhaustive]
pub enum SsoCacheError {
    /// No cache file: never signed in on this machine (as this user).
    Missing(PathBuf),
    /// The file cannot be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the cache's JSON.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong (never its content).
        problem: CacheProblem,
    },
    /// The token has expired.
    Expired {
        /// The file.
        path: PathBuf,
        /// When it expired.
        at: DateTime<Utc>,
    },
}

impl fmt::Display for SsoCacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(p) => write!(f, "no SSO sign-in found ({} does not exist)", p.display()),
            Self::Unreadable { path, .. } => {
                write!(f, "cannot read the SSO token cache {}", path.display())
            }
            Self::Invalid { path, problem } => write!(
                f,
                "cannot use the SSO token cache {}: {problem}",
                path.display()
            ),
            Self::Expired { at, .. } => write!(f, "the SSO sign-in expired at {}", at.to_rfc3339()),
        }
    }
}

impl std::error::Error for SsoCacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreadable { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What is wrong with a cache file's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheProblem {
    /// It is not JSON.
    NotJson,
    /// No (or an empty) `accessToken`.
    NoAccessToken,
    /// No `expiresAt`, or one that is not a time.
    NoExpiresAt,
}

impl fmt::Display for CacheProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotJson => "not JSON",
            Self::NoAccessToken => "no accessToken",
            Self::NoExpiresAt => "no valid expiresAt",
        })
    }
}

/// `expiresAt` as the AWS CLI writes it (`...Z`), or as older tools did (`...UTC`).
fn parse_expiry(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = text.strip_suffix("UTC")?;
    NaiveDateTime::parse_from_str(bare, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The access token of the cache file in `dir` for `key`, if still valid at `now`.
pub fn read_token(
    dir: &Path,
    key: &str,
    now: DateTime<Utc>,
) -> Result<SecretString, SsoCacheError> {
    let path = dir.join(cache_file_name(key));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SsoCacheError::Missing(path));
        }
        Err(source) => return Err(SsoCacheError::Unreadable { path, source }),
    };
    let invalid = |problem| SsoCacheError::Invalid {
        path: path.clone(),
        problem,
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| invalid(CacheProblem::NotJson))?;
    let token = json
        .get("accessToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid(CacheProblem::NoAccessToken))?;
    let expires = json
        .get("expiresAt")
        .and_then(serde_json::Value::as_str)
        .and_then(parse_expiry)
        .ok_or_else(|| invalid(CacheProblem::NoExpiresAt))?;
    if expires <= now {
        return Err(SsoCacheError::Expired { path, at: expires });
    }
    Ok(SecretString::new(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names_are_sha1_of_the_key() {
        // sha1("my-sso") and sha1 of a start URL, as the AWS CLI names them.
        assert_eq!(
            cache_file_name("my-sso"),
            format!("{}.json", hex::encode(Sha1::digest(b"my-sso")))
        );
        assert_eq!(
            cache_file_name("abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d.json"
        );
    }

    #[test]
    fn expiry_formats() {
        assert_eq!(
            parse_expiry("2024-01-02T03:04:05Z").map(|t| t.timestamp()),
            Some(1_704_164_645)
        );
        assert_eq!(
            parse_expiry("2024-01-02T03:04:05UTC").map(|t| t.timestamp()),
            Some(1_704_164_645)
        );
        assert!(parse_expiry("tomorrow").is_none());
    }
}
