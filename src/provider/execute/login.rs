//! The `login_session` base: a console-credential session of `aws login`, read from its
//! cache file and, within 5 minutes of its end (botocore's `_REFRESH_THRESHOLD`),
//! refreshed with CreateOAuth2Token and a DPoP proof, then written back (atomically,
//! 0600, every other member kept) under the same cross-process lock as the SSO cache,
//! so processes that find it due together refresh it once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{ExecuteError, Executor};
use crate::credentials::Credentials;
use crate::provider::login_cache::{self, LoginCacheProblem, LoginToken};
use crate::services::signin::dpop::{DpopKey, KeyError};
use crate::services::signin::token::{self, TokenError};

/// A session is refreshed when this little of it is left.
pub(super) const REFRESH_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// How long a refresh waits for another process's.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Why a session gave no credentials.
#[derive(Debug)]
pub enum LoginFailure {
    /// No cache file: never signed in here.
    NoSession,
    /// The file could not be read.
    Unreadable(std::io::Error),
    /// The file is not a session.
    Problem(LoginCacheProblem),
    /// The `dpopKey` cannot sign.
    Key(KeyError),
    /// Another process's refresh did not end.
    Lock(crate::provider::sso_token_cache::lock::LockError),
    /// The refresh failed.
    Refresh(TokenError),
    /// The refreshed session could not be written back.
    Write(std::io::Error),
    /// The endpoint could not be resolved.
    Endpoint(crate::endpoints::EndpointError),
}

impl LoginFailure {
    /// Its kind.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            Self::Refresh(TokenError::Denied(_)) => ErrorKind::Aws,
            Self::Refresh(TokenError::Service(e)) => e.kind(),
            Self::Endpoint(e) => e.kind(),
            _ => ErrorKind::Failure,
        }
    }
}

impl std::fmt::Display for LoginFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let again = "sign in with `aws-login login` (or `aws login`)";
        match self {
            Self::NoSession => write!(f, "no cached session: {again}"),
            Self::Unreadable(_) => write!(f, "the cache file cannot be read"),
            Self::Problem(p) => write!(f, "the cache file is not a session ({p}): {again}"),
            Self::Key(k) => write!(f, "{k}: {again}"),
            Self::Lock(e) => e.fmt(f),
            Self::Refresh(e) => e.fmt(f),
            Self::Write(_) => f.write_str("the refreshed session cannot be written back"),
            Self::Endpoint(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoginFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreadable(e) | Self::Write(e) => Some(e),
            Self::Refresh(e) => e.source(),
            Self::Lock(e) => e.source(),
            _ => None,
        }
    }
}

/// The cache folder: `AWS_LOGIN_CACHE_DIRECTORY` (`~` and `$VAR` expanded), else
/// `~/.aws/login/cache`. Set but empty, it is the current folder, as botocore's
/// `get_login_token_cache_directory` makes it (the files are named relative to it).
pub fn cache_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let home_of = crate::config::files::system_home_of(env);
    match env("AWS_LOGIN_CACHE_DIRECTORY") {
        Some(dir) if dir.is_empty() => Some(PathBuf::from(".")),
        Some(dir) => crate::config::files::expand(&dir, env, &home_of),
        None => crate::config::files::expand_user("~/.aws/login/cache", &home_of),
    }
}

fn read(path: &Path) -> Result<LoginToken, LoginFailure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoginFailure::NoSession);
        }
        Err(e) => return Err(LoginFailure::Unreadable(e)),
    };
    login_cache::parse(&text).map_err(LoginFailure::Problem)
}

/// A unique proof id: 16 random bytes, hex (`None`: the random source failed).
fn jti() -> Option<String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

impl Executor<'_, '_> {
    /// The session's credentials, refreshed when due.
    pub(super) async fn login_session(
        &self,
        session: &str,
        profile_region: Option<&str>,
    ) -> Result<Credentials, ExecuteError> {
        let dir = cache_dir(self.env).ok_or(ExecuteError::NoHome)?;
        let path = login_cache::cache_path(&dir, session);
        let failed = |failure: LoginFailure| ExecuteError::LoginSession {
            session: session.to_owned(),
            path: path.display().to_string(),
            failure: Box::new(failure),
        };
        let due = |token: &LoginToken| token.expires_at - self.caller.now() < REFRESH_WINDOW;
        let token = read(&path).map_err(failed)?;
        if !due(&token) {
            return Ok(token.credentials);
        }
        let _lock = crate::provider::sso_token_cache::lock::lock(
            &path,
            LOCK_WAIT,
            &crate::time::TokioSleep,
        )
        .await
        .map_err(|e| failed(LoginFailure::Lock(e)))?;
        // Another process may have refreshed it while this one waited.
        let token = read(&path).map_err(failed)?;
        if !due(&token) {
            if let Some(t) = self.trace {
                t("login session refreshed by another process meanwhile");
            }
            return Ok(token.credentials);
        }
        let key =
            DpopKey::from_pem(token.dpop_key.expose()).map_err(|e| failed(LoginFailure::Key(e)))?;
        let region = token
            .sign_in_region
            .clone()
            .or(profile_region.map(str::to_owned))
            .unwrap_or_else(|| "us-east-1".to_owned());
        let endpoint =
            token::endpoint(&region, self.env).map_err(|e| failed(LoginFailure::Endpoint(e)))?;
        if let Some(t) = self.trace {
            t(&format!(
                "login session {session:?} ends at {}: refreshing at {}",
                login_cache_time(&token),
                crate::http::client::redact_userinfo(&endpoint.url)
            ));
        }
        let now = self.caller.now();
        let refreshed = token::refresh(
            self.caller,
            &endpoint,
            &key,
            &token.client_id,
            &token.refresh_token,
            &jti,
        )
        .await
        .map_err(|e| failed(LoginFailure::Refresh(e)))?;
        let (text, fresh) = token.refreshed(&refreshed, now);
        crate::private_file::write_private(&path, text.as_bytes())
            .map_err(|e| failed(LoginFailure::Write(e)))?;
        Ok(fresh.credentials)
    }
}

fn login_cache_time(token: &LoginToken) -> String {
    crate::provider::sso_token_cache::document::format_time(token.expires_at)
}
