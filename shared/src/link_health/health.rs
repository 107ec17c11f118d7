//! What a link item records about its health, beside its tokens: since when refreshing it has
//! been failing without Microsoft refusing the token, the last event announced about it, and
//! whether that event still waits to be published (the outbox).

use crate::link_health::link_event::{LinkEventKind, LinkEventRecord};
use crate::link_health::reason::LinkReason;

/// The health part of a link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkHealth {
    /// Since when (epoch seconds) refreshing has been failing transiently or blocked by a policy;
    /// `None` while it works.
    pub failing_since: Option<i64>,
    /// The last event announced about the link (what `auth-status` reports).
    pub last_event: Option<LinkEventRecord>,
    /// Whether `last_event` was written but not yet confirmed published.
    pub event_pending: bool,
}

impl LinkHealth {
    /// This health with `record` as its last event, waiting to be published.
    pub fn announcing(self, record: LinkEventRecord) -> Self {
        Self {
            last_event: Some(record),
            event_pending: true,
            ..self
        }
    }

    /// Whether the last event announced is `kind` for `reason`.
    pub fn last_announced(&self, kind: LinkEventKind, reason: LinkReason) -> bool {
        self.last_event
            .as_ref()
            .is_some_and(|event| event.kind == kind && event.reason == reason)
    }

    /// Whether the last event announced is of `kind`.
    pub fn last_kind_is(&self, kind: LinkEventKind) -> bool {
        self.last_event
            .as_ref()
            .is_some_and(|event| event.kind == kind)
    }
}
