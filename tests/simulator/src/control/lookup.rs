//! Resolving the tenants and users control requests name; unknown ones are 404.

use super::errors::ControlError;
use crate::state::World;

/// The GUID of the tenant named by GUID or domain.
pub fn tenant_id(world: &World, key: &str) -> Result<String, ControlError> {
    world
        .tenants
        .find(key)
        .map(|tenant| tenant.id.clone())
        .ok_or_else(|| ControlError::not_found(format!("tenant '{key}' does not exist")))
}

/// The object id of the user named by object id or userPrincipalName, in any tenant.
pub fn user_id(world: &World, key: &str) -> Result<String, ControlError> {
    world
        .directory
        .user_by_id(key)
        .or_else(|| world.directory.user_by_upn(key))
        .map(|user| user.id().to_string())
        .ok_or_else(|| ControlError::not_found(format!("user '{key}' does not exist")))
}
