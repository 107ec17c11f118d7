//! `graph-notifications` reached the way software this project did not write delivers to it:
//! `cargo lambda watch` turns a real HTTP request to the function URL into the payload v2 event,
//! with the validation token and the notification body Microsoft's documentation shows
//! (<https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>).

use e2e::lambda_watch::LambdaWatch;
use e2e::stack::TestStack;

/// The validation token of Microsoft's example, URL-encoded as Graph sends it.
const VALIDATION_QUERY: &str = "validationToken=Validation%3A%20Testing%20client%20validation";

/// Microsoft's example change notification (its placeholders kept): it names no subscription this
/// stack has, so it must be dropped, acknowledged, and published nowhere.
const MICROSOFT_EXAMPLE: &str = r##"{"value": [{
    "subscriptionId": "{subscription_guid}",
    "subscriptionExpirationDateTime": "2016-03-19T22:11:09.952Z",
    "clientState": "secretClientValue",
    "changeType": "created",
    "resource": "users/{user_guid}@{tenant_guid}/messages/{long_id_string}",
    "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95",
    "resourceData": {
      "@odata.type": "#Microsoft.Graph.Message",
      "@odata.id": "Users/{user_guid}@{tenant_guid}/Messages/{long_id_string}",
      "@odata.etag": "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"",
      "id": "{long_id_string}"
    }
}]}"##;

#[tokio::test]
async fn a_function_url_request_is_validated_and_a_foreign_notification_dropped() {
    let stack = TestStack::start().await;
    let watch = LambdaWatch::start(&stack.env(), &["graph-notifications"])
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let http = reqwest::Client::new();

    let validation = http
        .post(watch.url(&format!(
            "/lambda-url/graph-notifications?{VALIDATION_QUERY}"
        )))
        .header("content-type", "text/plain; charset=utf-8")
        .send()
        .await
        .expect("the validation request is answered");
    assert_eq!(validation.status(), 200, "{}", watch.logs());
    assert!(
        validation.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        validation.headers()
    );
    assert_eq!(
        validation.text().await.unwrap(),
        "Validation: Testing client validation"
    );

    let notification = http
        .post(watch.url("/lambda-url/graph-notifications"))
        .header("content-type", "application/json; charset=utf-8")
        .body(MICROSOFT_EXAMPLE)
        .send()
        .await
        .expect("the notification is answered");
    assert_eq!(notification.status(), 202, "{}", watch.logs());
    let published = stack
        .events()
        .drain(
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(5),
        )
        .await
        .expect("reading the queue");
    assert!(published.is_empty(), "{published:?}");
}
