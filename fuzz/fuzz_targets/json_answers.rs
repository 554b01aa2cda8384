//! The JSON answers and cache files read from outside: the SSO portal, OIDC, sign-in
//! (CreateOAuth2Token, getSigninToken, the pasted cross-device code), IMDS and the
//! container endpoint, `credential_process` output, SSM, the SSO and login token caches,
//! the client registration and the assumed-role cache. No panic; and a time the expiry
//! parser reads is read back the same from the form aws-login writes it in.
#![no_main]

use aws_login::provider::sso_token_cache::document::{format_time, parse_time};
use aws_login::provider::sso_token_cache::registration::CachedRegistration;
use aws_login::provider::{login_cache, process, role_cache, sso_token_cache};
use aws_login::services::{metadata, signin, ssm, sso, sso_oidc};
use chrono::Timelike;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sso::parse_get_role_credentials(200, None, data);
    let _ = metadata::parse_credentials(data);
    let _ = process::parse_output(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sso_token_cache::CachedToken::parse(text);
    let _ = CachedRegistration::parse(text);
    let _ = login_cache::parse(text);
    let _ = signin::authorize::parse_pasted(text);
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let _ = role_cache::read(text, Some("start"), now);
    if let Some(t) = parse_time(text) {
        // Whole seconds, a leap second (nanoseconds from 10^9) kept as one.
        let whole = t
            .with_nanosecond(t.nanosecond() / 1_000_000_000 * 1_000_000_000)
            .unwrap_or(t);
        assert_eq!(parse_time(&format_time(t)), Some(whole), "{text:?}");
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = sso::parse_list_accounts(200, &json);
        let _ = sso::parse_list_account_roles(200, &json);
        let _ = sso_oidc::parse_register_client(200, &json);
        let _ = sso_oidc::parse_create_token(200, &json);
        let _ = sso_oidc::parse_start_device_authorization(200, &json);
        let _ = signin::token::parse_granted(200, &json);
        let _ = signin::token::parse_refresh(200, &json);
        let _ = signin::parse_signin_token(200, &json);
        let _ = ssm::parse_get_parameter(&json, 200);
    }
});
