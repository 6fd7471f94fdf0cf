//! A failing dependency gets 503 `unavailable` and loses nothing: DynamoDB is pointed at a port
//! where nothing listens, or reached through a proxy that cuts writes, and the real handler
//! answers through its real SDK client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chat_core::conversation::Conversation;
use chat_core::ids::UserId;
use chat_core::input::Limit;
use chat_core::paging::PageRequest;
use chat_lambda::api::messages as messages_api;
use chat_lambda::config::Secret;
use chat_lambda::domain::inbox;
use chat_lambda::domain::messages;
use chat_lambda::http::{ApiRequest, ApiResponse};
use chat_lambda::{App, Config};
use e2e::direct::{stored_user, token_for};
use lambda_http::http::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn an_unreachable_database_gives_503() {
    let config = Config::from_lookup(|name| match name {
        // Their defaults; every name (table, bucket) is "t".
        name if name.ends_with("_SECONDS")
            || name.starts_with("RATE_LIMIT_")
            || name.starts_with("ATTACHMENT_")
            || name.starts_with("MAX_")
            || name.starts_with("AWS_") =>
        {
            None
        }
        _ => Some("t".to_owned()),
    })
    .unwrap();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::for_tests())
        .endpoint_url("http://127.0.0.1:9") // discard port: nothing listens
        .load()
        .await;
    let secret = Secret::new("unavailable-test-secret-unavailable-test");
    let app = Arc::new(App::with_sdk_config(config, &secret, &sdk).with_s3(&sdk));
    let request = ApiRequest {
        method: Method::POST,
        segments: vec!["users".into(), "login".into()],
        query: HashMap::new(),
        body: br#"{"username": "someone", "password": "whatever pw"}"#.to_vec(),
        idempotency_key: None,
        authorization: None,
        request_id: "test".into(),
        source_ip: None,
    };
    let reply = chat_lambda::api::users::route(app, request)
        .await
        .unwrap_or_else(chat_lambda::http::ApiResponse::from);
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body.unwrap()["error"]["code"], "unavailable");
}

/// A proxy in front of DynamoDB Local that, while `writes_down` is set, cuts every connection
/// that carries a write before forwarding a byte of it, as a network failure mid-request would.
/// Each connection carries one request (`Connection: close` is added), so every write is seen.
async fn write_cutting_proxy(upstream: String, writes_down: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let (upstream, writes_down) = (upstream.clone(), writes_down.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                let end = loop {
                    let Ok(n) = client.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    head.extend_from_slice(&buf[..n]);
                    if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end;
                    }
                };
                let headers = String::from_utf8_lossy(&head[..end]).to_lowercase();
                let write = ["putitem", "updateitem", "deleteitem", "transactwriteitems"]
                    .iter()
                    .any(|op| headers.contains(&format!("x-amz-target: dynamodb_20120810.{op}")));
                if write && writes_down.load(Ordering::SeqCst) {
                    return; // dropped: the client sees the connection close mid-request
                }
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let mut forwarded = head[..end].to_vec();
                forwarded.extend_from_slice(b"\r\nConnection: close");
                forwarded.extend_from_slice(&head[end..]);
                if server.write_all(&forwarded).await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    format!("http://{address}")
}

fn send_request(token: &str, body: Value) -> ApiRequest {
    ApiRequest {
        method: Method::POST,
        segments: vec!["messages".into()],
        query: HashMap::new(),
        body: body.to_string().into_bytes(),
        idempotency_key: None,
        authorization: Some(format!("Bearer {token}")),
        request_id: "test".into(),
        source_ip: None,
    }
}

/// A send whose write cannot reach DynamoDB answers 503 with `Retry-After`, leaves no message,
/// no idempotency marker and no inbox entry behind, and the same request succeeds once DynamoDB
/// is back: the client's retry loses nothing and duplicates nothing.
#[tokio::test]
async fn a_send_that_cannot_write_gives_503_and_loses_nothing() {
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("run through infra/test.sh: AWS_ENDPOINT_URL_DYNAMODB")
        .trim_start_matches("http://")
        .to_owned();
    let writes_down = Arc::new(AtomicBool::new(false));
    let endpoint = write_cutting_proxy(upstream, writes_down.clone()).await;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::for_tests())
        .endpoint_url(endpoint)
        .load()
        .await;
    let config = Config::from_env().expect("the functions' environment");
    let secret = Secret::jwt_from_lookup(|name| std::env::var(name).ok());
    let secret = secret.expect("the functions' environment");
    let app = Arc::new(App::with_sdk_config(config, &secret, &sdk).with_s3(&sdk));
    let alice = stored_user(&app, "unw").await;
    let bob = stored_user(&app, "unw").await;
    let token = token_for(&app, &alice);
    let alice_id = UserId::trusted(alice.id.clone());
    let conversation = Conversation::direct(&alice_id, &UserId::trusted(bob.id.clone())).unwrap();
    let history = || async {
        let page = PageRequest {
            limit: Limit(10),
            cursor: None,
        };
        messages::direct_history(&app, &bob.id, &alice_id, page)
            .await
            .unwrap()
            .items
    };

    for body in [
        json!({"recipient_id": bob.id, "content": "plain"}),
        json!({"recipient_id": bob.id, "content": "keyed", "client_message_id": "k-1"}),
    ] {
        writes_down.store(true, Ordering::SeqCst);
        let reply = messages_api::route(app.clone(), send_request(&token, body.clone()))
            .await
            .unwrap_or_else(ApiResponse::from);
        assert_eq!(reply.status, 503, "{:?}", reply.body);
        assert!(reply.headers.iter().any(|(name, _)| *name == "retry-after"));
        writes_down.store(false, Ordering::SeqCst);
        let before = history().await;
        assert!(
            before.iter().all(|m| m.content != body["content"]),
            "a refused send stored its message"
        );

        let reply = messages_api::route(app.clone(), send_request(&token, body.clone()))
            .await
            .unwrap_or_else(ApiResponse::from);
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        let after = history().await;
        let copies = after
            .iter()
            .filter(|m| m.content == body["content"])
            .count();
        assert_eq!(copies, 1, "exactly one message once the database is back");
    }
    let inbox = inbox::inbox(
        &app,
        &bob.id,
        PageRequest {
            limit: Limit(10),
            cursor: None,
        },
    )
    .await
    .unwrap();
    let entry = inbox
        .items
        .iter()
        .find(|e| e.conversation_id == conversation.id())
        .expect("bob's inbox entry");
    assert_eq!(entry.unread_count, 2, "each delivered message counted once");
}
