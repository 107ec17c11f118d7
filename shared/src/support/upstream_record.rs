//! What one invocation spent on its upstream requests (Microsoft Graph and the identity platform):
//! how many were sent, how long they took, and Graph's `request-id` of the last Graph answer, for
//! the invocation's summary log line and metrics. Kept in a task-local scope around the invocation,
//! so the HTTP adapters record into it without being handed anything.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

/// The upstream facts of one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamRecord {
    /// Requests sent (every attempt counts).
    pub requests: u32,
    /// Time spent waiting for answers, over all attempts (not counting retry waits).
    pub elapsed: Duration,
    /// Graph's `request-id` header of the last Graph answer, to find the call in Microsoft's logs.
    pub graph_request_id: Option<String>,
}

tokio::task_local! {
    static CURRENT: RefCell<UpstreamRecord>;
}

/// Runs `work` with a fresh record, and returns its output with what it recorded.
pub async fn recording<F: Future>(work: F) -> (F::Output, UpstreamRecord) {
    CURRENT
        .scope(RefCell::new(UpstreamRecord::default()), async {
            let output = work.await;
            (output, CURRENT.with(|record| record.borrow().clone()))
        })
        .await
}

/// Records one upstream attempt that took `elapsed`; a no-op outside [`recording`].
pub fn record_attempt(elapsed: Duration) {
    let _ = CURRENT.try_with(|record| {
        let mut record = record.borrow_mut();
        record.requests += 1;
        record.elapsed += elapsed;
    });
}

/// Records Graph's `request-id` of an answer; a no-op outside [`recording`].
pub fn record_graph_request_id(request_id: &str) {
    let _ = CURRENT.try_with(|record| {
        record.borrow_mut().graph_request_id = Some(request_id.to_string());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn attempts_and_the_last_request_id_are_recorded_inside_the_scope_only() {
        record_attempt(Duration::from_millis(5));
        let ((), record) = recording(async {
            record_attempt(Duration::from_millis(3));
            record_graph_request_id("first");
            tokio::task::yield_now().await;
            record_attempt(Duration::from_millis(4));
            record_graph_request_id("second");
        })
        .await;
        assert_eq!(
            record,
            UpstreamRecord {
                requests: 2,
                elapsed: Duration::from_millis(7),
                graph_request_id: Some("second".into()),
            }
        );
        let ((), empty) = recording(async {}).await;
        assert_eq!(empty, UpstreamRecord::default());
    }
}
