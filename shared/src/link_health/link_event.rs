//! The kinds of link event (`detail-type`s), the record of one that a link item keeps, and the
//! EventBridge event it becomes. An event names the link's application user, tenant, reason and
//! time and whether a new sign-in fixes it; never a token.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::events::bus_event::BusEvent;
use crate::link_health::reason::LinkReason;
use crate::support::clock::rfc3339;
use crate::tokens::store::Link;

/// The `source` of every link event.
pub const LINK_EVENTS_SOURCE: &str = "graph-functions.links";

/// What happened to a link: one `detail-type` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEventKind {
    /// The user signed in and the link was written (no earlier link of this Microsoft account).
    Linked,
    /// The user signed in again with the Microsoft account already linked: new consent, new tokens.
    Relinked,
    /// The application revoked the link (`auth-revoke`).
    Revoked,
    /// Microsoft refused the link's refresh token for good, or a policy blocks it.
    Invalidated,
    /// Refreshing works again after failures.
    Recovered,
    /// The link may soon stop working: refreshes have failed for days, or the last successful one
    /// nears Microsoft's inactivity limit.
    AtRisk,
}

/// Every kind, for parsing and tests.
pub const ALL_KINDS: [LinkEventKind; 6] = [
    LinkEventKind::Linked,
    LinkEventKind::Relinked,
    LinkEventKind::Revoked,
    LinkEventKind::Invalidated,
    LinkEventKind::Recovered,
    LinkEventKind::AtRisk,
];

impl LinkEventKind {
    /// The event's `detail-type`.
    pub fn detail_type(self) -> &'static str {
        match self {
            Self::Linked => "Link Linked",
            Self::Relinked => "Link Relinked",
            Self::Revoked => "Link Revoked",
            Self::Invalidated => "Link Invalidated",
            Self::Recovered => "Link Recovered",
            Self::AtRisk => "Link At Risk",
        }
    }

    /// The kind whose `detail-type` is `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        ALL_KINDS
            .into_iter()
            .find(|kind| kind.detail_type() == text)
    }

    fn slug(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Relinked => "relinked",
            Self::Revoked => "revoked",
            Self::Invalidated => "invalidated",
            Self::Recovered => "recovered",
            Self::AtRisk => "at-risk",
        }
    }
}

/// One announced transition of a link, as the link item keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEventRecord {
    /// What happened.
    pub kind: LinkEventKind,
    /// Why.
    pub reason: LinkReason,
    /// When (epoch seconds).
    pub at: i64,
    /// The event's `eventId`: the application user, the link version the transition was
    /// written at and the kind, so every attempt to publish it carries the same id.
    pub id: String,
}

impl LinkEventRecord {
    /// The record of `kind` for `reason`, written at link `version` of `app_user_id` at `at`.
    pub fn new(
        kind: LinkEventKind,
        reason: LinkReason,
        app_user_id: &str,
        version: u64,
        at: i64,
    ) -> Self {
        Self {
            kind,
            reason,
            at,
            id: format!("link#{app_user_id}#{version}#{}", kind.slug()),
        }
    }

    /// The EventBridge event announcing this record about `link`.
    pub fn to_bus_event(&self, link: &Link) -> BusEvent {
        BusEvent {
            id: self.id.clone(),
            source: LINK_EVENTS_SOURCE,
            detail_type: self.kind.detail_type(),
            detail: json!({
                "appUserId": link.app_user_id,
                "tenantId": link.ms_tenant_id,
                "msUserId": link.ms_user_id,
                "reason": self.reason.as_str(),
                "signInFixes": self.reason.sign_in_fixes(),
                "time": rfc3339(self.at),
                "lastRefreshAt": rfc3339(link.last_refresh_at),
            }),
            time: DateTime::<Utc>::from_timestamp(self.at, 0).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::account_claims::MsAccountId;
    use crate::test_util::link_to;
    use serde_json::Value;

    #[test]
    fn kinds_read_back_from_their_detail_types() {
        for kind in ALL_KINDS {
            assert_eq!(LinkEventKind::parse(kind.detail_type()), Some(kind));
        }
        assert_eq!(LinkEventKind::parse("Link Exploded"), None);
    }

    #[test]
    fn the_event_names_the_link_and_never_carries_its_tokens() {
        let link = link_to(
            "alice",
            &MsAccountId {
                tenant_id: "tenant-1".into(),
                ms_user_id: "oid-1".into(),
            },
        );
        let record = LinkEventRecord::new(
            LinkEventKind::Invalidated,
            LinkReason::Revoked,
            "alice",
            7,
            1_800_000_000,
        );
        let event = record.to_bus_event(&link);
        assert_eq!(event.source, "graph-functions.links");
        assert_eq!(event.detail_type, "Link Invalidated");
        assert_eq!(event.id, "link#alice#7#invalidated");
        let detail: Value = serde_json::from_str(&event.detail_json()).unwrap();
        assert_eq!(
            detail,
            json!({
                "appUserId": "alice",
                "tenantId": "tenant-1",
                "msUserId": "oid-1",
                "reason": "revoked",
                "signInFixes": true,
                "time": "2027-01-15T08:00:00Z",
                "lastRefreshAt": "1970-01-01T00:00:00Z",
                "eventId": "link#alice#7#invalidated",
            })
        );
        assert_eq!(event.time.timestamp(), 1_800_000_000);
    }
}
