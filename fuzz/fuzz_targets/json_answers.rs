//! The JSON answers and cache files read from outside: the SSO portal, OIDC, the SSO
//! and login token caches, the assumed-role cache, the expiry parser. No panic.
#![no_main]

use aws_login::provider::{login_cache, role_cache, sso_token_cache};
use aws_login::services::{sso, sso_oidc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sso::parse_get_role_credentials(200, None, data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sso_token_cache::CachedToken::parse(text);
    let _ = login_cache::parse(text);
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let _ = role_cache::read(text, Some("start"), now);
    let _ = sso_token_cache::document::parse_time(text);
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = sso::parse_list_accounts(200, &json);
        let _ = sso::parse_list_account_roles(200, &json);
        let _ = sso_oidc::parse_register_client(200, &json);
        let _ = sso_oidc::parse_create_token(200, &json);
        let _ = sso_oidc::parse_start_device_authorization(200, &json);
    }
});
