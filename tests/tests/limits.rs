//! Per-caller rate limits (issue 11), at the template's default limits.
//!
//! Ignored in the main run: the stack the rest of the suite uses raises every limit
//! (`RATE_LIMIT_MULTIPLIER`) because it creates hundreds of users from one address.
//! `infra/test.sh` runs these with `--ignored` against a stack with the defaults, as on AWS.
//! Each test acts from its own loopback address, so that the per-address limits of one never
//! meet another's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::limits::{assert_defaults, assert_rate_limited, with_room_in_the_window};
use e2e::ws::Socket;
use e2e::{Api, Reply, TestUser};
use serde_json::{Value, json};

async fn wrong_login(api: &Api, user: &TestUser) -> Reply {
    api.post(
        "/users/login",
        None,
        json!({"username": user.username, "password": "not the password"}),
    )
    .await
}

/// Registers fresh users from `api`'s address, the `n`th at `path(n)`, until one is refused
/// (429 with `Retry-After`): that one's `n`, or `None` when all of `attempts` got 201.
async fn first_refused_registration(
    api: &Api,
    attempts: std::ops::RangeInclusive<u32>,
    path: impl Fn(u32) -> &'static str,
) -> Option<u32> {
    for n in attempts {
        let name = e2e::unique("reg");
        let body = json!({"username": name, "email": format!("{name}@example.com"), "password": "correct horse battery"});
        let reply = api.post(path(n), None, body).await;
        if reply.status.as_u16() == 429 {
            assert_rate_limited(&reply);
            return Some(n);
        }
        reply.expect(201);
    }
    None
}

/// Every test's name starts with `default_limits::`, which the main run skips by name.
mod default_limits {
    use super::*;

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn forty_wrong_passwords_in_a_row_get_429_with_retry_after() {
        assert_defaults();
        let api = Api::from_address("127.0.0.11");
        let user = api.user("guessed").await;
        // Login failures count in windows of 60 s; the 40 attempts take a few seconds.
        with_room_in_the_window(Duration::from_secs(60), Duration::from_secs(20)).await;
        let mut statuses = Vec::new();
        let mut first_429 = None;
        for attempt in 1..=40 {
            let reply = wrong_login(&api, &user).await;
            statuses.push(reply.status.as_u16());
            if reply.status.as_u16() == 429 && first_429.is_none() {
                assert_rate_limited(&reply);
                first_429 = Some(attempt);
            }
        }
        // Five failures are allowed in the window; from then on the pair is refused.
        assert_eq!(first_429, Some(6), "{statuses:?}");
        assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");

        // The right password from the same address is refused too, until the window ends.
        let right = json!({"username": user.username, "password": user.password});
        assert_rate_limited(&api.post("/users/login", None, right.clone()).await);
        // From another address the owner still logs in: nobody locks a victim out from afar.
        let elsewhere = Api::from_address("127.0.0.12");
        elsewhere
            .post("/users/login", None, right)
            .await
            .expect(200);
    }

    /// `/users/login/` and `/users/register/` reach the functions through `ANY /users/{proxy+}`
    /// (HTTP API routes cannot end in `/`), with that route's edge throttle, not the login
    /// route's stricter one. The per-caller limits are the functions' own and count both forms
    /// as one.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn the_slash_forms_of_login_and_registration_share_the_plain_forms_limits() {
        assert_defaults();
        // An address of its own: the tests of this file run at once, each from its addresses.
        let api = Api::from_address("127.0.0.17");
        let user = api.user("slashed").await;
        with_room_in_the_window(Duration::from_secs(60), Duration::from_secs(20)).await;
        let wrong = json!({"username": user.username, "password": "not the password"});
        let mut statuses = Vec::new();
        for attempt in 1..=6 {
            let path = if attempt % 2 == 0 {
                "/users/login/"
            } else {
                "/users/login"
            };
            statuses.push(api.post(path, None, wrong.clone()).await.status.as_u16());
        }
        assert_eq!(
            statuses,
            [401, 401, 401, 401, 401, 429],
            "alternating the two forms"
        );
        let right = json!({"username": user.username, "password": user.password});
        assert_rate_limited(&api.post("/users/login/", None, right).await);

        // Registrations: the address's 20 an hour, whichever form (`api.user` used one).
        with_room_in_the_window(Duration::from_secs(3600), Duration::from_secs(30)).await;
        let refused = first_refused_registration(&api, 2..=25, |n| {
            if n % 2 == 0 {
                "/users/register/"
            } else {
                "/users/register"
            }
        })
        .await;
        assert_eq!(
            refused,
            Some(21),
            "the 21st registration within the hour, either form"
        );
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn one_address_cannot_register_without_end() {
        assert_defaults();
        let api = Api::from_address("127.0.0.13");
        // Registrations count in windows of an hour.
        with_room_in_the_window(Duration::from_secs(3600), Duration::from_secs(30)).await;
        let refused = first_refused_registration(&api, 1..=25, |_| "/users/register").await;
        assert_eq!(
            refused,
            Some(21),
            "the 21st registration within the hour is refused"
        );
        // Another address registers as usual.
        Api::from_address("127.0.0.14").user("regok").await;
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_flood_of_sends_gets_429s_while_another_users_sends_keep_succeeding() {
        assert_defaults();
        let api = Api::from_address("127.0.0.15");
        let flooder = api.user("flooder").await;
        let honest = api.user("honest").await;
        let chat = api.create_chat(&flooder, &[&honest]).await;
        let chat_id = chat["id"].as_str().unwrap().to_owned();

        let send = |who: &TestUser, n: usize| {
            let api = api.clone();
            let (token, chat_id) = (who.token.clone(), chat_id.clone());
            async move {
                api.post(
                    "/messages",
                    Some(&token),
                    json!({"chat_id": chat_id, "content": format!("message {n}")}),
                )
                .await
            }
        };
        let mut accepted = 0;
        let mut refused = 0;
        let mut honest_sent = 0;
        for n in 0..80 {
            let reply = send(&flooder, n).await;
            match reply.status.as_u16() {
                201 => accepted += 1,
                429 => {
                    assert_rate_limited(&reply);
                    refused += 1;
                }
                other => panic!("flood send {n}: {other} {:#}", reply.body),
            }
            // The other member writes now and then, as a person does.
            if n % 10 == 0 {
                send(&honest, n).await.expect(201);
                honest_sent += 1;
            }
        }
        assert!(refused > 0, "80 sends were all accepted");
        // 30 writes a window: the chat's creation took one. A flood that crosses into the next
        // window gets more; a fast one (all 80 within 10 s) exactly 29.
        assert!(accepted >= 29, "only {accepted} sends were accepted");
        assert_eq!(honest_sent, 8);
        let history = api
            .get(
                &format!("/messages/chat/{chat_id}?limit=100"),
                &honest.token,
            )
            .await;
        let items = history.expect(200)["items"].as_array().unwrap().clone();
        let from_flooder = items
            .iter()
            .filter(|m| m["sender_id"] == flooder.id.as_str())
            .count();
        // Only what was accepted was stored: a refused send changes nothing.
        assert_eq!(from_flooder, accepted, "{} messages", items.len());
    }

    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_websocket_flood_gets_rate_limited_errors_and_then_a_close() {
        assert_defaults();
        let api = Api::from_address("127.0.0.16");
        let user = api.user("wsflood").await;
        let peer = api.user("wsfloodP").await;
        let mut socket = Socket::connect_silent(&user.token).await;
        let typing = json!({"action": "typing", "recipient_id": peer.id, "is_typing": true});
        for _ in 0..120 {
            socket.send(typing.clone()).await;
        }
        let error: Value = socket
            .expect_within(
                "error",
                |e| e["data"]["code"] == "rate_limited",
                Duration::from_secs(20),
            )
            .await
            .0;
        assert!(error["data"]["message"].is_string(), "{error:#}");
        assert!(
            socket.closed_within(Duration::from_secs(20)).await,
            "a connection that kept flooding stayed open"
        );
        // The account is not punished beyond the connection: a new one works.
        let mut fresh = Socket::connect(&user.token).await;
        fresh.send(json!({"action": "ping"})).await;
        fresh.expect("pong").await;
    }
}
