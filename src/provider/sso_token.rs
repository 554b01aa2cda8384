//! The SSO access token a profile's SSO source uses: read from the AWS CLI's cache, and
//! refreshed there when it is due, as botocore's `SSOTokenProvider` does (within 15
//! minutes of its expiry, with the refresh token and the registration cached beside it,
//! while that registration lasts), so a sign-in lasts as long as its refresh token does.
//!
//! One process refreshes at a time: a due token is refreshed under the cache file's lock
//! ([`super::sso_token_cache::lock`]), and read again once the lock is held, so the
//! processes that waited use the token the first one wrote instead of refreshing again.
//! A refresh that fails leaves the file as it was; the old token is used while it is
//! still valid (botocore does the same), and an error says why otherwise.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::sso_token_cache::{self, CachedToken, SsoCacheError, lock::LockError};
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::services::ServiceError;
use crate::services::sso_oidc::{self, Grant, Registration};
use crate::time::Sleep;

/// How long before its expiry a token is refreshed (botocore's
/// `SSOTokenProvider._REFRESH_WINDOW`).
pub const REFRESH_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// The longest wait for another process's refresh: one CreateToken, all its attempts
/// (the default operation limit, 120 s) and some slack.
pub const LOCK_LIMIT: Duration = Duration::from_secs(150);

/// When to refresh (`--refresh auto|on|off`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RefreshMode {
    /// When due (the default).
    #[default]
    Auto,
    /// Now, whatever the expiry.
    On,
    /// Never.
    Off,
}

impl std::str::FromStr for RefreshMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "on" => Ok(Self::On),
            "off" => Ok(Self::Off),
            _ => Err("expected auto, on or off".to_owned()),
        }
    }
}

/// Why no token could be had.
#[derive(Debug)]
pub enum TokenError {
    /// The cache has none that can be used.
    Cache(SsoCacheError),
    /// The token has expired and refreshing it failed.
    Refresh {
        /// When it expired.
        expired_at: DateTime<Utc>,
        /// The failure.
        source: Box<ServiceError>,
    },
    /// Another process's refresh could not be waited for.
    Lock(LockError),
    /// The refreshed token could not be written.
    Store {
        /// The cache file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cache(e) => e.fmt(f),
            Self::Refresh { expired_at, .. } => write!(
                f,
                "the SSO sign-in expired at {} and refreshing it failed",
                sso_token_cache::document::format_time(*expired_at)
            ),
            Self::Lock(e) => e.fmt(f),
            Self::Store { path, .. } => {
                write!(
                    f,
                    "cannot write the refreshed SSO token to {}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Cache(e) => e.source(),
            Self::Refresh { source, .. } => Some(source.as_ref()),
            Self::Lock(e) => e.source(),
            Self::Store { source, .. } => Some(source),
        }
    }
}

impl TokenError {
    /// Its kind: a refresh call's own; the rest, a failure.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Refresh { source, .. } => source.kind(),
            _ => crate::error_kind::ErrorKind::Failure,
        }
    }
}

/// What refreshing needs.
pub struct Refresher<'r, 'c> {
    /// The caller.
    pub caller: &'r Caller<'c>,
    /// The OIDC endpoint of the token's region.
    pub oidc: &'r Endpoint,
    /// Waits between lock attempts.
    pub sleep: &'r dyn Sleep,
    /// `--debug`.
    pub trace: Option<&'r (dyn Fn(&str) + Sync)>,
    /// Where a warning goes (stderr), when one must be seen without `--debug`.
    pub warn: Option<&'r (dyn Fn(&str) + Sync)>,
}

impl Refresher<'_, '_> {
    fn step(&self, line: &str) {
        if let Some(t) = self.trace {
            t(line);
        }
    }

    /// The access token in `path`, refreshed first when `mode` and its expiry say so.
    pub async fn access_token(
        &self,
        path: &Path,
        mode: RefreshMode,
    ) -> Result<SecretString, TokenError> {
        let now = self.caller.now();
        let token = sso_token_cache::load(path).map_err(TokenError::Cache)?;
        if !due(&token, now, mode) {
            return usable(path, token, now);
        }
        // One refresh across processes: whoever gets the lock first refreshes, the
        // others find its token when they get the lock. A token that is still valid is
        // used rather than waited for (another aws-login may hold the lock for a long
        // sign-in); a lock that cannot be had at all (a read-only cache) is no reason to
        // fail either.
        let still_valid = token.expires_at > now;
        let limit = if still_valid {
            Duration::ZERO
        } else {
            LOCK_LIMIT
        };
        let _lock = match sso_token_cache::lock::lock(path, limit, self.sleep).await {
            Ok(lock) => Some(lock),
            Err(LockError::Busy { .. }) if still_valid => {
                self.step("SSO token: another aws-login is refreshing or signing in; the current token is still valid, using it");
                return usable(path, token, now);
            }
            Err(e @ LockError::Busy { .. }) => return Err(TokenError::Lock(e)),
            Err(e) => {
                self.step(&format!("SSO token: {e}; refreshing without the lock"));
                None
            }
        };
        let token = sso_token_cache::load(path).map_err(TokenError::Cache)?;
        let now = self.caller.now();
        if !due(&token, now, mode) {
            self.step("SSO token: refreshed by another process");
            return usable(path, token, now);
        }
        let expired_at = token.expires_at;
        match self.refreshed(&token).await {
            Some(Ok(refreshed)) => {
                // A cache that cannot be written (read-only) still gets this run its
                // token; the rotated refresh token is lost, which the warning says.
                if let Err(e) = sso_token_cache::store(path, &refreshed)
                    && let Some(warn) = self.warn
                {
                    warn(&format!(
                        "aws-login: the refreshed SSO token could not be written to {} ({e}); it is used for this run only, and the next run may need to sign in again",
                        path.display()
                    ));
                }
                Ok(refreshed.access_token)
            }
            Some(Err(e)) if expired_at <= now => Err(TokenError::Refresh {
                expired_at,
                source: Box::new(e),
            }),
            Some(Err(_)) | None => usable(path, token, now),
        }
    }

    /// The token of a file that is not aws-login's to write (`--accesstoken-cache`):
    /// refreshed in memory when due, the file left as it is.
    pub async fn access_token_in_memory(
        &self,
        path: &Path,
        mode: RefreshMode,
    ) -> Result<(CachedToken, SecretString), TokenError> {
        let now = self.caller.now();
        let token = sso_token_cache::load(path).map_err(TokenError::Cache)?;
        if due(&token, now, mode) {
            match self.refreshed(&token).await {
                Some(Ok(refreshed)) => {
                    let access = refreshed.access_token.clone();
                    return Ok((refreshed, access));
                }
                Some(Err(e)) if token.expires_at <= now => {
                    return Err(TokenError::Refresh {
                        expired_at: token.expires_at,
                        source: Box::new(e),
                    });
                }
                _ => {}
            }
        }
        let access = usable(path, token.clone(), now)?;
        Ok((token, access))
    }

    /// `token` refreshed (CreateToken with its refresh token): `None` when it cannot be
    /// (no refresh token or registration); a failure is traced and returned.
    async fn refreshed(&self, token: &CachedToken) -> Option<Result<CachedToken, ServiceError>> {
        let now = self.caller.now();
        let (Some(client_id), Some(client_secret), Some(refresh_token)) = (
            token.client_id.clone(),
            token.client_secret.clone(),
            token.refresh_token.clone(),
        ) else {
            return None;
        };
        let registration = Registration {
            client_id,
            client_secret,
            expires_at: token.registration_expires_at.unwrap_or(now),
        };
        self.step(&format!(
            "SSO token expires at {}: refreshing it (CreateToken, refresh_token)",
            sso_token_cache::document::format_time(token.expires_at)
        ));
        Some(
            match sso_oidc::create_token(
                self.caller,
                self.oidc,
                &registration,
                Grant::RefreshToken(&refresh_token),
            )
            .await
            {
                Ok(grant) => {
                    let refreshed = CachedToken {
                        access_token: grant.access_token,
                        expires_at: now + TimeDelta::seconds(grant.expires_in),
                        refresh_token: grant.refresh_token.or_else(|| token.refresh_token.clone()),
                        ..token.clone()
                    };
                    self.step(&format!(
                        "SSO token refreshed, expires at {}",
                        sso_token_cache::document::format_time(refreshed.expires_at)
                    ));
                    Ok(refreshed)
                }
                Err(e) => {
                    if token.expires_at > now {
                        self.step(&format!(
                            "SSO token refresh failed ({e}); the current one is valid until {}",
                            sso_token_cache::document::format_time(token.expires_at)
                        ));
                    }
                    Err(e)
                }
            },
        )
    }
}

/// Whether `token` is refreshed now.
fn due(token: &CachedToken, now: DateTime<Utc>, mode: RefreshMode) -> bool {
    let refreshable = token.refreshable(now);
    match mode {
        RefreshMode::Off => false,
        RefreshMode::On => refreshable,
        RefreshMode::Auto => refreshable && token.expires_within(now, REFRESH_WINDOW),
    }
}

/// The token's access token while it is valid.
fn usable(path: &Path, token: CachedToken, now: DateTime<Utc>) -> Result<SecretString, TokenError> {
    sso_token_cache::valid(path, token, now)
        .map(|t| t.access_token)
        .map_err(TokenError::Cache)
}
