//! The authorization code grant with PKCE (RFC 7636, RFC 8252): the authorize page in
//! the browser, the redirect to the loopback listener, the code exchanged with the
//! verifier.

use std::time::Duration;

use super::{BROWSER_LIMIT, Login, LoginError, LoginUi, Target, call};
use crate::endpoints::Endpoint;
use crate::secret::SecretString;
use crate::server::oauth_callback;
use crate::services::sso_oidc::{self, Grant, OAuthError, Registration, TokenGrant};
use crate::sigv4::encode_query_component;
use crate::sso::pkce::{Pkce, state};
use crate::time::Sleep;

impl Login<'_, '_> {
    /// The authorization code grant with PKCE: the authorize page, the redirect to the
    /// loopback listener, the code exchanged with the verifier.
    pub(super) async fn pkce(
        &self,
        target: &Target,
        registration: &Registration,
        listen_port: Option<u16>,
    ) -> Result<TokenGrant, LoginError> {
        let callback =
            oauth_callback::bind(listen_port)
                .await
                .map_err(|source| LoginError::Listen {
                    port: listen_port,
                    source,
                })?;
        let redirect_uri = callback.redirect_uri();
        let pkce = Pkce::new(self.random).map_err(LoginError::Random)?;
        let expected_state = state(self.random).map_err(LoginError::Random)?;
        let url = authorize_url(
            self.oidc,
            &registration.client_id,
            &redirect_uri,
            &expected_state,
            &target.registered_scopes(),
            &pkce.challenge,
        );
        self.ui.show(&url, None);
        let code = wait_for_code(callback, &expected_state, self.sleep, self.ui).await?;
        sso_oidc::create_token(
            self.caller,
            self.oidc,
            registration,
            Grant::AuthorizationCode {
                code: &code,
                code_verifier: &pkce.verifier,
                redirect_uri: &redirect_uri,
            },
        )
        .await
        .map_err(|e| match OAuthError::of(&e) {
            Some(ended @ (OAuthError::ExpiredToken | OAuthError::AccessDenied)) => {
                LoginError::Ended(ended)
            }
            _ => call("CreateToken")(e),
        })
    }
}

/// Waits for the browser's redirect to `callback` with `state`, saying every second how
/// long it has waited, for at most [`BROWSER_LIMIT`]: the code, or why there is none.
pub(crate) async fn wait_for_code(
    callback: oauth_callback::Callback,
    state: &str,
    sleep: &dyn Sleep,
    ui: &dyn LoginUi,
) -> Result<SecretString, LoginError> {
    let wait = callback.wait(state);
    tokio::pin!(wait);
    let mut waited = Duration::ZERO;
    let code = loop {
        tokio::select! {
            answer = &mut wait => break answer.map_err(LoginError::Callback),
            () = sleep.sleep(Duration::from_secs(1)) => {
                waited += Duration::from_secs(1);
                if waited >= BROWSER_LIMIT {
                    break Err(LoginError::TimedOut(waited));
                }
                ui.waiting(waited);
            }
        }
    };
    ui.done();
    code
}

/// The authorize URL of the PKCE flow (`<OIDC endpoint>/authorize`, with the query the
/// AWS CLI sends: `response_type`, `client_id`, `redirect_uri`, `state`,
/// `code_challenge_method`, `scopes` space-separated, `code_challenge`). It carries no
/// secret.
pub fn authorize_url(
    oidc: &Endpoint,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    scopes: &[String],
    challenge: &str,
) -> String {
    let mut url = format!(
        "{}/authorize?response_type=code&client_id=",
        oidc.url.trim_end_matches('/')
    );
    encode_query_component(&mut url, client_id);
    url.push_str("&redirect_uri=");
    encode_query_component(&mut url, redirect_uri);
    url.push_str("&state=");
    encode_query_component(&mut url, state);
    url.push_str("&code_challenge_method=S256");
    // Without scopes (`--nrt`) none are asked for.
    if !scopes.is_empty() {
        url.push_str("&scopes=");
        encode_query_component(&mut url, &scopes.join(" "));
    }
    url.push_str("&code_challenge=");
    url.push_str(challenge);
    url
}
