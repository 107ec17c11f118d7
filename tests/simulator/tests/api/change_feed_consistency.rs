//! Many random changes across several mailboxes, by several routes: the notifications each
//! subscriber received account for every event exactly as its mailbox ends up, and a delta round
//! started before the changes returns exactly the calendar view after them.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::calendar_support::{OWN_CALENDAR, event_body, meeting_body, user_with_token, values};
use crate::harness::Sim;
use crate::subscriptions::{subscribe, subscription_body};
use crate::webhook_receiver::Receiver;

const USERS: [&str; 3] = ["adele", "alex", "megan"];
const OPERATIONS: usize = 150;
const WINDOW: &str = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z";

/// A small deterministic generator (64-bit LCG), so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % sides
    }
}

/// Every event of the caller's mailbox: id → etag.
async fn mailbox(sim: &Sim, token: &str) -> BTreeMap<String, String> {
    let (status, body) = sim.get_json("/v1.0/me/events?$top=1000", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    values(&body)
        .iter()
        .map(|event| {
            (
                event["id"].as_str().unwrap().to_string(),
                event["@odata.etag"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Follows a delta round from `url` to its end; the items and the deltaLink.
async fn delta_round(sim: &Sim, token: &str, url: &str) -> (Vec<Value>, String) {
    let (mut items, mut url) = (Vec::new(), url.to_string());
    loop {
        let response = sim.http.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        items.extend(values(&body).iter().cloned());
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => {
                return (
                    items,
                    body["@odata.deltaLink"].as_str().unwrap().to_string(),
                );
            }
        }
    }
}

#[tokio::test]
async fn notifications_and_delta_account_for_every_change() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let mut tokens = Vec::new();
    let mut delta_links = Vec::new();
    for user in USERS {
        let (_, token) = user_with_token(&sim, user, OWN_CALENDAR).await;
        let mut body = subscription_body(&receiver, "/me/events", 60);
        body["notificationUrl"] = json!(receiver.url(&format!("/{user}")));
        subscribe(&sim, &token, body).await;
        let first = sim.url(&format!("/v1.0/me/calendarView/delta?{WINDOW}"));
        let (items, link) = delta_round(&sim, &token, &first).await;
        assert!(items.is_empty());
        delta_links.push(link);
        tokens.push(token);
    }

    let mut dice = Dice(17);
    let mut own: Vec<Vec<String>> = vec![Vec::new(); USERS.len()];
    for step in 0..OPERATIONS {
        let who = dice.roll(USERS.len());
        let token = &tokens[who];
        let day = 1 + dice.roll(28);
        let start = format!("2026-03-{day:02}T09:00:00");
        let end = format!("2026-03-{day:02}T10:00:00");
        let roll = dice.roll(4);
        if own[who].is_empty() || (roll < 2 && dice.roll(2) == 0) {
            let guest = USERS[(who + 1 + dice.roll(USERS.len() - 1)) % USERS.len()];
            let body = if dice.roll(3) == 0 {
                meeting_body(&format!("Meeting {step}"), &start, &end, &[guest])
            } else {
                event_body(&format!("Event {step}"), &start, &end)
            };
            let (status, event) = sim
                .send_json(Method::POST, "/v1.0/me/events", token, body)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{event}");
            own[who].push(event["id"].as_str().unwrap().to_string());
        } else if roll < 3 {
            let id = &own[who][dice.roll(own[who].len())];
            let (status, body) = sim
                .send_json(
                    Method::PATCH,
                    &format!("/v1.0/me/events/{id}"),
                    token,
                    json!({"subject": format!("Changed {step}"),
                               "start": {"dateTime": start, "timeZone": "UTC"},
                               "end": {"dateTime": end, "timeZone": "UTC"}}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        } else {
            let at = dice.roll(own[who].len());
            let id = own[who].remove(at);
            let (status, body) = sim
                .send_json(
                    Method::DELETE,
                    &format!("/v1.0/me/events/{id}"),
                    token,
                    json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
    }

    let mut kinds_seen = BTreeSet::new();
    for (index, user) in USERS.iter().enumerate() {
        let now = mailbox(&sim, &tokens[index]).await;
        assert!(now.len() >= 5, "{user} ends with events: {now:?}");
        let path = format!("/{user}");
        // Wait until every current event's latest state was notified.
        let mut notifications = Vec::new();
        for _ in 0..200 {
            notifications = receiver.accepted(&path);
            let etags: BTreeSet<&str> = notifications
                .iter()
                .filter_map(|n| n["resourceData"]["@odata.etag"].as_str())
                .collect();
            if now.values().all(|etag| etags.contains(etag.as_str())) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let ids_with = |kind: &str| -> BTreeSet<String> {
            notifications
                .iter()
                .filter(|n| n["changeType"] == kind)
                .map(|n| n["resourceData"]["id"].as_str().unwrap().to_string())
                .collect()
        };
        let (created, deleted) = (ids_with("created"), ids_with("deleted"));
        let existing: BTreeSet<String> = now.keys().cloned().collect();
        assert_eq!(
            created
                .difference(&deleted)
                .cloned()
                .collect::<BTreeSet<_>>(),
            existing,
            "{user}: created and not deleted = what the mailbox holds"
        );
        assert!(
            deleted.is_subset(&created),
            "{user}: nothing deleted unannounced"
        );
        let etags: BTreeSet<&str> = notifications
            .iter()
            .filter_map(|n| n["resourceData"]["@odata.etag"].as_str())
            .collect();
        for (id, etag) in &now {
            assert!(
                etags.contains(etag.as_str()),
                "{user}: latest state of {id} notified"
            );
        }
        kinds_seen.extend(notifications.iter().map(|n| n["changeType"].to_string()));
        let mut counted: BTreeMap<(String, String), usize> = BTreeMap::new();
        for n in &notifications {
            let key = (
                n["changeType"].as_str().unwrap().to_string(),
                n["resourceData"]["@odata.etag"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
            *counted.entry(key).or_default() += 1;
        }
        assert!(
            counted.values().all(|&n| n == 1),
            "{user}: each change once"
        );

        let (items, _) = delta_round(&sim, &tokens[index], &delta_links[index]).await;
        let delta: BTreeMap<String, String> = items
            .iter()
            .map(|item| {
                assert!(item.get("@removed").is_none(), "nothing was known: {item}");
                (
                    item["id"].as_str().unwrap().to_string(),
                    item["@odata.etag"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            delta, now,
            "{user}: the delta round returns the mailbox as it is"
        );
    }
    assert_eq!(
        kinds_seen.len(),
        3,
        "created, updated and deleted: {kinds_seen:?}"
    );
}
