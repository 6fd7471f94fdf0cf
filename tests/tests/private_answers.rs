//! Answers that carry a user's data, a token or an error about them are never cached (a shared
//! proxy or the browser's cache would hand them to the next person) and never content-sniffed.

use e2e::{Api, Reply, unique};
use serde_json::json;

fn assert_private(what: &str, reply: &Reply) {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("cache-control").contains("no-store"),
        "{what}: cache-control {:?}",
        header("cache-control")
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
}

#[tokio::test]
async fn tokens_profiles_lists_and_errors_are_not_stored_by_any_cache() {
    let api = Api::new();
    let username = unique("nst");
    let password = "correct horse battery";
    let register = api
        .post(
            "/users/register",
            None,
            json!({"username": username, "email": format!("{username}@example.com"), "password": password}),
        )
        .await;
    assert_private("register", &register);
    let login = api
        .post(
            "/users/login",
            None,
            json!({"username": username, "password": password}),
        )
        .await;
    assert_private("login", &login);
    let session = login.expect(200).clone();
    let token = session["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refresh = api
        .post(
            "/users/refresh",
            None,
            json!({"refresh_token": session["refresh_token"]}),
        )
        .await;
    assert_private("refresh", &refresh);
    assert_private("profile", &api.get("/users/me", &token).await);
    let update = api
        .put("/users/me", &token, json!({"display_name": "No Store"}))
        .await;
    assert_private("profile update", &update);
    assert_private("inbox", &api.get("/messages/conversations", &token).await);
    assert_private("an error", &api.get("/users/me", "not a token").await);
}
