//! The Microsoft account a sign-in authenticated: its object id from `/me`, its tenant from the id
//! token, and the names the expected-account check compares a `loginHint` with.

/// Who signed in at Microsoft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedInAccount {
    /// The user's Microsoft object id (`/me`'s `id`).
    pub ms_user_id: String,
    /// The tenant the user signed in to (the id token's `tid`), if known.
    pub tenant_id: Option<String>,
    /// The user's userPrincipalName (`/me`), if known.
    pub user_principal_name: Option<String>,
    /// The id token's `preferred_username` (usually the userPrincipalName, an email address for
    /// personal accounts), if known.
    pub preferred_username: Option<String>,
}

impl SignedInAccount {
    /// Whether `name` is one of the account's sign-in names (userPrincipalName or
    /// preferred_username), compared case-insensitively as Microsoft compares them.
    pub fn is_named(&self, name: &str) -> bool {
        [&self.user_principal_name, &self.preferred_username]
            .into_iter()
            .flatten()
            .any(|own| own.eq_ignore_ascii_case(name))
    }

    /// Whether the account signed in to tenant `tenant_id` (compared case-insensitively).
    pub fn is_in_tenant(&self, tenant_id: &str) -> bool {
        self.tenant_id
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(tenant_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_names_and_tenants_case_insensitively() {
        let account = SignedInAccount {
            ms_user_id: "o-1".into(),
            tenant_id: Some("6F1C3A52-8D4E-4B7A-9C2F-1E5D7A9B3C40".into()),
            user_principal_name: Some("AdeleV@contoso.com".into()),
            preferred_username: Some("adele.vance@contoso.com".into()),
        };
        assert!(account.is_named("adelev@CONTOSO.com"));
        assert!(account.is_named("Adele.Vance@contoso.com"));
        assert!(!account.is_named("alexw@contoso.com"));
        assert!(account.is_in_tenant("6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40"));
        assert!(!account.is_in_tenant("00000000-0000-0000-0000-000000000000"));
        assert!(!SignedInAccount::default().is_in_tenant(""));
        assert!(!SignedInAccount::default().is_named(""));
    }
}
