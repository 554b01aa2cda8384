//! A cached OIDC client registration, as the AWS CLI v2 caches it beside its tokens
//! (`~/.aws/sso/cache/<sha1>.json`, `BaseSSOTokenFetcher._registration_cache_key`): the
//! file name is the SHA-1 of `json.dumps({"region", "scopes", "session_name",
//! "startUrl", "tool": "botocore"}, sort_keys=True)`, the document `clientId`,
//! `clientSecret`, `expiresAt`, `scopes`, `grantTypes`. aws-login reads and writes the
//! same files, so either tool reuses the other's registration until it expires. Pure.

use chrono::{DateTime, TimeDelta, Utc};
use sha1::{Digest, Sha1};

use super::CacheProblem;
use super::document::{format_time, parse_time};
use crate::secret::SecretString;

/// What a registration is for (the inputs of its cache key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationKey<'a> {
    /// `startUrl`.
    pub start_url: &'a str,
    /// The Identity Center region.
    pub region: &'a str,
    /// The scopes as configured (`None`: `null` in the key, as the AWS CLI writes it for an
    /// `sso-session` without `sso_registration_scopes`).
    pub scopes: Option<&'a [String]>,
    /// The `sso-session` name (`None` for a legacy profile or a bare start URL).
    pub session_name: Option<&'a str>,
}

/// A string as Python's `json.dumps` writes it (`ensure_ascii=True`): what the AWS CLI
/// and botocore hash for their cache keys (this one's, the assumed-role cache's).
pub(crate) fn python_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

impl RegistrationKey<'_> {
    /// The JSON the AWS CLI hashes, byte for byte.
    pub fn canonical_json(&self) -> String {
        let mut out = String::from("{\"region\": ");
        python_json_string(&mut out, self.region);
        out.push_str(", \"scopes\": ");
        match self.scopes {
            None => out.push_str("null"),
            Some(scopes) => {
                out.push('[');
                for (i, scope) in scopes.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    python_json_string(&mut out, scope);
                }
                out.push(']');
            }
        }
        out.push_str(", \"session_name\": ");
        match self.session_name {
            None => out.push_str("null"),
            Some(name) => python_json_string(&mut out, name),
        }
        out.push_str(", \"startUrl\": ");
        python_json_string(&mut out, self.start_url);
        out.push_str(", \"tool\": \"botocore\"}");
        out
    }

    /// The cache file name.
    pub fn file_name(&self) -> String {
        format!(
            "{}.json",
            hex::encode(Sha1::digest(self.canonical_json().as_bytes()))
        )
    }
}

/// A cached registration. `Debug` shows no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedRegistration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: SecretString,
    /// `expiresAt`: when the registration ends.
    pub expires_at: DateTime<Utc>,
    /// `scopes`, when registered with some.
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`, when the registration names them (authorization code ones do).
    pub grant_types: Option<Vec<String>>,
}

/// How long before its end a registration is no longer used (the AWS CLI's
/// `_EXPIRY_WINDOW` for registrations and tokens alike).
pub const EXPIRY_WINDOW: TimeDelta = TimeDelta::minutes(15);

impl CachedRegistration {
    /// Reads a registration file's text.
    pub fn parse(text: &str) -> Result<Self, CacheProblem> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|_| CacheProblem::NotJson)?;
        let get = |k: &str| {
            json.get(k)
                .and_then(serde_json::Value::as_str)
                .filter(|v| !v.is_empty())
        };
        let list = |k: &str| {
            json.get(k).and_then(serde_json::Value::as_array).map(|a| {
                a.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
        };
        Ok(Self {
            client_id: get("clientId").ok_or(CacheProblem::NoClient)?.to_owned(),
            client_secret: SecretString::new(get("clientSecret").ok_or(CacheProblem::NoClient)?),
            expires_at: get("expiresAt")
                .and_then(parse_time)
                .ok_or(CacheProblem::NoExpiresAt)?,
            scopes: list("scopes"),
            grant_types: list("grantTypes"),
        })
    }

    /// The file's text, as the AWS CLI writes it.
    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert("clientId".into(), self.client_id.clone().into());
        map.insert(
            "clientSecret".into(),
            self.client_secret.expose().to_owned().into(),
        );
        map.insert("expiresAt".into(), format_time(self.expires_at).into());
        if let Some(scopes) = &self.scopes {
            map.insert("scopes".into(), serde_json::json!(scopes));
        }
        if let Some(grants) = &self.grant_types {
            map.insert("grantTypes".into(), serde_json::json!(grants));
        }
        serde_json::Value::Object(map).to_string()
    }

    /// Whether it can still be used at `now` (more than [`EXPIRY_WINDOW`] left).
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - now >= EXPIRY_WINDOW
    }

    /// Whether it was registered for the authorization code grant (the AWS CLI tells a
    /// PKCE registration from a device one by its `grantTypes`).
    pub fn for_auth_code(&self) -> bool {
        self.grant_types
            .as_ref()
            .is_some_and(|g| g.iter().any(|t| t == "authorization_code"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_aws_clis_hash() {
        let scopes = vec!["sso:account:access".to_owned()];
        let key = RegistrationKey {
            start_url: "https://d-1234567890.awsapps.com/start",
            region: "us-east-1",
            scopes: Some(&scopes),
            session_name: Some("corp"),
        };
        // Python: json.dumps({...}, sort_keys=True)
        assert_eq!(
            key.canonical_json(),
            r#"{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#
        );
        let legacy = RegistrationKey {
            scopes: None,
            session_name: None,
            ..key.clone()
        };
        assert!(
            legacy
                .canonical_json()
                .contains(r#""scopes": null, "session_name": null"#)
        );
        let odd = RegistrationKey {
            session_name: Some("é\"\n😀"),
            ..key
        };
        assert!(
            odd.canonical_json()
                .contains(r#""session_name": "\u00e9\"\n\ud83d\ude00""#),
            "{}",
            odd.canonical_json()
        );
    }

    #[test]
    fn registrations_round_trip_and_know_their_grant() {
        let text = r#"{"clientId": "cid", "clientSecret": "SECRET", "expiresAt": "2030-01-01T00:00:00Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}"#;
        let reg = CachedRegistration::parse(text).unwrap();
        assert!(reg.for_auth_code());
        assert!(!format!("{reg:?}").contains("SECRET"));
        let back: serde_json::Value = serde_json::from_str(&reg.to_json()).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        let device = CachedRegistration {
            grant_types: None,
            ..reg.clone()
        };
        assert!(!device.for_auth_code());
        let end = parse_time("2030-01-01T00:00:00Z").unwrap();
        assert!(reg.usable(end - TimeDelta::minutes(16)));
        assert!(!reg.usable(end - TimeDelta::minutes(14)));
        assert_eq!(
            CachedRegistration::parse(r#"{"clientId": "c"}"#),
            Err(CacheProblem::NoClient)
        );
    }
}
