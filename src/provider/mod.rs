//! Where credentials come from, in botocore's order: `plan` decides (pure, from the
//! shared files and the environment), `execute` carries the plan out, `process` runs a
//! `credential_process`, `refresh` renews, `job` ends helpers and passes signals on,
//! `sso_token_cache` reads the SSO token cache. The value itself is
//! [`crate::credentials::Credentials`].

pub mod execute;
pub mod job;
pub mod login_cache;
pub mod plan;
pub mod process;
pub mod refresh;
pub mod role_cache;
pub mod sso_token;
pub mod sso_token_cache;

use chrono::{DateTime, Utc};

use crate::credentials::Credentials;
use crate::secret::SecretString;

/// The session-token variables in botocore's order: the first that is set and not empty
/// wins (`AWS_SECURITY_TOKEN` is the legacy name many tools still write).
pub const SESSION_TOKEN_VARIABLES: [&str; 2] = ["AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"];

/// The region the flag or the environment gives: `--region`, `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`; an empty value counts as not given at each step (the AWS CLI
/// ignores `--region ''`). The profile's `region` and the instance's come after, where a
/// command reads them.
pub fn region_from_flag_or_env(
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let given = |r: &String| !r.trim().is_empty();
    flag.map(str::to_owned)
        .filter(given)
        .or_else(|| env("AWS_REGION").filter(given))
        .or_else(|| env("AWS_DEFAULT_REGION").filter(given))
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, the first of
/// [`SESSION_TOKEN_VARIABLES`] that is set, and `AWS_CREDENTIAL_EXPIRATION` (botocore's
/// `EnvProvider`; both keys needed, empty values count as unset).
pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
    let key = env("AWS_ACCESS_KEY_ID").filter(|v| !v.is_empty())?;
    let secret = env("AWS_SECRET_ACCESS_KEY").filter(|v| !v.is_empty())?;
    let token = SESSION_TOKEN_VARIABLES
        .iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()))
        .map(SecretString::new);
    let expiration = env("AWS_CREDENTIAL_EXPIRATION")
        .and_then(|e| DateTime::parse_from_rfc3339(e.trim()).ok())
        .map(|e| e.with_timezone(&Utc));
    Some(Credentials::new(key, secret, token, expiration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legacy_token_variable_comes_first_as_in_botocore() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let token = |pairs: &'static [(&'static str, &'static str)]| {
            from_env(&env(pairs)).and_then(|c| c.session_token().map(|t| t.expose().to_owned()))
        };
        const KEYS: [(&str, &str); 2] =
            [("AWS_ACCESS_KEY_ID", "AK"), ("AWS_SECRET_ACCESS_KEY", "SK")];
        assert_eq!(
            token(&[KEYS[0], KEYS[1], ("AWS_SECURITY_TOKEN", "LEGACY")]).as_deref(),
            Some("LEGACY")
        );
        assert_eq!(
            token(&[KEYS[0], KEYS[1], ("AWS_SESSION_TOKEN", "NEW")]).as_deref(),
            Some("NEW")
        );
        assert_eq!(
            token(&[
                KEYS[0],
                KEYS[1],
                ("AWS_SESSION_TOKEN", "NEW"),
                ("AWS_SECURITY_TOKEN", "LEGACY")
            ])
            .as_deref(),
            Some("LEGACY")
        );
        assert_eq!(
            token(&[
                KEYS[0],
                KEYS[1],
                ("AWS_SESSION_TOKEN", "NEW"),
                ("AWS_SECURITY_TOKEN", "")
            ])
            .as_deref(),
            Some("NEW")
        );
        assert_eq!(token(&[KEYS[0], KEYS[1]]), None);
    }
}
