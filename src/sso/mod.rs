//! Signing in to IAM Identity Center: PKCE and the OAuth state (`pkce`), from a random
//! source passed in.

pub mod pkce;
