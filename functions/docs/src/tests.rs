#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn docs() -> Docs {
    Docs::new().unwrap()
}

fn get(path: &str) -> Response<Body> {
    docs().respond(&Method::GET, path).unwrap()
}

fn header(response: &Response<Body>, name: header::HeaderName) -> &str {
    response.headers()[name].to_str().unwrap()
}

fn text(response: &Response<Body>) -> &str {
    match response.body() {
        Body::Text(text) => text,
        other => panic!("not a text body: {other:?}"),
    }
}

/// The `src`/`href` values of a page.
fn links(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split_once('"').map(|(link, _)| link.to_owned()))
        .collect()
}

fn assert_not_found(response: &Response<Body>) {
    assert_eq!(response.status(), 404);
    assert_eq!(text(response), r#"{"message":"Not Found"}"#);
    assert_eq!(header(response, header::CONTENT_TYPE), "application/json");
}

#[test]
fn the_document_is_the_committed_file_as_json() {
    let response = get("/openapi.json");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
    let served: serde_json::Value = serde_json::from_str(text(&response)).unwrap();
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap();
    assert_eq!(
        served,
        serde_json::from_str::<serde_json::Value>(&committed).unwrap()
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    // Relative, so that "Try it out" calls the origin the page came from.
    assert_eq!(served["servers"][0]["url"], "/");
    assert_eq!(served["servers"].as_array().map(Vec::len), Some(1));
}

#[test]
fn swagger_ui_is_served_with_and_without_the_slash_and_every_file_it_links_is_there() {
    for path in ["/docs", "/docs/"] {
        let page = get(path);
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(header(&page, header::CONTENT_TYPE), HTML);
        assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");
        let html = text(&page);
        assert!(html.contains(r#"<div id="swagger-ui">"#), "{html}");
        assert!(html.contains(r#"<base href="/docs/">"#), "{html}");
        let links = links(html);
        assert!(links.len() >= 6, "{links:?}");
        for link in links.iter().filter(|l| *l != "/docs/") {
            assert!(!link.contains("//") && !link.starts_with('/'), "{link}");
            let file = get(&format!("/docs/{}", link.trim_start_matches("./")));
            assert_eq!(file.status(), 200, "{link}");
            assert!(!header(&file, header::CACHE_CONTROL).is_empty(), "{link}");
        }
    }
    let bundle = get("/docs/swagger-ui-bundle.js");
    assert_eq!(
        header(&bundle, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header(&bundle, header::CACHE_CONTROL),
        "public, max-age=86400"
    );
    assert_eq!(
        header(&get("/docs/swagger-ui.css"), header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    let icon = get("/docs/favicon-32x32.png");
    assert_eq!(header(&icon, header::CONTENT_TYPE), "image/png");
    assert!(matches!(icon.body(), Body::Binary(bytes) if bytes.starts_with(b"\x89PNG")));
}

#[test]
fn swagger_ui_reads_the_document_from_this_origin_with_the_validator_off() {
    let initializer = get("/docs/swagger-initializer.js");
    assert_eq!(initializer.status(), 200);
    assert_eq!(header(&initializer, header::CACHE_CONTROL), "no-cache");
    let js = text(&initializer);
    for setting in [
        r#""url": "/openapi.json""#,
        r#""validatorUrl": "none""#,
        r#""persistAuthorization": true"#,
    ] {
        assert!(js.contains(setting), "{setting} in {js}");
    }
    assert!(!js.contains("http"), "{js}");
}

#[test]
fn redoc_is_served_with_its_bundle_from_this_origin() {
    for path in ["/redoc", "/redoc/"] {
        let page = get(path);
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(header(&page, header::CONTENT_TYPE), HTML);
        let html = text(&page);
        assert!(
            html.contains(r#"<redoc spec-url="/openapi.json">"#),
            "{html}"
        );
        assert_eq!(header(&page, header::CONTENT_SECURITY_POLICY), PAGE_POLICY);
        assert_eq!(links(html), vec![REDOC_JS_PATH.to_owned()]);
        assert!(!html.contains("http"), "no other host: {html}");
    }
    let bundle = get(REDOC_JS_PATH);
    assert_eq!(bundle.status(), 200);
    assert_eq!(header(&bundle, header::CONTENT_TYPE), JAVASCRIPT);
    assert_eq!(
        header(&bundle, header::CACHE_CONTROL),
        "public, max-age=86400"
    );
    let js = text(&bundle);
    assert!(js.contains("Redoc"));
    // The one URL of another host the bundle loads by itself (the menu's logo) is gone.
    assert!(REDOC_JS.contains(REDOC_CDN_LOGO));
    assert!(!js.contains("cdn.redoc"), "ReDoc's bundle loads from a CDN");
}

#[test]
fn anything_else_is_api_gateways_404() {
    let docs = docs();
    for path in [
        "/",
        "/doc",
        "/docs/nothing.js",
        "/docs/../openapi.json",
        "/redoc/other.js",
        "/openapi.yaml",
        "/openapi.json/",
    ] {
        assert_not_found(&docs.respond(&Method::GET, path).unwrap());
    }
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        assert_not_found(&docs.respond(&method, "/docs").unwrap());
        assert_not_found(&docs.respond(&method, "/openapi.json").unwrap());
    }
}
