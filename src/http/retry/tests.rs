//! The standard retry mode: classification, quota, backoff and the policy's settings.
use super::*;

/// Replays a fixed sequence.
struct Scripted(Vec<f64>);

impl Jitter for Scripted {
    fn next_unit(&mut self) -> f64 {
        self.0.remove(0)
    }
}

fn status(status: u16, code: Option<&str>) -> Failure<'_> {
    Failure::Status {
        status,
        code,
        retry_after_ms: None,
    }
}

#[test]
fn classifies_like_botocore_standard_mode() {
    assert_eq!(
        retry_kind(&status(400, Some("Throttling"))),
        Some(RetryKind::Throttling)
    );
    assert_eq!(
        retry_kind(&status(503, Some("RequestLimitExceeded"))),
        Some(RetryKind::Throttling)
    );
    assert_eq!(retry_kind(&status(429, None)), Some(RetryKind::Throttling));
    assert_eq!(
        retry_kind(&status(429, Some("Whatever"))),
        Some(RetryKind::Throttling)
    );
    assert_eq!(
        retry_kind(&status(400, Some("RequestTimeout"))),
        Some(RetryKind::Transient)
    );
    for s in [500, 502, 503, 504] {
        assert_eq!(retry_kind(&status(s, None)), Some(RetryKind::Transient));
    }
    for f in [Failure::Connect, Failure::Reset, Failure::Timeout] {
        assert_eq!(retry_kind(&f), Some(RetryKind::Transient));
    }
    for (s, c) in [
        (400, Some("ValidationError")),
        (403, Some("AccessDenied")),
        (404, None),
        (501, None),
    ] {
        assert_eq!(retry_kind(&status(s, c)), None, "{s} {c:?}");
    }
}

#[test]
fn throttled_twice_then_retried_with_jittered_delays() {
    let policy = RetryPolicy::default();
    let quota = RetryQuota::new();
    let mut jitter = Scripted(vec![0.5, 0.25]);
    let f = status(400, Some("Throttling"));
    assert_eq!(
        policy.decide(1, &f, &quota, &mut jitter),
        Decision::Retry {
            delay: Duration::from_millis(750),
            cost: 5
        }
    );
    assert_eq!(
        policy.decide(2, &f, &quota, &mut jitter),
        Decision::Retry {
            delay: Duration::from_millis(1250),
            cost: 5
        }
    );
    assert_eq!(
        policy.decide(3, &f, &quota, &mut jitter),
        Decision::GiveUp(GiveUpReason::AttemptsExhausted(3))
    );
    assert_eq!(quota.available(), 490);
    quota.release_on_success(Some(5));
    assert_eq!(quota.available(), 495);
}

#[test]
fn transient_failures_back_off_from_50ms_throttles_from_half_a_second_and_cap_at_20s() {
    let mut one = Scripted(vec![1.0; 8]);
    let delays: Vec<u128> = (1..=4)
        .map(|a| backoff(a, RetryKind::Transient, None, &mut one).as_millis())
        .collect();
    assert_eq!(delays, [50, 100, 200, 400]);
    assert_eq!(
        backoff(40, RetryKind::Throttling, None, &mut one),
        MAX_BACKOFF
    );
    // Throttling: at least half the ceiling (equal jitter), at most all of it.
    assert_eq!(
        backoff(3, RetryKind::Throttling, None, &mut Scripted(vec![0.0])),
        Duration::from_secs(2)
    );
    assert_eq!(
        backoff(3, RetryKind::Throttling, None, &mut Scripted(vec![1.0])),
        Duration::from_secs(4)
    );
    assert_eq!(
        backoff(1, RetryKind::Transient, None, &mut Scripted(vec![0.0])),
        Duration::ZERO
    );
}

#[test]
fn retry_after_raises_the_delay_by_at_most_5s() {
    let f = |ms| Failure::Status {
        status: 503,
        code: None,
        retry_after_ms: Some(ms),
    };
    let policy = RetryPolicy { max_attempts: 5 };
    let quota = RetryQuota::new();
    let delay = |ms, u| match policy.decide(1, &f(ms), &quota, &mut Scripted(vec![u])) {
        Decision::Retry { delay, .. } => delay,
        other => panic!("{other:?}"),
    };
    assert_eq!(delay("1500", 0.5), Duration::from_millis(1500));
    assert_eq!(delay("60000", 0.0), Duration::from_secs(5));
    assert_eq!(delay("nonsense", 1.0), Duration::from_millis(50));
}

#[test]
fn client_errors_are_not_retried_and_the_quota_stops_storms() {
    let policy = RetryPolicy::default();
    let quota = RetryQuota::new();
    let mut jitter = XorShiftJitter::new(7);
    assert_eq!(
        policy.decide(1, &status(403, Some("AccessDenied")), &quota, &mut jitter),
        Decision::GiveUp(GiveUpReason::NotRetryable)
    );
    let mut retries = 0;
    while let Decision::Retry { .. } = policy.decide(1, &status(503, None), &quota, &mut jitter) {
        retries += 1;
    }
    assert_eq!(retries, 500 / 14);
    assert_eq!(
        policy.decide(1, &status(503, None), &quota, &mut jitter),
        Decision::GiveUp(GiveUpReason::QuotaExhausted)
    );
}

#[test]
fn max_attempts_from_env_then_profile() {
    assert_eq!(
        RetryPolicy::resolve(None, None),
        Ok(RetryPolicy { max_attempts: 3 })
    );
    assert_eq!(
        RetryPolicy::resolve(Some("5"), Some("2")),
        Ok(RetryPolicy { max_attempts: 5 })
    );
    assert_eq!(
        RetryPolicy::resolve(None, Some(" 2 ")),
        Ok(RetryPolicy { max_attempts: 2 })
    );
    let err = RetryPolicy::resolve(Some("0"), None).unwrap_err();
    assert!(err.to_string().contains("AWS_MAX_ATTEMPTS"), "{err}");
    assert!(RetryPolicy::resolve(None, Some("three")).is_err());
}

#[test]
fn xorshift_stays_in_the_unit_interval() {
    let mut j = XorShiftJitter::new(0);
    for _ in 0..10_000 {
        let u = j.next_unit();
        assert!((0.0..1.0).contains(&u), "{u}");
    }
}

#[test]
fn metadata_endpoints_retry_no_answer_5xx_and_429_only() {
    let policy = FetchPolicy {
        attempts: 3,
        attempt_timeout: Duration::from_secs(1),
        pause: Duration::ZERO,
    };
    for again in [None, Some(500), Some(503), Some(429)] {
        assert!(policy.retries(again), "{again:?}");
    }
    for last in [Some(200), Some(404), Some(401), Some(403), Some(307)] {
        assert!(!policy.retries(last), "{last:?}");
    }
}
