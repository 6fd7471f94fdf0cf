//! template.yaml against the code and the contract (no stack needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use e2e::template_check::{contract_actions, contract_routes, problems};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The package names of the crates under functions/.
fn function_crates() -> BTreeSet<String> {
    std::fs::read_dir(root().join("functions"))
        .unwrap()
        .filter_map(|entry| {
            let manifest = std::fs::read_to_string(entry.ok()?.path().join("Cargo.toml")).ok()?;
            let line = manifest.lines().find(|l| l.starts_with("name = "))?;
            Some(
                line.trim_start_matches("name = ")
                    .trim_matches('"')
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_template_matches_the_code_and_the_contract() {
    let contract = read("docs/api-contract.md");
    assert_eq!(
        contract_routes(&contract).len(),
        31,
        "the contract's REST routes were all read"
    );
    assert_eq!(
        contract_actions(&contract),
        [
            "markRead",
            "ping",
            "sendMessage",
            "subscribePresence",
            "typing"
        ]
        .map(String::from)
        .into(),
    );
    let crates = function_crates();
    assert!(
        crates.contains("users") && crates.contains("ws-send"),
        "{crates:?}"
    );
    let found = problems(&read("template.yaml"), &contract, &crates);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_route_removed_from_the_template_is_reported() {
    let template = read("template.yaml").replace("Path: /users/me/status", "Path: /users/me/state");
    let found = problems(&template, &read("docs/api-contract.md"), &function_crates());
    assert!(
        found.contains(
            &"contract route PATCH /users/me/status has no route in template.yaml".to_owned()
        ),
        "{found:#?}"
    );
    assert!(
        found.contains(
            &"template.yaml route PATCH /users/me/state is not in the contract".to_owned()
        ),
        "{found:#?}"
    );
}

#[test]
fn a_route_added_to_the_contract_is_reported() {
    let contract = read("docs/api-contract.md") + "\n| `GET /users/me/devices` | | 200 |\n";
    let found = problems(&read("template.yaml"), &contract, &function_crates());
    assert_eq!(
        found,
        vec!["contract route GET /users/me/devices has no route in template.yaml"]
    );
}

#[test]
fn a_function_removed_from_either_side_is_reported() {
    let with_crates = |crates: &BTreeSet<String>| {
        problems(
            &read("template.yaml"),
            &read("docs/api-contract.md"),
            crates,
        )
    };
    let mut crates = function_crates();
    crates.remove("chats");
    let found = with_crates(&crates);
    assert_eq!(
        found,
        vec!["template.yaml builds chats, which is not a crate under functions/"]
    );

    let mut crates = function_crates();
    crates.insert("reports".to_owned());
    let found = with_crates(&crates);
    assert_eq!(
        found,
        vec!["function crate reports has no resource in template.yaml"]
    );
}

#[test]
fn a_missing_or_misdirected_greedy_route_is_reported() {
    let template = read("template.yaml");
    let without = template.replace(r#"Path: "/chats/{proxy+}""#, r#"Path: "/rooms/{proxy+}""#);
    let found = problems(&without, &read("docs/api-contract.md"), &function_crates());
    assert!(
        found.contains(
            &"contract route GET /chats/{} has no greedy route for its trailing-slash form"
                .to_owned()
        ),
        "{found:#?}"
    );
    assert!(
        found.contains(
            &"template.yaml route ANY /rooms/** is not a catch-all of its function's contract routes"
                .to_owned()
        ),
        "{found:#?}"
    );
    // The messages function's greedy route moved to the chats function.
    let misdirected = template
        .replace(
            r#"Path: "/messages/{proxy+}""#,
            r#"Path: "/messages/x/{proxy+}""#,
        )
        .replace(
            r#"Path: "/chats/{proxy+}""#,
            r#"Path: "/messages/{proxy+}""#,
        );
    let found = problems(
        &misdirected,
        &read("docs/api-contract.md"),
        &function_crates(),
    );
    assert!(
        found.contains(
            &"the trailing-slash form of POST /messages reaches ChatsFunction instead of MessagesFunction"
                .to_owned()
        ),
        "{found:#?}"
    );
}

#[test]
fn a_websocket_route_removed_from_the_template_is_reported() {
    let template = read("template.yaml").replace("RouteKey: markRead", "RouteKey: markSeen");
    let found = problems(&template, &read("docs/api-contract.md"), &function_crates());
    assert_eq!(
        found,
        vec![
            "WebSocketStage RouteSettings \"markRead\" names no route",
            "WebSocketStage has no RouteSettings for route markSeen",
            "WebSocket route markRead has no route in template.yaml",
        ]
    );
}

#[test]
fn a_greedy_route_catches_the_slash_form_of_its_own_method_only() {
    let template = read("template.yaml").replace(
        r#"Method: GET, Path: "/redoc/{proxy+}""#,
        r#"Method: POST, Path: "/redoc/{proxy+}""#,
    );
    let found = problems(&template, &read("docs/api-contract.md"), &function_crates());
    assert_eq!(
        found,
        vec!["contract route GET /redoc has no greedy route for its trailing-slash form"]
    );
}

#[test]
fn edge_throttling_gaps_are_reported() {
    let contract = read("docs/api-contract.md");
    let crates = function_crates();
    let cases = [
        // A route setting for a route the template does not have.
        (
            "\"POST /users/login\":\n          ThrottlingBurstLimit",
            "\"POST /users/logon\":\n          ThrottlingBurstLimit",
            "\"POST /users/logon\" names no route",
        ),
        // A WebSocket route left to the stage default.
        (
            "        typing:\n          ThrottlingBurstLimit",
            "        typist:\n          ThrottlingBurstLimit",
            "has no RouteSettings for route typing",
        ),
        // A setting without its rate.
        (
            "          ThrottlingRateLimit: 200\n",
            "",
            "needs a burst of at least 1 and a positive rate",
        ),
    ];
    for (from, to, expected) in cases {
        let template = read("template.yaml");
        assert!(template.contains(from), "the template has {from:?}");
        let found = problems(&template.replacen(from, to, 1), &contract, &crates);
        assert!(
            found.iter().any(|problem| problem.contains(expected)),
            "{expected:?} not in {found:#?}"
        );
    }
}
