//! The change feed's latencies beside the cost they cannot avoid: Graph's validation request
//! answered by a cold `graph-notifications` (process start to answer), the acknowledgement of one
//! change notification by a warm one (its subscription read, the event published, 202), and one
//! `PutEvents` of one entry made directly with the AWS SDK. Everything on loopback against moto and
//! the simulator; run in release mode for meaningful numbers:
//!
//! ```sh
//! cargo test --release -p e2e --test e2e change_feed_bench -- --ignored --nocapture
//! ```
//!
//! The budgets are Graph's: a validation answer within 10 seconds, a notification answered within
//! 3 seconds and not "slow" (over 2,900 ms) (`concepts/change-notifications-delivery-webhooks.md`).

use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use e2e::aws::moto_sdk_config;
use e2e::demo_directory::ADELE;
use e2e::function_process::spawn_function;
use e2e::http_front::post_event;
use serde_json::json;

use crate::change_feed::{Feed, subscribe};

/// Cold starts measured.
const COLD_STARTS: usize = 20;
/// Warm acknowledgements and direct `PutEvents` measured.
const WARM: usize = 300;

/// The `q`-quantile of `samples` (sorted in place), in milliseconds.
fn quantile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    let at = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[at].as_secs_f64() * 1000.0
}

#[tokio::test]
#[ignore = "benchmark; run with `cargo test --release -p e2e --test e2e change_feed_bench -- --ignored --nocapture`"]
async fn change_feed_latencies_beside_one_put_events() {
    let feed = Feed::start().await;
    let create = feed.function("subscriptions-create").await;
    let id = subscribe(&create, Some("adele"), "me").await;
    let subscription = feed
        .control
        .subscriptions()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    let route = "POST /graph/notifications";

    let mut cold = Vec::new();
    for _ in 0..COLD_STARTS {
        let started = Instant::now();
        let endpoint = spawn_function("graph-notifications", &feed.env).await;
        let answer = endpoint
            .invoke(post_event(
                route,
                "/graph/notifications?validationToken=Validation%3A+Testing+client+validation",
                "",
            ))
            .await
            .unwrap();
        cold.push(started.elapsed());
        assert_eq!(answer["body"], "Validation: Testing client validation");
    }

    let endpoint = spawn_function("graph-notifications", &feed.env).await;
    let mut warm = Vec::new();
    for n in 0..=WARM {
        let body = json!({"value": [{
            "subscriptionId": id, "clientState": subscription["clientState"],
            "tenantId": subscription["tenantId"], "changeType": "updated",
            "resource": format!("Users/{}/Events/bench-{n}", ADELE.id),
            "resourceData": {"id": format!("bench-{n}"), "@odata.etag": format!("W/\"k{n}\"")},
        }]});
        let started = Instant::now();
        let answer = endpoint
            .invoke(post_event(route, "/graph/notifications", &body.to_string()))
            .await
            .unwrap();
        // The first one pays for the settings and the connections.
        if n > 0 {
            warm.push(started.elapsed());
        }
        assert_eq!(answer["statusCode"], 202, "{answer}");
    }

    let eventbridge = aws_sdk_eventbridge::Client::new(&moto_sdk_config(
        &feed.stack.function_env().aws_endpoint_url,
    ));
    let mut direct = Vec::new();
    for n in 0..=WARM {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(feed.stack.events().bus_name())
            // Matched by the same rule as the change feed's events, so moto delivers it alike.
            .source("graph-functions.bench")
            .detail_type("Bench")
            .detail(json!({ "n": n }).to_string())
            .build();
        let started = Instant::now();
        let output = eventbridge
            .put_events()
            .entries(entry)
            .send()
            .await
            .unwrap();
        if n > 0 {
            direct.push(started.elapsed());
        }
        assert_eq!(output.failed_entry_count(), 0);
    }

    let (cold_p50, cold_p99) = (quantile(&mut cold, 0.5), quantile(&mut cold, 0.99));
    let (warm_p50, warm_p99) = (quantile(&mut warm, 0.5), quantile(&mut warm, 0.99));
    let (put_p50, put_p99) = (quantile(&mut direct, 0.5), quantile(&mut direct, 0.99));
    println!("| measurement | p50 ms | p99 ms | samples |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| validation answer, cold start (process start to answer) | {cold_p50:.2} | {cold_p99:.2} | {COLD_STARTS} |"
    );
    println!(
        "| one change notification acknowledged, warm (GetItem + PutEvents + 202) | {warm_p50:.2} | {warm_p99:.2} | {WARM} |"
    );
    println!(
        "| one PutEvents of one entry, directly with the AWS SDK | {put_p50:.2} | {put_p99:.2} | {WARM} |"
    );
    assert!(
        cold_p99 < 10_000.0,
        "Graph waits 10 s for the validation answer"
    );
    assert!(
        warm_p99 < 2_900.0,
        "Graph counts answers over 2,900 ms as slow"
    );
}
