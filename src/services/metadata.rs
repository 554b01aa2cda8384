//! The credentials JSON the instance metadata service and container endpoints return:
//! `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (and `Code` from IMDS); and
//! what can be wrong with such a document (a `credential_process`'s output too).

use std::fmt;

use chrono::{DateTime, Utc};

use crate::credentials::Credentials;
use crate::secret::SecretString;

/// What is wrong with a credentials document. It names what is wrong, never a value
/// (other than IMDS's `Code`, which is not secret).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentError {
    /// The document is not JSON.
    NotJson,
    /// A `credential_process` document without `Version`.
    NoVersion,
    /// A `credential_process` document whose `Version` is not 1.
    WrongVersion,
    /// IMDS's `Code` is not `Success`.
    Code(String),
    /// A required member is missing or empty.
    Missing(&'static str),
    /// `Expiration` is not an RFC 3339 time.
    BadExpiration,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson => f.write_str("not JSON"),
            Self::NoVersion => f.write_str("no Version"),
            Self::WrongVersion => f.write_str("Version is not 1"),
            Self::Code(code) => write!(f, "Code is {code:?}"),
            Self::Missing(member) => write!(f, "no {member}"),
            Self::BadExpiration => f.write_str("Expiration is not RFC 3339"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// The credentials in a parsed document: `token_member` names the session token's
/// member (`Token` from IMDS and containers, `SessionToken` from a credential process).
pub(crate) fn credentials_in(
    json: &serde_json::Value,
    token_member: &str,
) -> Result<Credentials, DocumentError> {
    let text = |k: &str| {
        json.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let key = text("AccessKeyId").ok_or(DocumentError::Missing("AccessKeyId"))?;
    let secret = text("SecretAccessKey").ok_or(DocumentError::Missing("SecretAccessKey"))?;
    let token = text(token_member).map(SecretString::new);
    let expiration = match text("Expiration") {
        Some(e) => Some(
            DateTime::parse_from_rfc3339(e)
                .map_err(|_| DocumentError::BadExpiration)?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(Credentials::new(key, secret, token, expiration))
}

/// Reads the JSON of IMDS or a container endpoint.
pub fn parse_credentials(body: &[u8]) -> Result<Credentials, DocumentError> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| DocumentError::NotJson)?;
    if let Some(code) = json.get("Code").and_then(serde_json::Value::as_str)
        && code != "Success"
    {
        return Err(DocumentError::Code(code.to_owned()));
    }
    credentials_in(&json, "Token")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_metadata_credentials() {
        let c = parse_credentials(br#"{"Code":"Success","AccessKeyId":"ASIA","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00Z","Type":"AWS-HMAC"}"#).unwrap();
        assert_eq!(c.access_key_id(), "ASIA");
        assert!(c.expiration().is_some());
        assert_eq!(
            parse_credentials(br#"{"Code":"Failure","AccessKeyId":"A","SecretAccessKey":"S"}"#)
                .unwrap_err()
                .to_string(),
            "Code is \"Failure\""
        );
        let err = parse_credentials(
            br#"{"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(err, DocumentError::BadExpiration);
        assert!(!err.to_string().contains("TOPSECRET"));
    }
}
