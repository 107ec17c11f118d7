//! The `resource` of a subscription: which resources the simulator can watch, who may watch
//! them, and for how long.
//!
//! "Creating a subscription requires read scope to the resource"; Microsoft's permission table
//! (subscription-post-subscriptions.md) names `Calendars.Read` for event and `User.Read.All` for
//! user, in every scheme; permissions that include those count too. Maximum lifetimes from
//! Microsoft's table (`concepts/includes/change-notifications-subscription-lifetime.md`):
//! Outlook event 4,230 minutes, user 41,760 minutes.

use super::{Operation, access_denied, invalid_request, resource_missing};
use crate::change_feed::subscriptions::Target;
use crate::graph::auth::{Caller, Permission};
use crate::graph::errors::GraphError;
use crate::graph::user_target::{UserRefusals, authorized_user};
use crate::state::World;

/// Subscribing to a user's events.
const EVENTS_READ: Permission = Permission {
    delegated_own: &["Calendars.Read", "Calendars.ReadWrite"],
    delegated_any: &[],
    application: &["Calendars.Read", "Calendars.ReadWrite"],
};

/// Subscribing to users.
const USERS_READ: Permission = Permission {
    delegated_own: &[],
    delegated_any: &[
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    application: &[
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
};

/// Maximum minutes from now of an Outlook event subscription.
const EVENTS_MAX_MINUTES: i64 = 4_230;
/// Maximum minutes from now of a user subscription.
const USERS_MAX_MINUTES: i64 = 41_760;

/// The longest lifetime, in minutes, of a subscription to `target`.
pub fn max_minutes(target: &Target) -> i64 {
    match target {
        Target::Events { .. } => EVENTS_MAX_MINUTES,
        Target::Users => USERS_MAX_MINUTES,
    }
}

/// What a `resource` string names, before the user is looked up.
enum Named<'a> {
    Users,
    Events {
        user: &'a str,
        calendar: CalendarNamed<'a>,
    },
}

enum CalendarNamed<'a> {
    Every,
    Default,
    Id(&'a str),
}

fn parse(resource: &str) -> Option<Named<'_>> {
    let segments: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
    let is = |segment: &str, name: &str| segment.eq_ignore_ascii_case(name);
    let (user, rest) = match segments.as_slice() {
        [users] if is(users, "users") => return Some(Named::Users),
        [me, rest @ ..] if is(me, "me") => ("me", rest),
        [users, user, rest @ ..] if is(users, "users") && !user.is_empty() => (*user, rest),
        _ => return None,
    };
    let calendar = match rest {
        [events] if is(events, "events") => CalendarNamed::Every,
        [calendar, events] if is(calendar, "calendar") && is(events, "events") => {
            CalendarNamed::Default
        }
        [calendars, id, events]
            if is(calendars, "calendars") && is(events, "events") && !id.is_empty() =>
        {
            CalendarNamed::Id(id)
        }
        _ => return None,
    };
    Some(Named::Events { user, calendar })
}

/// How creating refuses the user a resource names.
const CREATE_REFUSALS: UserRefusals = UserRefusals {
    denied: || access_denied(Operation::Create),
    unknown: |_| resource_missing(Operation::Create),
};

/// The target of `resource`, if the caller may watch it; Graph's refusals otherwise.
pub fn resolve(world: &World, caller: &Caller, resource: &str) -> Result<Target, GraphError> {
    let operation = Operation::Create;
    let named = parse(resource).ok_or_else(|| {
        invalid_request(format!(
            "Resource '{resource}' is not supported: the simulator watches '/users', \
             '/users/{{id}}/events', '/users/{{id}}/calendar/events' and \
             '/users/{{id}}/calendars/{{id}}/events' (or '/me/...')."
        ))
    })?;
    match named {
        Named::Users => {
            if caller.holds(&USERS_READ, None) {
                Ok(Target::Users)
            } else {
                Err(access_denied(operation))
            }
        }
        Named::Events { user, calendar } => {
            let owner = authorized_user(world, caller, user, &EVENTS_READ, &CREATE_REFUSALS)?;
            let mailbox = world
                .mailboxes
                .get(owner.id())
                .ok_or_else(|| resource_missing(operation))?;
            let calendar_id = match calendar {
                CalendarNamed::Every => None,
                CalendarNamed::Default => Some(mailbox.default_calendar().id.clone()),
                CalendarNamed::Id(id) => Some(
                    mailbox
                        .calendar(id)
                        .ok_or_else(|| resource_missing(operation))?
                        .id
                        .clone(),
                ),
            };
            Ok(Target::Events {
                user_id: owner.id().to_string(),
                calendar_id,
            })
        }
    }
}

/// Whether the caller may still watch `target` (renewing and reauthorizing check again).
pub fn still_authorized(
    world: &World,
    caller: &Caller,
    target: &Target,
    operation: Operation,
) -> Result<(), GraphError> {
    let allowed = match target {
        Target::Users => caller.holds(&USERS_READ, None),
        Target::Events { user_id, .. } => caller.holds(&EVENTS_READ, Some(user_id)),
    };
    if !allowed {
        return Err(access_denied(operation));
    }
    if let Target::Events { user_id, .. } = target
        && world.mailboxes.get(user_id).is_none()
    {
        return Err(resource_missing(operation));
    }
    Ok(())
}
