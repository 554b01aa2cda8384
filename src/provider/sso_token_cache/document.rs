//! One cache file's JSON, as the AWS CLI writes it (`startUrl`, `region`, `accessToken`,
//! `expiresAt`, `refreshToken`, `clientId`, `clientSecret`, `registrationExpiresAt`), and
//! whatever else it holds, kept as it was when aws-login writes the file back. Times are
//! written as the AWS CLI writes them (`%Y-%m-%dT%H:%M:%SZ`) and read in that form, in
//! RFC 3339, or with a `UTC` suffix (older tools). Pure.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

use super::CacheProblem;
use crate::secret::SecretString;

/// A cached SSO token. `Debug` shows no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedToken {
    /// `startUrl`.
    pub start_url: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `accessToken`.
    pub access_token: SecretString,
    /// `expiresAt`.
    pub expires_at: DateTime<Utc>,
    /// `refreshToken`.
    pub refresh_token: Option<SecretString>,
    /// `clientId` of the registration that issued it.
    pub client_id: Option<String>,
    /// `clientSecret` of that registration.
    pub client_secret: Option<SecretString>,
    /// `registrationExpiresAt`.
    pub registration_expires_at: Option<DateTime<Utc>>,
    /// Every other member, as read.
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// The members [`CachedToken`] reads; the rest is kept in `other`.
const KNOWN: [&str; 8] = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "refreshToken",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
];

/// A time in the forms the AWS CLI and older tools write: RFC 3339
/// (`2026-11-30T10:00:00Z`, fractions and offsets allowed) or `2026-11-30T10:00:00UTC`,
/// both with a four-digit year (so that every time read is written back in a form read
/// again: the `json_answers` fuzz target found `-026-…UTC` read as the year -26).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = text.strip_suffix("UTC")?;
    let shape = bare.len() == 19 && bare.bytes().take(4).all(|b| b.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDateTime::parse_from_str(bare, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// A time as the AWS CLI writes it.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl CachedToken {
    /// Reads a cache file's text: a JSON object with a non-empty `accessToken` and a
    /// valid `expiresAt` (what botocore's `SSOTokenLoader` requires); the other known
    /// members are read when they have the right type and ignored otherwise (botocore
    /// then cannot refresh either).
    pub fn parse(text: &str) -> Result<Self, CacheProblem> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|_| CacheProblem::NotJson)?;
        let serde_json::Value::Object(mut map) = json else {
            return Err(CacheProblem::NotAnObject);
        };
        let text = |map: &serde_json::Map<String, serde_json::Value>, key: &str| {
            map.get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let access_token = text(&map, "accessToken").ok_or(CacheProblem::NoAccessToken)?;
        let expires_at = text(&map, "expiresAt")
            .as_deref()
            .and_then(parse_time)
            .ok_or(CacheProblem::NoExpiresAt)?;
        let token = Self {
            start_url: text(&map, "startUrl"),
            region: text(&map, "region"),
            access_token: SecretString::new(access_token),
            expires_at,
            refresh_token: text(&map, "refreshToken").map(SecretString::new),
            client_id: text(&map, "clientId"),
            client_secret: text(&map, "clientSecret").map(SecretString::new),
            registration_expires_at: text(&map, "registrationExpiresAt")
                .as_deref()
                .and_then(parse_time),
            other: serde_json::Map::new(),
        };
        for key in KNOWN {
            map.remove(key);
        }
        Ok(Self {
            other: map,
            ..token
        })
    }

    /// The file's text: the known members, then the others as they were read.
    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                map.insert(key.to_owned(), serde_json::Value::String(v));
            }
        };
        put("startUrl", self.start_url.clone());
        put("region", self.region.clone());
        put("accessToken", Some(self.access_token.expose().to_owned()));
        put("expiresAt", Some(format_time(self.expires_at)));
        put(
            "refreshToken",
            self.refresh_token.as_ref().map(|t| t.expose().to_owned()),
        );
        put("clientId", self.client_id.clone());
        put(
            "clientSecret",
            self.client_secret.as_ref().map(|t| t.expose().to_owned()),
        );
        put(
            "registrationExpiresAt",
            self.registration_expires_at.map(format_time),
        );
        for (k, v) in &self.other {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        serde_json::Value::Object(map).to_string()
    }

    /// Whether the access token expires within `window` of `now`.
    pub fn expires_within(&self, now: DateTime<Utc>, window: chrono::TimeDelta) -> bool {
        self.expires_at - now < window
    }

    /// Whether it can be refreshed at `now`: a refresh token, the registration that
    /// issued it, and that registration still valid (botocore's
    /// `SSOTokenProvider._refresh_access_token` checks the same).
    pub fn refreshable(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|t| t > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS_CLI: &str = r#"{"startUrl": "https://d-1.awsapps.com/start", "region": "eu-west-1", "accessToken": "ACCESS", "expiresAt": "2030-01-02T03:04:05Z", "clientId": "cid", "clientSecret": "CSECRET", "registrationExpiresAt": "2030-03-01T00:00:00Z", "refreshToken": "REFRESH", "futureField": {"kept": [1, 2]}}"#;

    #[test]
    fn reads_the_aws_clis_file_and_writes_it_back_with_unknown_members_kept() {
        let token = CachedToken::parse(AWS_CLI).unwrap();
        assert_eq!(token.region.as_deref(), Some("eu-west-1"));
        assert_eq!(token.expires_at.timestamp(), 1_893_553_445);
        assert!(!format!("{token:?}").contains("ACCESS"));
        let back: serde_json::Value = serde_json::from_str(&token.to_json()).unwrap();
        let original: serde_json::Value = serde_json::from_str(AWS_CLI).unwrap();
        assert_eq!(back, original);
        assert!(token.refreshable(DateTime::UNIX_EPOCH));
        let later = parse_time("2030-03-01T00:00:00Z").unwrap();
        assert!(!token.refreshable(later), "the registration has expired");
    }

    #[test]
    fn what_botocore_requires_is_required() {
        assert_eq!(CachedToken::parse("[1]"), Err(CacheProblem::NotAnObject));
        assert_eq!(
            CachedToken::parse("{\"accessToken\""),
            Err(CacheProblem::NotJson)
        );
        assert_eq!(
            CachedToken::parse(r#"{"expiresAt": "2030-01-01T00:00:00Z"}"#),
            Err(CacheProblem::NoAccessToken)
        );
        assert_eq!(
            CachedToken::parse(r#"{"accessToken": "a", "expiresAt": 5}"#),
            Err(CacheProblem::NoExpiresAt)
        );
        // A legacy file (no registration) is read, and cannot be refreshed.
        let legacy = CachedToken::parse(
            r#"{"startUrl": "u", "region": "r", "accessToken": "a", "expiresAt": "2030-01-01T00:00:00UTC"}"#,
        )
        .unwrap();
        assert!(!legacy.refreshable(DateTime::UNIX_EPOCH));
    }

    #[test]
    fn only_four_digit_years_are_read() {
        // The json_answers fuzz target's find: chrono's %Y reads a sign and any width.
        for text in [
            "-026-11-30T10:00:00UTC",
            "+2026-11-30T10:00:00UTC",
            "12026-11-30T10:00:00UTC",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
        let t = parse_time("2026-11-30T10:00:00UTC").unwrap();
        assert_eq!(parse_time(&format_time(t)), Some(t));
    }

    #[test]
    fn a_leap_second_is_written_and_read_back() {
        // The json_answers fuzz target's second input: chrono reads :60 anywhere.
        let t = parse_time("2026-11-30T12:00:60UTC").unwrap();
        assert_eq!(format_time(t), "2026-11-30T12:00:60Z");
        assert_eq!(parse_time(&format_time(t)), Some(t));
    }

    #[test]
    fn times_are_written_as_the_aws_cli_writes_them() {
        let t = parse_time("2024-01-02T03:04:05.678+00:00").unwrap();
        assert_eq!(format_time(t), "2024-01-02T03:04:05Z");
    }
}
