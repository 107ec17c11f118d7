//! Real HTTP requests, as real callers send them, through `cargo lambda watch`: every operation that
//! takes query parameters is called at its API Gateway route (`GET /users/{userId}/events?...`, path
//! parameters filled by cargo-lambda's watch router), and the simulator's request log shows exactly
//! which query Graph received. Every query is sent twice: encoded by reqwest (form encoding: `+` for
//! spaces, `$ , ' ( ) :` percent-encoded) and as typed into curl (`$ , ' ( ) :` literal, `%20` for
//! spaces, `%22` for quotes). A repeated key is refused before anything reaches Microsoft.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use e2e::demo_directory::{ADELE, ALEX, DEMO_TENANT_ID, MEGAN};
use e2e::lambda_watch::{LambdaWatch, catalog_router, configured_router, router_toml};
use e2e::sign_in::sign_in;
use e2e::simulator_control::RecordedRequest;
use e2e::stack::TestStack;
use reqwest::{Method, Url};
use serde_json::{Value, json};
use shared::operations::catalog::CATALOG;
use shared::operations::operation::{Operation, QueryOption};

/// The application user signed in as Adele (delegated calls).
const ADELE_APP_USER: &str = "adele";
const ADELE_SCOPES: &[&str] = &[
    "User.Read",
    "User.ReadBasic.All",
    "Calendars.ReadWrite",
    "Calendars.Read.Shared",
];
const PACIFIC: &str = "Pacific Standard Time";
/// Query keys the bundle consumes itself instead of passing them to Graph.
const BUNDLE_KEYS: [&str; 6] = [
    "authUserId",
    "calendarId",
    "timeZone",
    "all",
    "nextLink",
    "deltaLink",
];
/// OData options every operation accepting them must be driven with.
const DRIVEN_OPTIONS: [QueryOption; 7] = [
    QueryOption::Select,
    QueryOption::Filter,
    QueryOption::Search,
    QueryOption::OrderBy,
    QueryOption::Top,
    QueryOption::Count,
    QueryOption::Skip,
];
/// How long one request may take (the first one to a function waits for `cargo run`).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

#[test]
fn the_watch_router_is_the_catalogs_routes() {
    let expected = catalog_router();
    let configured = configured_router().unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        configured,
        expected,
        "functions/Cargo.toml's watch router differs from the operations catalog; replace its table with:\n\n{}",
        router_toml(&expected)
    );
    // matchit (cargo-lambda's router) prefers a static segment to a parameter, so `GET /users/delta`
    // reaches users-delta and `GET /users/<id>` users-get; `real_requests_reach_graph_exactly` proves it.
    assert!(expected.contains_key("/users/delta") && expected.contains_key("/users/{userId}"));
}

/// Whether the operation reads anything from the query string (OData options, a time window, a time
/// zone or a calendar).
fn takes_query(operation: &Operation) -> bool {
    !operation.query_options.is_empty()
        || operation.time_window
        || operation.time_zone
        || operation.accepts_calendar()
}

/// The query keys an operation must have been driven with.
fn keys_to_drive(operation: &Operation) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = DRIVEN_OPTIONS
        .into_iter()
        .filter(|option| operation.query_options.contains(option))
        .map(|option| option.name().to_string())
        .collect();
    if operation.time_window {
        keys.extend(["startDateTime".into(), "endDateTime".into()]);
    }
    if operation.time_zone {
        keys.insert("timeZone".into());
    }
    if operation.accepts_calendar() {
        keys.insert("calendarId".into());
    }
    if operation.graph_path.ends_with("/delta") {
        keys.extend(["nextLink".into(), "deltaLink".into()]);
    }
    keys
}

/// `key` as the bundle names it: OData options with their `$`, lowercase; other keys unchanged.
fn canonical_key(key: &str) -> String {
    let bare = key.strip_prefix('$').unwrap_or(key).to_ascii_lowercase();
    QueryOption::ALL
        .into_iter()
        .find(|option| option.name()[1..] == bare)
        .map_or_else(|| key.to_string(), |option| option.name().to_string())
}

/// The pairs of a raw query, decoded once as `application/x-www-form-urlencoded` (as Graph reads it).
fn decode_query(raw: &str) -> Vec<(String, String)> {
    let url = Url::parse(&format!("http://graph.invalid/?{raw}")).expect("a URL");
    url.query_pairs()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// How a caller writes the query string.
#[derive(Clone, Copy, Debug)]
enum Spelling {
    /// reqwest's `.query(...)` (`application/x-www-form-urlencoded`).
    Form,
    /// As typed into curl: only what would change the meaning or break the request line is encoded
    /// (space, `% & + # "`); `$ , ' ( ) : / ?` stay literal.
    Typed,
}

fn typed(text: &str) -> String {
    let mut encoded = String::new();
    for c in text.chars() {
        match c {
            // `"` is not in RFC 3986's grammar: hyper (cargo lambda watch's server) answers a raw
            // one with 400 before any function runs, so callers (browsers, curl users) send `%22`.
            ' ' | '%' | '&' | '+' | '#' | '"' => {
                encoded.push_str(&format!("%{:02X}", c as u32));
            }
            c if c.is_ascii_graphic() => encoded.push(c),
            c => {
                for byte in c.to_string().bytes() {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    encoded
}

fn typed_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", typed(key), typed(value)))
        .collect::<Vec<_>>()
        .join("&")
}

type Check = Box<dyn Fn(&Value) -> Result<(), String>>;

/// One request to one operation and what Graph must receive for it.
struct Case {
    operation: &'static str,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
    status: u16,
    graph_path: String,
    graph_query: Vec<(String, String)>,
    graph_raw_query: Option<String>,
    checks: Vec<Check>,
}

impl Case {
    /// `method path?query` answered 200, Graph receiving `/v1.0{path}` and every query pair the bundle
    /// does not consume, under its canonical name.
    fn new(operation: &'static str, method: Method, path: &str, query: &[(&str, &str)]) -> Case {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let graph_query = query
            .iter()
            .filter(|(key, _)| !BUNDLE_KEYS.contains(&key.as_str()))
            .map(|(key, value)| (canonical_key(key), value.clone()))
            .collect();
        Case {
            operation,
            method,
            graph_path: format!("/v1.0{path}"),
            path: path.to_string(),
            query,
            body: None,
            status: 200,
            graph_query,
            graph_raw_query: None,
            checks: Vec::new(),
        }
    }

    fn get(operation: &'static str, path: &str, query: &[(&str, &str)]) -> Case {
        Case::new(operation, Method::GET, path, query)
    }

    fn body(mut self, body: Value) -> Case {
        self.body = Some(body);
        self
    }

    fn status(mut self, status: u16) -> Case {
        self.status = status;
        self
    }

    fn graph_path(mut self, path: &str) -> Case {
        self.graph_path = format!("/v1.0{path}");
        self
    }

    fn check(mut self, check: impl Fn(&Value) -> Result<(), String> + 'static) -> Case {
        self.checks.push(Box::new(check));
        self
    }
}

/// The `key` of each item of the answer's `value`.
fn item_values(answer: &Value, key: &str) -> Vec<String> {
    answer["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The answer's `value` items have `key` equal to `expected`, in order.
fn items(
    key: &'static str,
    expected: &'static [&'static str],
) -> impl Fn(&Value) -> Result<(), String> {
    move |answer| {
        let got = item_values(answer, key);
        (got == expected)
            .then_some(())
            .ok_or(format!("expected {key}s {expected:?}, got {got:?}"))
    }
}

/// The answer has `expected` at `pointer`.
fn at(pointer: &'static str, expected: Value) -> impl Fn(&Value) -> Result<(), String> {
    move |answer| {
        let got = answer.pointer(pointer).unwrap_or(&Value::Null);
        (*got == expected)
            .then_some(())
            .ok_or(format!("expected {expected} at {pointer}, got {got}"))
    }
}

/// Every item of the answer's `value` (at least one) starts in `zone` (`Prefer: outlook.timezone`).
fn items_in_zone(zone: &'static str) -> impl Fn(&Value) -> Result<(), String> {
    move |answer| {
        let zones = item_values(
            &json!({"value": answer["value"].as_array().into_iter().flatten().map(|i| i["start"].clone()).collect::<Vec<_>>()}),
            "timeZone",
        );
        (!zones.is_empty() && zones.iter().all(|z| z == zone))
            .then_some(())
            .ok_or(format!("expected every start in {zone}, got {zones:?}"))
    }
}

fn meeting(subject: &str, attendees: &[&str]) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T09:30:00", "timeZone": "UTC"},
        "attendees": attendees
            .iter()
            .map(|address| json!({"emailAddress": {"address": address}, "type": "required"}))
            .collect::<Vec<_>>()
    })
}

/// The stack, the watch serving the functions, and which query keys each operation was driven with.
struct World {
    watch: LambdaWatch,
    stack: TestStack,
    http: reqwest::Client,
    driven: Mutex<BTreeMap<&'static str, BTreeSet<String>>>,
}

impl World {
    async fn start() -> World {
        let stack = TestStack::start().await;
        sign_in(&stack, ADELE_APP_USER, ADELE.id, ADELE_SCOPES).await;
        let functions: Vec<&str> = CATALOG
            .iter()
            .filter(|operation| takes_query(operation))
            .map(|operation| operation.name)
            .chain(["calendars-create"])
            .collect();
        let watch = LambdaWatch::start(&stack.env(), &functions)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        World {
            watch,
            stack,
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("an HTTP client"),
            driven: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sends the case's request spelled `spelling`; returns the status, the body and the request target.
    async fn send(&self, case: &Case, spelling: Spelling) -> (u16, Vec<u8>, String) {
        match spelling {
            Spelling::Form => {
                let mut builder = self
                    .http
                    .request(case.method.clone(), self.watch.url(&case.path));
                if !case.query.is_empty() {
                    builder = builder.query(&case.query);
                }
                if let Some(body) = &case.body {
                    builder = builder.json(body);
                }
                let request = builder.build().expect("a request");
                let target = request.url().to_string();
                let response = self
                    .http
                    .execute(request)
                    .await
                    .unwrap_or_else(|error| panic!("{target}: {error}"));
                let status = response.status().as_u16();
                let body = response.bytes().await.expect("an answer body").to_vec();
                (status, body, target)
            }
            Spelling::Typed => {
                let target = if case.query.is_empty() {
                    case.path.clone()
                } else {
                    format!("{}?{}", case.path, typed_query(&case.query))
                };
                let body = case.body.as_ref().map(|body| body.to_string().into_bytes());
                let (status, answer) = tokio::time::timeout(
                    REQUEST_TIMEOUT,
                    self.watch.send_raw(
                        case.method.as_str(),
                        &target,
                        body.as_deref().map(|bytes| ("application/json", bytes)),
                    ),
                )
                .await
                .unwrap_or_else(|_| panic!("{target}: no answer"))
                .unwrap_or_else(|error| panic!("{error}"));
                (status, answer, target)
            }
        }
    }

    /// Runs the case spelled `spelling` and checks the answer and what Graph received; returns the answer.
    async fn run(&self, case: &Case, spelling: Spelling) -> Value {
        self.stack.simulator().clear_requests().await.unwrap();
        let (status, body, target) = self.send(case, spelling).await;
        let context = format!(
            "{} ({spelling:?}: {} {target})",
            case.operation, case.method
        );
        let answer: Value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap_or_else(|_| {
                panic!(
                    "{context}: answered {status} with non-JSON {:?}; watch log:\n{}",
                    String::from_utf8_lossy(&body),
                    self.watch.logs()
                )
            })
        };
        assert_eq!(status, case.status, "{context}: answered {answer}");
        let graph: Vec<RecordedRequest> = self
            .stack
            .simulator()
            .requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|request| request.path.starts_with("/v1.0/"))
            .collect();
        assert_eq!(graph.len(), 1, "{context}: Graph received {graph:#?}");
        let received = &graph[0];
        assert_eq!(received.method, case.method.as_str(), "{context}");
        assert_eq!(received.path, case.graph_path, "{context}");
        let raw = received.query.as_deref().unwrap_or_default();
        let pairs = decode_query(raw);
        let keys: BTreeSet<&String> = pairs.iter().map(|(key, _)| key).collect();
        assert_eq!(
            keys.len(),
            pairs.len(),
            "{context}: Graph received a key twice: {raw:?}"
        );
        let expected: BTreeMap<&String, &String> =
            case.graph_query.iter().map(|(k, v)| (k, v)).collect();
        let got: BTreeMap<&String, &String> = pairs.iter().map(|(k, v)| (k, v)).collect();
        assert_eq!(got, expected, "{context}: Graph received the query {raw:?}");
        if let Some(exact) = &case.graph_raw_query {
            assert_eq!(raw, exact, "{context}: the link's query, byte for byte");
        }
        for check in &case.checks {
            check(&answer).unwrap_or_else(|error| panic!("{context}: {error}; answer {answer}"));
        }
        self.driven
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(case.operation)
            .or_default()
            .extend(case.query.iter().map(|(key, _)| canonical_key(key)));
        answer
    }

    /// Runs the case in both spellings; returns the first answer.
    async fn run_both(&self, case: Case) -> Value {
        let answer = self.run(&case, Spelling::Form).await;
        self.run(&case, Spelling::Typed).await;
        answer
    }

    /// Sends `method target` verbatim and expects `400 InvalidRequest` whose message contains `why`,
    /// with nothing sent to Microsoft (no Graph and no token request).
    async fn refused(&self, method: &str, target: &str, why: &str) {
        self.stack.simulator().clear_requests().await.unwrap();
        let (status, body) = self
            .watch
            .send_raw(method, target, None)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!(status, 400, "{method} {target}: {answer}");
        assert_eq!(
            answer["error"]["code"], "InvalidRequest",
            "{method} {target}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(why),
            "{method} {target}: expected {why:?} in {message:?}"
        );
        assert_eq!(
            self.stack.simulator().requests().await.unwrap(),
            vec![],
            "{method} {target}: nothing reaches Microsoft"
        );
    }

    /// A request that prepares the world (not itself under test); expects a 2xx answer.
    async fn setup(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Value,
    ) -> Value {
        let mut builder = self.http.request(method.clone(), self.watch.url(path));
        if !query.is_empty() {
            builder = builder.query(query);
        }
        if !body.is_null() {
            builder = builder.json(&body);
        }
        let response = builder
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"));
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer
    }

    /// Sets the simulator's page sizes (`POST /_control/settings`).
    async fn simulator_settings(&self, settings: Value) {
        let response = self
            .http
            .post(format!("{}/_control/settings", self.stack.simulator_url()))
            .json(&settings)
            .send()
            .await
            .expect("simulator settings");
        assert!(response.status().is_success(), "{}", response.status());
    }
}

fn id(answer: &Value) -> String {
    answer["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id: {answer}"))
        .to_string()
}

#[tokio::test]
async fn real_requests_reach_graph_exactly() {
    let world = World::start().await;
    // Three users, two per page: users/delta answers with a nextLink first.
    world
        .simulator_settings(json!({"defaultPageSize": 2}))
        .await;
    world
        .stack
        .simulator()
        .add_group(&json!({"tenantId": DEMO_TENANT_ID, "displayName": "Retail, Adele's team", "memberIds": [ADELE.id]}))
        .await
        .unwrap();
    let (adele, alex, megan) = (ADELE.id, ALEX.id, MEGAN.id);
    let upn = ADELE.user_principal_name;

    // Users: application permissions, and delegated for `me`.
    world
        .run_both(
            Case::get(
                "users-get",
                &format!("/users/{upn}"),
                &[("$select", "id,displayName,jobTitle")],
            )
            .check(at("/displayName", json!("Adele Vance")))
            .check(at("/jobTitle", json!("Retail Manager"))),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-get",
                "/users/me",
                &[
                    ("$select", "id,displayName"),
                    ("authUserId", ADELE_APP_USER),
                ],
            )
            .graph_path(&format!("/users/{adele}"))
            .check(at("/id", json!(adele))),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-list",
                "/users",
                &[
                    ("$select", "id,displayName"),
                    ("$filter", "startswith(displayName,'A')"),
                    ("$orderby", "displayName desc"),
                    ("$top", "5"),
                    ("$count", "true"),
                ],
            )
            .check(items("displayName", &["Alex Wilber", "Adele Vance"]))
            .check(at("/@odata.count", json!(2))),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-list",
                "/users",
                &[
                    ("$filter", "displayName eq 'Adele Vance'"),
                    ("$select", "id,displayName"),
                ],
            )
            .check(items("displayName", &["Adele Vance"])),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-list",
                "/users",
                &[
                    ("$search", "\"displayName:Adele\""),
                    ("$count", "true"),
                    ("$select", "id,displayName"),
                ],
            )
            .check(items("displayName", &["Adele Vance"]))
            .check(at("/@odata.count", json!(1))),
        )
        .await;
    // Option names without `$` reach Graph with it.
    world
        .run_both(
            Case::get(
                "users-list",
                "/users",
                &[
                    ("select", "id,displayName"),
                    ("filter", "startswith(displayName,'M')"),
                    ("top", "2"),
                ],
            )
            .check(items("displayName", &["Megan Bowen"])),
        )
        .await;
    let first_page = world
        .run_both(Case::get(
            "users-list",
            "/users",
            &[("$top", "1"), ("$select", "id,displayName")],
        ))
        .await;
    let next_link = first_page["@odata.nextLink"]
        .as_str()
        .unwrap_or_else(|| panic!("a nextLink: {first_page}"));
    let skip_token = decode_query(next_link.split_once('?').unwrap().1)
        .into_iter()
        .find(|(key, _)| key == "$skiptoken")
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("a $skiptoken in {next_link}"));
    world
        .run_both(
            Case::get(
                "users-list",
                "/users",
                &[
                    ("$skiptoken", &skip_token),
                    ("$top", "1"),
                    ("$select", "id,displayName"),
                ],
            )
            .check(|answer| {
                (item_values(answer, "displayName").len() == 1)
                    .then_some(())
                    .ok_or("one user on the second page".into())
            }),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-manager",
                &format!("/users/{adele}/manager"),
                &[("$select", "id,displayName")],
            )
            .check(at("/displayName", json!("Megan Bowen"))),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-direct-reports",
                &format!("/users/{megan}/directReports"),
                &[
                    ("$select", "id,displayName"),
                    ("$filter", "startswith(displayName,'A')"),
                    ("$orderby", "displayName desc"),
                    ("$top", "5"),
                    ("$count", "true"),
                ],
            )
            .check(items("displayName", &["Alex Wilber", "Adele Vance"])),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-direct-reports",
                &format!("/users/{megan}/directReports"),
                &[("$search", "\"displayName:Alex\""), ("$count", "true")],
            )
            .check(items("displayName", &["Alex Wilber"])),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-member-of",
                &format!("/users/{adele}/memberOf"),
                &[
                    ("$select", "id,displayName"),
                    ("$filter", "displayName eq 'Retail, Adele''s team'"),
                    ("$orderby", "displayName desc"),
                    ("$top", "5"),
                    ("$count", "true"),
                ],
            )
            .check(items("displayName", &["Retail, Adele's team"])),
        )
        .await;
    world
        .run_both(
            Case::get(
                "users-member-of",
                &format!("/users/{adele}/memberOf"),
                &[("$search", "\"displayName:Retail\""), ("$count", "true")],
            )
            .check(items("displayName", &["Retail, Adele's team"])),
        )
        .await;

    // users/delta: a first round, then the links Graph returned, each with a query of its own.
    let first = world
        .run_both(Case::get(
            "users-delta",
            "/users/delta",
            &[("$select", "id,displayName")],
        ))
        .await;
    let next_link = first["@odata.nextLink"]
        .as_str()
        .unwrap_or_else(|| panic!("users-delta answered a nextLink: {first}"))
        .to_string();
    let last = world
        .run_both(continuation(
            "users-delta",
            "/users/delta",
            "nextLink",
            &next_link,
            &[],
        ))
        .await;
    let delta_link = last["@odata.deltaLink"]
        .as_str()
        .unwrap_or_else(|| panic!("the last page carries a deltaLink: {last}"))
        .to_string();
    world
        .run_both(continuation(
            "users-delta",
            "/users/delta",
            "deltaLink",
            &delta_link,
            &[],
        ))
        .await;
    // Graph takes `$filter=id eq '...'` on users/delta; the simulator refuses it, and its error
    // passes through: the query still reached it as sent.
    world
        .run_both(
            Case::get(
                "users-delta",
                "/users/delta",
                &[
                    ("$filter", &format!("id eq '{adele}'")),
                    ("$select", "id,displayName"),
                ],
            )
            .status(400)
            .check(|answer| {
                let code = answer["error"]["code"].as_str().unwrap_or_default();
                (!code.is_empty() && code != "InvalidRequest")
                    .then_some(())
                    .ok_or("Graph's own error".into())
            }),
        )
        .await;

    // Calendars and events of Adele, as the application; a calendar whose name has a comma.
    let calendar = id(&world
        .setup(
            Method::POST,
            &format!("/users/{adele}/calendars"),
            &[],
            json!({"name": "Side project, Q3"}),
        )
        .await);
    let in_calendar = [("calendarId", calendar.as_str())];
    let events_path = format!("/users/{adele}/events");
    let review = id(&world
        .setup(
            Method::POST,
            &events_path,
            &in_calendar,
            meeting("Plan review, Q3", &[ALEX.user_principal_name]),
        )
        .await);
    let mut daily = meeting("Stand-up, daily", &[]);
    daily["recurrence"] = json!({
        "pattern": {"type": "daily", "interval": 1},
        "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 5}
    });
    let series = id(&world
        .setup(Method::POST, &events_path, &in_calendar, daily)
        .await);
    let mut scratch = Vec::new();
    for subject in ["Scratch 1", "Scratch 2", "Cancel me 1", "Cancel me 2"] {
        scratch.push(id(&world
            .setup(
                Method::POST,
                &events_path,
                &in_calendar,
                meeting(subject, &[MEGAN.user_principal_name]),
            )
            .await));
    }
    let alex_calendars = world
        .setup(
            Method::GET,
            &format!("/users/{alex}/calendars"),
            &[],
            Value::Null,
        )
        .await;
    let alex_default = alex_calendars["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|calendar| calendar["isDefaultCalendar"] == true)
        .map(id)
        .unwrap_or_else(|| panic!("Alex has a default calendar: {alex_calendars}"));
    let alex_events = world
        .setup(
            Method::GET,
            &format!("/users/{alex}/events"),
            &[("$filter", "subject eq 'Plan review, Q3'")],
            Value::Null,
        )
        .await;
    let alex_copy = alex_events["value"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("Alex got the invitation: {alex_events}"))
        .to_string();

    world
        .run_both(
            Case::get(
                "calendars-list",
                &format!("/users/{adele}/calendars"),
                &[
                    ("$select", "id,name,color"),
                    ("$filter", "name eq 'Side project, Q3'"),
                    ("$orderby", "name desc"),
                    ("$top", "5"),
                    ("$skip", "0"),
                ],
            )
            .check(items("name", &["Side project, Q3"])),
        )
        .await;
    world
        .run_both(
            Case::get(
                "calendars-get",
                &format!("/users/{adele}/calendars/{calendar}"),
                &[("$select", "id,name")],
            )
            .check(at("/name", json!("Side project, Q3"))),
        )
        .await;
    let in_named = format!("/users/{adele}/calendars/{calendar}/events");
    world
        .run_both(
            Case::get(
                "events-list",
                &events_path,
                &[
                    ("$select", "id,subject,start"),
                    ("$filter", "subject eq 'Plan review, Q3'"),
                    ("$orderby", "start/dateTime desc"),
                    ("$top", "5"),
                    ("$skip", "0"),
                    ("timeZone", PACIFIC),
                    ("calendarId", &calendar),
                ],
            )
            .graph_path(&in_named)
            .check(items("subject", &["Plan review, Q3"]))
            .check(items_in_zone(PACIFIC)),
        )
        .await;
    world
        .run_both(
            Case::get(
                "events-get",
                &format!("{events_path}/{review}"),
                &[
                    ("$select", "id,subject,start"),
                    ("calendarId", &calendar),
                    ("timeZone", "Europe/Paris"),
                ],
            )
            .graph_path(&format!("{in_named}/{review}"))
            .check(at("/subject", json!("Plan review, Q3")))
            .check(at("/start/timeZone", json!("Europe/Paris"))),
        )
        .await;
    world
        .run_both(
            Case::new(
                "events-create",
                Method::POST,
                &events_path,
                &[("calendarId", &calendar), ("timeZone", PACIFIC)],
            )
            .body(meeting("Created, through a URL", &[]))
            .status(201)
            .graph_path(&in_named)
            .check(at("/start/timeZone", json!(PACIFIC))),
        )
        .await;
    world
        .run_both(
            Case::new(
                "events-update",
                Method::PATCH,
                &format!("{events_path}/{review}"),
                &[("calendarId", &calendar), ("timeZone", PACIFIC)],
            )
            .body(json!({"subject": "Plan review, Q3 (moved)"}))
            .graph_path(&format!("{in_named}/{review}"))
            .check(at("/subject", json!("Plan review, Q3 (moved)")))
            .check(at("/start/timeZone", json!(PACIFIC))),
        )
        .await;
    for (operation, action) in [
        ("events-tentatively-accept", "tentativelyAccept"),
        ("events-decline", "decline"),
        ("events-accept", "accept"),
    ] {
        world
            .run_both(
                Case::new(
                    operation,
                    Method::POST,
                    &format!("/users/{alex}/events/{alex_copy}/{action}"),
                    &[("calendarId", &alex_default)],
                )
                .body(json!({"comment": "See you there, Adele", "sendResponse": false}))
                .status(202)
                .graph_path(&format!(
                    "/users/{alex}/calendars/{alex_default}/events/{alex_copy}/{action}"
                )),
            )
            .await;
    }
    world
        .run_both(
            Case::new(
                "events-forward",
                Method::POST,
                &format!("{events_path}/{review}/forward"),
                &[("calendarId", &calendar)],
            )
            .body(json!({"comment": "FYI, Megan", "toRecipients": [{"emailAddress": {"address": MEGAN.user_principal_name}}]}))
            .status(202)
            .graph_path(&format!("{in_named}/{review}/forward")),
        )
        .await;
    // Cancelling and deleting cannot be repeated: each spelling gets an event of its own.
    for (spelling, event) in [Spelling::Form, Spelling::Typed]
        .into_iter()
        .zip(&scratch[2..])
    {
        let case = Case::new(
            "events-cancel",
            Method::POST,
            &format!("{events_path}/{event}/cancel"),
            &[("calendarId", &calendar)],
        )
        .body(json!({"comment": "Sorry, cancelled"}))
        .status(202)
        .graph_path(&format!("{in_named}/{event}/cancel"));
        world.run(&case, spelling).await;
    }
    for (spelling, event) in [Spelling::Form, Spelling::Typed]
        .into_iter()
        .zip(&scratch[..2])
    {
        let case = Case::new(
            "events-delete",
            Method::DELETE,
            &format!("{events_path}/{event}"),
            &[("calendarId", &calendar)],
        )
        .status(204)
        .graph_path(&format!("{in_named}/{event}"));
        world.run(&case, spelling).await;
    }
    // A week from Monday 00:00 in UTC+1 (the `+` must travel as %2B), three occurrences after the first.
    let window = [
        ("startDateTime", "2026-11-30T00:00:00+01:00"),
        ("endDateTime", "2026-12-07T00:00:00Z"),
    ];
    let view_options = [
        ("$select", "id,subject,start"),
        ("$filter", "subject eq 'Stand-up, daily'"),
        ("$orderby", "start/dateTime desc"),
        ("$top", "3"),
        ("$skip", "1"),
        ("timeZone", PACIFIC),
    ];
    for (operation, path, graph_path) in [
        (
            "events-instances",
            format!("{events_path}/{series}/instances"),
            format!("{in_named}/{series}/instances"),
        ),
        (
            "calendar-view",
            format!("/users/{adele}/calendarView"),
            format!("/users/{adele}/calendars/{calendar}/calendarView"),
        ),
    ] {
        let query: Vec<(&str, &str)> = window
            .iter()
            .chain(&view_options)
            .copied()
            .chain([("calendarId", calendar.as_str())])
            .collect();
        world
            .run_both(
                Case::get(operation, &path, &query)
                    .graph_path(&graph_path)
                    .check(|answer| {
                        let subjects = item_values(answer, "subject");
                        (subjects.len() == 3 && subjects.iter().all(|s| s == "Stand-up, daily"))
                            .then_some(())
                            .ok_or(format!("three occurrences, got {subjects:?}"))
                    })
                    .check(items_in_zone(PACIFIC)),
            )
            .await;
    }
    // calendarView/delta of the named calendar (two instances a page): the window and the time zone
    // on the first call, then every link Graph returned, with `calendarId` so that the link is
    // checked against the named calendar's path.
    world
        .simulator_settings(json!({"calendarPageSize": 2}))
        .await;
    let delta_path = format!("/users/{adele}/calendarView/delta");
    let first_query: Vec<(&str, &str)> = window
        .iter()
        .copied()
        .chain([("timeZone", PACIFIC), ("calendarId", calendar.as_str())])
        .collect();
    let mut page = world
        .run_both(
            Case::get("calendar-view-delta", &delta_path, &first_query)
                .graph_path(&format!(
                    "/users/{adele}/calendars/{calendar}/calendarView/delta"
                ))
                .check(items_in_zone(PACIFIC)),
        )
        .await;
    let in_calendar = [("calendarId", calendar.as_str())];
    let mut pages = 1;
    while let Some(link) = page["@odata.nextLink"].as_str().map(String::from) {
        page = world
            .run_both(continuation(
                "calendar-view-delta",
                &delta_path,
                "nextLink",
                &link,
                &in_calendar,
            ))
            .await;
        pages += 1;
    }
    assert!(pages > 1, "the window's instances span several pages");
    let round = page["@odata.deltaLink"]
        .as_str()
        .unwrap_or_else(|| panic!("the last page carries a deltaLink: {page}"))
        .to_string();
    world
        .run_both(continuation(
            "calendar-view-delta",
            &delta_path,
            "deltaLink",
            &round,
            &in_calendar,
        ))
        .await;
    world
        .simulator_settings(json!({"calendarPageSize": 10}))
        .await;
    let slot = |time: &str| json!({"dateTime": format!("2026-12-01T{time}"), "timeZone": "UTC"});
    world
        .run_both(
            Case::new(
                "find-meeting-times",
                Method::POST,
                "/users/me/findMeetingTimes",
                &[("authUserId", ADELE_APP_USER), ("timeZone", PACIFIC)],
            )
            .body(json!({
                "attendees": [{"emailAddress": {"address": ALEX.user_principal_name}, "type": "required"}],
                "timeConstraint": {"timeSlots": [{"start": slot("08:00:00"), "end": slot("12:00:00")}]},
                "meetingDuration": "PT30M"
            }))
            .graph_path(&format!("/users/{adele}/findMeetingTimes"))
            .check(|answer| {
                answer["meetingTimeSuggestions"]
                    .is_array()
                    .then_some(())
                    .ok_or("meeting time suggestions".into())
            }),
        )
        .await;
    world
        .run_both(
            Case::new(
                "get-schedule",
                Method::POST,
                &format!("/users/{adele}/calendar/getSchedule"),
                &[("timeZone", PACIFIC)],
            )
            .body(json!({
                "schedules": [ALEX.user_principal_name],
                "startTime": slot("08:00:00"),
                "endTime": slot("12:00:00"),
                "availabilityViewInterval": 30
            }))
            .check(at("/value/0/scheduleId", json!(ALEX.user_principal_name))),
        )
        .await;

    // Every query-taking operation of the catalog was driven with every query key it reads.
    let driven = world
        .driven
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let query_taking: BTreeSet<&str> = CATALOG
        .iter()
        .filter(|operation| takes_query(operation))
        .map(|operation| operation.name)
        .collect();
    assert_eq!(
        driven.keys().copied().collect::<BTreeSet<_>>(),
        query_taking,
        "every operation that takes a query, and only those"
    );
    for operation in CATALOG.iter().filter(|operation| takes_query(operation)) {
        let missing: Vec<String> = keys_to_drive(operation)
            .difference(&driven[operation.name])
            .cloned()
            .collect();
        assert!(
            missing.is_empty(),
            "{} was never driven with {missing:?}",
            operation.name
        );
    }

    // Repeated keys (also once decoded, or as two spellings of one option) are refused before
    // anything reaches Microsoft; so is an unencoded `+` in an offset (it reads as a space).
    let more_than_once = "is given more than once";
    world
        .refused(
            "GET",
            "/users?$top=1&$top=2",
            "`$top` is given more than once",
        )
        .await;
    world
        .refused(
            "GET",
            "/users?$select=id&%24select=displayName",
            "`$select` is given more than once",
        )
        .await;
    world
        .refused(
            "GET",
            "/users?$select=id&select=displayName",
            "query option `$select` is given twice",
        )
        .await;
    world
        .refused(
            "GET",
            &format!("/users/{adele}?authUserId=adele&authUserId=alex"),
            more_than_once,
        )
        .await;
    world
        .refused(
            "GET",
            &format!("{events_path}?calendarId={calendar}&calendarId={alex_default}"),
            more_than_once,
        )
        .await;
    world
        .refused(
            "GET",
            &format!("{events_path}/{series}/instances?startDateTime=2026-11-30T00:00:00+01:00&endDateTime=2026-12-07T00:00:00Z"),
            "`startDateTime` must be an ISO 8601 date-time",
        )
        .await;
    world
        .refused(
            "GET",
            &format!("/users/delta?$select=id&deltaLink={}", typed(&delta_link)),
            "carries its own query options",
        )
        .await;
}

/// A delta `operation` at `route` continued from `link` (`key`: `nextLink` or `deltaLink`), with the
/// bundle's own `extra` keys: Graph receives the link itself, its path and its query byte for byte.
fn continuation(
    operation: &'static str,
    route: &str,
    key: &str,
    link: &str,
    extra: &[(&str, &str)],
) -> Case {
    let (address, query) = link
        .split_once('?')
        .unwrap_or_else(|| panic!("{link} has a query"));
    let path = Url::parse(address).expect("a link").path().to_string();
    let keys: Vec<(&str, &str)> = [(key, link)]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let mut case = Case::get(operation, route, &keys).check(|answer| {
        (answer.get("@odata.nextLink").is_some() || answer.get("@odata.deltaLink").is_some())
            .then_some(())
            .ok_or("a delta page".into())
    });
    case.graph_path = path;
    case.graph_query = decode_query(query);
    case.graph_raw_query = Some(query.to_string());
    case
}
