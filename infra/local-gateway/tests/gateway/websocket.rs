//! WebSocket API: `$connect` before the upgrade, route selection, two-way routes, and exactly
//! one `$disconnect` however the connection ends.

use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use futures::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::harness::{Harness, Reply, close_code, next_text, send_text};

fn is_api_gateway_id(id: &str) -> bool {
    id.len() == 16
        && id.ends_with('=')
        && id[..15]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
}

#[tokio::test]
async fn connect_event_precedes_the_upgrade() {
    let harness = Harness::start("template.yaml").await;
    let (_socket, response) = harness
        .try_connect(
            "/ws?token=abc.def&x=1&x=2",
            &[("user-agent", "lg-ws/1.0"), ("x-custom", "yes")],
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 101);

    let event = harness.lambda.wait_for("ws-connect", 1).await.remove(0);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(
        event["queryStringParameters"],
        json!({"token": "abc.def", "x": "1,2"})
    );
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"token": ["abc.def"], "x": ["1", "2"]})
    );
    let headers = &event["headers"];
    assert_eq!(headers["Host"], harness.addr.to_string());
    assert_eq!(headers["User-Agent"], "lg-ws/1.0");
    assert_eq!(headers["X-Custom"], "yes");
    assert_eq!(headers["Sec-WebSocket-Version"], "13");
    assert!(headers["Sec-WebSocket-Key"].is_string());
    assert_eq!(event["multiValueHeaders"]["X-Custom"], json!(["yes"]));

    let context = &event["requestContext"];
    assert_eq!(context["routeKey"], "$connect");
    assert_eq!(context["eventType"], "CONNECT");
    assert_eq!(context["messageDirection"], "IN");
    assert_eq!(context["stage"], "local");
    assert_eq!(context["apiId"], "local");
    assert_eq!(context["domainName"], harness.addr.to_string());
    assert_eq!(
        context["identity"],
        json!({"sourceIp": "127.0.0.1", "userAgent": "lg-ws/1.0"})
    );
    assert!(is_api_gateway_id(context["connectionId"].as_str().unwrap()));
    assert!(is_api_gateway_id(context["requestId"].as_str().unwrap()));
    assert!(context["extendedRequestId"].is_string());
    assert!(
        context["connectedAt"].as_i64().unwrap() <= context["requestTimeEpoch"].as_i64().unwrap()
    );
    assert!(context["requestTime"].as_str().unwrap().ends_with(" +0000"));

    let parsed: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event).unwrap();
    assert_eq!(
        parsed.request_context.event_type.as_deref(),
        Some("CONNECT")
    );
    assert_eq!(
        parsed.query_string_parameters.first("token"),
        Some("abc.def")
    );
}

#[tokio::test]
async fn connect_refused_with_the_function_status() {
    let mut harness = Harness::start("template.yaml").await;
    harness.lambda.reply(
        "ws-connect",
        Reply::Json(json!({"statusCode": 401, "body": "{\"error\":\"unauthorized\"}"})),
    );
    let error = harness.try_connect("/ws", &[]).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("expected an HTTP refusal, got {error:?}");
    };
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.body().as_deref(),
        Some(&b"{\"error\":\"unauthorized\"}"[..])
    );
    assert_eq!(harness.gateway.live_connections(), 0);
    // A connection that never completed `$connect` gets no `$disconnect`. Checkpoint: shutdown
    // returns only once every `$disconnect` the gateway owes has run.
    harness.shutdown().await;
    assert!(harness.lambda.events("ws-disconnect").is_empty());
}

#[tokio::test]
async fn client_leaving_during_connect_still_gets_one_disconnect() {
    let mut harness = Harness::start("template.yaml").await;
    harness.lambda.reply(
        "ws-connect",
        Reply::Delayed(
            Duration::from_secs(3),
            Box::new(Reply::Json(json!({"statusCode": 200}))),
        ),
    );
    // Give up (dropping the TCP connection) while `$connect` is still running: seconds apart,
    // so a loaded machine keeps the order.
    let attempt =
        tokio::time::timeout(Duration::from_millis(300), harness.try_connect("/ws", &[])).await;
    assert!(attempt.is_err());
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    let connect = harness.lambda.events("ws-connect").remove(0);
    assert_eq!(
        event["requestContext"]["connectionId"],
        connect["requestContext"]["connectionId"]
    );
    assert_eq!(harness.gateway.live_connections(), 0);
    // Checkpoint: shutdown returns only once every `$disconnect` the gateway owes has run.
    harness.shutdown().await;
    assert_eq!(harness.lambda.events("ws-disconnect").len(), 1);
}

#[tokio::test]
async fn connect_function_failure_is_500() {
    let harness = Harness::start("template.yaml").await;
    harness.lambda.reply(
        "ws-connect",
        Reply::FunctionError(json!({"errorMessage": "boom"})),
    );
    let error = harness.try_connect("/ws", &[]).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("expected an HTTP refusal, got {error:?}");
    };
    assert_eq!(response.status(), 500);
}

#[tokio::test]
async fn trailing_slash_and_missing_connect_route_still_connect() {
    let harness = Harness::start("no-default.yaml").await;
    let (mut socket, response) = harness.try_connect("/ws/", &[]).await.unwrap();
    assert_eq!(response.status(), 101);
    send_text(&mut socket, r#"{"action":"echo"}"#).await;
    harness.lambda.wait_for("echo", 1).await;
}

#[tokio::test]
async fn frames_are_routed_by_action() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    harness.lambda.reply(
        "ws-send",
        Reply::Json(json!({"statusCode": 200, "body": "{\"type\":\"message.sent\"}"})),
    );

    let frame = r#"{"action":"sendMessage","content":"hi"}"#;
    send_text(&mut socket, frame).await;
    assert_eq!(next_text(&mut socket).await, r#"{"type":"message.sent"}"#);
    let event = harness.lambda.wait_for("ws-send", 1).await.remove(0);
    assert_eq!(event["body"], frame);
    assert_eq!(event["isBase64Encoded"], false);
    let context = &event["requestContext"];
    assert_eq!(context["routeKey"], "sendMessage");
    assert_eq!(context["eventType"], "MESSAGE");
    assert_eq!(context["connectionId"], id.as_str());
    assert!(is_api_gateway_id(context["messageId"].as_str().unwrap()));
    let parsed: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event).unwrap();
    assert_eq!(parsed.body.as_deref(), Some(frame));

    // One-way route: the function's body is not sent back. Checkpoint: a two-way reply that
    // the fake Lambda holds back seconds after the one-way one must be the next frame.
    harness.lambda.reply(
        "ws-typing",
        Reply::Json(json!({"statusCode": 200, "body": "one-way body"})),
    );
    send_text(&mut socket, r#"{"action":"typing","is_typing":true}"#).await;
    let typing = harness.lambda.wait_for("ws-typing", 1).await.remove(0);
    assert_eq!(typing["requestContext"]["routeKey"], "typing");
    harness.lambda.reply(
        "ws-send",
        Reply::Delayed(
            Duration::from_secs(2),
            Box::new(Reply::Json(
                json!({"statusCode": 200, "body": "checkpoint"}),
            )),
        ),
    );
    send_text(&mut socket, r#"{"action":"sendMessage"}"#).await;
    assert_eq!(next_text(&mut socket).await, "checkpoint");

    for unroutable in [
        r#"{"action":"nope"}"#,
        "not json",
        r#"{"action":"$connect"}"#,
    ] {
        send_text(&mut socket, unroutable).await;
    }
    let defaults = harness.lambda.wait_for("ws-default", 3).await;
    for event in &defaults {
        assert_eq!(event["requestContext"]["routeKey"], "$default");
    }
    assert_eq!(harness.lambda.events("ws-connect").len(), 1);
}

#[tokio::test]
async fn unroutable_frame_without_default_route_gets_forbidden() {
    let harness = Harness::start("no-default.yaml").await;
    let (mut socket, _) = harness.try_connect("/ws", &[]).await.unwrap();
    send_text(&mut socket, r#"{"action":"other"}"#).await;
    let reply: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(reply["message"], "Forbidden");
    assert!(is_api_gateway_id(reply["connectionId"].as_str().unwrap()));
    assert!(is_api_gateway_id(reply["requestId"].as_str().unwrap()));
}

#[tokio::test]
async fn failing_route_function_sends_internal_server_error_frame() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    harness.lambda.reply(
        "ws-default",
        Reply::FunctionError(json!({"errorMessage": "boom"})),
    );
    send_text(&mut socket, "hello").await;
    let reply: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(reply["message"], "Internal server error");
    assert_eq!(reply["connectionId"], id.as_str());
    // The connection survives.
    harness
        .lambda
        .reply("ws-default", Reply::Json(json!({"statusCode": 200})));
    send_text(&mut socket, "again").await;
    harness.lambda.wait_for("ws-default", 2).await;
}

#[tokio::test]
async fn frames_are_invoked_concurrently() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, _) = harness.connect(1).await;
    harness.lambda.reply(
        "ws-send",
        Reply::Delayed(
            // Long enough that the second frame's whole round trip fits before it, even loaded.
            Duration::from_secs(3),
            Box::new(Reply::Json(json!({"statusCode": 200, "body": "slow"}))),
        ),
    );
    send_text(&mut socket, r#"{"action":"sendMessage"}"#).await;
    harness.lambda.wait_for("ws-send", 1).await;
    harness.lambda.reply(
        "ws-send",
        Reply::Json(json!({"statusCode": 200, "body": "fast"})),
    );
    send_text(&mut socket, r#"{"action":"sendMessage"}"#).await;
    assert_eq!(next_text(&mut socket).await, "fast");
    assert_eq!(next_text(&mut socket).await, "slow");
}

#[tokio::test]
async fn client_close_invokes_disconnect_once() {
    let mut harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    socket
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        })))
        .await
        .unwrap();
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    let context = &event["requestContext"];
    assert_eq!(context["routeKey"], "$disconnect");
    assert_eq!(context["eventType"], "DISCONNECT");
    assert_eq!(context["connectionId"], id.as_str());
    assert_eq!(context["disconnectStatusCode"], 1000);
    assert_eq!(context["disconnectReason"], "bye");
    assert_eq!(event["headers"]["Host"], harness.addr.to_string());
    let parsed: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event).unwrap();
    assert_eq!(parsed.request_context.disconnect_status_code, Some(1000));

    assert_eq!(harness.gateway.live_connections(), 0);
    // Checkpoint: shutdown returns only once every `$disconnect` the gateway owes has run.
    harness.shutdown().await;
    assert_eq!(harness.lambda.events("ws-disconnect").len(), 1);
}

#[tokio::test]
async fn vanished_client_invokes_disconnect() {
    let harness = Harness::start("template.yaml").await;
    let (socket, id) = harness.connect(1).await;
    // Drop the TCP connection without a close frame.
    drop(socket);
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    assert_eq!(event["requestContext"]["connectionId"], id.as_str());
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1006);
}

#[tokio::test]
async fn shutdown_closes_sockets_with_their_disconnect() {
    let mut harness = Harness::start("template.yaml").await;
    let (mut first, _) = harness.connect(1).await;
    let (mut second, _) = harness.connect(2).await;
    harness.shutdown().await;
    // `serve` returned only after both `$disconnect`s ran.
    assert_eq!(harness.lambda.events("ws-disconnect").len(), 2);
    assert_eq!(close_code(&mut first).await, 1001);
    assert_eq!(close_code(&mut second).await, 1001);
}

#[tokio::test]
async fn binary_frames_reach_the_function() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, _) = harness.connect(1).await;
    socket
        .send(Message::binary(vec![0xff_u8, 0x00]))
        .await
        .unwrap();
    let event = harness.lambda.wait_for("ws-default", 1).await.remove(0);
    assert_eq!(event["body"], "/wA=");
    assert_eq!(event["isBase64Encoded"], true);
}
