//! Signing in to IAM Identity Center: PKCE and the OAuth state (`pkce`, from a random
//! source passed in), the browser (`browser`), and the sign-in flows (`login`: PKCE and
//! device code, with the clock, the sleep and what the user sees passed in); and signing
//! in with a console identity as `aws login` does (`console_login`), on the same pieces.

pub mod browser;
pub mod console_login;
pub mod login;
pub mod pkce;
