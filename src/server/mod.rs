//! HTTP servers aws-login runs: `credentials_endpoint`, the container credentials
//! protocol `runas --credentials-server` gives its child and `serve` relays;
//! `imds_emulation`, the IMDSv2 credential paths of `serve --imds`; `oauth_callback`, the
//! redirect target of the PKCE sign-in.

pub mod credentials_endpoint;
pub mod imds_emulation;
pub mod oauth_callback;
