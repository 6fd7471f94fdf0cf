//! Edge throttling: the template's route settings as token buckets, refused with API Gateway's
//! own 429 before any function runs.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Harness, next_text, send_text};

const TOO_MANY: &str = r#"{"message":"Too Many Requests"}"#;

async fn status_and_body(harness: &Harness, method: &str, path: &str) -> (u16, String) {
    let response = harness.send(method, path).await;
    let status = response.status().as_u16();
    if status == 429 {
        assert!(
            response.headers().get("retry-after").is_none(),
            "API Gateway's 429 has no Retry-After"
        );
        assert_eq!(response.headers()["content-type"], "application/json");
    }
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_burst_over_a_route_limit_gets_api_gateways_429_while_other_routes_answer() {
    let harness = Harness::start("throttle.yaml").await;
    // Burst 3, one token every 5 s: six requests in a row are three accepted, three refused.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, body) = status_and_body(&harness, "POST", "/login").await;
        if status == 429 {
            assert_eq!(body, TOO_MANY);
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
    // A refused request never reaches the function.
    assert_eq!(harness.lambda.events("users").len(), 3);
    // Every route has its own bucket: another route of the same function still answers.
    let (status, _) = status_and_body(&harness, "GET", "/me").await;
    assert_eq!(status, 200);
    // Unmatched paths are API Gateway's 404, never counted against a route.
    let (status, _) = status_and_body(&harness, "GET", "/nowhere").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn tokens_refill_at_the_route_rate() {
    let harness = Harness::start("throttle.yaml").await;
    // Burst 1, 4 tokens a second: hammered for 2 s, the route lets through its one token plus
    // what refilled, never more (a stalled client only loses tokens, since the bucket holds 1).
    let started = Instant::now();
    let mut accepted = 0u32;
    let mut refused = 0u32;
    while started.elapsed() < Duration::from_secs(2) {
        match status_and_body(&harness, "GET", "/refill").await {
            (200, _) => accepted += 1,
            (429, body) => {
                assert_eq!(body, TOO_MANY);
                refused += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    let refilled = 4.0 * started.elapsed().as_secs_f64();
    assert!(refused > 0, "the route was never throttled");
    assert!(
        f64::from(accepted) <= 1.0 + refilled + 1.0,
        "{accepted} accepted, more than the burst plus {refilled:.1} refilled tokens"
    );
    assert!(
        f64::from(accepted) >= 1.0 + refilled / 2.0,
        "{accepted} accepted: tokens did not refill at 4 a second ({refilled:.1} expected)"
    );
    assert_eq!(harness.lambda.events("users").len() as u32, accepted);
}

#[tokio::test]
async fn the_template_numbers_hold_for_login() {
    let path = crate::harness::fixture("../../../../template.yaml");
    let template: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let login =
        &template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]["POST /users/login"];
    let burst = login["ThrottlingBurstLimit"]
        .as_f64()
        .expect("login has a burst limit");
    let rate = login["ThrottlingRateLimit"]
        .as_f64()
        .expect("login has a rate limit");

    // Routes only: the template's stream event sources need a DynamoDB Local.
    let harness = Harness::start_with("../../../../template.yaml", |config| {
        config.streams.enabled = false;
    })
    .await;
    let started = Instant::now();
    let attempts = (burst * 2.0) as usize;
    let mut accepted = 0usize;
    for _ in 0..attempts {
        let (status, body) = status_and_body(&harness, "POST", "/users/login").await;
        match status {
            200 => accepted += 1,
            429 => assert_eq!(body, TOO_MANY),
            other => panic!("unexpected status {other}"),
        }
    }
    let most = burst + rate * started.elapsed().as_secs_f64() + 1.0;
    assert!(
        accepted as f64 >= burst,
        "{accepted} accepted, below the burst {burst}"
    );
    assert!(
        accepted as f64 <= most,
        "{accepted} accepted, over {most:.1}"
    );
    assert!(accepted < attempts, "no request was throttled");
    let (status, _) = status_and_body(&harness, "GET", "/users/me").await;
    assert_eq!(status, 200, "another route still answers");
}

#[tokio::test]
async fn a_throttled_websocket_message_gets_an_error_frame_and_the_socket_stays_open() {
    let harness = Harness::start("throttle.yaml").await;
    let (mut socket, connection_id) = harness.connect(1).await;
    // sendMessage: burst 3, one token every 5 s. Two-way route: each accepted frame is
    // answered by the function, each refused one by API Gateway's error frame.
    for n in 0..6 {
        send_text(
            &mut socket,
            &json!({"action": "sendMessage", "n": n}).to_string(),
        )
        .await;
    }
    let mut answered = 0;
    let mut refused = 0;
    for _ in 0..6 {
        let frame: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
        if frame["function"] == "ws-send" {
            answered += 1;
        } else {
            assert_eq!(frame["message"], "Too Many Requests", "{frame}");
            assert_eq!(frame["connectionId"], connection_id.as_str());
            assert!(frame["requestId"].is_string(), "{frame}");
            refused += 1;
        }
    }
    assert_eq!((answered, refused), (3, 3));
    assert_eq!(harness.lambda.events("ws-send").len(), 3);
    // Another route has its own bucket, and the connection is still open.
    send_text(&mut socket, r#"{"action":"ping"}"#).await;
    let frame: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(frame["function"], "ws-send", "{frame}");
    let events = harness.lambda.events("ws-send");
    assert_eq!(events[3]["requestContext"]["routeKey"], "ping");
    assert_eq!(harness.gateway.live_connections(), 1);
}

#[tokio::test]
async fn a_throttled_connect_is_refused_with_429_before_the_function() {
    let harness = Harness::start("throttle.yaml").await;
    // $connect: burst 2, one token every 5 s.
    let _first = harness.connect(1).await;
    let _second = harness.connect(2).await;
    let error = harness.try_connect("/ws?n=3", &[]).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("expected an HTTP refusal, got {error:?}");
    };
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(response.body().as_deref(), Some(TOO_MANY.as_bytes()));
    assert_eq!(harness.lambda.events("ws-connect").len(), 2);
}

#[tokio::test]
async fn rate_limit_multiplier_raises_the_edge_limits() {
    // The same flood as above, with the multiplier test suites run under: nothing is refused.
    let harness = Harness::start_with("../../../../template.yaml", |config| {
        config.rate_limit_multiplier = 1000.0;
        config.streams.enabled = false;
    })
    .await;
    for _ in 0..300 {
        let (status, body) = status_and_body(&harness, "POST", "/users/login").await;
        assert_eq!(status, 200, "{body}");
    }
}
