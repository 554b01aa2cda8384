//! Time as values: the clock and waiting are passed in, so everything that reads the time
//! or waits (signing, expiry, retries, device-code polling, `ec2 --wait`) can be run by a
//! test without the wall clock or real waits. Only the binary's edge reads the wall clock
//! ([`SystemClock`]).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The wall clock (the binary's) or a fixed one (tests').
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock: the one place that reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the edge where the clock is read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Waiting between polls (an OAuth device-code grant's `interval`, an instance coming
/// up): real waits in the binary, none or recorded ones in tests.
pub trait Sleep: Send + Sync {
    /// Waits `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Real waiting, on tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it was asked to wait, and returns at once.
    #[derive(Default)]
    struct Recorded(std::sync::Mutex<Vec<Duration>>);

    impl Sleep for Recorded {
        fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(duration);
            Box::pin(std::future::ready(()))
        }
    }

    /// Polls `ready` every `interval` through `sleep` until it says yes; how many polls.
    async fn poll(sleep: &dyn Sleep, interval: Duration, mut ready: impl FnMut() -> bool) -> u32 {
        let mut polls = 1;
        while !ready() {
            sleep.sleep(interval).await;
            polls += 1;
        }
        polls
    }

    #[tokio::test]
    async fn a_poller_waits_through_the_sleep_it_is_given() {
        let sleep = Recorded::default();
        let mut left = 3;
        let polls = poll(&sleep, Duration::from_secs(5), || {
            left -= 1;
            left == 0
        })
        .await;
        assert_eq!(polls, 3);
        assert_eq!(
            *sleep
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            vec![Duration::from_secs(5); 2]
        );
    }

    #[tokio::test]
    async fn tokio_sleep_waits_at_least_as_long_as_asked() {
        let start = tokio::time::Instant::now();
        TokioSleep.sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
    }
}
