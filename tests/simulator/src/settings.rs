//! Tunable behaviour, changed through `POST /_control/settings`.

use serde::{Deserialize, Serialize};

/// Lifetimes and page sizes the simulator applies.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// `expires_in` of issued access tokens and their `exp` claim.
    pub access_token_lifetime_secs: u64,
    /// Page size of Graph collections when the caller sends no `$top`.
    pub default_page_size: usize,
    /// How long an authorization code can be redeemed.
    pub authorization_code_lifetime_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_lifetime_secs: 3600,
            default_page_size: 100,
            authorization_code_lifetime_secs: 600,
        }
    }
}

/// A partial update of [`Settings`]; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    access_token_lifetime_secs: Option<u64>,
    default_page_size: Option<usize>,
    authorization_code_lifetime_secs: Option<u64>,
}

impl Settings {
    /// Applies the fields present in `update`; a page size outside 1..=999 is refused.
    pub fn apply(&mut self, update: SettingsUpdate) -> Result<(), String> {
        if let Some(size) = update.default_page_size {
            if !(1..=999).contains(&size) {
                return Err(format!(
                    "defaultPageSize must be between 1 and 999, not {size}"
                ));
            }
            self.default_page_size = size;
        }
        if let Some(secs) = update.access_token_lifetime_secs {
            self.access_token_lifetime_secs = secs;
        }
        if let Some(secs) = update.authorization_code_lifetime_secs {
            self.authorization_code_lifetime_secs = secs;
        }
        Ok(())
    }
}
