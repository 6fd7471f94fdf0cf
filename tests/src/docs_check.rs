//! Do the generated API documents match the template? Every explicit `HttpApi` route of
//! `template.yaml` is an operation of `docs/openapi.json` and the reverse. Catch-all routes
//! (`ANY /users/{proxy+}`) are how the trailing-slash form arrives, and greedy routes of one
//! method (`GET /docs/{proxy+}`) serve a page's files: neither is an operation of its own.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::template_check::{normalise, template_routes};

/// The operations of an OpenAPI document, as [`normalise`] writes routes.
pub fn openapi_routes(document: &Value) -> BTreeSet<String> {
    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
    document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(move |method| normalise(method, path))
        })
        .collect()
}

/// Everything that does not match, one sentence each; empty when all is well.
pub fn openapi_problems(template_yaml: &str, openapi_json: &str) -> Vec<String> {
    let template: serde_yaml::Value = match serde_yaml::from_str(template_yaml) {
        Ok(t) => t,
        Err(e) => return vec![format!("template.yaml does not parse: {e}")],
    };
    let document: Value = match serde_json::from_str(openapi_json) {
        Ok(d) => d,
        Err(e) => return vec![format!("the OpenAPI document does not parse: {e}")],
    };
    // `template_routes` leaves the catch-alls out.
    let (routes, operations) = (template_routes(&template), openapi_routes(&document));
    let mut problems: Vec<String> = routes
        .difference(&operations)
        .map(|route| format!("template.yaml route {route} is not in the OpenAPI document"))
        .collect();
    problems.extend(
        operations
            .difference(&routes)
            .map(|route| format!("OpenAPI operation {route} has no route in template.yaml")),
    );
    for path in document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(p, _)| p)
    {
        if path.len() > 1 && path.ends_with('/') {
            problems.push(format!("OpenAPI path {path} ends with a slash"));
        }
    }
    problems
}

/// The AsyncAPI document as committed in `docs/asyncapi.yaml`.
pub fn asyncapi_yaml() -> Result<String, serde_yaml::Error> {
    let header =
        "# Generated from the Rust types by `cargo run -p e2e --bin openapi`; do not edit.\n";
    serde_yaml::to_string(&chat_lambda::ws::docs::asyncapi()).map(|yaml| format!("{header}{yaml}"))
}
