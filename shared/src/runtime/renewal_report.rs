//! The keeper's subscription renewal counts in its answer (`subscriptions`), its summary line
//! (`subscriptions_*`) and its metrics (`SubscriptionsRenewed`, `SubscriptionsRecreated`,
//! `SubscriptionsDeferred`).

use serde_json::{Value, json};

use crate::change_feed::renewal::RenewalSummary;
use crate::runtime::embedded_metrics::{Metric, Unit};
use crate::runtime::outcome::Outcome;

/// Adds `renewal` to the keeper's `answer` and `outcome`.
pub fn report_renewal(renewal: &RenewalSummary, answer: &mut Value, outcome: &mut Outcome) {
    if let Value::Object(fields) = answer {
        fields.insert("subscriptions".into(), json!(renewal));
    }
    for (key, value) in [
        ("subscriptions_due", renewal.due),
        ("subscriptions_renewed", renewal.renewed),
        ("subscriptions_recreated", renewal.recreated),
        ("subscriptions_deferred", renewal.deferred),
        ("subscriptions_retired", renewal.retired),
    ] {
        outcome.details.insert(key.into(), json!(value));
    }
    for (name, value) in [
        ("SubscriptionsRenewed", renewal.renewed),
        ("SubscriptionsRecreated", renewal.recreated),
        ("SubscriptionsDeferred", renewal.deferred),
    ] {
        outcome.metrics.push(Metric {
            name,
            unit: Unit::Count,
            value: value as f64,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::event::EventStyle;

    #[test]
    fn every_count_is_reported() {
        let renewal = RenewalSummary {
            due: 4,
            renewed: 2,
            recreated: 1,
            deferred: 1,
            retired: 0,
        };
        let mut answer = json!({"due": 0});
        let mut outcome = Outcome::answered(EventStyle::Direct, Value::Null, 200, None);
        report_renewal(&renewal, &mut answer, &mut outcome);
        assert_eq!(answer["subscriptions"]["recreated"], 1);
        assert_eq!(outcome.details["subscriptions_deferred"], 1);
        assert_eq!(outcome.metrics.len(), 3);
    }
}
