//! Loopback HTTP servers aws-login runs: `credentials_endpoint`, the container
//! credentials protocol `runas --credentials-server` gives its child (and a standalone
//! relay next); `oauth_callback`, the redirect target of the PKCE sign-in.

pub mod credentials_endpoint;
pub mod oauth_callback;
