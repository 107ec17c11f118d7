//! Every calendar operation as a real Lambda binary against moto and the simulator, in every
//! permission mode it allows: calendars, events on the default and a named calendar, meeting
//! responses, views of a time window, scheduling, Graph errors, throttling and a retried create.

use std::collections::BTreeMap;

use e2e::demo_directory::{ADELE, ALEX, MEGAN};
use e2e::function_process::{FunctionProcess, call, spawn_function};
use e2e::sign_in::sign_in;
use e2e::stack::TestStack;
use serde_json::{Value, json};

const WRITE: &[&str] = &["User.Read", "Calendars.ReadWrite", "Calendars.Read.Shared"];

/// Functions by operation name, all running against one stack.
struct Functions(BTreeMap<&'static str, FunctionProcess>);

impl Functions {
    async fn start(stack: &TestStack, names: &[&'static str]) -> Self {
        let env = stack.env();
        let mut functions = BTreeMap::new();
        for name in names {
            functions.insert(*name, spawn_function(name, &env).await);
        }
        Self(functions)
    }

    async fn call(&self, name: &str, event: Value) -> Value {
        call(&self.0[name], event).await
    }
}

/// `event` as application (None) or delegated (Some) call.
fn as_caller(mut event: Value, auth: Option<&str>) -> Value {
    if let Some(auth) = auth {
        event["authUserId"] = json!(auth);
    }
    event
}

fn meeting(subject: &str, attendee: &str) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T09:30:00", "timeZone": "UTC"},
        "attendees": [{"emailAddress": {"address": attendee}, "type": "required"}]
    })
}

fn ids(answer: &Value) -> Vec<String> {
    answer["body"]["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {answer}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

async fn signed_in_stack() -> TestStack {
    let stack = TestStack::start().await;
    sign_in(&stack, "adele", ADELE.id, WRITE).await;
    sign_in(&stack, "alex", ALEX.id, WRITE).await;
    sign_in(
        &stack,
        "megan-reader",
        MEGAN.id,
        &["User.Read", "Calendars.Read"],
    )
    .await;
    stack
}

#[tokio::test]
async fn calendars_lifecycle_in_both_modes() {
    let stack = signed_in_stack().await;
    let f = Functions::start(
        &stack,
        &[
            "calendars-list",
            "calendars-get",
            "calendars-create",
            "calendars-update",
            "calendars-delete",
        ],
    )
    .await;
    for (user, auth) in [(ADELE.id, None), ("me", Some("alex"))] {
        let listed = f
            .call("calendars-list", as_caller(json!({"userId": user}), auth))
            .await;
        assert_eq!(listed["status"], 200, "{listed}");
        assert!(
            listed["body"]["value"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == "Calendar"),
            "{listed}"
        );

        let created = f
            .call(
                "calendars-create",
                as_caller(
                    json!({"userId": user, "body": {"name": "Project Falcon"}}),
                    auth,
                ),
            )
            .await;
        assert_eq!(created["status"], 201, "{created}");
        let id = created["body"]["id"].as_str().unwrap();
        let params = json!({"calendarId": id});

        let updated = f
            .call(
                "calendars-update",
                as_caller(
                    json!({"userId": user, "params": params, "body": {"name": "Falcon"}}),
                    auth,
                ),
            )
            .await;
        assert_eq!(updated["status"], 200, "{updated}");
        let got = f
            .call(
                "calendars-get",
                as_caller(
                    json!({"userId": user, "params": params, "query": {"$select": "id,name"}}),
                    auth,
                ),
            )
            .await;
        assert_eq!(got["body"]["name"], "Falcon", "{got}");

        let deleted = f
            .call(
                "calendars-delete",
                as_caller(json!({"userId": user, "params": params}), auth),
            )
            .await;
        assert_eq!(deleted["status"], 204, "{deleted}");
        let gone = f
            .call(
                "calendars-get",
                as_caller(json!({"userId": user, "params": params}), auth),
            )
            .await;
        assert_eq!(gone["status"], 404, "Graph's error passes through: {gone}");
        assert!(gone["body"]["error"]["code"].is_string(), "{gone}");
    }
    let bad = f
        .call(
            "calendars-create",
            json!({"userId": ADELE.id, "body": {"name": 7}}),
        )
        .await;
    assert_eq!(bad["body"]["error"]["code"], "InvalidRequest", "{bad}");
}

#[tokio::test]
async fn events_on_the_default_and_a_named_calendar() {
    let stack = signed_in_stack().await;
    let f = Functions::start(
        &stack,
        &[
            "calendars-create",
            "events-create",
            "events-get",
            "events-list",
            "events-update",
            "events-delete",
        ],
    )
    .await;
    for (user, auth) in [(ADELE.id, None), ("me", Some("adele"))] {
        let created = f.call("events-create", as_caller(json!({"userId": user, "body": meeting("Plan review", ALEX.user_principal_name)}), auth)).await;
        assert_eq!(created["status"], 201, "{created}");
        assert!(
            created["body"]["transactionId"].is_string(),
            "a transactionId was generated: {created}"
        );
        let id = created["body"]["id"].as_str().unwrap().to_string();
        let got = f.call("events-get", as_caller(json!({"userId": user, "params": {"eventId": id}, "query": {"timeZone": "Pacific Standard Time"}}), auth)).await;
        assert_eq!(got["status"], 200, "{got}");
        assert_eq!(
            got["body"]["start"]["timeZone"], "Pacific Standard Time",
            "Prefer: outlook.timezone was sent: {got}"
        );
        let updated = f.call("events-update", as_caller(json!({"userId": user, "params": {"eventId": id}, "body": {"subject": "Plan review (moved)"}}), auth)).await;
        assert_eq!(
            updated["body"]["subject"], "Plan review (moved)",
            "{updated}"
        );
        let listed = f
            .call(
                "events-list",
                as_caller(
                    json!({"userId": user, "query": {"$top": 1, "all": true}}),
                    auth,
                ),
            )
            .await;
        assert!(ids(&listed).contains(&id), "{listed}");
        let deleted = f
            .call(
                "events-delete",
                as_caller(json!({"userId": user, "params": {"eventId": id}}), auth),
            )
            .await;
        assert_eq!(deleted["status"], 204, "{deleted}");
        let gone = f
            .call(
                "events-get",
                as_caller(json!({"userId": user, "params": {"eventId": id}}), auth),
            )
            .await;
        assert_eq!(gone["status"], 404, "{gone}");
    }

    let calendar = f
        .call(
            "calendars-create",
            json!({"userId": ADELE.id, "body": {"name": "Side project"}}),
        )
        .await;
    let calendar_id = calendar["body"]["id"].as_str().unwrap();
    let in_named = f.call("events-create", json!({"userId": ADELE.id, "params": {"calendarId": calendar_id}, "body": meeting("Side sync", ALEX.user_principal_name)})).await;
    assert_eq!(in_named["status"], 201, "{in_named}");
    let event_id = in_named["body"]["id"].as_str().unwrap().to_string();
    let named = f
        .call(
            "events-list",
            json!({"userId": ADELE.id, "params": {"calendarId": calendar_id}}),
        )
        .await;
    assert_eq!(ids(&named), vec![event_id.clone()], "{named}");
    let via_calendar = f
        .call(
            "events-get",
            json!({"userId": ADELE.id, "params": {"calendarId": calendar_id, "eventId": event_id}}),
        )
        .await;
    assert_eq!(via_calendar["status"], 200, "{via_calendar}");
}

#[tokio::test]
async fn attendees_answer_and_organizers_cancel_and_forward() {
    let stack = signed_in_stack().await;
    let f = Functions::start(
        &stack,
        &[
            "events-create",
            "events-list",
            "events-accept",
            "events-decline",
            "events-tentatively-accept",
            "events-cancel",
            "events-forward",
        ],
    )
    .await;
    let created = f.call("events-create", json!({"userId": "me", "authUserId": "adele", "body": meeting("Budget", ALEX.user_principal_name)})).await;
    let organizer_event = created["body"]["id"].as_str().unwrap().to_string();
    let alex_events = f.call("events-list", json!({"userId": "me", "authUserId": "alex", "query": {"$filter": "subject eq 'Budget'"}})).await;
    let alex_copy = ids(&alex_events)
        .pop()
        .unwrap_or_else(|| panic!("Alex got a copy: {alex_events}"));

    for (operation, body) in [
        (
            "events-tentatively-accept",
            json!({"comment": "maybe", "sendResponse": true}),
        ),
        (
            "events-decline",
            json!({"comment": "move it?", "proposedNewTime": {"start": {"dateTime": "2026-12-02T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-12-02T09:30:00", "timeZone": "UTC"}}}),
        ),
        ("events-accept", json!(null)),
    ] {
        let answer = f.call(operation, json!({"userId": "me", "authUserId": "alex", "params": {"eventId": alex_copy}, "body": body})).await;
        assert_eq!(answer["status"], 202, "{operation}: {answer}");
    }
    // Application permissions answer for Alex too.
    for operation in [
        "events-tentatively-accept",
        "events-decline",
        "events-accept",
    ] {
        let as_app = f.call(operation, json!({"userId": ALEX.id, "params": {"eventId": alex_copy}, "body": {"sendResponse": false}})).await;
        assert_eq!(as_app["status"], 202, "{operation}: {as_app}");
    }
    let forwarded_by_app = f
        .call("events-forward", json!({"userId": ALEX.id, "params": {"eventId": alex_copy}, "body": {"toRecipients": [{"emailAddress": {"address": MEGAN.user_principal_name}}]}}))
        .await;
    assert_eq!(forwarded_by_app["status"], 202, "{forwarded_by_app}");
    let own = f
        .call(
            "events-accept",
            json!({"userId": "me", "authUserId": "adele", "params": {"eventId": organizer_event}}),
        )
        .await;
    assert_eq!(
        own["status"], 400,
        "an organizer cannot accept their own meeting (Graph's error): {own}"
    );

    let forwarded = f.call("events-forward", json!({"userId": "me", "authUserId": "adele", "params": {"eventId": organizer_event}, "body": {"toRecipients": [{"emailAddress": {"address": MEGAN.user_principal_name}}]}})).await;
    assert_eq!(forwarded["status"], 202, "{forwarded}");
    let cancelled = f.call("events-cancel", json!({"userId": ADELE.id, "params": {"eventId": organizer_event}, "body": {"comment": "Sorry"}})).await;
    assert_eq!(cancelled["status"], 202, "{cancelled}");
    let not_organizer = f
        .call(
            "events-cancel",
            json!({"userId": "me", "authUserId": "alex", "params": {"eventId": alex_copy}}),
        )
        .await;
    assert_eq!(not_organizer["status"], 400, "{not_organizer}");
}

#[tokio::test]
async fn time_windows_views_and_instances() {
    let stack = signed_in_stack().await;
    let f = Functions::start(
        &stack,
        &["events-create", "calendar-view", "events-instances"],
    )
    .await;
    let mut daily = meeting("Stand-up", ALEX.user_principal_name);
    daily["recurrence"] = json!({
        "pattern": {"type": "daily", "interval": 1},
        "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 5}
    });
    let series = f
        .call("events-create", json!({"userId": ADELE.id, "body": daily}))
        .await;
    assert_eq!(series["status"], 201, "{series}");
    let series_id = series["body"]["id"].as_str().unwrap();
    let week =
        json!({"startDateTime": "2026-11-30T00:00:00Z", "endDateTime": "2026-12-07T00:00:00Z"});

    for auth in [None, Some("adele")] {
        let user = if auth.is_some() { "me" } else { ADELE.id };
        let view = f
            .call(
                "calendar-view",
                as_caller(json!({"userId": user, "query": week.clone()}), auth),
            )
            .await;
        assert_eq!(view["status"], 200, "{view}");
        assert_eq!(ids(&view).len(), 5, "five occurrences in the week: {view}");
        let instances = f.call("events-instances", as_caller(json!({"userId": user, "params": {"eventId": series_id}, "query": week.clone()}), auth)).await;
        assert_eq!(ids(&instances).len(), 5, "{instances}");
    }
    stack.simulator().clear_requests().await.unwrap();
    for query in [
        json!({}),
        json!({"startDateTime": "2026-12-07T00:00:00Z", "endDateTime": "2026-11-30T00:00:00Z"}),
        json!({"startDateTime": "soon", "endDateTime": "later"}),
    ] {
        let refused = f
            .call("calendar-view", json!({"userId": ADELE.id, "query": query}))
            .await;
        assert_eq!(
            refused["body"]["error"]["code"], "InvalidRequest",
            "{refused}"
        );
    }
    assert_eq!(
        stack.simulator().requests().await.unwrap(),
        vec![],
        "refused windows never reach Graph"
    );

    // The window's length is Graph's to limit: four years pass, and past Graph's 1825 days its
    // own 400 ErrorInvalidRequest comes back as Graph gave it.
    let four_years =
        json!({"startDateTime": "2025-01-01T00:00:00Z", "endDateTime": "2029-01-01T00:00:00Z"});
    let view = f
        .call(
            "calendar-view",
            json!({"userId": ADELE.id, "query": four_years}),
        )
        .await;
    assert_eq!(view["status"], 200, "{view}");
    assert_eq!(ids(&view).len(), 5, "{view}");
    let six_years =
        json!({"startDateTime": "2025-01-01T00:00:00Z", "endDateTime": "2031-01-01T00:00:00Z"});
    for operation in ["calendar-view", "events-instances"] {
        let refused = f
            .call(
                operation,
                json!({"userId": ADELE.id, "params": if operation == "events-instances" { json!({"eventId": series_id}) } else { json!({}) }, "query": six_years.clone()}),
            )
            .await;
        assert_eq!(refused["status"], 400, "{refused}");
        assert_eq!(
            refused["body"]["error"]["code"], "ErrorInvalidRequest",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn scheduling_finds_times_and_free_busy() {
    let stack = signed_in_stack().await;
    let f = Functions::start(
        &stack,
        &["find-meeting-times", "get-schedule", "events-create"],
    )
    .await;
    f.call(
        "events-create",
        json!({"userId": ALEX.id, "body": meeting("Busy", MEGAN.user_principal_name)}),
    )
    .await;
    let window = json!({"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"});
    let found = f
        .call("find-meeting-times", json!({"userId": "me", "authUserId": "adele", "body": {
            "attendees": [{"emailAddress": {"address": ALEX.user_principal_name}, "type": "required"}],
            "timeConstraint": {"timeSlots": [{"start": window, "end": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"}}]},
            "meetingDuration": "PT30M"
        }}))
        .await;
    assert_eq!(found["status"], 200, "{found}");
    assert!(
        found["body"]["meetingTimeSuggestions"].is_array(),
        "{found}"
    );
    let app = f
        .call(
            "find-meeting-times",
            json!({"userId": ADELE.id, "body": {"meetingDuration": "PT30M"}}),
        )
        .await;
    assert_eq!(
        app["body"]["error"]["code"], "InvalidRequest",
        "findMeetingTimes has no application permission: {app}"
    );

    let schedule_body = json!({"schedules": [ALEX.user_principal_name], "startTime": window, "endTime": {"dateTime": "2026-12-01T12:00:00", "timeZone": "UTC"}, "availabilityViewInterval": 30});
    for auth in [None, Some("adele")] {
        let user = if auth.is_some() { "me" } else { ADELE.id };
        let schedule = f
            .call(
                "get-schedule",
                as_caller(json!({"userId": user, "body": schedule_body.clone()}), auth),
            )
            .await;
        assert_eq!(schedule["status"], 200, "{schedule}");
        assert_eq!(
            schedule["body"]["value"][0]["scheduleId"], ALEX.user_principal_name,
            "{schedule}"
        );
    }
}

#[tokio::test]
async fn permissions_are_checked_before_graph_and_passed_through_after() {
    let stack = signed_in_stack().await;
    let f = Functions::start(&stack, &["events-create", "events-list"]).await;
    stack.simulator().clear_requests().await.unwrap();
    let read_only = f.call("events-create", json!({"userId": "me", "authUserId": "megan-reader", "body": meeting("x", ALEX.user_principal_name)})).await;
    assert_eq!(
        read_only["body"]["error"]["code"], "ScopeInvalid",
        "{read_only}"
    );
    // A first call opens its connection to Graph while it reads (`HEAD /`, nothing in it).
    let sent: Vec<_> = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| (request.method.as_str(), request.path.as_str()) != ("HEAD", "/"))
        .collect();
    assert_eq!(sent, vec![], "stopped before Graph");
    let others = f
        .call(
            "events-list",
            json!({"userId": ADELE.id, "authUserId": "megan-reader"}),
        )
        .await;
    assert_eq!(
        others["status"], 403,
        "another user's calendar needs .Shared scopes (Graph's answer): {others}"
    );
}

#[tokio::test]
async fn throttled_reads_are_retried_and_a_dropped_create_leaves_one_event() {
    let stack = signed_in_stack().await;
    let f = Functions::start(&stack, &["events-create", "events-list"]).await;
    let events_path = format!("/v1.0/users/{}/events", ADELE.id);
    stack
        .simulator()
        .add_fault(&json!({"method": "GET", "path": events_path, "count": 2, "fault": {"kind": "status", "status": 429, "retryAfter": 1}}))
        .await
        .unwrap();
    stack.simulator().clear_requests().await.unwrap();
    let listed = f.call("events-list", json!({"userId": ADELE.id})).await;
    assert_eq!(listed["status"], 200, "{listed}");
    let attempts = stack
        .simulator()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == events_path)
        .count();
    assert_eq!(attempts, 3, "two throttled attempts, then success");

    stack
        .simulator()
        .add_fault(&json!({"method": "POST", "path": events_path, "count": 1, "fault": {"kind": "dropAfterHandling"}}))
        .await
        .unwrap();
    let created = f
        .call(
            "events-create",
            json!({"userId": ADELE.id, "body": meeting("Exactly once", ALEX.user_principal_name)}),
        )
        .await;
    assert_eq!(
        created["status"], 201,
        "the create was retried with the same transactionId: {created}"
    );
    let same = f
        .call(
            "events-list",
            json!({"userId": ADELE.id, "query": {"$filter": "subject eq 'Exactly once'"}}),
        )
        .await;
    assert_eq!(ids(&same).len(), 1, "one event despite the retry: {same}");
}
