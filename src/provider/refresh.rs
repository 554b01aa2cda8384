//! Holds credentials for a while and renews them [`crate::credentials::REFRESH_WINDOW`] before they expire.
//! What renews them and what time it is are passed in; this module only decides.

use chrono::{DateTime, Utc};

use crate::credentials::Credentials;

/// What [`Refreshing::get`] hands out.
#[derive(Debug)]
pub enum Served<E> {
    /// Credentials outside the refresh window (renewed if they had to be).
    Fresh(Credentials),
    /// Renewal failed, but the held credentials still work until they expire.
    Stale {
        /// The held credentials.
        credentials: Credentials,
        /// Why renewal failed.
        error: E,
    },
    /// Renewal failed and the held credentials have expired.
    Failed(E),
}

/// Credentials that are renewed when they come within [`crate::credentials::REFRESH_WINDOW`] of expiry.
#[derive(Debug)]
pub struct Refreshing {
    current: Credentials,
}

impl Refreshing {
    /// Starts with `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            current: credentials,
        }
    }

    /// The credentials to use at `now`, renewed by `renew` first when they are due.
    pub async fn get<E>(
        &mut self,
        now: DateTime<Utc>,
        renew: impl AsyncFnOnce() -> Result<Credentials, E>,
    ) -> Served<E> {
        if !self.current.needs_refresh(now) {
            return Served::Fresh(self.current.clone());
        }
        match renew().await {
            Ok(renewed) => {
                self.current = renewed;
                Served::Fresh(self.current.clone())
            }
            Err(error) if self.current.is_expired(now) => Served::Failed(error),
            Err(error) => Served::Stale {
                credentials: self.current.clone(),
                error,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn creds(key: &str, expiry: &str) -> Credentials {
        Credentials::new(key, "S", None, Some(at(expiry)))
    }

    #[tokio::test]
    async fn renews_only_inside_the_window() {
        let mut held = Refreshing::new(creds("OLD", "2030-01-01T12:00:00Z"));
        let early = held
            .get(at("2030-01-01T11:54:00Z"), async || -> Result<_, ()> {
                panic!("not due yet")
            })
            .await;
        assert!(matches!(early, Served::Fresh(c) if c.access_key_id() == "OLD"));
        let due = held
            .get(at("2030-01-01T11:56:00Z"), async || -> Result<_, ()> {
                Ok(creds("NEW", "2030-01-01T13:00:00Z"))
            })
            .await;
        assert!(matches!(due, Served::Fresh(c) if c.access_key_id() == "NEW"));
        let later = held
            .get(at("2030-01-01T12:30:00Z"), async || -> Result<_, ()> {
                panic!("the renewed ones are not due")
            })
            .await;
        assert!(matches!(later, Served::Fresh(c) if c.access_key_id() == "NEW"));
    }

    #[tokio::test]
    async fn a_failed_renewal_serves_what_still_works_then_fails() {
        let mut held = Refreshing::new(creds("OLD", "2030-01-01T12:00:00Z"));
        let stale = held
            .get(at("2030-01-01T11:58:00Z"), async || Err("sts down"))
            .await;
        assert!(
            matches!(stale, Served::Stale { credentials, error: "sts down" } if credentials.access_key_id() == "OLD")
        );
        let failed = held
            .get(at("2030-01-01T12:00:00Z"), async || Err("sts down"))
            .await;
        assert!(matches!(failed, Served::Failed("sts down")));
    }

    #[tokio::test]
    async fn credentials_without_expiry_are_never_renewed() {
        let mut held = Refreshing::new(Credentials::new("AKIA", "S", None, None));
        let served = held
            .get(at("2999-01-01T00:00:00Z"), async || -> Result<_, ()> {
                panic!("never due")
            })
            .await;
        assert!(matches!(served, Served::Fresh(_)));
    }
}
