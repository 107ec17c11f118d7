//! Cutting events into `PutEvents` requests within EventBridge's limits: at most 10 entries and
//! less than 256 KB of entries per request
//! (<https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html>,
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).

use crate::error::{ApiError, ErrorCode};
use crate::events::bus_event::{BusEvent, entry_size};

/// Most entries one `PutEvents` request takes.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10;
/// The entries of one request must total less than this many bytes (256 KB).
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// An event with its `detail` already serialised, ready for a request.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedEvent<'a> {
    /// The event.
    pub event: &'a BusEvent,
    /// Its `detail` as JSON text.
    pub detail_json: String,
}

/// Splits `events` into requests in order, each within the entry and size limits. An event that
/// cannot fit in any request on its own is an `InternalError` (the bundle's events are small by
/// construction; this guards against a bug, before anything is sent).
pub fn into_requests(events: &[BusEvent]) -> Result<Vec<Vec<PreparedEvent<'_>>>, ApiError> {
    let mut requests: Vec<Vec<PreparedEvent<'_>>> = Vec::new();
    let mut current_bytes = 0;
    for event in events {
        let detail_json = event.detail_json();
        let size = entry_size(event, &detail_json);
        if size >= MAX_REQUEST_BYTES {
            return Err(ApiError::new(
                ErrorCode::InternalError,
                format!(
                    "a `{}` event of {size} bytes exceeds EventBridge's entry limit",
                    event.detail_type
                ),
            ));
        }
        let starts_new = match requests.last() {
            None => true,
            Some(last) => {
                last.len() == MAX_ENTRIES_PER_REQUEST || current_bytes + size >= MAX_REQUEST_BYTES
            }
        };
        if starts_new {
            requests.push(Vec::new());
            current_bytes = 0;
        }
        current_bytes += size;
        requests
            .last_mut()
            .expect("a request was just pushed when none was open")
            .push(PreparedEvent { event, detail_json });
    }
    Ok(requests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    fn event(detail_bytes: usize) -> BusEvent {
        BusEvent {
            id: format!("test-{detail_bytes}"),
            source: "graph-functions.test",
            detail_type: "Test",
            detail: json!({ "pad": "x".repeat(detail_bytes) }),
            time: Utc::now(),
        }
    }

    #[test]
    fn keeps_at_most_ten_entries_per_request_in_order() {
        let events: Vec<BusEvent> = (0..23).map(event).collect();
        let requests = into_requests(&events).unwrap();
        assert_eq!(
            requests.iter().map(Vec::len).collect::<Vec<_>>(),
            [10, 10, 3]
        );
        let flattened: Vec<&BusEvent> = requests.iter().flatten().map(|p| p.event).collect();
        assert!(
            flattened
                .iter()
                .zip(&events)
                .all(|(a, b)| std::ptr::eq(*a, b))
        );
    }

    #[test]
    fn starts_a_new_request_before_256_kb() {
        let events: Vec<BusEvent> = (0..4).map(|_| event(100 * 1024)).collect();
        let requests = into_requests(&events).unwrap();
        assert_eq!(requests.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2]);
        for request in &requests {
            let bytes: usize = request
                .iter()
                .map(|p| entry_size(p.event, &p.detail_json))
                .sum();
            assert!(bytes < MAX_REQUEST_BYTES);
        }
    }

    #[test]
    fn refuses_an_event_too_large_for_any_request() {
        let error = into_requests(&[event(MAX_REQUEST_BYTES)]).unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::InternalError));
        assert!(into_requests(&[]).unwrap().is_empty());
    }
}
