//! Graph's answer to a delta link whose sync state it no longer has (`410 Gone`,
//! `SyncStateNotFound`; "a 40X-series error with error codes such as syncStateNotFound",
//! `concepts/delta-query-overview.md`) becomes the bundle's own `SyncStateExpired`, so a caller
//! can tell "start the delta over without a link" from every other failure.

use crate::error::{ApiError, ErrorCode};

/// `error` as the caller should see it: `SyncStateExpired` for a delta sync state Graph lost.
pub fn expired_sync_state(error: ApiError) -> ApiError {
    match &error {
        ApiError::Graph { status: 410, .. } => ApiError::new(
            ErrorCode::SyncStateExpired,
            "Graph no longer has the sync state of this link: start over without `deltaLink` / \
             `nextLink` (with `startDateTime` and `endDateTime` for calendar-view-delta)",
        ),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_gone_becomes_sync_state_expired() {
        let gone = ApiError::Graph {
            status: 410,
            body: json!({"error": {"code": "SyncStateNotFound"}}),
            claims_challenge: None,
        };
        let error = expired_sync_state(gone);
        assert_eq!(error.code(), Some(ErrorCode::SyncStateExpired));
        assert_eq!(error.status(), 410);
        let other = ApiError::Graph {
            status: 404,
            body: json!({}),
            claims_challenge: None,
        };
        assert_eq!(expired_sync_state(other.clone()), other);
    }
}
