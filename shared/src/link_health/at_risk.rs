//! When a link that keeps failing is at risk: its refreshes have failed for `LINK_AT_RISK_DAYS`
//! (default 7), or its last successful refresh is within that many days of Microsoft's 90-day
//! inactivity limit, after which the refresh token is dead for good ("The default lifetime for the
//! refresh tokens is ... 90 days", and inactive ones fail with AADSTS700082:
//! <https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens>).

use crate::link_health::reason::LinkReason;

/// Seconds in a day.
pub const DAY_SECS: i64 = 24 * 3600;
/// Microsoft's inactivity limit of a refresh token.
pub const INACTIVITY_LIMIT_SECS: i64 = 90 * DAY_SECS;
/// The default of `LINK_AT_RISK_DAYS`.
pub const DEFAULT_AT_RISK_DAYS: u32 = 7;

/// How long a link may fail before it is announced at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtRiskPolicy {
    /// Failing this long (seconds), or this close to the inactivity limit, is at risk.
    pub margin_secs: i64,
}

impl Default for AtRiskPolicy {
    fn default() -> Self {
        Self::days(DEFAULT_AT_RISK_DAYS)
    }
}

impl AtRiskPolicy {
    /// At risk after `days` of failures, or `days` before the inactivity limit.
    pub fn days(days: u32) -> Self {
        Self {
            margin_secs: i64::from(days) * DAY_SECS,
        }
    }

    /// Why a link failing since `failing_since` and last refreshed at `last_refresh_at` is at risk
    /// at `now`, if it is.
    pub fn at_risk(
        &self,
        failing_since: i64,
        last_refresh_at: i64,
        now: i64,
    ) -> Option<LinkReason> {
        if now - last_refresh_at >= INACTIVITY_LIMIT_SECS - self.margin_secs {
            Some(LinkReason::InactivityLimitNear)
        } else if now - failing_since >= self.margin_secs {
            Some(LinkReason::RefreshFailing)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_risk_after_the_days_or_near_the_inactivity_limit() {
        let policy = AtRiskPolicy::days(7);
        let now = 1_000 * DAY_SECS;
        let fresh = now - 20 * DAY_SECS;
        assert_eq!(policy.at_risk(now - 6 * DAY_SECS, fresh, now), None);
        assert_eq!(
            policy.at_risk(now - 7 * DAY_SECS, fresh, now),
            Some(LinkReason::RefreshFailing)
        );
        assert_eq!(
            policy.at_risk(now, now - 83 * DAY_SECS, now),
            Some(LinkReason::InactivityLimitNear)
        );
        assert_eq!(policy.at_risk(now, now - 82 * DAY_SECS, now), None);
    }
}
