//! The link events every function that changes links announces through: the application's bus
//! (when `EVENT_BUS_NAME` names one) and the at-risk policy of `LINK_AT_RISK_DAYS`.

use crate::link_health::link_events::LinkEvents;
use crate::runtime::config::Config;
use crate::runtime::wiring::Adapters;

impl Adapters {
    /// Link events over these adapters' bus.
    pub fn link_events(&self, config: &Config) -> LinkEvents {
        LinkEvents::new(self.events.clone(), config.link_at_risk)
    }
}
