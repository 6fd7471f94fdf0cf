//! CORS from the template's `CorsConfiguration`: preflights answered by the gateway, the
//! configured headers on responses to allowed origins, none for others.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{Harness, Reply};

const ALLOWED: &str = "https://app.example.com";

fn cors_headers(response: &reqwest::Response) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    found.sort();
    found
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

async fn preflight(harness: &Harness, path: &str, origin: &str) -> reqwest::Response {
    harness
        .http
        .request(Method::OPTIONS, harness.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn preflights_are_answered_by_the_gateway_for_allowed_origins_only() {
    let harness = Harness::start("template.yaml").await;
    let granted = pairs(&[
        ("access-control-allow-headers", "authorization,content-type"),
        ("access-control-allow-methods", "GET,POST,DELETE"),
        ("access-control-allow-origin", ALLOWED),
        ("access-control-max-age", "300"),
    ]);
    // Any path, routed or not: API Gateway answers preflights before route selection.
    for path in ["/users/me", "/nowhere/"] {
        let response = preflight(&harness, path, ALLOWED).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(cors_headers(&response), granted, "{path}");
    }
    let pattern = preflight(&harness, "/users/me", "https://chat.example.org").await;
    assert_eq!(
        pattern.headers()["access-control-allow-origin"],
        "https://chat.example.org"
    );

    for origin in ["https://evil.example.com", "http://app.example.com"] {
        let response = preflight(&harness, "/users/me", origin).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{origin}");
        assert_eq!(cors_headers(&response), Vec::new(), "{origin}");
    }
    assert!(harness.lambda.events("users").is_empty());
    assert!(harness.lambda.events("fallback").is_empty());

    // Without Access-Control-Request-Method an OPTIONS is an ordinary request.
    let plain = harness
        .http
        .request(Method::OPTIONS, harness.url("/users/me"))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(harness.lambda.events("users").len(), 1);
}

#[tokio::test]
async fn responses_carry_the_configured_headers_for_allowed_origins() {
    let harness = Harness::start("template.yaml").await;
    // The function's own CORS headers are ignored, as API Gateway ignores them.
    harness.lambda.reply(
        "users",
        Reply::Json(json!({
            "statusCode": 200,
            "headers": {"access-control-allow-origin": "*", "x-kept": "1"},
            "body": "{}"
        })),
    );
    let get = |origin: Option<&'static str>| {
        let mut request = harness.http.get(harness.url("/users/me"));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let allowed = get(Some(ALLOWED)).await.unwrap();
    assert_eq!(allowed.headers()["x-kept"], "1");
    assert_eq!(
        cors_headers(&allowed),
        pairs(&[
            ("access-control-allow-origin", ALLOWED),
            ("access-control-expose-headers", "apigw-requestid"),
        ])
    );
    for origin in [Some("https://evil.example.com"), None] {
        let response = get(origin).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(cors_headers(&response), Vec::new(), "{origin:?}");
    }
}
