//! The credentials JSON the instance metadata service and container endpoints return:
//! `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (and `Code` from IMDS).

use chrono::{DateTime, Utc};

use crate::credentials::Credentials;
use crate::secret::SecretString;

/// Reads the JSON; the error names what is wrong, never a value.
pub(crate) fn parse_credentials(body: &[u8]) -> Result<Credentials, String> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "not JSON".to_owned())?;
    if let Some(code) = json.get("Code").and_then(serde_json::Value::as_str)
        && code != "Success"
    {
        return Err(format!("Code is {code:?}"));
    }
    let text = |k: &str| {
        json.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let key = text("AccessKeyId").ok_or("no AccessKeyId")?;
    let secret = text("SecretAccessKey").ok_or("no SecretAccessKey")?;
    let token = text("Token").map(SecretString::new);
    let expiration = match text("Expiration") {
        Some(e) => Some(
            DateTime::parse_from_rfc3339(e)
                .map_err(|_| "Expiration is not RFC 3339".to_owned())?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(Credentials::new(key, secret, token, expiration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_metadata_credentials() {
        let c = parse_credentials(br#"{"Code":"Success","AccessKeyId":"ASIA","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00Z","Type":"AWS-HMAC"}"#).unwrap();
        assert_eq!(c.access_key_id(), "ASIA");
        assert!(c.expiration().is_some());
        assert!(
            parse_credentials(br#"{"Code":"Failure","AccessKeyId":"A","SecretAccessKey":"S"}"#)
                .unwrap_err()
                .contains("Failure")
        );
        let err = parse_credentials(
            br#"{"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"x"}"#,
        )
        .unwrap_err();
        assert!(!err.contains("TOPSECRET"));
    }
}
