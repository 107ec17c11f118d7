//! What the benchmark invokes: a function, in one permission mode, with one event, and the Graph
//! request that event comes down to.

use reqwest::Method;
use serde_json::{Value, json};

/// Permission mode of an invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// As an application user, with that user's stored refresh token.
    Delegated,
    /// As the application (client credentials).
    Application,
}

impl Mode {
    /// How the report names the mode.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Delegated => "delegated",
            Mode::Application => "application",
        }
    }
}

/// The Graph request an invocation makes.
#[derive(Clone, Debug)]
pub struct GraphRequest {
    /// HTTP method.
    pub method: Method,
    /// Path below the Graph origin, e.g. `/v1.0/users/<id>`.
    pub path: String,
    /// JSON body, if any; a `transactionId` in it is replaced by a fresh one on every use.
    body: Option<Value>,
    /// The status a success answers.
    pub status: u16,
}

impl GraphRequest {
    /// The body to send this time.
    pub fn next_body(&self) -> Option<Value> {
        self.body.as_ref().map(with_fresh_transaction_id)
    }
}

/// One function invoked one way.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Function (binary) name, e.g. `users-get`.
    pub function: &'static str,
    /// The Python baseline's handler for it, e.g. `handlers.users_get`.
    pub handler: &'static str,
    /// Permission mode.
    pub mode: Mode,
    /// The direct-invocation event; a `transactionId` in its body is replaced by a fresh one on
    /// every use.
    event: Value,
    /// The Graph request the event comes down to.
    pub graph: GraphRequest,
}

impl Scenario {
    /// The event to invoke with this time.
    pub fn next_event(&self) -> Value {
        let mut event = self.event.clone();
        if let Some(body) = event.get_mut("body") {
            *body = with_fresh_transaction_id(body);
        }
        event
    }

    /// `users-get (delegated)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.function, self.mode.label())
    }
}

/// `body` with a new `transactionId` when it has one.
fn with_fresh_transaction_id(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(transaction_id) = body.get_mut("transactionId") {
        *transaction_id = json!(uuid::Uuid::new_v4().to_string());
    }
    body
}

/// The event body of `events-create`: a half-hour meeting. It names a `transactionId` (replaced by
/// a fresh one for every request) so that the Rust function, which sends one on every create, the
/// baseline and the direct request all ask Graph (the simulator) the same.
fn new_event() -> Value {
    json!({
        "transactionId": "",
        "subject": "Benchmark review",
        "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T09:30:00", "timeZone": "UTC"},
    })
}

/// `users-get` and `events-create`, each in both modes, on Microsoft user `ms_user_id`; delegated
/// as application user `app_user_id` (signed in as that Microsoft user).
pub fn scenarios(app_user_id: &str, ms_user_id: &str) -> Vec<Scenario> {
    let user_path = format!("/v1.0/users/{ms_user_id}");
    let get_user = GraphRequest {
        method: Method::GET,
        path: user_path.clone(),
        body: None,
        status: 200,
    };
    let create_event = GraphRequest {
        method: Method::POST,
        path: format!("{user_path}/events"),
        body: Some(new_event()),
        status: 201,
    };
    vec![
        Scenario {
            function: "users-get",
            handler: "handlers.users_get",
            mode: Mode::Delegated,
            event: json!({"userId": "me", "authUserId": app_user_id}),
            graph: get_user.clone(),
        },
        Scenario {
            function: "users-get",
            handler: "handlers.users_get",
            mode: Mode::Application,
            event: json!({"userId": ms_user_id}),
            graph: get_user,
        },
        Scenario {
            function: "events-create",
            handler: "handlers.events_create",
            mode: Mode::Delegated,
            event: json!({"userId": "me", "authUserId": app_user_id, "body": new_event()}),
            graph: create_event.clone(),
        },
        Scenario {
            function: "events-create",
            handler: "handlers.events_create",
            mode: Mode::Application,
            event: json!({"userId": ms_user_id, "body": new_event()}),
            graph: create_event,
        },
    ]
}
