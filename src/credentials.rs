//! AWS credentials as aws-login holds them: key id, secret, optional session token and
//! expiry. The ground floor: the signer, the transport, every service and the chain use
//! this value; it uses nothing of theirs. `Debug` shows the key id only.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::secret::SecretString;

/// A set of AWS credentials. `Debug` shows the access key id only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
    expiration: Option<DateTime<Utc>>,
}

impl Credentials {
    /// Credentials from their parts. An empty session token counts as none, as the SDKs treat it.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<SecretString>,
        session_token: Option<SecretString>,
        expiration: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: session_token.filter(|t| !t.is_empty()),
            expiration,
        }
    }

    /// The access key id (not secret: it appears in every signed request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The access key id as logs and `Debug` show it: as it is when it is made of ASCII
    /// letters and digits (every key id AWS issues is), else only its length, since
    /// something else may have been folded into it (a token on a continued line).
    pub fn shown_key_id(&self) -> String {
        if !self.access_key_id.is_empty()
            && self
                .access_key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            self.access_key_id.clone()
        } else {
            format!(
                "<not a valid access key id, {} characters>",
                self.access_key_id.chars().count()
            )
        }
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &SecretString {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&SecretString> {
        self.session_token.as_ref()
    }

    /// When temporary credentials stop working.
    pub fn expiration(&self) -> Option<DateTime<Utc>> {
        self.expiration
    }
}

/// How long before their expiry credentials are renewed (the SDKs' advisory window is
/// of the same order; five minutes leaves a signed request time to arrive).
pub const REFRESH_WINDOW: TimeDelta = TimeDelta::minutes(5);

impl Credentials {
    /// Whether credentials should be renewed at `now`: they expire within [`REFRESH_WINDOW`].
    /// Credentials without an expiry never need it.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        self.expiration.is_some_and(|e| e - REFRESH_WINDOW <= now)
    }

    /// Whether credentials no longer work at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expiration.is_some_and(|e| e <= now)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.shown_key_id())
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_key_id_only() {
        let c = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(SecretString::new("TOKEN-SECRET-VALUE")),
            None,
        );
        let debug = format!("{c:?}");
        assert!(debug.contains("AKIDEXAMPLE"), "{debug}");
        assert!(!debug.contains("wJalr"), "{debug}");
        assert!(!debug.contains("TOKEN-SECRET"), "{debug}");
    }

    #[test]
    fn a_key_id_that_holds_more_is_not_shown() {
        let c = Credentials::new("AKID\naws_session_token=TOKENVALUE", "s", None, None);
        assert_eq!(
            c.shown_key_id(),
            "<not a valid access key id, 33 characters>"
        );
        assert!(!format!("{c:?}").contains("TOKENVALUE"));
        let c = Credentials::new("ASIAEXAMPLE123", "s", None, None);
        assert_eq!(c.shown_key_id(), "ASIAEXAMPLE123");
    }

    #[test]
    fn refresh_window_is_five_minutes_before_expiry() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let c = Credentials::new("AKID", "s", None, Some(at("2030-01-01T12:00:00Z")));
        assert!(!c.needs_refresh(at("2030-01-01T11:54:59Z")));
        assert!(c.needs_refresh(at("2030-01-01T11:55:00Z")));
        assert!(!c.is_expired(at("2030-01-01T11:59:59Z")));
        assert!(c.is_expired(at("2030-01-01T12:00:00Z")));
        let forever = Credentials::new("AKID", "s", None, None);
        assert!(!forever.needs_refresh(at("2999-01-01T00:00:00Z")));
        assert!(!forever.is_expired(at("2999-01-01T00:00:00Z")));
    }

    #[test]
    fn empty_session_token_is_none() {
        let c = Credentials::new("AKID", "secret", Some(SecretString::new("")), None);
        assert!(c.session_token().is_none());
    }
}
