//! Hostile input, generated: whatever an event holds, decoding and validation never panic, refuse
//! with `InvalidRequest` or accept, and an accepted id can never change which Graph resource is addressed;
//! whatever anyone posts to the public notification route, it is read or refused without a panic.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::change_feed::notification::parse_notifications;
use shared::change_feed::subscription_request::create_request;
use shared::error::ErrorCode;
use shared::operations::catalog::CATALOG;
use shared::operations::graph_path::fill;
use shared::runtime::event::decode;

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Direct events built from the fields the functions read, with hostile values.
fn direct_event() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        ".{0,60}",
        Just("..".to_string()),
        Just("me".to_string()),
        "[a-z/%?#.]{1,20}"
    ];
    (
        prop::option::of(text.clone()),
        prop::option::of(text.clone()),
        prop::collection::btree_map(text.clone(), text.clone(), 0..3),
        prop::collection::btree_map(prop_oneof![Just("$top".to_string()), Just("all".to_string()), text.clone()], any_json(), 0..3),
        any_json(),
    )
        .prop_map(|(user, auth, params, query, body)| {
            json!({"userId": user, "authUserId": auth, "params": params, "query": query, "body": body})
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_event_is_accepted_or_refused_cleanly(event in prop_oneof![any_json(), direct_event()]) {
        for op in CATALOG {
            let (_, raw) = decode(event.clone());
            if let Err(error) = raw.and_then(|raw| raw.validate(op)) {
                prop_assert_eq!(error.code(), Some(ErrorCode::InvalidRequest), "{}: {}", op.name, error);
            }
        }
    }

    #[test]
    fn accepted_ids_stay_one_path_segment(id in "\\PC{1,40}") {
        for op in CATALOG {
            // A userPrincipalName-shaped `userId`, so the hostile text reaches the path.
            let user_id = format!("{id}@{id}");
            let (_, raw) = decode(json!({"userId": user_id, "params": {"eventId": id, "calendarId": id}}));
            let Ok(request) = raw.and_then(|raw| raw.validate(op)) else { continue };
            let mut values: BTreeMap<&str, &str> = request.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            values.insert("userId", &user_id);
            let path = fill(op.graph_path, &values).expect("every placeholder has a value");
            let expected_segments = op.graph_path.split('/').count();
            prop_assert_eq!(path.split('/').count(), expected_segments, "{} → {}", id, path);
            prop_assert!(!path.contains('?') && !path.contains('#'), "{}", path);
            prop_assert!(path.split('/').all(|segment| segment != ".." && segment != "."), "{}", path);
        }
    }

    #[test]
    fn any_notification_body_is_read_or_refused_cleanly(item in any_json(), text in "\\PC{0,200}") {
        if let Err(error) = parse_notifications(&text) {
            prop_assert_eq!(error.code(), Some(ErrorCode::InvalidRequest));
        }
        for body in [item.to_string(), json!({"value": [item.clone()]}).to_string()] {
            match parse_notifications(&body) {
                Ok(batch) => {
                    for notification in &batch.notifications {
                        prop_assert!(!notification.subscription_id().is_empty());
                    }
                }
                Err(error) => prop_assert_eq!(error.code(), Some(ErrorCode::InvalidRequest)),
            }
        }
    }

    #[test]
    fn any_subscription_request_is_accepted_or_refused_cleanly(body in any_json(), auth in prop::option::of(".{0,20}")) {
        let (_, raw) = decode(json!({"authUserId": auth, "body": body}));
        if let Err(error) = raw.and_then(create_request) {
            prop_assert!(
                matches!(error.code(), Some(ErrorCode::InvalidRequest | ErrorCode::Forbidden)),
                "{}", error
            );
        }
    }
}
