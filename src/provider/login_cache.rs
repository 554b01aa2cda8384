//! The cache of console-credential sessions (`aws login`), as the AWS CLI and botocore
//! keep it (botocore's `LoginTokenLoader` and `LoginCredentialFetcher`): one JSON file per
//! `login_session`, named by the SHA-256 (hex) of the session's name, in
//! `AWS_LOGIN_CACHE_DIRECTORY` or `~/.aws/login/cache/`:
//!
//! `{"accessToken": {"accessKeyId", "secretAccessKey", "sessionToken", "accountId",
//! "expiresAt"}, "refreshToken", "idToken", "clientId", "dpopKey" (PEM), "signInRegion"?}`
//!
//! Read and refreshed here without I/O: the file's text in, a [`LoginToken`] out, and a
//! refreshed document out that keeps every member it does not own. Times are written as
//! botocore writes them (`%Y-%m-%dT%H:%M:%SZ`). `Debug` shows no secret.

use chrono::{DateTime, Utc};
use sha2::Digest as _;

use crate::credentials::Credentials;
use crate::provider::sso_token_cache::document::{format_time, parse_time};
use crate::secret::SecretString;
use crate::services::signin::token::{Granted, Refreshed};

/// The members botocore requires (`_REQUIRED_TOKEN_FIELDS`).
pub const REQUIRED: [&str; 4] = ["accessToken", "refreshToken", "dpopKey", "clientId"];

/// The cache file of `session` in `dir`: `<sha256 hex of the name>.json`.
pub fn cache_path(dir: &std::path::Path, session: &str) -> std::path::PathBuf {
    dir.join(format!(
        "{}.json",
        hex::encode(sha2::Sha256::digest(session.as_bytes()))
    ))
}

/// Why a cache file cannot be used (each names what to do: sign in again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCacheProblem {
    /// Not a JSON object.
    NotJson,
    /// A required member is missing or not of its type.
    Missing(&'static str),
    /// `accessToken.expiresAt` is not a time.
    BadExpiry(String),
}

impl std::fmt::Display for LoginCacheProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson => f.write_str("it is not a JSON object"),
            Self::Missing(member) => write!(f, "it has no {member}"),
            Self::BadExpiry(text) => write!(f, "accessToken.expiresAt {text:?} is not a time"),
        }
    }
}

impl std::error::Error for LoginCacheProblem {}

/// A cached session, read.
#[derive(Clone)]
pub struct LoginToken {
    /// The credentials of `accessToken`, with their expiry.
    pub credentials: Credentials,
    /// `accessToken.accountId`.
    pub account_id: String,
    /// `accessToken.expiresAt`.
    pub expires_at: DateTime<Utc>,
    /// `refreshToken`.
    pub refresh_token: SecretString,
    /// `clientId`.
    pub client_id: String,
    /// `dpopKey` (PEM).
    pub dpop_key: SecretString,
    /// `signInRegion`, when the sign-in recorded it.
    pub sign_in_region: Option<String>,
    /// The whole document, as read (written back with the refreshed members).
    document: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginToken")
            .field("access_key_id", &self.credentials.access_key_id())
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .field("client_id", &self.client_id)
            .field("sign_in_region", &self.sign_in_region)
            .finish_non_exhaustive()
    }
}

/// Reads a cache file's text. Errors: what is missing or malformed.
pub fn parse(text: &str) -> Result<LoginToken, LoginCacheProblem> {
    let document: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|_| LoginCacheProblem::NotJson)?;
    for member in REQUIRED {
        if !document.contains_key(member) {
            return Err(LoginCacheProblem::Missing(member));
        }
    }
    let text_of = |value: Option<&serde_json::Value>, name: &'static str| {
        value
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(LoginCacheProblem::Missing(name))
    };
    let access = document
        .get("accessToken")
        .and_then(serde_json::Value::as_object)
        .ok_or(LoginCacheProblem::Missing("accessToken"))?;
    let expires_text = text_of(access.get("expiresAt"), "accessToken.expiresAt")?;
    let expires_at = parse_time(&expires_text).ok_or(LoginCacheProblem::BadExpiry(expires_text))?;
    let credentials = Credentials::new(
        text_of(access.get("accessKeyId"), "accessToken.accessKeyId")?,
        text_of(access.get("secretAccessKey"), "accessToken.secretAccessKey")?,
        Some(SecretString::new(text_of(
            access.get("sessionToken"),
            "accessToken.sessionToken",
        )?)),
        Some(expires_at),
    );
    Ok(LoginToken {
        credentials,
        account_id: text_of(access.get("accountId"), "accessToken.accountId")?,
        expires_at,
        refresh_token: SecretString::new(text_of(document.get("refreshToken"), "refreshToken")?),
        client_id: text_of(document.get("clientId"), "clientId")?,
        dpop_key: SecretString::new(text_of(document.get("dpopKey"), "dpopKey")?),
        sign_in_region: document
            .get("signInRegion")
            .and_then(serde_json::Value::as_str)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        document,
    })
}

/// A new session's document, as the AWS CLI's `aws login` writes it: `accessToken`
/// (`expiresAt` now plus `expiresIn`, `accountId` the session's), `tokenType`,
/// `clientId`, `refreshToken`, `idToken`, `dpopKey` (SEC1 PEM), and `signInRegion` (the
/// region signed in at, which botocore and aws-login refresh at; the AWS CLI leaves it out
/// and refreshes at the profile's region). The text (a secret) and the token it is.
pub fn new_session(
    granted: &Granted,
    client_id: &str,
    account_id: &str,
    dpop_key: &SecretString,
    sign_in_region: &str,
    now: DateTime<Utc>,
) -> (SecretString, LoginToken) {
    let expires_at = now + chrono::Duration::seconds(granted.token.expires_in);
    let mut document = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| document.insert(key.to_owned(), value);
    put(
        "accessToken",
        serde_json::json!({
            "accessKeyId": granted.token.access_key_id,
            "secretAccessKey": granted.token.secret_access_key.expose(),
            "sessionToken": granted.token.session_token.expose(),
            "accountId": account_id,
            "expiresAt": format_time(expires_at),
        }),
    );
    put("tokenType", granted.token_type.clone().into());
    put("clientId", client_id.into());
    put("refreshToken", granted.token.refresh_token.expose().into());
    put("idToken", granted.id_token.expose().into());
    put("dpopKey", dpop_key.expose().into());
    put("signInRegion", sign_in_region.into());
    let token = LoginToken {
        credentials: Credentials::new(
            granted.token.access_key_id.clone(),
            granted.token.secret_access_key.expose(),
            Some(granted.token.session_token.clone()),
            Some(expires_at),
        ),
        account_id: account_id.to_owned(),
        expires_at,
        refresh_token: granted.token.refresh_token.clone(),
        client_id: client_id.to_owned(),
        dpop_key: dpop_key.clone(),
        sign_in_region: Some(sign_in_region.to_owned()),
        document,
    };
    let text = SecretString::new(serde_json::Value::Object(token.document.clone()).to_string());
    (text, token)
}

impl LoginToken {
    /// The document with `refreshed` in it at `now` (as botocore writes it: the new
    /// `accessToken` with the account id kept and `expiresAt` now plus `expiresIn`, the
    /// new `refreshToken`; every other member as it was), and the token it is.
    pub fn refreshed(&self, refreshed: &Refreshed, now: DateTime<Utc>) -> (String, LoginToken) {
        let expires_at = now + chrono::Duration::seconds(refreshed.expires_in);
        let mut document = self.document.clone();
        document.insert(
            "accessToken".into(),
            serde_json::json!({
                "accessKeyId": refreshed.access_key_id,
                "secretAccessKey": refreshed.secret_access_key.expose(),
                "sessionToken": refreshed.session_token.expose(),
                "accountId": self.account_id,
                "expiresAt": format_time(expires_at),
            }),
        );
        document.insert(
            "refreshToken".into(),
            serde_json::Value::String(refreshed.refresh_token.expose().to_owned()),
        );
        let text = serde_json::Value::Object(document.clone()).to_string();
        let token = LoginToken {
            credentials: Credentials::new(
                refreshed.access_key_id.clone(),
                refreshed.secret_access_key.expose(),
                Some(refreshed.session_token.clone()),
                Some(expires_at),
            ),
            expires_at,
            refresh_token: refreshed.refresh_token.clone(),
            document,
            ..self.clone()
        };
        (text, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CACHED: &str = r#"{"accessToken":{"accessKeyId":"ASIALOGIN","secretAccessKey":"SECRET-1","sessionToken":"TOKEN-1","accountId":"111122223333","expiresAt":"2026-11-29T12:00:00Z"},"refreshToken":"REFRESH-1","idToken":"ID-1","clientId":"arn:aws:signin:::devtools/same-device","dpopKey":"-----BEGIN EC PRIVATE KEY-----\nX\n-----END EC PRIVATE KEY-----\n","signInRegion":"eu-west-1","futureMember":{"kept":true}}"#;

    #[test]
    fn the_cache_file_is_named_and_read_as_botocore_does() {
        assert_eq!(
            cache_path(
                std::path::Path::new("/c"),
                "arn:aws:iam::111122223333:user/alice"
            ),
            std::path::PathBuf::from(format!(
                "/c/{}.json",
                hex::encode(sha2::Sha256::digest(
                    b"arn:aws:iam::111122223333:user/alice"
                ))
            ))
        );
        let token = parse(CACHED).unwrap();
        assert_eq!(token.credentials.access_key_id(), "ASIALOGIN");
        assert_eq!(token.account_id, "111122223333");
        assert_eq!(token.sign_in_region.as_deref(), Some("eu-west-1"));
        assert_eq!(format_time(token.expires_at), "2026-11-29T12:00:00Z");
        let shown = format!("{token:?}");
        for secret in ["SECRET-1", "TOKEN-1", "REFRESH-1", "BEGIN EC"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn a_refresh_keeps_every_other_member() {
        let token = parse(CACHED).unwrap();
        let now = parse_time("2026-11-29T11:58:00Z").unwrap();
        let (text, fresh) = token.refreshed(
            &Refreshed {
                access_key_id: "ASIANEW".into(),
                secret_access_key: SecretString::new("SECRET-2"),
                session_token: SecretString::new("TOKEN-2"),
                expires_in: 900,
                refresh_token: SecretString::new("REFRESH-2"),
            },
            now,
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["accessToken"]["accessKeyId"], "ASIANEW");
        assert_eq!(json["accessToken"]["accountId"], "111122223333");
        assert_eq!(json["accessToken"]["expiresAt"], "2026-11-29T12:13:00Z");
        assert_eq!(json["refreshToken"], "REFRESH-2");
        assert_eq!(json["idToken"], "ID-1");
        assert_eq!(json["futureMember"]["kept"], true);
        assert_eq!(json["signInRegion"], "eu-west-1");
        assert_eq!(fresh.credentials.access_key_id(), "ASIANEW");
        assert_eq!(parse(&text).unwrap().refresh_token.expose(), "REFRESH-2");
    }

    #[test]
    fn a_new_session_is_written_as_the_aws_cli_writes_it_and_reads_back() {
        let now = parse_time("2026-11-30T10:00:00Z").unwrap();
        let granted = Granted {
            token: Refreshed {
                access_key_id: "ASIAFIRST".into(),
                secret_access_key: SecretString::new("SECRET-0"),
                session_token: SecretString::new("TOKEN-0"),
                expires_in: 900,
                refresh_token: SecretString::new("REFRESH-0"),
            },
            token_type: "aws_sigv4".into(),
            id_token: SecretString::new("ID-0"),
        };
        let pem =
            SecretString::new("-----BEGIN EC PRIVATE KEY-----\nK\n-----END EC PRIVATE KEY-----\n");
        let (text, token) = new_session(
            &granted,
            "arn:aws:signin:::devtools/same-device",
            "111122223333",
            &pem,
            "eu-central-1",
            now,
        );
        let json: serde_json::Value = serde_json::from_str(text.expose()).unwrap();
        assert_eq!(
            json["accessToken"],
            serde_json::json!({"accessKeyId": "ASIAFIRST", "secretAccessKey": "SECRET-0",
                "sessionToken": "TOKEN-0", "accountId": "111122223333",
                "expiresAt": "2026-11-30T10:15:00Z"})
        );
        assert_eq!(json["tokenType"], "aws_sigv4");
        assert_eq!(json["clientId"], "arn:aws:signin:::devtools/same-device");
        assert_eq!(json["refreshToken"], "REFRESH-0");
        assert_eq!(json["idToken"], "ID-0");
        assert_eq!(json["dpopKey"], pem.expose());
        assert_eq!(json["signInRegion"], "eu-central-1");
        let back = parse(text.expose()).unwrap();
        assert_eq!(back.expires_at, token.expires_at);
        assert_eq!(back.sign_in_region.as_deref(), Some("eu-central-1"));
        assert!(!format!("{text:?}").contains("SECRET-0"));
    }

    #[test]
    fn what_is_missing_is_named() {
        assert_eq!(parse("[]").err(), Some(LoginCacheProblem::NotJson));
        assert_eq!(
            parse("{\"accessToken\"").err(),
            Some(LoginCacheProblem::NotJson)
        );
        let without = |member: &str| {
            let mut json: serde_json::Value = serde_json::from_str(CACHED).unwrap();
            json.as_object_mut().unwrap().remove(member);
            parse(&json.to_string()).err()
        };
        for member in REQUIRED {
            assert_eq!(without(member), Some(LoginCacheProblem::Missing(member)));
        }
        let bad = CACHED.replace("2026-11-29T12:00:00Z", "tomorrow");
        assert_eq!(
            parse(&bad).err(),
            Some(LoginCacheProblem::BadExpiry("tomorrow".into()))
        );
        let no_key = CACHED.replace(r#""accessKeyId":"ASIALOGIN","#, "");
        assert_eq!(
            parse(&no_key).err(),
            Some(LoginCacheProblem::Missing("accessToken.accessKeyId"))
        );
    }
}
