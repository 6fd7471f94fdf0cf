//! The API documentation through the local gateway, as the template routes it: public pages
//! and files with their types, the committed document byte for byte in meaning, images intact
//! through the Lambda response's base64, and API Gateway's 404 for anything else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use reqwest::{Method, Response};
use serde_json::{Value, json};

async fn fetch(method: Method, path: &str) -> Response {
    reqwest::Client::new()
        .request(method, format!("{}{path}", e2e::api_url()))
        .send()
        .await
        .expect("the local gateway answers")
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_pages_and_the_document_are_public_with_their_types() {
    for (path, content_type, marker) in [
        ("/openapi.json", "application/json", "\"openapi\""),
        ("/docs", "text/html; charset=utf-8", "id=\"swagger-ui\""),
        ("/docs/", "text/html; charset=utf-8", "id=\"swagger-ui\""),
        ("/redoc", "text/html; charset=utf-8", "<redoc spec-url"),
        ("/redoc/", "text/html; charset=utf-8", "<redoc spec-url"),
        (
            "/docs/swagger-ui-bundle.js",
            "text/javascript; charset=utf-8",
            "SwaggerUIBundle",
        ),
        (
            "/docs/swagger-initializer.js",
            "text/javascript; charset=utf-8",
            "\"validatorUrl\": \"none\"",
        ),
        (
            "/redoc/redoc.standalone.js",
            "text/javascript; charset=utf-8",
            "Redoc",
        ),
    ] {
        let response = fetch(Method::GET, path).await;
        assert_eq!(response.status(), 200, "GET {path} with no token");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
        assert!(!header(&response, "cache-control").is_empty(), "{path}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains(marker),
            "GET {path}: {marker} not in the body"
        );
    }
}

#[tokio::test]
async fn the_document_is_the_committed_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("docs/openapi.json")).unwrap())
            .unwrap();
    let served: Value = fetch(Method::GET, "/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(served, committed);
}

#[tokio::test]
async fn an_image_arrives_intact() {
    let response = fetch(Method::GET, "/docs/favicon-32x32.png").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "image/png");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{:?}", &bytes[..8]);
}

#[tokio::test]
async fn anything_else_is_api_gateways_404() {
    for (method, path) in [
        (Method::GET, "/openapi.json/"),
        (Method::GET, "/docs/nothing.js"),
        (Method::GET, "/redoc/other.js"),
        (Method::GET, "/docsx"),
        (Method::POST, "/docs"),
        (Method::DELETE, "/openapi.json"),
    ] {
        let response = fetch(method.clone(), path).await;
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"message": "Not Found"}), "{method} {path}");
    }
}
