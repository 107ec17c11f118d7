//! The simulator's change feed controls (tests/simulator/CHANGE_FEED.md, "Control endpoints"): its
//! live subscriptions, lifecycle notifications on demand, lost notifications, silent removal, the
//! delivery log and settings, and expiring delta tokens.

use serde_json::{Value, json};

/// The change feed controls of the simulator at one base URL.
#[derive(Clone)]
pub struct ChangeFeedControl {
    base_url: String,
    http: reqwest::Client,
}

impl ChangeFeedControl {
    /// The controls of the simulator serving at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .http
            .request(method, format!("{}/_control/{path}", self.base_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path}: {status} {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Every live subscription (with its `tenantId`).
    pub async fn subscriptions(&self) -> Result<Vec<Value>, String> {
        let answer = self
            .send(reqwest::Method::GET, "subscriptions", None)
            .await?;
        Ok(answer["subscriptions"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// Sends lifecycle notification `event` for subscription `id` (`subscriptionRemoved` removes it first).
    pub async fn lifecycle(&self, id: &str, event: &str) -> Result<(), String> {
        self.send(
            reqwest::Method::POST,
            &format!("subscriptions/{id}/lifecycle"),
            Some(json!({ "lifecycleEvent": event })),
        )
        .await
        .map(drop)
    }

    /// Drops the next `count` change notifications of subscription `id`, then announces `missed`.
    pub async fn lose(&self, id: &str, count: u32) -> Result<(), String> {
        self.send(
            reqwest::Method::POST,
            &format!("subscriptions/{id}/lose"),
            Some(json!({ "count": count })),
        )
        .await
        .map(drop)
    }

    /// Removes subscription `id` without telling anyone: its renewal answers 404.
    pub async fn remove(&self, id: &str) -> Result<(), String> {
        self.send(
            reqwest::Method::POST,
            &format!("subscriptions/{id}/remove"),
            None,
        )
        .await
        .map(drop)
    }

    /// Every delivery attempt so far (change, lifecycle and validation).
    pub async fn deliveries(&self) -> Result<Vec<Value>, String> {
        let answer = self
            .send(reqwest::Method::GET, "notifications", None)
            .await?;
        Ok(answer["deliveries"].as_array().cloned().unwrap_or_default())
    }

    /// Changes the delivery settings (`firstRetryMs`, `maxAttempts`, `deliveryTimeoutMs`,
    /// `validationTimeoutMs`); all four as they are now.
    pub async fn settings(&self, update: Value) -> Result<Value, String> {
        self.send(reqwest::Method::POST, "change-feed/settings", Some(update))
            .await
    }

    /// Makes every delta and skip token issued so far answer 410 `SyncStateNotFound`.
    pub async fn expire_delta_tokens(&self) -> Result<(), String> {
        self.send(
            reqwest::Method::POST,
            "delta-tokens/expire",
            Some(json!({})),
        )
        .await
        .map(drop)
    }
}
