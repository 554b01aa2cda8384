//! Signing in to IAM Identity Center: PKCE and the OAuth state (`pkce`, from a random
//! source passed in), the browser (`browser`), and the sign-in flows (`login`: PKCE and
//! device code, with the clock, the sleep and what the user sees passed in).

pub mod browser;
pub mod login;
pub mod pkce;
