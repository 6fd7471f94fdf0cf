//! Re-authentication (issue 26, item 4): a stolen access token must not be enough to take an
//! account over or destroy it. Changing the email and deleting the account need the current
//! password, or a session that logged in within the last few minutes (a refresh does not
//! count: it proves possession of a token, not of the password); changing the password always
//! needs the current one. The failure limit on wrong current passwords is in `limits_auth.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{Api, Reply, TestUser, token_claims, unique};
use reqwest::Method;
use serde_json::{Value, json};

/// Makes the session of `user.token` look as if it had logged in `ago`, straight in the users
/// table (the session records when it logged in; the tests cannot wait minutes).
async fn logged_in(user: &TestUser, ago: Duration) {
    let table = std::env::var("USERS_TABLE").expect("the stack's USERS_TABLE");
    let sid = token_claims(&user.token)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let then = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() - ago;
    e2e::direct::dynamodb()
        .await
        .update_item()
        .table_name(table)
        .key("id", AttributeValue::S(user.id.clone()))
        .update_expression("SET sessions.#sid.created_at_ms = :then")
        .condition_expression("attribute_exists(sessions.#sid)")
        .expression_attribute_names("#sid", sid)
        .expression_attribute_values(":then", AttributeValue::N(then.as_millis().to_string()))
        .send()
        .await
        .expect("the session exists");
}

async fn delete_me(api: &Api, token: &str, body: Option<Value>) -> Reply {
    api.call(Method::DELETE, "/users/me", Some(token), body)
        .await
}

#[track_caller]
fn needs_the_password(reply: &Reply, what: &str) {
    assert_eq!(
        (reply.status.as_u16(), reply.code(), reply.field()),
        (422, "validation_error", "current_password"),
        "{what} without re-authentication: {:#}",
        reply.body
    );
}

#[tokio::test]
async fn an_old_session_changes_the_email_only_with_the_current_password() {
    let api = Api::new();
    let user = api.user("reauthMail").await;
    logged_in(&user, Duration::from_secs(3600)).await;
    let new_email = format!("{}@example.com", unique("moved"));

    let reply = api
        .put("/users/me", &user.token, json!({"email": new_email}))
        .await;
    needs_the_password(&reply, "an email change");
    api.put(
        "/users/me",
        &user.token,
        json!({"email": new_email, "current_password": "not the password"}),
    )
    .await
    .expect_error(403, "forbidden");
    // Refused changes change nothing, the other fields of the body included.
    let me = api.get("/users/me", &user.token).await;
    assert_eq!(me.expect(200)["email"], user.email.as_str());

    let changed = api
        .put(
            "/users/me",
            &user.token,
            json!({"email": new_email, "current_password": user.password}),
        )
        .await;
    assert_eq!(changed.expect(200)["email"], new_email.as_str());
    // The fields that cannot hand the account over need nothing more.
    api.put("/users/me", &user.token, json!({"bio": "still me"}))
        .await
        .expect(200);
}

#[tokio::test]
async fn an_old_session_deletes_the_account_only_with_the_current_password() {
    let api = Api::new();
    let user = api.user("reauthDel").await;
    logged_in(&user, Duration::from_secs(3600)).await;

    needs_the_password(&delete_me(&api, &user.token, None).await, "a deletion");
    delete_me(
        &api,
        &user.token,
        Some(json!({"current_password": "not the password"})),
    )
    .await
    .expect_error(403, "forbidden");
    api.get("/users/me", &user.token).await.expect(200);

    let deleted = delete_me(
        &api,
        &user.token,
        Some(json!({"current_password": user.password})),
    )
    .await;
    assert_eq!(deleted.status.as_u16(), 204, "{:#}", deleted.body);
    api.get("/users/me", &user.token)
        .await
        .expect_error(401, "unauthorized");
}

#[tokio::test]
async fn a_refresh_does_not_make_a_session_recent() {
    let api = Api::new();
    let user = api.user("reauthRef").await;
    logged_in(&user, Duration::from_secs(3600)).await;
    let renewed = api
        .post(
            "/users/refresh",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    let token = renewed.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = format!("{}@example.com", unique("moved"));
    needs_the_password(
        &api.put("/users/me", &token, json!({"email": email})).await,
        "an email change with a refreshed token",
    );
    needs_the_password(
        &delete_me(&api, &token, None).await,
        "a deletion with a refreshed token",
    );
}

#[tokio::test]
async fn a_session_that_just_logged_in_needs_no_password() {
    let api = Api::new();
    let user = api.user("reauthNew").await;
    // A little under the window: still recent.
    logged_in(&user, Duration::from_secs(240)).await;
    let email = format!("{}@example.com", unique("moved"));
    let changed = api
        .put("/users/me", &user.token, json!({"email": email}))
        .await;
    assert_eq!(changed.expect(200)["email"], email.as_str());
    let deleted = delete_me(&api, &user.token, None).await;
    assert_eq!(deleted.status.as_u16(), 204, "{:#}", deleted.body);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_even_just_after_login() {
    let api = Api::new();
    let user = api.user("reauthPw").await;
    let reply = api
        .put(
            "/users/me",
            &user.token,
            json!({"password": "a new password"}),
        )
        .await;
    needs_the_password(&reply, "a password change");
}
