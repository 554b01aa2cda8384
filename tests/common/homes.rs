//! Shared-file fixtures for tests of the built binary: a HOME with an SSO profile and
//! its cached token, and a folder with a `login_session` profile and its cached session,
//! each with the secrets the test chooses (so that a test can look for them).

use std::path::{Path, PathBuf};

use aws_login::provider::sso_token_cache::cache_file_name;
use aws_login::time::Clock as _;

/// `[profile dev]` of `sso-session corp` (account 111122223333, role Admin).
pub const SSO_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n";

/// The console identity of the login-session fixtures.
pub const LOGIN_SESSION: &str = "arn:aws:iam::111122223333:user/alice";

/// The time `minutes` from now, as the caches write it.
pub fn in_minutes(minutes: i64) -> String {
    (aws_login::time::SystemClock.now() + chrono::TimeDelta::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The secrets of a cached SSO token.
pub struct SsoSecrets<'a> {
    pub access_token: &'a str,
    pub refresh_token: &'a str,
    pub client_secret: &'a str,
}

/// Writes `dir/.aws/config` ([`SSO_CONFIG`]) and the token of `corp`, ending in `minutes`
/// (refreshable: client registration and refresh token included).
pub fn sso_home(dir: &Path, minutes: i64, secrets: &SsoSecrets<'_>) {
    let cache = dir.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(dir.join(".aws/config"), SSO_CONFIG).unwrap();
    let token = serde_json::json!({
        "startUrl": "https://d-1234567890.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": secrets.access_token,
        "expiresAt": in_minutes(minutes),
        "clientId": "cid",
        "clientSecret": secrets.client_secret,
        "registrationExpiresAt": in_minutes(60 * 24 * 80),
        "refreshToken": secrets.refresh_token,
    });
    std::fs::write(cache.join(cache_file_name("corp")), token.to_string()).unwrap();
}

/// Writes `dir/config` with `[profile dev]` using [`LOGIN_SESSION`], and its cached
/// session in `dir/login-cache` ending in `minutes`, with this refresh token and secret
/// access key; the DPoP key is P-256 scalar 7…7. The config file and the cache folder.
pub fn login_session_home(
    dir: &Path,
    minutes: i64,
    refresh_token: &str,
    secret_access_key: &str,
) -> (PathBuf, PathBuf) {
    let cache_dir = dir.join("login-cache");
    std::fs::create_dir_all(&cache_dir).unwrap();
    let config = dir.join("config");
    let profile = format!("[profile dev]\nlogin_session = {LOGIN_SESSION}\nregion = eu-west-1\n");
    std::fs::write(&config, profile).unwrap();
    let document = serde_json::json!({
        "accessToken": {
            "accessKeyId": "ASIALOGIN",
            "secretAccessKey": secret_access_key,
            "sessionToken": "LOGIN-OLD-TOKEN",
            "accountId": "111122223333",
            "expiresAt": in_minutes(minutes),
        },
        "refreshToken": refresh_token,
        "idToken": "ID",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": dpop_pem(),
    });
    let cache = aws_login::provider::login_cache::cache_path(&cache_dir, LOGIN_SESSION);
    std::fs::write(cache, document.to_string()).unwrap();
    (config, cache_dir)
}

/// The PEM of the fixtures' DPoP key.
pub fn dpop_pem() -> String {
    aws_login::services::signin::dpop::DpopKey::from_bytes(&[7u8; 32])
        .unwrap()
        .to_sec1_pem()
        .unwrap()
        .expose()
        .to_owned()
}
