//! Graph's change feed: subscriptions, change and lifecycle notifications delivered to the
//! subscribers' endpoints, and the sync states of `calendarView/delta`. See `CHANGE_FEED.md`.

pub mod delivery;
pub mod notify;
pub mod observed;
pub mod settings;
pub mod subscriptions;
pub mod sync_states;
pub mod validation;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::control::is_control_path;
use crate::graph::is_graph_path;
use crate::state::SharedState;
use delivery::NotificationLog;
use observed::{Observed, Watched};
use settings::FeedSettings;
use subscriptions::Subscriptions;
use sync_states::SyncStates;

/// The change feed's part of the simulated cloud.
#[derive(Default)]
pub struct ChangeFeed {
    /// Delivery timings.
    pub settings: FeedSettings,
    /// Live subscriptions.
    pub subscriptions: Subscriptions,
    /// Mailboxes and users as last seen.
    pub observed: Observed,
    /// Every delivery attempt.
    pub log: NotificationLog,
    /// `calendarView/delta` sync states.
    pub sync_states: SyncStates,
}

impl ChangeFeed {
    /// What the live subscriptions watch.
    pub fn watched(&self) -> Watched {
        let now = chrono::Utc::now();
        let mut watched = Watched::default();
        for subscription in self.subscriptions.all() {
            if subscription.is_active(now) {
                watched.add(&subscription.target);
            }
        }
        watched
    }
}

/// Middleware: after every Graph or control request that may write, finds what changed and
/// sends the notifications in tasks of their own (the answer does not wait for them).
pub async fn observe(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let may_write = !matches!(*request.method(), Method::GET | Method::HEAD)
        && (is_graph_path(path) || is_control_path(path));
    let response = next.run(request).await;
    if may_write {
        let deliveries = {
            let mut guard = state.world();
            let world = &mut *guard;
            let watched = world.change_feed.watched();
            let (events, users) = world.change_feed.observed.take_changes(
                &watched,
                &world.directory,
                &world.mailboxes,
            );
            world.change_feed.deliveries(&events, &users)
        };
        for delivery in deliveries {
            delivery::send(&state, delivery);
        }
    }
    response
}
