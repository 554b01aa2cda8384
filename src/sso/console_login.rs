//! Signing in with a console identity (root, IAM user, federated), as the AWS CLI's
//! `aws login` does it, for a session that the credential chain's `login_session` source
//! then refreshes:
//!
//! - a fresh P-256 key for the session's DPoP proofs (RFC 9449), a PKCE verifier and a
//!   state (RFC 7636), from the random source passed in;
//! - on this device, the authorize page opened in the browser and its redirect taken on
//!   a loopback listener (`127.0.0.1`, `--redirect-port` or any free port; RFC 8252);
//!   on another device, the page shown to open there and the code it ends on pasted back;
//! - the code exchanged with CreateOAuth2Token (the verifier, the redirect URI, a DPoP
//!   proof of the new key), and the session named by the `idToken`'s subject.
//!
//! What comes out is the cache document to write; writing it and the profile is the
//! command's. The clock is the caller's, the sleep, the random source, what the user sees
//! and how a pasted code is asked for are passed in.

use std::fmt;

use super::login::{LoginError, LoginUi, wait_for_code};
use super::pkce::{NoRandom, Pkce, RandomSource, state};
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::provider::login_cache::{self, LoginToken};
use crate::secret::SecretString;
use crate::server::oauth_callback;
use crate::services::ServiceError;
use crate::services::signin::authorize::{
    self, CLIENT_ID_CROSS_DEVICE, CLIENT_ID_SAME_DEVICE, IdTokenError, PastedCodeError,
};
use crate::services::signin::dpop::{DpopKey, KeyError};
use crate::services::signin::token::{self, TokenError};
use crate::time::Sleep;

/// Where the sign-in is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// In a browser on this machine, the redirect taken on a loopback listener on this
    /// port (`None`: any free one).
    Same {
        /// `--redirect-port`.
        redirect_port: Option<u16>,
    },
    /// On any device; the code its page shows is pasted here.
    Cross,
}

/// The question a cross-device sign-in asks on the terminal.
pub const PASTE_QUESTION: &str = "Enter the authorization code displayed in your browser: ";

/// What a sign-in needs.
pub struct ConsoleLogin<'l, 'c> {
    /// The transport (unsigned calls; its clock dates the proof and the expiry).
    pub caller: &'l Caller<'c>,
    /// The Sign-In service's endpoint ([`token::endpoint`]).
    pub endpoint: &'l Endpoint,
    /// The region signed in at (recorded as `signInRegion`).
    pub region: &'l str,
    /// The sleep between the wait's progress lines.
    pub sleep: &'l dyn Sleep,
    /// The random source of the key, the verifier, the state and the proof's id.
    pub random: RandomSource<'l>,
    /// What the user sees.
    pub ui: &'l dyn LoginUi,
    /// Asks a question on the terminal and reads the answer (`None`: no terminal, or
    /// nothing entered).
    pub ask: &'l dyn Fn(&str) -> Option<String>,
}

/// A finished sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The session's name (`login_session`): the ARN of the identity signed in.
    pub session: String,
    /// Its cache document (a secret).
    pub document: SecretString,
    /// The session, read.
    pub token: LoginToken,
}

/// Why a sign-in failed (nothing was written).
#[derive(Debug)]
#[non_exhaustive]
pub enum ConsoleLoginError {
    /// The loopback listener could not be opened.
    Listen {
        /// `--redirect-port`, if given.
        port: Option<u16>,
        /// Why.
        source: std::io::Error,
    },
    /// The browser came back with an error or another state, or nobody signed in in time.
    Wait(LoginError),
    /// No code was pasted (or there is no terminal to paste it on).
    NothingPasted,
    /// The pasted text is not a code.
    Pasted(PastedCodeError),
    /// The pasted code is for another sign-in.
    StateMismatch,
    /// CreateOAuth2Token gave no token.
    Token(TokenError),
    /// The `idToken` names no session.
    IdToken(IdTokenError),
    /// The new key could not be written.
    Key(KeyError),
    /// The random source failed.
    Random(NoRandom),
}

impl fmt::Display for ConsoleLoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listen {
                port: Some(port), ..
            } => write!(
                f,
                "cannot listen on 127.0.0.1:{port} for the sign-in's redirect (--redirect-port)"
            ),
            Self::Listen { port: None, .. } => {
                f.write_str("cannot listen on 127.0.0.1 for the sign-in's redirect")
            }
            Self::Wait(e) => e.fmt(f),
            Self::NothingPasted => f.write_str(
                "no authorization code was entered (the sign-in on another device needs a terminal to paste it on): run `aws-login login --remote` again",
            ),
            Self::Pasted(e) => e.fmt(f),
            Self::StateMismatch => f.write_str(
                "the pasted code is for another sign-in (its state is not this one's): paste the code of the page this sign-in printed",
            ),
            Self::Token(TokenError::Service(_)) => {
                f.write_str("the authorization code could not be exchanged (CreateOAuth2Token)")
            }
            Self::Token(e) => e.fmt(f),
            Self::IdToken(e) => e.fmt(f),
            Self::Key(e) => e.fmt(f),
            Self::Random(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConsoleLoginError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Listen { source, .. } => Some(source),
            Self::Wait(e) => e.source(),
            Self::Token(TokenError::Service(e)) => Some(e),
            _ => None,
        }
    }
}

impl ConsoleLoginError {
    /// Its kind: a call's own; a refusal is the service's; the rest are failures.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            Self::Token(TokenError::Service(e)) => e.kind(),
            Self::Token(TokenError::Denied(_)) => ErrorKind::Aws,
            _ => ErrorKind::Failure,
        }
    }
}

/// A new P-256 key from 32 random bytes (drawn again in the rare case they are not a
/// scalar of the curve).
fn new_key(random: RandomSource<'_>) -> Result<DpopKey, NoRandom> {
    loop {
        let mut bytes = [0u8; 32];
        random(&mut bytes)?;
        if let Ok(key) = DpopKey::from_bytes(&bytes) {
            return Ok(key);
        }
    }
}

impl ConsoleLogin<'_, '_> {
    /// Signs in on `device`: the session and its cache document.
    pub async fn sign_in(&self, device: Device) -> Result<SignedIn, ConsoleLoginError> {
        if let Some(refused) = &self.endpoint.refused {
            return Err(ConsoleLoginError::Token(TokenError::Service(
                ServiceError::Endpoint(refused.clone()),
            )));
        }
        let key = new_key(self.random).map_err(ConsoleLoginError::Random)?;
        let pkce = Pkce::new(self.random).map_err(ConsoleLoginError::Random)?;
        let expected_state = state(self.random).map_err(ConsoleLoginError::Random)?;
        let base = self.endpoint.url.as_str();
        let (client_id, redirect_uri, code) = match device {
            Device::Same { redirect_port } => {
                let callback = oauth_callback::bind(redirect_port)
                    .await
                    .map_err(|source| ConsoleLoginError::Listen {
                        port: redirect_port,
                        source,
                    })?;
                let redirect_uri = callback.redirect_uri();
                let url = authorize::authorize_url(
                    base,
                    CLIENT_ID_SAME_DEVICE,
                    &expected_state,
                    &pkce.challenge,
                    &redirect_uri,
                );
                self.ui.show(&url, None);
                let code = wait_for_code(callback, &expected_state, self.sleep, self.ui)
                    .await
                    .map_err(ConsoleLoginError::Wait)?;
                (CLIENT_ID_SAME_DEVICE, redirect_uri, code)
            }
            Device::Cross => {
                let redirect_uri = authorize::confirmation_uri(base);
                let url = authorize::authorize_url(
                    base,
                    CLIENT_ID_CROSS_DEVICE,
                    &expected_state,
                    &pkce.challenge,
                    &redirect_uri,
                );
                self.ui.note(
                    "To sign in, open this page in a browser on any device; it ends on an authorization code to paste here:",
                );
                self.ui.note(&format!("  {url}"));
                let pasted = (self.ask)(PASTE_QUESTION).ok_or(ConsoleLoginError::NothingPasted)?;
                let (code, pasted_state) =
                    authorize::parse_pasted(&pasted).map_err(ConsoleLoginError::Pasted)?;
                if pasted_state != expected_state {
                    return Err(ConsoleLoginError::StateMismatch);
                }
                (CLIENT_ID_CROSS_DEVICE, redirect_uri, code)
            }
        };
        let body = token::code_body(client_id, &code, &pkce.verifier, &redirect_uri);
        let jti = || {
            let mut bytes = [0u8; 16];
            (self.random)(&mut bytes).ok()?;
            Some(hex::encode(bytes))
        };
        let granted = token::exchange(self.caller, self.endpoint, &key, &body, &jti)
            .await
            .map_err(ConsoleLoginError::Token)?;
        let (session, account_id) =
            authorize::session_of(granted.id_token.expose()).map_err(ConsoleLoginError::IdToken)?;
        let now = self.caller.now();
        let pem = key.to_sec1_pem().map_err(ConsoleLoginError::Key)?;
        let (document, token) =
            login_cache::new_session(&granted, client_id, &account_id, &pem, self.region, now);
        Ok(SignedIn {
            session,
            document,
            token,
        })
    }
}
