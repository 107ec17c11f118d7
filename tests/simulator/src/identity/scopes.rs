//! Scope strings of the identity platform: Graph delegated permissions, Graph app roles and
//! the OpenID Connect scopes.

use std::collections::BTreeSet;
use std::fmt;

use super::errors::IdentityError;
use crate::tenants::{CLOUDS, Cloud};

/// The global Graph resource: audience of Graph access tokens and prefix of full scope URIs (a
/// national cloud's simulator uses its own, [`Cloud::graph_resource`]).
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// Graph delegated permissions the simulator knows (canonical casing).
const DELEGATED_PERMISSIONS: &[&str] = &[
    "Calendars.Read",
    "Calendars.Read.Shared",
    "Calendars.ReadBasic",
    "Calendars.ReadWrite",
    "Calendars.ReadWrite.Shared",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "GroupMember.Read.All",
    "User.DeleteRestore.All",
    "User.Read",
    "User.Read.All",
    "User.ReadBasic.All",
    "User.ReadWrite",
    "User.ReadWrite.All",
];

/// The delegated permissions of [`DELEGATED_PERMISSIONS`] that only an administrator may consent
/// to (`requiresAdminConsent` in Microsoft's permission data, vendor/graph-permissions; a test
/// compares the two).
pub const ADMIN_CONSENT_DELEGATED: &[&str] = &[
    "Calendars.ReadBasic",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "GroupMember.Read.All",
    "User.DeleteRestore.All",
    "User.Read.All",
    "User.ReadWrite.All",
];

/// Whether only an administrator may consent to delegated `permission`.
pub fn requires_admin_consent(permission: &str) -> bool {
    ADMIN_CONSENT_DELEGATED
        .iter()
        .any(|name| name.eq_ignore_ascii_case(permission))
}

/// Graph application permissions (app roles) the simulator knows.
const APPLICATION_PERMISSIONS: &[&str] = &[
    "Calendars.Read",
    "Calendars.ReadBasic.All",
    "Calendars.ReadWrite",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "GroupMember.Read.All",
    "User.DeleteRestore.All",
    "User.Read.All",
    "User.ReadWrite.All",
];

/// The OpenID Connect scopes, in the order token responses list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OidcScope {
    /// `openid`: an id token is issued.
    OpenId,
    /// `profile`.
    Profile,
    /// `email`.
    Email,
    /// `offline_access`: a refresh token is issued.
    OfflineAccess,
}

impl OidcScope {
    fn parse(scope: &str) -> Option<OidcScope> {
        match scope.to_ascii_lowercase().as_str() {
            "openid" => Some(OidcScope::OpenId),
            "profile" => Some(OidcScope::Profile),
            "email" => Some(OidcScope::Email),
            "offline_access" => Some(OidcScope::OfflineAccess),
            _ => None,
        }
    }
}

impl fmt::Display for OidcScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OidcScope::OpenId => "openid",
            OidcScope::Profile => "profile",
            OidcScope::Email => "email",
            OidcScope::OfflineAccess => "offline_access",
        })
    }
}

/// The canonical name of a Graph delegated permission, matched case-insensitively.
pub fn delegated_permission(name: &str) -> Option<&'static str> {
    DELEGATED_PERMISSIONS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name))
}

/// The canonical name of a Graph application permission, matched case-insensitively.
pub fn application_permission(name: &str) -> Option<&'static str> {
    APPLICATION_PERMISSIONS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name))
}

/// A parsed `scope` parameter of a delegated request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeRequest {
    /// Graph delegated permissions named explicitly (short or full URI form).
    pub graph: BTreeSet<&'static str>,
    /// OpenID Connect scopes.
    pub oidc: BTreeSet<OidcScope>,
    /// `https://graph.microsoft.com/.default`: every permission already consented.
    pub graph_default: bool,
}

impl ScopeRequest {
    /// Parses a space-separated scope list; AADSTS70011 names the first scope that is not valid.
    pub fn parse(raw: &str) -> Result<ScopeRequest, IdentityError> {
        let mut request = ScopeRequest::default();
        for scope in raw.split_whitespace() {
            if let Some(oidc) = OidcScope::parse(scope) {
                request.oidc.insert(oidc);
                continue;
            }
            let name = strip_graph_prefix(scope).unwrap_or(scope);
            if name == ".default" && strip_graph_prefix(scope).is_some() {
                request.graph_default = true;
            } else if let Some(permission) = delegated_permission(name) {
                request.graph.insert(permission);
            } else {
                return Err(IdentityError::invalid_scope(scope));
            }
        }
        Ok(request)
    }

    /// The Graph permissions this request asks for, given what the user has consented to:
    /// `.default` stands for all of `consented`.
    pub fn graph_permissions(&self, consented: &BTreeSet<&'static str>) -> BTreeSet<&'static str> {
        let mut permissions = self.graph.clone();
        if self.graph_default {
            permissions.extend(consented.iter().copied());
        }
        permissions
    }
}

/// Whether `scope` is exactly the Graph `.default` scope (client credentials).
pub fn is_graph_default(scope: &str) -> bool {
    strip_graph_prefix(scope) == Some(".default")
}

/// A scope's name without the Graph resource of any cloud (which one is checked by
/// [`foreign_resource`]).
fn strip_graph_prefix(scope: &str) -> Option<&str> {
    CLOUDS.iter().find_map(|cloud| {
        let prefix_len = cloud.graph_resource().len() + 1;
        let (prefix, name) = (scope.get(..prefix_len)?, scope.get(prefix_len..)?);
        prefix
            .eq_ignore_ascii_case(&format!("{}/", cloud.graph_resource()))
            .then_some(name)
    })
}

/// The first resource in a space-separated `scope` value that is not `cloud`'s Graph: Microsoft
/// answers AADSTS500011 for a resource its cloud has no service principal of (e.g. another
/// cloud's Graph).
pub fn foreign_resource(scope: &str, cloud: Cloud) -> Option<String> {
    scope.split_whitespace().find_map(|item| {
        let (resource, _) = item.rsplit_once('/')?;
        (item.contains("://") && !resource.eq_ignore_ascii_case(cloud.graph_resource()))
            .then(|| resource.to_string())
    })
}

/// The `scope` value of a token response: granted Graph permissions as full URIs, then the
/// OpenID Connect scopes that were asked for.
pub fn granted_scope_string(
    graph: &BTreeSet<&'static str>,
    oidc: &BTreeSet<OidcScope>,
    cloud: Cloud,
) -> String {
    graph
        .iter()
        .map(|permission| format!("{}/{permission}", cloud.graph_resource()))
        .chain(oidc.iter().map(OidcScope::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_only_permissions_are_those_of_microsofts_permission_data() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vendor/graph-permissions/permissions.json"
        );
        let data: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut admin_only = BTreeSet::new();
        for entry in data["entries"].as_array().unwrap() {
            for permission in entry["schemes"]["DelegatedWork"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = permission["permission"].as_str().unwrap();
                if DELEGATED_PERMISSIONS.contains(&name)
                    && permission["requiresAdminConsent"] == true
                {
                    admin_only.insert(name);
                }
            }
        }
        assert_eq!(
            admin_only,
            ADMIN_CONSENT_DELEGATED
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
        );
    }
}
