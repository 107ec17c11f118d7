//! A group, only as far as `memberOf` shows it.

use serde_json::{Map, Value};

/// Properties of `microsoft.graph.group` the simulator keeps; `$select` on `memberOf` accepts these.
pub const GROUP_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "mailEnabled",
    "securityEnabled",
];

/// A security group of one tenant and its direct members.
#[derive(Clone, Debug)]
pub struct Group {
    /// Object id.
    pub id: String,
    /// Tenant the group belongs to.
    pub tenant_id: String,
    /// `displayName`.
    pub display_name: String,
    /// Object ids of the direct members.
    pub member_ids: Vec<String>,
}

impl Group {
    /// The group's properties as a `microsoft.graph.group` directory object.
    pub fn properties(&self) -> Map<String, Value> {
        let mut properties = Map::new();
        properties.insert("id".into(), Value::String(self.id.clone()));
        properties.insert(
            "displayName".into(),
            Value::String(self.display_name.clone()),
        );
        properties.insert("description".into(), Value::Null);
        properties.insert("groupTypes".into(), Value::Array(Vec::new()));
        properties.insert("mailEnabled".into(), Value::Bool(false));
        properties.insert("securityEnabled".into(), Value::Bool(true));
        properties
    }
}
