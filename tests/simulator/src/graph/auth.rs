//! Who is calling Graph: the bearer token checked and turned into a [`Caller`], and the
//! permission rules endpoints check callers against.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::errors::GraphError;
use crate::identity::claims::AccessTokenClaims;
use crate::identity::jwt::JwtError;
use crate::state::SharedState;

/// The principal a token acts for.
#[derive(Clone, Debug)]
pub enum Principal {
    /// Delegated: a signed-in user with the token's `scp`.
    User {
        /// Object id of the user (`oid`).
        id: String,
        /// Delegated permissions.
        scopes: Vec<String>,
    },
    /// App-only: the application with the token's `roles`.
    Application {
        /// Application permissions.
        roles: Vec<String>,
    },
}

/// A verified Graph caller.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The tenant whose resources the caller sees (`tid`).
    pub tenant_id: String,
    /// The client id of the calling app (`appid`).
    pub application_id: String,
    /// Delegated user or application.
    pub principal: Principal,
}

/// Which permissions allow an operation: any one of them suffices.
pub struct Permission {
    /// Delegated permissions that allow it on the signed-in user's own resources only.
    pub delegated_own: &'static [&'static str],
    /// Delegated permissions that allow it on any user's resources.
    pub delegated_any: &'static [&'static str],
    /// Application permissions that allow it.
    pub application: &'static [&'static str],
}

fn any_of(granted: &[String], allowed: &[&str]) -> bool {
    granted
        .iter()
        .any(|g| allowed.iter().any(|a| a.eq_ignore_ascii_case(g)))
}

impl Caller {
    /// The signed-in user's object id (delegated tokens only).
    pub fn user_id(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { id, .. } => Some(id),
            Principal::Application { .. } => None,
        }
    }

    /// Whether the caller holds `permission` for resources of user `owner_id` (`None`: a
    /// resource of no single user, such as the user list).
    pub fn holds(&self, permission: &Permission, owner_id: Option<&str>) -> bool {
        match &self.principal {
            Principal::Application { roles } => any_of(roles, permission.application),
            Principal::User { id, scopes } => {
                any_of(scopes, permission.delegated_any)
                    || (owner_id.is_some_and(|owner| owner.eq_ignore_ascii_case(id))
                        && any_of(scopes, permission.delegated_own))
            }
        }
    }
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, token)| {
                scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
            })
            .map(|(_, token)| token.trim())
            .ok_or_else(|| GraphError::invalid_token("Access token is empty."))?;
        let claims: AccessTokenClaims =
            state.signer.verify(token).map_err(|error| match error {
                JwtError::Malformed => GraphError::invalid_token(
                    "CompactToken parsing failed with error code: 80049217",
                ),
                JwtError::BadSignature => {
                    GraphError::invalid_token("Access token validation failure. Invalid signature.")
                }
            })?;
        let cloud = state.world().settings.cloud;
        if claims.aud != cloud.graph_resource() {
            return Err(GraphError::invalid_token(
                "Access token validation failure. Invalid audience.",
            ));
        }
        let now = chrono::Utc::now().timestamp();
        if now >= claims.exp {
            return Err(GraphError::invalid_token(
                "Lifetime validation failed, the token is expired.",
            ));
        }
        if now < claims.nbf {
            return Err(GraphError::invalid_token(
                "Lifetime validation failed, the token is not yet valid.",
            ));
        }
        if state.world().tenants.find(&claims.tid).is_none() {
            return Err(GraphError::invalid_token(
                "Access token validation failure. Invalid tenant.",
            ));
        }
        if claims.idtyp == "app" {
            let world = state.world();
            let has_service_principal = world
                .apps
                .find(&claims.appid)
                .is_some_and(|app| app.roles_in(&claims.tid).is_some());
            if !has_service_principal {
                return Err(GraphError::identity_not_found());
            }
        }
        if let Some(revocation) = state.world().sessions.refusing(&claims) {
            let capable = claims
                .xms_cc
                .as_ref()
                .is_some_and(|values| values.iter().any(|v| v.eq_ignore_ascii_case("cp1")));
            return Err(if capable && revocation.challenge {
                GraphError::claims_challenge(revocation.at)
            } else {
                GraphError::invalid_token("Access token has been revoked.")
            });
        }
        let principal = match (claims.oid, claims.roles) {
            (Some(id), _) if claims.idtyp == "user" => Principal::User {
                id,
                scopes: claims
                    .scp
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            },
            (_, roles) => Principal::Application {
                roles: roles.unwrap_or_default(),
            },
        };
        Ok(Caller {
            tenant_id: claims.tid,
            application_id: claims.appid,
            principal,
        })
    }
}
