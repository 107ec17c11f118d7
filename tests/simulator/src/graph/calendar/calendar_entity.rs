//! A calendar as Graph shows it.

use serde_json::{Map, Value, json};

use crate::calendar::Calendar;
use crate::directory::UserRecord;
use crate::graph::odata::project;

/// Every property of `microsoft.graph.calendar` that `$select` accepts.
pub const CALENDAR_PROPERTIES: &[&str] = &[
    "id",
    "allowedOnlineMeetingProviders",
    "canEdit",
    "canShare",
    "canViewPrivateItems",
    "changeKey",
    "color",
    "defaultOnlineMeetingProvider",
    "hexColor",
    "isDefaultCalendar",
    "isRemovable",
    "isTallyingResponses",
    "name",
    "owner",
];

/// The mailbox owner as a Graph `emailAddress`: display name and mail (else UPN).
pub fn owner_address(owner: &UserRecord) -> Value {
    json!({
        "name": owner.display_name(),
        "address": owner.text("mail").unwrap_or(owner.user_principal_name()),
    })
}

/// Every property of `calendar` of `owner`'s mailbox; `can_edit`: whether the caller may write.
pub fn calendar_entity(
    calendar: &Calendar,
    owner: &UserRecord,
    can_edit: bool,
) -> Map<String, Value> {
    let entity = json!({
        "id": calendar.id,
        "name": calendar.name,
        "color": calendar.color,
        "hexColor": calendar.hex_color,
        "isDefaultCalendar": calendar.is_default,
        "changeKey": calendar.change_key,
        "canShare": can_edit,
        "canViewPrivateItems": true,
        "canEdit": can_edit,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": true,
        "isRemovable": !calendar.is_default,
        "owner": owner_address(owner),
    });
    entity.as_object().cloned().unwrap_or_default()
}

/// The `$select`ed properties of a calendar entity (`id` always), else all of them.
pub fn calendar_view(entity: &Map<String, Value>, select: Option<&[String]>) -> Value {
    match select {
        Some(names) => Value::Object(project(
            entity,
            std::iter::once("id").chain(
                names
                    .iter()
                    .map(String::as_str)
                    .filter(|name| *name != "id"),
            ),
        )),
        None => Value::Object(entity.clone()),
    }
}
