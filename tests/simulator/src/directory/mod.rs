//! The directory: users and groups of every tenant, with a change counter for delta queries.

mod group;
mod user;
pub mod user_schema;

pub use group::{GROUP_PROPERTIES, Group};
pub use user::{Photo, UserRecord};

use serde_json::{Map, Value};

/// Why a directory write was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum DirectoryError {
    /// An object with this id already exists.
    DuplicateId(String),
    /// Another user already has this userPrincipalName.
    DuplicateUserPrincipalName,
    /// The named manager is not a user of the same tenant.
    UnknownManager(String),
    /// A named group member is not a user of the group's tenant.
    UnknownMember(String),
}

/// A user that was deleted, remembered for delta queries.
struct Tombstone {
    id: String,
    tenant_id: String,
    deleted_at: u64,
}

/// One entry of a users delta: a user as it is now, or the id of a deleted user.
pub enum UserChange<'a> {
    /// Created or updated.
    Current(&'a UserRecord),
    /// Deleted.
    Removed(&'a str),
}

/// Users and groups of every tenant, in creation order.
#[derive(Default)]
pub struct Directory {
    users: Vec<UserRecord>,
    groups: Vec<Group>,
    tombstones: Vec<Tombstone>,
    change_counter: u64,
}

impl Directory {
    /// The number of the latest change (0 before any).
    pub fn last_change(&self) -> u64 {
        self.change_counter
    }

    fn next_change(&mut self) -> u64 {
        self.change_counter += 1;
        self.change_counter
    }

    /// Adds a user after checking id and userPrincipalName uniqueness; its manager, named by
    /// id or userPrincipalName, must be a user of the same tenant.
    pub fn insert_user(&mut self, mut user: UserRecord) -> Result<&UserRecord, DirectoryError> {
        if self.user_by_id(user.id()).is_some()
            || self
                .groups
                .iter()
                .any(|g| g.id.eq_ignore_ascii_case(user.id()))
        {
            return Err(DirectoryError::DuplicateId(user.id().to_string()));
        }
        if self.user_by_upn(user.user_principal_name()).is_some() {
            return Err(DirectoryError::DuplicateUserPrincipalName);
        }
        if let Some(manager_key) = user.manager_id.take() {
            let manager = self.find_user(&user.tenant_id, &manager_key);
            user.manager_id = Some(
                manager
                    .ok_or(DirectoryError::UnknownManager(manager_key))?
                    .id()
                    .to_string(),
            );
        }
        user.changed_at = self.next_change();
        self.users.push(user);
        Ok(self.users.last().expect("just pushed"))
    }

    /// The user of `tenant_id` whose id or userPrincipalName is `key`.
    pub fn find_user(&self, tenant_id: &str, key: &str) -> Option<&UserRecord> {
        self.users
            .iter()
            .find(|u| u.tenant_id == tenant_id && u.is_named_by(key))
    }

    /// The user with this object id, in any tenant.
    pub fn user_by_id(&self, id: &str) -> Option<&UserRecord> {
        self.users.iter().find(|u| u.id().eq_ignore_ascii_case(id))
    }

    /// The user with this userPrincipalName, in any tenant.
    pub fn user_by_upn(&self, upn: &str) -> Option<&UserRecord> {
        self.users
            .iter()
            .find(|u| u.user_principal_name().eq_ignore_ascii_case(upn))
    }

    /// Every user of a tenant, in creation order.
    pub fn users_of(&self, tenant_id: &str) -> impl Iterator<Item = &UserRecord> {
        self.users.iter().filter(move |u| u.tenant_id == tenant_id)
    }

    /// Every user of every tenant.
    pub fn users(&self) -> impl Iterator<Item = &UserRecord> {
        self.users.iter()
    }

    /// Users whose manager is `manager_id`.
    pub fn direct_reports(&self, manager_id: &str) -> impl Iterator<Item = &UserRecord> {
        self.users
            .iter()
            .filter(move |u| u.manager_id.as_deref() == Some(manager_id))
    }

    /// Sets (or with `null`, clears) the given properties of user `id`; the caller has
    /// checked each property is writable.
    pub fn update_user(
        &mut self,
        id: &str,
        changes: Map<String, Value>,
    ) -> Result<(), DirectoryError> {
        if let Some(Value::String(upn)) = changes.get("userPrincipalName")
            && self.user_by_upn(upn).is_some_and(|other| other.id() != id)
        {
            return Err(DirectoryError::DuplicateUserPrincipalName);
        }
        let change = self.next_change();
        if let Some(user) = self.users.iter_mut().find(|u| u.id() == id) {
            for (name, value) in changes {
                if value.is_null() {
                    user.properties.remove(&name);
                } else {
                    user.properties.insert(name, value);
                }
            }
            user.changed_at = change;
        }
        Ok(())
    }

    /// Deletes user `id`: drops it from groups, clears it as anyone's manager, keeps a tombstone.
    pub fn remove_user(&mut self, id: &str) -> Option<UserRecord> {
        let position = self.users.iter().position(|u| u.id() == id)?;
        let user = self.users.remove(position);
        for group in &mut self.groups {
            group.member_ids.retain(|member| member != id);
        }
        for report in self
            .users
            .iter_mut()
            .filter(|u| u.manager_id.as_deref() == Some(id))
        {
            report.manager_id = None;
        }
        let deleted_at = self.next_change();
        self.tombstones.push(Tombstone {
            id: user.id().to_string(),
            tenant_id: user.tenant_id.clone(),
            deleted_at,
        });
        Some(user)
    }

    /// Adds a group whose members (named by id or userPrincipalName) are users of its tenant.
    pub fn insert_group(&mut self, mut group: Group) -> Result<&Group, DirectoryError> {
        if self.user_by_id(&group.id).is_some()
            || self
                .groups
                .iter()
                .any(|g| g.id.eq_ignore_ascii_case(&group.id))
        {
            return Err(DirectoryError::DuplicateId(group.id.clone()));
        }
        group.member_ids = group
            .member_ids
            .iter()
            .map(|key| match self.find_user(&group.tenant_id, key) {
                Some(member) => Ok(member.id().to_string()),
                None => Err(DirectoryError::UnknownMember(key.clone())),
            })
            .collect::<Result<_, _>>()?;
        self.groups.push(group);
        Ok(self.groups.last().expect("just pushed"))
    }

    /// Groups that have `user_id` as a direct member.
    pub fn groups_of(&self, user_id: &str) -> impl Iterator<Item = &Group> {
        self.groups
            .iter()
            .filter(move |g| g.member_ids.iter().any(|m| m == user_id))
    }

    /// Users of `tenant_id` created, updated or deleted after change `after` up to change
    /// `up_to` (inclusive), ordered by change number. Deletions appear only when `after > 0`:
    /// an initial synchronisation lists what exists.
    pub fn user_changes(
        &self,
        tenant_id: &str,
        after: u64,
        up_to: u64,
    ) -> Vec<(u64, UserChange<'_>)> {
        let in_window = |change: u64| change > after && change <= up_to;
        let mut changes: Vec<(u64, UserChange<'_>)> = self
            .users_of(tenant_id)
            .filter(|u| in_window(u.changed_at))
            .map(|u| (u.changed_at, UserChange::Current(u)))
            .collect();
        if after > 0 {
            changes.extend(
                self.tombstones
                    .iter()
                    .filter(|t| t.tenant_id == tenant_id && in_window(t.deleted_at))
                    .map(|t| (t.deleted_at, UserChange::Removed(&t.id))),
            );
        }
        changes.sort_by_key(|(change, _)| *change);
        changes
    }
}
