//! The AWS CLI's SSO token cache (`~/.aws/sso/cache/<sha1>.json`, no override: botocore
//! has none): the file for an `sso-session` (SHA-1 of its name) or a legacy start URL
//! (SHA-1 of the URL); its document ([`document`]), read and written in full (written
//! atomically, mode 0600, in a 0700 directory); and the lock that lets one process at a
//! time refresh it ([`lock`]).

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};

pub mod document;
pub mod lock;
pub mod registration;

pub use document::CachedToken;

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
    /// The file belongs to another user.
    NotYours {
        /// The file.
        path: PathBuf,
        /// Its owner's uid.
        owner: u32,
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
            Self::NotYours { path, owner } => write!(
                f,
                "{} belongs to uid {owner}, not to you: aws-login does not use another user's sign-in",
                path.display()
            ),
            Self::Expired { at, .. } => write!(
                f,
                "the SSO sign-in expired at {}",
                document::format_time(*at)
            ),
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
    /// A registration without `clientId` or `clientSecret`.
    NoClient,
    /// A token without `startUrl`, and none given to file it under.
    NoStartUrl,
    /// Not a regular file, or larger than a token file can be.
    NotATokenFile,
    /// JSON, but not an object.
    NotAnObject,
    /// Expired, and without what refreshing it takes.
    ExpiredForGood,
    /// Its `startUrl` is not the one the named sso-session signs in to.
    OtherStartUrl,
}

impl fmt::Display for CacheProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotJson => "not JSON",
            Self::NoAccessToken => "no accessToken",
            Self::NoExpiresAt => "no valid expiresAt",
            Self::NoClient => "no clientId or clientSecret",
            Self::NoStartUrl => "no startUrl (pass --start-url or --sso-session-name)",
            Self::NotATokenFile => "not a regular file of at most 1 MiB",
            Self::NotAnObject => "not a JSON object",
            Self::ExpiredForGood => {
                "the token has expired and cannot be refreshed (no refresh token or registration)"
            }
            Self::OtherStartUrl => "its startUrl is not the sso-session's sso_start_url",
        })
    }
}

/// The cache file of `key` (a session name or a legacy start URL) in `dir`.
pub fn cache_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(cache_file_name(key))
}

/// Reads a cache file. A file owned by another user (not root) is refused: a token
/// someone else planted would make aws-login act as their identity. (Root reads any: it
/// may be run with a user's HOME, as `sudo` does.)
pub fn load(path: &Path) -> Result<CachedToken, SsoCacheError> {
    use std::os::unix::fs::MetadataExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let me = nix::unistd::geteuid().as_raw();
        if me != 0 && meta.uid() != me && meta.uid() != 0 {
            return Err(SsoCacheError::NotYours {
                path: path.to_owned(),
                owner: meta.uid(),
            });
        }
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SsoCacheError::Missing(path.to_owned()));
        }
        Err(source) => {
            return Err(SsoCacheError::Unreadable {
                path: path.to_owned(),
                source,
            });
        }
    };
    CachedToken::parse(&text).map_err(|problem| SsoCacheError::Invalid {
        path: path.to_owned(),
        problem,
    })
}

/// Writes a cache file (see the module docs).
pub fn store(path: &Path, token: &CachedToken) -> std::io::Result<()> {
    crate::private_file::write_private(path, token.to_json().as_bytes())
}

/// A token still valid at `now`, or why not.
pub fn valid(
    path: &Path,
    token: CachedToken,
    now: DateTime<Utc>,
) -> Result<CachedToken, SsoCacheError> {
    if token.expires_at <= now {
        return Err(SsoCacheError::Expired {
            path: path.to_owned(),
            at: token.expires_at,
        });
    }
    Ok(token)
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
}
