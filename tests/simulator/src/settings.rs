//! Tunable behaviour, changed through `POST /_control/settings`.

use serde::{Deserialize, Serialize};

use crate::tenants::Cloud;

/// Lifetimes and page sizes the simulator applies.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// `expires_in` of issued access tokens and their `exp` claim.
    pub access_token_lifetime_secs: u64,
    /// Page size of Graph directory collections when the caller sends no `$top`.
    pub default_page_size: usize,
    /// Page size of Outlook collections (events, calendars, calendar views) when the caller
    /// sends no `$top` and no `Prefer: odata.maxpagesize` (Outlook's default is 10).
    pub calendar_page_size: usize,
    /// How long an authorization code can be redeemed.
    pub authorization_code_lifetime_secs: u64,
    /// The cloud this simulator is: its Graph resource (`aud`, scope prefix); tenants of other
    /// clouds are AADSTS90038 at its token endpoint.
    pub cloud: Cloud,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_lifetime_secs: 3600,
            default_page_size: 100,
            calendar_page_size: 10,
            authorization_code_lifetime_secs: 600,
            cloud: Cloud::Global,
        }
    }
}

/// A partial update of [`Settings`]; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    access_token_lifetime_secs: Option<u64>,
    default_page_size: Option<usize>,
    calendar_page_size: Option<usize>,
    authorization_code_lifetime_secs: Option<u64>,
    cloud: Option<Cloud>,
}

fn page_size(name: &str, size: usize) -> Result<usize, String> {
    if (1..=999).contains(&size) {
        Ok(size)
    } else {
        Err(format!("{name} must be between 1 and 999, not {size}"))
    }
}

impl Settings {
    /// Applies the fields present in `update`; a page size outside 1..=999 is refused.
    pub fn apply(&mut self, update: SettingsUpdate) -> Result<(), String> {
        if let Some(size) = update.default_page_size {
            self.default_page_size = page_size("defaultPageSize", size)?;
        }
        if let Some(size) = update.calendar_page_size {
            self.calendar_page_size = page_size("calendarPageSize", size)?;
        }
        if let Some(secs) = update.access_token_lifetime_secs {
            self.access_token_lifetime_secs = secs;
        }
        if let Some(secs) = update.authorization_code_lifetime_secs {
            self.authorization_code_lifetime_secs = secs;
        }
        if let Some(cloud) = update.cloud {
            self.cloud = cloud;
        }
        Ok(())
    }
}
