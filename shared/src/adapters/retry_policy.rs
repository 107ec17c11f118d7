//! When an outbound request to Microsoft is retried, and how long to wait first.

use std::time::{Duration, SystemTime};

/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
/// Base of the exponential backoff when Microsoft gives no `Retry-After`.
const BACKOFF_BASE: Duration = Duration::from_millis(200);

/// Whether a response status is worth retrying. POST is retried only on 429 (Graph did not process
/// it), since a 503/504 may have come after the change was made.
pub fn is_retryable(status: u16, is_post: bool) -> bool {
    match status {
        429 => true,
        503 | 504 => !is_post,
        _ => false,
    }
}

/// Parses `Retry-After` (delay-seconds or an HTTP date). Never shortened: retrying before the time
/// Microsoft asked for only earns another 429 (Graph's throttling guidance). A wait that does not
/// fit in the invocation is not waited at all; the caller is told it instead.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(SystemTime::now())
            .unwrap_or_default(),
    };
    Some(wait)
}

/// Exponential backoff with jitter for attempt `attempt` (1-based) when no `Retry-After` was given.
pub fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE * 2u32.pow(attempt.saturating_sub(1).min(6));
    base + Duration::from_millis(rand::random::<u64>() % (base.as_millis() as u64 / 2 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_statuses_are_retried() {
        assert!(is_retryable(429, true));
        assert!(is_retryable(503, false));
        assert!(!is_retryable(503, true));
        assert!(!is_retryable(500, false));
        assert!(!is_retryable(404, false));
    }

    #[test]
    fn reads_retry_after_in_both_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("3600"), Some(Duration::from_secs(3600)));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
        assert!(parse_retry_after(&soon).unwrap() <= Duration::from_secs(5));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_grows() {
        assert!(
            backoff(1) >= Duration::from_millis(200) && backoff(1) <= Duration::from_millis(300)
        );
        assert!(backoff(3) >= Duration::from_millis(800));
    }
}
