//! The generated API documents against the code and the template (no stack needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use e2e::docs_check::{openapi_problems, openapi_routes};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

const REGENERATE: &str = "run `cargo run -p e2e --bin openapi` and commit docs/";

#[test]
fn the_committed_openapi_document_is_what_the_code_generates() {
    let generated = chat_lambda::api::docs::openapi_json().unwrap();
    let committed = read("docs/openapi.json");
    assert!(
        committed == generated,
        "docs/openapi.json differs from the code: {REGENERATE}"
    );
}

#[test]
fn every_template_route_is_an_operation_and_back() {
    let document = read("docs/openapi.json");
    let operations = openapi_routes(&serde_json::from_str(&document).unwrap());
    assert!(operations.len() >= 24, "{operations:#?}");
    let found = openapi_problems(&read("template.yaml"), &document);
    assert!(found.is_empty(), "{found:#?}");
}

/// OpenAPI: "The id MUST be unique among all operations described in the API". Generators
/// key an API's operations by it (openapi-typescript refuses a document with a repeated one),
/// and the handlers' names repeat across groups (`get`, `list`).
#[test]
fn every_operation_id_is_unique() {
    let document: serde_json::Value = serde_json::from_str(&read("docs/openapi.json")).unwrap();
    let mut seen = std::collections::BTreeMap::<String, String>::new();
    let mut repeated = Vec::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let route = format!("{} {path}", method.to_uppercase());
            if let Some(first) = seen.insert(id.clone(), route.clone()) {
                repeated.push(format!("{id}: {first} and {route}"));
            }
        }
    }
    assert!(repeated.is_empty(), "repeated operationIds: {repeated:#?}");
}

#[test]
fn a_route_missing_from_either_side_is_reported() {
    let template = read("template.yaml");
    let document = read("docs/openapi.json");

    let fewer_routes = template.replace("Path: /users/me/status", "Path: /users/me/state");
    let found = openapi_problems(&fewer_routes, &document);
    assert!(
        found
            .iter()
            .any(|p| p.contains("PATCH /users/me/status has no route")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("PATCH /users/me/state is not in the OpenAPI")),
        "{found:#?}"
    );

    let mut fewer_operations: serde_json::Value = serde_json::from_str(&document).unwrap();
    fewer_operations["paths"]["/messages/{message_id}/read"]
        .as_object_mut()
        .unwrap()
        .remove("patch");
    let found = openapi_problems(&template, &fewer_operations.to_string());
    assert_eq!(
        found,
        ["template.yaml route PATCH /messages/{}/read is not in the OpenAPI document"]
    );
}

#[test]
fn a_trailing_slash_path_is_reported() {
    let document = read("docs/openapi.json").replace("\"/users/search\"", "\"/users/search/\"");
    let found = openapi_problems(&read("template.yaml"), &document);
    assert!(
        found
            .iter()
            .any(|p| p.contains("/users/search/ ends with a slash")),
        "{found:#?}"
    );
}

#[test]
fn the_committed_asyncapi_document_is_what_the_code_generates() {
    let generated = e2e::docs_check::asyncapi_yaml().unwrap();
    let committed = read("docs/asyncapi.yaml");
    assert!(
        committed == generated,
        "docs/asyncapi.yaml differs from the code: {REGENERATE}"
    );
}

/// Every example of the committed document reads back with the server's own types, so the
/// document cannot promise a frame the server would refuse or never send.
#[test]
fn every_asyncapi_example_reads_with_the_rust_types() {
    let document: serde_json::Value = serde_yaml::from_str(&read("docs/asyncapi.yaml")).unwrap();
    let messages = document["components"]["messages"].as_object().unwrap();
    assert_eq!(
        messages.len(),
        5 + 12,
        "five actions and twelve event types"
    );
    let found = chat_lambda::ws::docs::example_problems(&document);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn an_example_the_types_refuse_is_reported() {
    let mut document: serde_json::Value =
        serde_yaml::from_str(&read("docs/asyncapi.yaml")).unwrap();
    let examples = &mut document["components"]["messages"];
    // `content` may be absent (a message of files), but never a number.
    examples["action.sendMessage"]["examples"][0]["payload"]["content"] = 42.into();
    examples["presence"]["examples"][0]["payload"]["data"]["status"] = "asleep".into();
    examples["pong"]["examples"][0]["payload"]["type"] = "ping".into();
    let found = chat_lambda::ws::docs::example_problems(&document);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("the example of sendMessage does not read"))
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("the example of presence does not read"))
    );
    assert!(found.iter().any(|p| p.starts_with("the example of pong")));
}
