//! Which scopes a sign-in asks Microsoft for: always `openid profile offline_access User.Read`,
//! plus the settings' default scopes — or their dev scopes, for a flow started with `mode=dev`
//! while `overrideDefault` is on.

use crate::error::ApiError;
use crate::settings::product_settings::ScopeSettings;

/// Scopes every sign-in asks for: an id token, the profile, a refresh token, and `/me`.
pub const BASE_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "User.Read"];

/// The scope set a sign-in flow was started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMode {
    /// The settings' default scopes.
    Default,
    /// The settings' dev scopes, when `overrideDefault` is on (else the default scopes).
    Dev,
}

impl SignInMode {
    /// Parses `default` or `dev`.
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "default" => Ok(Self::Default),
            "dev" => Ok(Self::Dev),
            _ => Err(ApiError::invalid("`mode` must be `default` or `dev`")),
        }
    }

    /// The mode's name, as parsed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Dev => "dev",
        }
    }
}

/// The scopes to ask for in `mode`: [`BASE_SCOPES`] first, then the configured ones, each once
/// (compared case-insensitively, as Microsoft does).
pub fn sign_in_scopes(settings: &ScopeSettings, mode: SignInMode) -> Vec<String> {
    let configured = match mode {
        SignInMode::Dev if settings.override_default => &settings.dev,
        _ => &settings.default,
    };
    let mut scopes: Vec<String> = BASE_SCOPES.iter().map(|s| s.to_string()).collect();
    for scope in configured {
        if !scopes.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
            scopes.push(scope.clone());
        }
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(override_default: bool) -> ScopeSettings {
        ScopeSettings {
            default: vec!["User.Read.All".into(), "Calendars.ReadWrite".into()],
            dev: vec!["user.read".into(), "Calendars.Read".into()],
            override_default,
        }
    }

    #[test]
    fn default_mode_adds_the_default_scopes() {
        for override_default in [false, true] {
            assert_eq!(
                sign_in_scopes(&settings(override_default), SignInMode::Default),
                [
                    "openid",
                    "profile",
                    "offline_access",
                    "User.Read",
                    "User.Read.All",
                    "Calendars.ReadWrite"
                ]
            );
        }
    }

    #[test]
    fn dev_mode_uses_the_dev_scopes_only_when_overriding() {
        assert_eq!(
            sign_in_scopes(&settings(true), SignInMode::Dev),
            [
                "openid",
                "profile",
                "offline_access",
                "User.Read",
                "Calendars.Read"
            ]
        );
        assert_eq!(
            sign_in_scopes(&settings(false), SignInMode::Dev),
            sign_in_scopes(&settings(false), SignInMode::Default)
        );
    }

    #[test]
    fn parses_modes() {
        assert_eq!(SignInMode::parse("dev").unwrap(), SignInMode::Dev);
        assert_eq!(SignInMode::parse("default").unwrap().as_str(), "default");
        assert!(SignInMode::parse("DEV").is_err());
    }
}
