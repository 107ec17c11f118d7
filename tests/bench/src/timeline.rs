//! What the distance proxies saw, in time: each new connection's setup and each request, per
//! endpoint; and from that, how many round trips a function made one after another before its
//! Graph request (the critical path: the longest chain of setups and requests each of which began
//! only after the one before it had ended).

use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What a span of the timeline was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A new connection's handshakes (TCP and TLS, as modelled).
    ConnectionSetup,
    /// One request and its answer: method and path (and `X-Amz-Target`'s operation for AWS).
    Request(String),
}

/// One connection setup or request at one endpoint.
#[derive(Clone, Debug)]
pub struct Span {
    /// The endpoint's name, e.g. `Graph`, `DynamoDB`.
    pub endpoint: &'static str,
    /// Setup or request.
    pub activity: Activity,
    /// When it began.
    pub start: Instant,
    /// When it ended (the answer was on its way back).
    pub end: Instant,
}

impl Span {
    /// `Graph: GET /v1.0/users/…`, `DynamoDB: new connection`.
    fn label(&self) -> String {
        match &self.activity {
            Activity::ConnectionSetup => format!("{} connection", self.endpoint),
            Activity::Request(what) => format!("{} {what}", self.endpoint),
        }
    }

    fn is_graph_call(&self) -> bool {
        matches!(&self.activity, Activity::Request(what) if self.endpoint == GRAPH && what.contains(" /v1.0/"))
    }
}

/// The endpoint name of Microsoft Graph, whose first `/v1.0/` request is "the Graph call".
pub const GRAPH: &str = "Graph";

/// The spans every distance proxy of a run records into; cleared between measurements.
#[derive(Clone, Default)]
pub struct Timeline {
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Timeline {
    /// Records a span.
    pub fn record(&self, span: Span) {
        self.spans.lock().unwrap().push(span);
    }

    /// Forgets every span.
    pub fn reset(&self) {
        self.spans.lock().unwrap().clear();
    }

    /// The spans recorded since the last reset.
    pub fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap().clone()
    }
}

/// The round trips made one after another before the Graph call, and one chain that long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    /// How many setups and requests the longest chain holds.
    pub round_trips: usize,
    /// That chain, in order, e.g. `["Secrets Manager connection", "Secrets Manager POST /"]`.
    pub chain: Vec<String>,
}

/// The longest chain of spans that ended before the first Graph call began, each beginning only
/// after the previous one ended; `None` when no Graph call was recorded.
pub fn critical_path_before_graph(spans: &[Span]) -> Option<CriticalPath> {
    let graph_call = spans
        .iter()
        .filter(|span| span.is_graph_call())
        .min_by_key(|span| span.start)?;
    let mut before: Vec<&Span> = spans
        .iter()
        .filter(|span| span.end <= graph_call.start)
        .collect();
    before.sort_by_key(|span| span.end);
    // longest[i]: the longest chain ending with before[i], and the index of its predecessor (of
    // equally long ones, one at the same endpoint: a request's own connection setup).
    let mut longest: Vec<(usize, Option<usize>)> = Vec::with_capacity(before.len());
    for (i, span) in before.iter().enumerate() {
        let best = (0..i)
            .filter(|&j| before[j].end <= span.start)
            .max_by_key(|&j| (longest[j].0, before[j].endpoint == span.endpoint));
        longest.push((best.map_or(1, |j| longest[j].0 + 1), best));
    }
    let mut last = (0..before.len()).max_by_key(|&i| longest[i].0);
    let round_trips = last.map_or(0, |i| longest[i].0);
    let mut chain = Vec::new();
    while let Some(i) = last {
        chain.push(before[i].label());
        last = longest[i].1;
    }
    chain.reverse();
    Some(CriticalPath { round_trips, chain })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Spans from `(endpoint, activity, start ms, end ms)`, all measured from one origin.
    fn spans(list: &[(&'static str, Activity, u64, u64)]) -> Vec<Span> {
        let origin = Instant::now();
        list.iter()
            .map(|(endpoint, activity, from, to)| Span {
                endpoint,
                activity: activity.clone(),
                start: origin + Duration::from_millis(*from),
                end: origin + Duration::from_millis(*to),
            })
            .collect()
    }

    fn request(what: &str) -> Activity {
        Activity::Request(what.to_string())
    }

    const SETUP: Activity = Activity::ConnectionSetup;

    #[test]
    fn overlapping_spans_count_once_and_sequential_ones_add_up() {
        let spans = spans(&[
            ("Secrets Manager", SETUP, 0, 40),
            ("DynamoDB", SETUP, 1, 41),
            (GRAPH, SETUP, 2, 42),
            ("Secrets Manager", request("POST /"), 40, 60),
            ("DynamoDB", request("POST /"), 41, 61),
            (GRAPH, request("HEAD /"), 42, 62),
            (GRAPH, request("GET /v1.0/users/1"), 63, 83),
            (GRAPH, request("GET /v1.0/users/2"), 84, 104),
        ]);
        let path = critical_path_before_graph(&spans).unwrap();
        assert_eq!(path.round_trips, 2);
        assert_eq!(
            path.chain,
            ["Graph connection", "Graph HEAD /"],
            "a request follows its own connection's setup"
        );
    }

    #[test]
    fn a_chain_of_fresh_connections_counts_every_setup_and_request() {
        let spans = spans(&[
            ("Secrets Manager", SETUP, 0, 40),
            ("Secrets Manager", request("POST /"), 40, 60),
            ("DynamoDB", SETUP, 61, 101),
            ("DynamoDB", request("POST /"), 101, 121),
            (GRAPH, SETUP, 122, 162),
            (GRAPH, request("GET /v1.0/me"), 162, 182),
        ]);
        let path = critical_path_before_graph(&spans).unwrap();
        assert_eq!(path.round_trips, 5);
        assert_eq!(
            path.chain,
            [
                "Secrets Manager connection",
                "Secrets Manager POST /",
                "DynamoDB connection",
                "DynamoDB POST /",
                "Graph connection"
            ]
        );
    }

    #[test]
    fn no_graph_call_no_path() {
        let only_aws = spans(&[("DynamoDB", request("POST /"), 0, 1)]);
        assert_eq!(critical_path_before_graph(&only_aws), None);
        let only_graph = spans(&[(GRAPH, request("GET /v1.0/me"), 0, 1)]);
        assert_eq!(
            critical_path_before_graph(&only_graph),
            Some(CriticalPath {
                round_trips: 0,
                chain: vec![]
            })
        );
    }
}
