//! The Microsoft account `auth-start` expects to sign in: a `loginHint` (sent to Microsoft as
//! `login_hint`) and/or a tenant (sent as `domain_hint`). Microsoft treats both as hints only, so
//! `auth-callback` checks the account that actually signed in and refuses any other one
//! (`f=account_mismatch`) before anything is stored.

use crate::sign_in::signed_in_account::SignedInAccount;

/// What a sign-in expects; nothing is expected when both are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedAccount {
    /// The account's sign-in name (userPrincipalName, or the id token's `preferred_username`).
    pub login_hint: Option<String>,
    /// The tenant (GUID) the account must sign in to.
    pub tenant_id: Option<String>,
}

impl ExpectedAccount {
    /// Why `account` is not the expected one, in words safe to log (no name or id); `None` when
    /// it is.
    pub fn mismatch(&self, account: &SignedInAccount) -> Option<&'static str> {
        if let Some(hint) = &self.login_hint
            && !account.is_named(hint)
        {
            return Some("another account than loginHint signed in");
        }
        if let Some(tenant) = &self.tenant_id
            && !account.is_in_tenant(tenant)
        {
            return Some("an account of another tenant than tenantId signed in");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40";

    fn adele() -> SignedInAccount {
        SignedInAccount {
            ms_user_id: "o-1".into(),
            tenant_id: Some(TENANT.into()),
            user_principal_name: Some("adelev@contoso.com".into()),
            preferred_username: None,
        }
    }

    #[test]
    fn nothing_expected_admits_anyone() {
        assert_eq!(ExpectedAccount::default().mismatch(&adele()), None);
    }

    #[test]
    fn refuses_another_account_or_tenant() {
        let hint = |h: &str| ExpectedAccount {
            login_hint: Some(h.into()),
            tenant_id: None,
        };
        assert_eq!(hint("AdeleV@contoso.com").mismatch(&adele()), None);
        assert!(hint("alexw@contoso.com").mismatch(&adele()).is_some());
        let tenant = |t: &str| ExpectedAccount {
            login_hint: None,
            tenant_id: Some(t.into()),
        };
        assert_eq!(tenant(&TENANT.to_uppercase()).mismatch(&adele()), None);
        let other = tenant("11111111-1111-1111-1111-111111111111");
        assert!(other.mismatch(&adele()).is_some());
        let unknown_tenant = SignedInAccount {
            tenant_id: None,
            ..adele()
        };
        assert!(tenant(TENANT).mismatch(&unknown_tenant).is_some());
    }
}
