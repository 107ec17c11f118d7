//! The `prompt` `auth-start` may pass to Microsoft's `/authorize`: which page the user must see even
//! with a Microsoft session in the browser.

use crate::error::ApiError;

/// A `prompt` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Show the account picker (another account than the browser's session can be chosen).
    SelectAccount,
    /// Show the consent page even when consent was given before.
    Consent,
    /// Ask for credentials again, whatever the session.
    Login,
}

impl Prompt {
    /// Parses `select_account`, `consent` or `login`.
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "select_account" => Ok(Self::SelectAccount),
            "consent" => Ok(Self::Consent),
            "login" => Ok(Self::Login),
            _ => Err(ApiError::invalid(
                "`prompt` must be `select_account`, `consent` or `login`",
            )),
        }
    }

    /// The value sent to `/authorize`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelectAccount => "select_account",
            Self::Consent => "consent",
            Self::Login => "login",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_prompts() {
        for value in ["select_account", "consent", "login"] {
            assert_eq!(Prompt::parse(value).unwrap().as_str(), value);
        }
        for refused in ["none", "LOGIN", ""] {
            assert!(Prompt::parse(refused).is_err(), "{refused}");
        }
    }
}
