//! WebSocket API limits: message and frame sizes (1009), the idle timeout, the maximum
//! connection duration and keepalive pings, each ending the connection with its `$disconnect`.

use std::time::Duration;

use futures::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::harness::{Harness, assert_silent, close_code, next_text, send_text};

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
        .signed(
            harness
                .http
                .post(harness.management_url(&id))
                .body("p".repeat(100 * 1024)),
        )
        .await;
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
