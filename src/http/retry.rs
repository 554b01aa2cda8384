//! When to try a request again and how long to wait: the AWS SDKs' "standard" retry mode,
//! as botocore 1.44.5 implements it.
//!
//! - Up to 3 attempts by default (`AWS_MAX_ATTEMPTS`, profile `max_attempts`).
//! - Retried: throttling error codes and HTTP 429, transient codes, HTTP 500/502/503/504,
//!   connection failures, resets and timeouts. Never any other 4xx.
//! - Delay before retry `i` (1-based), with `ceiling = min(scale * 2^(i-1), 20 s)`:
//!   `rand(0,1) * ceiling` ("full jitter", botocore's) after a transient failure (`scale`
//!   50 ms), and `ceiling * (1 + rand(0,1)) / 2` ("equal jitter") after throttling
//!   (`scale` 1 s). The floor is aws-login's own: with full jitter, a process of a fleet
//!   that draws small numbers spends its attempts inside the throttled burst and fails
//!   although the service would serve it a second later (tests/fleet.rs saw 1 in 200
//!   fail with 5 attempts); half the ceiling guaranteed makes every throttled process wait
//!   at least 0.5 + 1 + 2 + ... s, while the other half keeps the fleet spread. An
//!   `x-amz-retry-after` header (milliseconds) raises the delay, by at most 5 s.
//! - A process-wide retry quota (500 tokens, a retry costs 14, or 5 when throttled, a
//!   success gives back) stops retry storms when a service is down.
//!
//! Pure: the random source is passed in, and nothing here sleeps.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// Error codes that mean "slow down".
pub const THROTTLING_CODES: [&str; 14] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of passing failures.
pub const TRANSIENT_CODES: [&str; 3] = [
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// HTTP statuses of passing failures.
pub const TRANSIENT_STATUSES: [u16; 4] = [500, 502, 503, 504];

/// The most a backoff delay grows to.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// The default number of attempts (the first one included).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// The service answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The AWS error code, when the body had one.
        code: Option<&'a str>,
        /// The `x-amz-retry-after` header, in milliseconds, as sent.
        retry_after_ms: Option<&'a str>,
    },
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect,
    /// The connection broke during the exchange.
    Reset,
    /// The attempt ran out of time.
    Timeout,
}

/// Why a failure may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asks us to slow down.
    Throttling,
    /// A passing failure: 5xx, a reset, a timeout.
    Transient,
}

/// Whether a failure is worth retrying, and why.
pub fn retry_kind(failure: &Failure<'_>) -> Option<RetryKind> {
    match *failure {
        Failure::Connect | Failure::Reset | Failure::Timeout => Some(RetryKind::Transient),
        Failure::Status { status, code, .. } => {
            if code.is_some_and(|c| THROTTLING_CODES.contains(&c)) {
                Some(RetryKind::Throttling)
            } else if code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
                || TRANSIENT_STATUSES.contains(&status)
            {
                Some(RetryKind::Transient)
            } else if status == 429 {
                // An unrecognised code (or none) with 429 is throttling all the same.
                Some(RetryKind::Throttling)
            } else {
                None
            }
        }
    }
}

/// A source of numbers in `[0, 1)` for the jitter.
pub trait Jitter {
    /// The next number in `[0, 1)`.
    fn next_unit(&mut self) -> f64;
}

/// xorshift64*: fast, seedable, plenty for spreading retries out.
#[derive(Debug, Clone)]
pub struct XorShiftJitter(u64);

impl XorShiftJitter {
    /// A generator from a seed (the binary seeds it from the clock and process id).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }
}

impl Jitter for XorShiftJitter {
    fn next_unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The retry budget shared by every request of the process.
#[derive(Debug)]
pub struct RetryQuota {
    available: Mutex<u32>,
}

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 14;
const THROTTLING_RETRY_COST: u32 = 5;

impl Default for RetryQuota {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryQuota {
    /// A full quota.
    pub fn new() -> Self {
        Self {
            available: Mutex::new(QUOTA_CAPACITY),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u32> {
        // A plain counter cannot be left inconsistent by a panic elsewhere.
        self.available.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the cost of a retry; `None` when the quota is spent.
    fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = match kind {
            RetryKind::Throttling => THROTTLING_RETRY_COST,
            RetryKind::Transient => RETRY_COST,
        };
        let mut available = self.lock();
        (*available >= cost).then(|| {
            *available -= cost;
            cost
        })
    }

    /// Gives back after a success: what the last retry took, or 1 when none was needed.
    pub fn release_on_success(&self, last_retry_cost: Option<u32>) {
        let mut available = self.lock();
        *available = (*available + last_retry_cost.unwrap_or(1)).min(QUOTA_CAPACITY);
    }

    /// What is left.
    pub fn available(&self) -> u32 {
        *self.lock()
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again. `cost` is what the quota gave for it.
    Retry {
        /// How long to wait.
        delay: Duration,
        /// Quota taken (given back on success).
        cost: u32,
    },
    /// Stop and report the failure.
    GiveUp(GiveUpReason),
}

/// Why there is no further attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The failure is not one that a retry can fix (a 4xx other than throttling).
    NotRetryable,
    /// Every allowed attempt was made.
    AttemptsExhausted(u32),
    /// The process-wide retry quota is spent.
    QuotaExhausted,
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotRetryable => f.write_str("not retryable"),
            Self::AttemptsExhausted(n) => write!(f, "gave up after {n} attempts"),
            Self::QuotaExhausted => f.write_str("gave up: retry quota exhausted"),
        }
    }
}

/// `max_attempts` that is not a whole number of at least 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMaxAttempts {
    /// Where the value came from (`AWS_MAX_ATTEMPTS`, a profile...).
    pub source: String,
    /// The value as given.
    pub value: String,
}

impl fmt::Display for InvalidMaxAttempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid max_attempts {:?} from {}: expected a whole number of at least 1",
            self.value, self.source
        )
    }
}

impl std::error::Error for InvalidMaxAttempts {}

/// How many times to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

impl RetryPolicy {
    /// From `AWS_MAX_ATTEMPTS` (env wins, as in the SDKs), else the profile's
    /// `max_attempts`, else 3.
    pub fn resolve(
        env_value: Option<&str>,
        profile_value: Option<&str>,
    ) -> Result<Self, InvalidMaxAttempts> {
        let (source, value) = match (env_value, profile_value) {
            (Some(v), _) => ("AWS_MAX_ATTEMPTS", v),
            (None, Some(v)) => ("the profile's max_attempts", v),
            (None, None) => return Ok(Self::default()),
        };
        match value.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Self { max_attempts: n }),
            _ => Err(InvalidMaxAttempts {
                source: source.to_owned(),
                value: value.to_owned(),
            }),
        }
    }

    /// After attempt number `attempt` (1-based) failed with `failure`: retry, and after how
    /// long, or give up.
    pub fn decide(
        &self,
        attempt: u32,
        failure: &Failure<'_>,
        quota: &RetryQuota,
        jitter: &mut dyn Jitter,
    ) -> Decision {
        let Some(kind) = retry_kind(failure) else {
            return Decision::GiveUp(GiveUpReason::NotRetryable);
        };
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GiveUpReason::AttemptsExhausted(attempt));
        }
        let Some(cost) = quota.acquire(kind) else {
            return Decision::GiveUp(GiveUpReason::QuotaExhausted);
        };
        let retry_after = match failure {
            Failure::Status {
                retry_after_ms: Some(ms),
                ..
            } => ms.trim().parse::<u64>().ok().map(Duration::from_millis),
            _ => None,
        };
        Decision::Retry {
            delay: backoff(attempt, kind, retry_after, jitter),
            cost,
        }
    }
}

/// The delay before the retry that follows failed attempt `attempt` (1-based).
pub fn backoff(
    attempt: u32,
    kind: RetryKind,
    retry_after: Option<Duration>,
    jitter: &mut dyn Jitter,
) -> Duration {
    let scale = match kind {
        RetryKind::Throttling => 1.0,
        RetryKind::Transient => 0.05,
    };
    let exponent = attempt.saturating_sub(1).min(30) as i32;
    let ceiling = (scale * 2f64.powi(exponent)).min(MAX_BACKOFF.as_secs_f64());
    let u = jitter.next_unit().clamp(0.0, 1.0);
    let t = Duration::from_secs_f64(match kind {
        RetryKind::Throttling => ceiling * (1.0 + u) / 2.0,
        RetryKind::Transient => u * ceiling,
    });
    match retry_after {
        Some(after) => t.max(after.min(t + Duration::from_secs(5))),
        None => t,
    }
}

/// How a metadata endpoint (IMDS, the container credentials endpoint) is retried, as data:
/// botocore's fetchers do not use the standard mode but a number of attempts, each within
/// its own time limit, with a fixed pause between them. A connection failure, a timeout,
/// a 5xx or a 429 (throttling) answer is tried again; any other answer is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Attempts in all, the first included (at least 1 is made).
    pub attempts: u32,
    /// The time limit of each attempt, as a whole.
    pub attempt_timeout: Duration,
    /// The pause before each further attempt.
    pub pause: Duration,
}

impl FetchPolicy {
    /// Whether an attempt that ended with `status` (`None`: no answer, a connection
    /// failure or a timeout) is tried again, attempts allowing.
    pub fn retries(&self, status: Option<u16>) -> bool {
        // 429: IMDS and the container agents throttle with it.
        status.is_none_or(|s| s >= 500 || s == 429)
    }
}

#[cfg(test)]
mod tests;
