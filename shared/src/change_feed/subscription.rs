//! One subscription the bundle made: who owns it, what it watches, when it expires, and the
//! maximum lifetimes Graph allows.
//!
//! Maximum lifetimes (Microsoft, `concepts/includes/change-notifications-subscription-lifetime.md`,
//! noted in docs/reference/microsoft-identity-and-graph-facts.md §9): Outlook event 4,230 minutes,
//! user 41,760 minutes.

use serde_json::{Value, json};

use crate::tokens::cipher::Sealed;

/// Renew a subscription this long before it expires: the keeper runs every hour, so a subscription
/// is renewed about a day ahead and never lapses while Microsoft is briefly unavailable.
pub const RENEW_BEFORE_SECS: i64 = 24 * 3600;

/// Who a subscription belongs to, and whose permissions renew and recreate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// An application user (delegated permissions, their stored link).
    AppUser(String),
    /// The application itself (application permissions).
    Application,
}

impl Owner {
    /// The owner as events and answers carry it: `{"appUserId": "..."}` or `{"application": true}`.
    pub fn to_json(&self) -> Value {
        match self {
            Self::AppUser(id) => json!({ "appUserId": id }),
            Self::Application => json!({ "application": true }),
        }
    }

    /// The owner as stored: `user:<appUserId>` or `application`.
    pub fn stored(&self) -> String {
        match self {
            Self::AppUser(id) => format!("user:{id}"),
            Self::Application => "application".to_string(),
        }
    }

    /// The owner a stored value names.
    pub fn from_stored(value: &str) -> Option<Self> {
        match value {
            "application" => Some(Self::Application),
            _ => value
                .strip_prefix("user:")
                .filter(|id| !id.is_empty())
                .map(|id| Self::AppUser(id.to_string())),
        }
    }
}

/// What kind of resource a subscription watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// A user's events, of the default or a named calendar.
    Events,
    /// The users of the tenant.
    Users,
}

impl ResourceKind {
    /// The longest lifetime Graph accepts for a subscription to this kind, in seconds.
    pub fn max_lifetime_secs(self) -> i64 {
        match self {
            Self::Events => 4_230 * 60,
            Self::Users => 41_760 * 60,
        }
    }

    /// The lifetime the bundle asks for: the maximum less a minute, so clock skew between the
    /// function and Graph never takes the request past it.
    pub fn requested_lifetime_secs(self) -> i64 {
        self.max_lifetime_secs() - 60
    }

    /// The kind as stored and shown: `events` or `users`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Users => "users",
        }
    }

    /// The kind a stored value names.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "events" => Some(Self::Events),
            "users" => Some(Self::Users),
            _ => None,
        }
    }
}

/// A subscription as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    /// Graph's subscription id.
    pub id: String,
    /// Who owns it.
    pub owner: Owner,
    /// The Microsoft tenant of the watched resource.
    pub tenant_id: String,
    /// What kind of resource.
    pub kind: ResourceKind,
    /// Graph's `resource`, e.g. `users/<id>/events` or `users/<id>/calendars/<id>/events`.
    pub resource: String,
    /// Graph's `changeType`, e.g. `created,updated,deleted`.
    pub change_type: String,
    /// The `clientState` given to Graph, encrypted (bound to the subscription's key).
    pub client_state: Sealed,
    /// When Graph lets it expire (epoch seconds).
    pub expires_at: i64,
}

impl SubscriptionRecord {
    /// When the keeper must renew it (epoch seconds).
    pub fn renew_at(&self) -> i64 {
        self.expires_at - RENEW_BEFORE_SECS
    }
}

/// The shard (`subs#NN`) of a subscription in the keeper index: a stable FNV-1a hash of its id
/// modulo the keeper's shard count, so the keeper's run of shard `n` also renews the subscriptions
/// of shard `n`.
pub fn renewal_shard(subscription_id: &str, shards: u32) -> String {
    let hash = subscription_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    renewal_shard_key((hash % u64::from(shards.max(1))) as u32)
}

/// The keeper index partition key of subscription shard `shard`: `subs#NN`, beside the links'
/// `shard#NN` in the same sparse index.
pub fn renewal_shard_key(shard: u32) -> String {
    format!("subs#{shard:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_round_trip_and_lifetimes_stay_inside_graphs_maximum() {
        for owner in [Owner::AppUser("a:b".into()), Owner::Application] {
            assert_eq!(Owner::from_stored(&owner.stored()), Some(owner));
        }
        assert_eq!(Owner::from_stored("user:"), None);
        assert_eq!(Owner::from_stored("link#x"), None);
        assert_eq!(ResourceKind::Events.max_lifetime_secs(), 253_800);
        assert_eq!(ResourceKind::Users.max_lifetime_secs(), 2_505_600);
        for kind in [ResourceKind::Events, ResourceKind::Users] {
            assert!(kind.requested_lifetime_secs() < kind.max_lifetime_secs());
            assert!(kind.requested_lifetime_secs() > 2 * RENEW_BEFORE_SECS);
            assert_eq!(ResourceKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn shards_are_stable_and_apart_from_the_links() {
        assert_eq!(renewal_shard("abc", 16), renewal_shard("abc", 16));
        let shards: std::collections::HashSet<_> = (0..500)
            .map(|i| renewal_shard(&format!("s-{i}"), 16))
            .collect();
        assert_eq!(shards.len(), 16);
        assert!(shards.iter().all(|s| s.starts_with("subs#")));
        assert_eq!(renewal_shard_key(3), "subs#03");
    }
}
