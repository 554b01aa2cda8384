//! A caller for library-level tests against the mock: a loopback client (no system
//! roots to load), a fixed clock, no jitter.

use aws_login::http::call::Caller;
use aws_login::http::client::{HttpClient, TransportConfig};
use aws_login::http::retry::{Jitter, RetryPolicy};
use aws_login::time::Clock;
use chrono::{DateTime, Utc};

/// A clock stopped at 2027-01-15T08:00:00Z.
pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }
}

/// Jitter of 0: retries come at once.
pub struct NoJitter;

impl Jitter for NoJitter {
    fn next_unit(&mut self) -> f64 {
        0.0
    }
}

/// A client for loopback fakes.
pub fn loopback_client() -> HttpClient {
    HttpClient::new(TransportConfig {
        system_roots: false,
        ..TransportConfig::default()
    })
    .unwrap()
}

/// A caller over `client` with the fixed clock and no jitter.
pub fn test_caller(client: &HttpClient) -> Caller<'_> {
    Caller::new(
        client,
        &FixedClock,
        RetryPolicy::default(),
        Box::new(NoJitter),
    )
}
