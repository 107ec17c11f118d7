//! Outbound requests of a function, by kind, and their tally over many invocations.

use std::ops::AddAssign;

/// Requests a function sent, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboundCounts {
    /// Microsoft Graph.
    pub graph: usize,
    /// The identity platform's token endpoint.
    pub token: usize,
    /// OpenID Connect discovery documents of the identity platform.
    pub discovery: usize,
    /// Secrets Manager.
    pub secrets_manager: usize,
    /// DynamoDB.
    pub dynamodb: usize,
    /// Anything else sent to the simulator or to moto.
    pub other: usize,
}

impl OutboundCounts {
    /// All requests, whatever their kind.
    pub fn total(&self) -> usize {
        self.graph + self.token + self.discovery + self.secrets_manager + self.dynamodb + self.other
    }
}

impl AddAssign for OutboundCounts {
    fn add_assign(&mut self, other: OutboundCounts) {
        self.graph += other.graph;
        self.token += other.token;
        self.discovery += other.discovery;
        self.secrets_manager += other.secrets_manager;
        self.dynamodb += other.dynamodb;
        self.other += other.other;
    }
}

/// Outbound requests over a number of invocations (or cold starts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboundTally {
    /// How many invocations were counted.
    pub invocations: usize,
    /// Their requests, summed.
    pub sum: OutboundCounts,
    /// The most requests any one of them sent.
    pub max_total: usize,
    /// The fewest requests any one of them sent.
    pub min_total: usize,
}

impl OutboundTally {
    /// Adds one invocation's requests.
    pub fn record(&mut self, counts: OutboundCounts) {
        let total = counts.total();
        self.min_total = if self.invocations == 0 {
            total
        } else {
            self.min_total.min(total)
        };
        self.max_total = self.max_total.max(total);
        self.invocations += 1;
        self.sum += counts;
    }

    /// Requests per invocation of the kind `kind` picks, on average.
    pub fn per_invocation(&self, kind: impl Fn(&OutboundCounts) -> usize) -> f64 {
        kind(&self.sum) as f64 / self.invocations.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_averages_and_bounds_the_invocations() {
        let mut tally = OutboundTally::default();
        tally.record(OutboundCounts {
            graph: 1,
            token: 1,
            dynamodb: 2,
            ..OutboundCounts::default()
        });
        tally.record(OutboundCounts {
            graph: 1,
            ..OutboundCounts::default()
        });
        assert_eq!(tally.invocations, 2);
        assert_eq!((tally.min_total, tally.max_total), (1, 4));
        assert_eq!(tally.per_invocation(|counts| counts.graph), 1.0);
        assert_eq!(tally.per_invocation(OutboundCounts::total), 2.5);
    }
}
