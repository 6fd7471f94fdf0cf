//! A failing dependency gets 503 `unavailable` and loses nothing: DynamoDB is pointed at a port
//! where nothing listens, and the real handler answers through its real SDK client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use chat_shared::http::ApiRequest;
use chat_shared::{App, Config};
use lambda_http::http::Method;

#[tokio::test]
async fn an_unreachable_database_gives_503() {
    let config = Config::from_lookup(|name| match name {
        "JWT_SECRET" => Some("unavailable-test-secret-unavailable-test".to_owned()),
        "TOKEN_TTL_SECONDS" | "CONNECTION_LEASE_SECONDS" => None,
        _ => Some("t".to_owned()),
    })
    .unwrap();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::for_tests())
        .endpoint_url("http://127.0.0.1:9") // discard port: nothing listens
        .load()
        .await;
    let app = Arc::new(App::with_sdk_config(config, &sdk));
    let request = ApiRequest {
        method: Method::POST,
        segments: vec!["users".into(), "login".into()],
        query: HashMap::new(),
        body: br#"{"username": "someone", "password": "whatever pw"}"#.to_vec(),
        authorization: None,
        request_id: "test".into(),
    };
    let reply = chat_shared::api::users::route(app, request)
        .await
        .unwrap_or_else(chat_shared::http::ApiResponse::from);
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body.unwrap()["error"]["code"], "unavailable");
}
