//! WebSocket API: `$connect` before the upgrade, route selection, two-way routes, and exactly
//! one `$disconnect` however the connection ends.

use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use futures::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

use crate::harness::{Harness, Reply, assert_silent, close_code, next_text, send_text};

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
async fn oversized_message_closes_with_1009() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.ws_max_message_bytes = 1024;
    })
    .await;
    let (mut socket, _) = harness.connect(1).await;
    send_text(&mut socket, &"a".repeat(1024)).await;
    harness.lambda.wait_for("ws-default", 1).await;
    send_text(&mut socket, &"a".repeat(1025)).await;
    assert_eq!(close_code(&mut socket).await, 1009);
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1009);
    assert_eq!(harness.lambda.events("ws-default").len(), 1);
}

/// API Gateway's quotas, with the gateway's defaults: a client frame may hold 32 KB (a bigger
/// one closes the connection with 1009), while a Management API push may hold 128 KB.
#[tokio::test]
async fn client_frames_over_32_kb_close_with_1009_while_pushes_reach_128_kb() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    send_text(&mut socket, &"a".repeat(32 * 1024)).await;
    harness.lambda.wait_for("ws-default", 1).await;

    let push = harness
        .http
        .post(harness.management_url(&id))
        .body("p".repeat(100 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), reqwest::StatusCode::OK);
    assert_eq!(next_text(&mut socket).await.len(), 100 * 1024);

    // A message over 32 KB is allowed when the client splits it into frames of 32 KB.
    let parts = [OpCode::Data(Data::Text), OpCode::Data(Data::Continue)];
    for (index, opcode) in [parts[0], parts[1], parts[1]].into_iter().enumerate() {
        let frame = Frame::message(vec![b'f'; 32 * 1024], opcode, index == 2);
        socket.send(Message::Frame(frame)).await.unwrap();
    }
    let events = harness.lambda.wait_for("ws-default", 2).await;
    assert_eq!(events[1]["body"].as_str().unwrap().len(), 96 * 1024);

    send_text(&mut socket, &"a".repeat(32 * 1024 + 1)).await;
    assert_eq!(close_code(&mut socket).await, 1009);
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1009);
    assert_eq!(harness.lambda.events("ws-default").len(), 2);
}

#[tokio::test]
async fn idle_connections_are_closed_but_activity_keeps_them() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.ws_idle_timeout = Duration::from_secs(2);
    })
    .await;
    let (mut socket, _) = harness.connect(1).await;
    // Activity every 0.5 s keeps a 2 s idle timeout away by a margin a loaded machine keeps;
    // together they outlast the timeout, so only the activity explains the socket staying.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        send_text(&mut socket, "still here").await;
    }
    assert!(harness.lambda.events("ws-disconnect").is_empty());
    assert_eq!(close_code(&mut socket).await, 1001);
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1001);
    assert_eq!(event["requestContext"]["disconnectReason"], "Going away");
}

#[tokio::test]
async fn connections_end_at_the_maximum_duration() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.ws_max_connection_duration = Duration::from_millis(500);
    })
    .await;
    // Started before the handshake, so before the gateway's own timer: never early, however
    // slow the handshake.
    let started = std::time::Instant::now();
    let (mut socket, _) = harness.connect(1).await;
    assert_eq!(close_code(&mut socket).await, 1001);
    assert!(started.elapsed() >= Duration::from_millis(500));
    harness.lambda.wait_for("ws-disconnect", 1).await;
}

#[tokio::test]
async fn silent_peers_are_dropped_by_keepalive() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.ws_keepalive_interval = Duration::from_millis(200);
    })
    .await;
    // A raw TCP client that completes the handshake and then never reads or answers pings.
    let (socket, _id) = harness.connect(1).await;
    let tcp = match socket.into_inner() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp,
        _ => unreachable!(),
    };
    let event = harness.lambda.wait_for("ws-disconnect", 1).await.remove(0);
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1006);
    drop(tcp);
}

#[tokio::test]
async fn answering_pings_keeps_a_quiet_client_connected() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.ws_keepalive_interval = Duration::from_millis(400);
    })
    .await;
    let (mut socket, _) = harness.connect(1).await;
    // Reading lets the client library answer the gateway's pings: five intervals, each answer
    // with 0.8 s of slack (silence across two pings drops a peer).
    assert_silent(&mut socket, Duration::from_secs(2)).await;
    assert!(harness.lambda.events("ws-disconnect").is_empty());
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
