//! Signing in to IAM Identity Center, as the AWS CLI v2 does it: the authorization code
//! flow with PKCE (the default) or the device code flow (`--use-device-code`, or when no
//! browser can be opened), a client registration reused from the shared cache until it
//! expires, and the token written to the AWS CLI's cache (atomically, 0600) with the
//! registration beside it, so that both tools can refresh it.
//!
//! One sign-in at a time per cache file: it runs under the file's lock, and a process
//! that waited for another's sign-in uses the token that one wrote instead of opening a
//! second browser. The clock, the sleep between polls, the random source and what the
//! user sees are passed in.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono::TimeDelta;

use super::pkce::{NoRandom, RandomSource};
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::provider::sso_token_cache::lock::{self, LockError};
use crate::provider::sso_token_cache::registration::{CachedRegistration, RegistrationKey};
use crate::provider::sso_token_cache::{self, CachedToken};
use crate::server::oauth_callback::CallbackError;
use crate::services::ServiceError;
use crate::services::sso_oidc::{
    self, AUTH_CODE_GRANTS, DEFAULT_SCOPE, OAuthError, RegisterClientRequest, Registration,
};
use crate::time::Sleep;

/// How long the PKCE flow waits for the browser (the AWS CLI's `_OVERALL_TIMEOUT`).
pub const BROWSER_LIMIT: Duration = Duration::from_secs(600);

/// How long a process waits for another's sign-in before it gives up.
pub const SIGN_IN_LOCK_LIMIT: Duration = Duration::from_secs(660);

/// The seconds added to the polling interval on `slow_down` (RFC 8628 section 3.5).
pub const SLOW_DOWN: i64 = 5;

/// Where to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The start URL.
    pub start_url: String,
    /// The Identity Center region.
    pub region: String,
    /// The `sso-session` name (`None`: a legacy profile or a bare `--start-url`, whose
    /// token is cached under the start URL).
    pub session_name: Option<String>,
    /// `sso_registration_scopes`, when configured.
    pub scopes: Option<Vec<String>>,
    /// `--nrt`: register without scopes (an 8-hour token that cannot be refreshed).
    pub no_refresh_token: bool,
}

impl Target {
    /// What names its token in the cache.
    pub fn cache_key(&self) -> &str {
        self.session_name.as_deref().unwrap_or(&self.start_url)
    }

    /// The scopes to register with.
    fn registered_scopes(&self) -> Vec<String> {
        if self.no_refresh_token {
            return Vec::new();
        }
        self.scopes
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()])
    }
}

/// Which grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Authorization code with PKCE, the redirect to a loopback listener (on this port,
    /// or an ephemeral one).
    Pkce {
        /// `--listen-port`.
        listen_port: Option<u16>,
    },
    /// The device code grant.
    DeviceCode,
}

/// What the user sees while signing in (on stderr).
pub trait LoginUi {
    /// Where to sign in: the page (opened in a browser unless told not to) and, for the
    /// device flow, the code the page shows.
    fn show(&self, url: &str, user_code: Option<&str>);
    /// Still waiting, `waited` so far.
    fn waiting(&self, waited: Duration);
    /// The wait is over.
    fn done(&self);
    /// A line to say (waiting for another process...).
    fn note(&self, line: &str);
}

/// What a command needs to sign in on its own (`--start-url`): what the user sees, the
/// random source, the flow, `--nrt`.
pub struct SignInKit<'k> {
    /// What the user sees.
    pub ui: &'k dyn LoginUi,
    /// The random source.
    pub random: RandomSource<'k>,
    /// The flow.
    pub flow: Flow,
    /// `--nrt`.
    pub no_refresh_token: bool,
}

/// Why a sign-in failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoginError {
    /// A call failed.
    Call {
        /// What for.
        step: &'static str,
        /// The failure.
        source: Box<ServiceError>,
    },
    /// The device authorization ended (expired, denied).
    Ended(OAuthError),
    /// The browser came back with an error or the wrong state.
    Callback(CallbackError),
    /// Nobody signed in in time.
    TimedOut(Duration),
    /// The loopback listener could not be opened.
    Listen {
        /// The port asked for (`None`: any).
        port: Option<u16>,
        /// Why.
        source: std::io::Error,
    },
    /// The random source failed.
    Random(NoRandom),
    /// Another process's sign-in could not be waited for.
    Lock(LockError),
    /// The token or the registration could not be written.
    Store {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Call { step, .. } => write!(f, "{step} failed"),
            Self::Ended(OAuthError::ExpiredToken) => f.write_str(
                "the sign-in was not approved in time (the device code expired): run the command again",
            ),
            Self::Ended(OAuthError::AccessDenied) => {
                f.write_str("the sign-in was denied in the browser")
            }
            Self::Ended(e) => write!(f, "the sign-in ended: {e}"),
            Self::Callback(e) => e.fmt(f),
            Self::TimedOut(waited) => write!(
                f,
                "no sign-in came back from the browser in {} minutes: run the command again",
                waited.as_secs() / 60
            ),
            Self::Listen { port: Some(port), .. } => write!(
                f,
                "cannot listen on 127.0.0.1:{port} for the sign-in's redirect (--listen-port)"
            ),
            Self::Listen { port: None, .. } => {
                f.write_str("cannot listen on 127.0.0.1 for the sign-in's redirect")
            }
            Self::Random(e) => e.fmt(f),
            Self::Lock(e) => e.fmt(f),
            Self::Store { path, .. } => write!(f, "cannot write {}", path.display()),
        }
    }
}

impl std::error::Error for LoginError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Call { source, .. } => Some(source.as_ref()),
            Self::Listen { source, .. } => Some(source),
            Self::Lock(e) => e.source(),
            Self::Store { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl LoginError {
    /// Its kind: a call's own; the rest are failures.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Call { source, .. } => source.kind(),
            _ => crate::error_kind::ErrorKind::Failure,
        }
    }
}

fn call(step: &'static str) -> impl FnOnce(ServiceError) -> LoginError {
    move |source| LoginError::Call {
        step,
        source: Box::new(source),
    }
}

/// What a sign-in needs from its surroundings.
pub struct Login<'l, 'c> {
    /// The caller (OIDC calls are unsigned).
    pub caller: &'l Caller<'c>,
    /// The OIDC endpoint of the target's region.
    pub oidc: &'l Endpoint,
    /// The token cache directory.
    pub cache_dir: &'l Path,
    /// Waits between polls.
    pub sleep: &'l dyn Sleep,
    /// The random source (PKCE, state).
    pub random: RandomSource<'l>,
    /// What the user sees.
    pub ui: &'l dyn LoginUi,
    /// `--debug` (never given a secret).
    pub trace: Option<&'l (dyn Fn(&str) + Sync)>,
}

impl Login<'_, '_> {
    fn step(&self, line: &str) {
        if let Some(t) = self.trace {
            t(line);
        }
    }

    /// Signs in and caches the token; `force`: even when the cache holds a valid one
    /// (`sso login` always signs in; a command that only needs a token does not).
    pub async fn sign_in(
        &self,
        target: &Target,
        flow: Flow,
        force: bool,
    ) -> Result<CachedToken, LoginError> {
        let path = sso_token_cache::cache_path(self.cache_dir, target.cache_key());
        let _lock = match lock::lock(&path, Duration::ZERO, self.sleep).await {
            Ok(lock) => lock,
            Err(LockError::Busy { .. }) => {
                self.ui.note(
                    "another aws-login is signing in to the same place: waiting for it (up to 11 minutes)",
                );
                lock::lock(&path, SIGN_IN_LOCK_LIMIT, self.sleep)
                    .await
                    .map_err(LoginError::Lock)?
            }
            Err(e) => return Err(LoginError::Lock(e)),
        };
        let previous = sso_token_cache::load(&path).ok();
        if !force
            && let Some(token) = &previous
            && token.expires_at - self.caller.now() > TimeDelta::minutes(15)
        {
            self.step("SSO sign-in: another process signed in; using its token");
            return Ok(token.clone());
        }
        let registration = self.registration(target, flow, true).await?;
        let mut token = self.grant(target, flow, &registration).await?;
        token.other = previous.map(|p| p.other).unwrap_or_default();
        sso_token_cache::store(&path, &token).map_err(|source| LoginError::Store {
            path: path.clone(),
            source,
        })?;
        self.step(&format!(
            "SSO token cached in {} (expires at {})",
            path.display(),
            sso_token_cache::document::format_time(token.expires_at)
        ));
        Ok(token)
    }

    /// Signs in without writing anything (the Python tool's stateless mode): a new
    /// registration, the token only returned.
    pub async fn sign_in_stateless(
        &self,
        target: &Target,
        flow: Flow,
    ) -> Result<CachedToken, LoginError> {
        let registration = self.registration(target, flow, false).await?;
        self.grant(target, flow, &registration).await
    }

    /// The grant of `flow`, as a cache document.
    async fn grant(
        &self,
        target: &Target,
        flow: Flow,
        registration: &Registration,
    ) -> Result<CachedToken, LoginError> {
        let grant = match flow {
            Flow::DeviceCode => self.device_code(target, registration).await?,
            Flow::Pkce { listen_port } => self.pkce(target, registration, listen_port).await?,
        };
        Ok(CachedToken {
            start_url: Some(target.start_url.clone()),
            region: Some(target.region.clone()),
            access_token: grant.access_token,
            expires_at: self.caller.now() + TimeDelta::seconds(grant.expires_in),
            refresh_token: grant.refresh_token,
            client_id: Some(registration.client_id.clone()),
            client_secret: Some(registration.client_secret.clone()),
            registration_expires_at: Some(registration.expires_at),
            other: serde_json::Map::new(),
        })
    }

    /// A usable registration for the flow: the cached one, else a new one (cached).
    async fn registration(
        &self,
        target: &Target,
        flow: Flow,
        cached: bool,
    ) -> Result<Registration, LoginError> {
        let scopes = target.registered_scopes();
        let pkce = matches!(flow, Flow::Pkce { .. });
        // The AWS CLI keys a PKCE registration by the configured scopes, a device one by
        // those it registered with (none: `null`). A PKCE registration without scopes
        // (`--nrt`), which the AWS CLI never makes, gets a key of its own (`[]`).
        let key_scopes: Option<&[String]> = match (pkce, target.no_refresh_token) {
            (true, true) => Some(&[]),
            (true, false) => target.scopes.as_deref(),
            (false, _) => (!scopes.is_empty()).then_some(scopes.as_slice()),
        };
        let key = RegistrationKey {
            start_url: &target.start_url,
            region: &target.region,
            scopes: key_scopes,
            session_name: target.session_name.as_deref(),
        };
        let path = self.cache_dir.join(key.file_name());
        let now = self.caller.now();
        if let Some(cached) = cached
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten()
            .and_then(|t| CachedRegistration::parse(&t).ok())
            .filter(|r| {
                r.usable(now)
                    && r.for_auth_code() == pkce
                    && r.scopes.clone().unwrap_or_default() == scopes
            })
        {
            self.step("OIDC client registration reused from the cache");
            return Ok(Registration {
                client_id: cached.client_id,
                client_secret: cached.client_secret,
                expires_at: cached.expires_at,
            });
        }
        let name = format!(
            "aws-login-{}",
            target
                .session_name
                .clone()
                .unwrap_or_else(|| now.timestamp().to_string())
        );
        let redirect = ["http://127.0.0.1/oauth/callback"];
        let request = RegisterClientRequest {
            client_name: &name,
            scopes: &scopes,
            grant_types: if pkce { &AUTH_CODE_GRANTS } else { &[] },
            redirect_uris: if pkce { &redirect } else { &[] },
            issuer_url: pkce.then_some(target.start_url.as_str()),
        };
        let registration = sso_oidc::register_client(self.caller, self.oidc, &request)
            .await
            .map_err(call("RegisterClient"))?;
        if !cached {
            return Ok(registration);
        }
        let cached = CachedRegistration {
            client_id: registration.client_id.clone(),
            client_secret: registration.client_secret.clone(),
            expires_at: registration.expires_at,
            scopes: (!scopes.is_empty()).then_some(scopes),
            grant_types: pkce.then(|| AUTH_CODE_GRANTS.iter().map(|g| (*g).to_owned()).collect()),
        };
        crate::private_file::write_private(&path, cached.to_json().as_bytes()).map_err(
            |source| LoginError::Store {
                path: path.clone(),
                source,
            },
        )?;
        self.step("OIDC client registered (RegisterClient) and cached");
        Ok(registration)
    }
}

mod device;
mod pkce_flow;

pub use pkce_flow::authorize_url;
pub(crate) use pkce_flow::wait_for_code;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::EndpointSource;

    #[test]
    fn the_authorize_url_is_the_aws_clis() {
        let oidc = Endpoint {
            url: "https://oidc.eu-west-1.amazonaws.com".into(),
            signing_region: "eu-west-1".into(),
            source: EndpointSource::Default,
            refused: None,
        };
        let url = authorize_url(
            &oidc,
            "client id",
            "http://127.0.0.1:4321/oauth/callback",
            "0f0e-state",
            &[DEFAULT_SCOPE.to_owned()],
            "CHALLENGE",
        );
        assert_eq!(
            url,
            "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=client%20id&redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Foauth%2Fcallback&state=0f0e-state&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=CHALLENGE"
        );
    }

    #[test]
    fn targets_register_with_scopes_unless_told_not_to() {
        let target = Target {
            start_url: "https://d-1.awsapps.com/start".into(),
            region: "us-east-1".into(),
            session_name: None,
            scopes: None,
            no_refresh_token: false,
        };
        assert_eq!(target.registered_scopes(), vec![DEFAULT_SCOPE.to_owned()]);
        assert_eq!(target.cache_key(), "https://d-1.awsapps.com/start");
        let nrt = Target {
            no_refresh_token: true,
            ..target
        };
        assert!(nrt.registered_scopes().is_empty());
    }
}
