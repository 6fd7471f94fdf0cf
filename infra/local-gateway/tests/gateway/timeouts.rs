//! The template's function `Timeout`: once a function has answered once (its first call may
//! be a build), an invocation that runs past it ends as Lambda ends it, a function error
//! (`Sandbox.Timedout`), and its late answer is never used; past the API's integration timeout
//! API Gateway answers for itself.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Harness, Reply, assert_silent, next_text, send_text};

/// Longer than the fixture's 1 s `Timeout`.
const OVERRUN: Duration = Duration::from_millis(2500);

fn late(body: &str) -> Reply {
    Reply::Delayed(
        OVERRUN,
        Box::new(Reply::Json(json!({"statusCode": 200, "body": body}))),
    )
}

fn quick(body: &str) -> Reply {
    Reply::Json(json!({"statusCode": 200, "body": body}))
}

/// Status, body and how long the answer took.
async fn get(harness: &Harness, path: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = harness.send("GET", path).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap(), started.elapsed())
}

#[tokio::test]
async fn an_http_route_past_the_functions_timeout_is_an_internal_server_error() {
    let harness = Harness::start("timeouts.yaml").await;
    harness.lambda.reply("slow", late("late"));
    // The first call of a function under `cargo lambda watch` may build it: not bounded.
    let (status, body, _) = get(&harness, "/slow").await;
    assert_eq!((status, body.as_str()), (200, "late"));

    let (status, body, took) = get(&harness, "/slow").await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body, r#"{"message":"Internal Server Error"}"#);
    assert!(
        took < Duration::from_millis(2000),
        "answered after {took:?}"
    );

    // The timed-out instance's answer is dropped; the next request gets its own.
    harness.lambda.reply("slow", quick("fresh"));
    let (status, body, _) = get(&harness, "/slow").await;
    assert_eq!((status, body.as_str()), (200, "fresh"));
}

#[tokio::test]
async fn a_websocket_route_past_the_functions_timeout_gets_the_internal_server_error_frame() {
    let harness = Harness::start("timeouts.yaml").await;
    harness.lambda.reply("slow", late("late"));
    let (mut socket, _) = harness.try_connect("/ws", &[]).await.unwrap();
    send_text(&mut socket, r#"{"action":"slow"}"#).await;
    // First call: not bounded, its answer comes back on the two-way route.
    let first = tokio::time::timeout(Duration::from_secs(5), next_text(&mut socket)).await;
    assert_eq!(first.unwrap(), "late");

    send_text(&mut socket, r#"{"action":"slow"}"#).await;
    let frame: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(frame["message"], "Internal server error", "{frame}");
    assert!(frame["connectionId"].is_string() && frame["requestId"].is_string());
    // The late answer never reaches the client.
    assert_silent(&mut socket, OVERRUN).await;
}

#[tokio::test]
async fn the_invoke_api_reports_a_timeout_as_lambda_does() {
    let harness = Harness::start("timeouts.yaml").await;
    harness.lambda.reply("slow", late("late"));
    let path = harness.url("/2015-03-31/functions/slow/invocations");
    let first = harness.signed(harness.http.post(&path).body("{}")).await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("x-amz-function-error").is_none());

    let started = Instant::now();
    let answer = harness.signed(harness.http.post(&path).body("{}")).await;
    assert!(started.elapsed() < Duration::from_millis(2000));
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-amz-function-error"], "Unhandled");
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["errorType"], "Sandbox.Timedout", "{error}");
    let message = error["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("Task timed out after 1.00 seconds"),
        "{message}"
    );
}

/// A function whose `Timeout` outlasts the API's integration timeout (30 s for HTTP APIs, 29 s
/// for WebSocket APIs; 1 s here) meets API Gateway's own answer instead.
#[tokio::test]
async fn past_the_integration_timeout_api_gateway_answers_for_itself() {
    let harness = Harness::start_with("timeouts.yaml", |config| {
        config.http_integration_timeout = Duration::from_secs(1);
        config.ws_integration_timeout = Duration::from_secs(1);
    })
    .await;
    harness.lambda.reply("patient", quick("ready"));
    assert_eq!(get(&harness, "/patient").await.0, 200);
    harness.lambda.reply("patient", late("late"));

    let (status, body, took) = get(&harness, "/patient").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, r#"{"message":"Service Unavailable"}"#);
    assert!(
        took < Duration::from_millis(2000),
        "answered after {took:?}"
    );

    let (mut socket, _) = harness.try_connect("/ws", &[]).await.unwrap();
    send_text(&mut socket, r#"{"action":"patient"}"#).await;
    let frame: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(frame["message"], "Endpoint request timed out", "{frame}");
    assert_silent(&mut socket, OVERRUN).await;
}
