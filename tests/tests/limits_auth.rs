//! Limits around passwords and tokens (issue 26), at the template's default limits: a failure
//! is reserved before a password is checked, a profile's current password is guessed no faster
//! than a login, a taken email is an answer rationed like a guess, and a revoked token spends
//! nothing of its owner's write limit.
//!
//! Ignored in the main run, as `limits.rs` is: `infra/test.sh` runs them with `--ignored`
//! against a stack with the defaults. Each test acts from loopback addresses of its own
//! (127.0.0.31 and up; `limits.rs` uses 127.0.0.11 to .17), so that the per-address limits of
//! one never meet another's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::limits::{assert_defaults, assert_rate_limited, window_number, with_room_in_the_window};
use e2e::{Api, Reply, TestUser, unique};
use futures::future::join_all;
use serde_json::json;

/// The rate-limits table, read straight: what a window's counter holds now.
struct Counters {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl Counters {
    async fn new() -> Self {
        Counters {
            client: e2e::direct::dynamodb().await,
            table: std::env::var("RATE_LIMITS_TABLE").expect("the stack's RATE_LIMITS_TABLE"),
        }
    }

    /// `bucket`'s count for `key` in the current window of `window_secs`.
    async fn count(&self, bucket: &str, key: &str, window_secs: u64) -> u64 {
        let pk = format!(
            "{bucket}#{key}#{}",
            window_number(Duration::from_secs(window_secs))
        );
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk))
            .consistent_read(true)
            .send()
            .await
            .expect("the rate-limits table answers")
            .item;
        item.and_then(|item| item.get("n").and_then(|n| n.as_n().ok()?.parse().ok()))
            .unwrap_or(0)
    }

    /// Polls [`Counters::count`] until it reaches `at_least` or `within` runs out; the last
    /// count.
    async fn reaches(
        &self,
        (bucket, key, window_secs): (&str, &str, u64),
        at_least: u64,
        within: Duration,
    ) -> u64 {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let count = self.count(bucket, key, window_secs).await;
            if count >= at_least || tokio::time::Instant::now() >= deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

async fn login(api: &Api, user: &TestUser, password: &str) -> Reply {
    api.post(
        "/users/login",
        None,
        json!({"username": user.username, "password": password}),
    )
    .await
}

/// An Argon2id hash of `password` with the service's memory and lanes but 16 passes, not 2:
/// a verification reads the parameters from the stored hash, so checking a password against it
/// takes eight times as long.
fn costly_hash(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    let params = argon2::Params::new(19 * 1024, 16, 1, None).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes())
        .unwrap()
        .to_string()
}

/// Replaces `user`'s stored password hash, straight in the users table.
async fn set_password_hash(user: &TestUser, hash: &str) {
    let table = std::env::var("USERS_TABLE").expect("the stack's USERS_TABLE");
    e2e::direct::dynamodb()
        .await
        .update_item()
        .table_name(table)
        .key("id", AttributeValue::S(user.id.clone()))
        .update_expression("SET password_hash = :hash")
        .condition_expression("attribute_exists(id)")
        .expression_attribute_values(":hash", AttributeValue::S(hash.to_owned()))
        .send()
        .await
        .expect("the user exists");
}

/// Starts `n` instances of the users function, or finds them started, so that a burst of as
/// many logins meets no cold start: as many wrong logins at once, for names nobody has (each
/// its own pair), from an address of its own.
async fn warm_up(n: usize) {
    let api = Api::from_address("127.0.0.32");
    join_all((0..n).map(|_| {
        let api = api.clone();
        async move {
            let body = json!({"username": unique("nobody"), "password": "not the password"});
            api.post("/users/login", None, body)
                .await
                .expect_error(401, "invalid_credentials");
        }
    }))
    .await;
}

/// Statuses in order, and the position (from 1) of the first 429.
fn first_429(statuses: &[u16]) -> Option<usize> {
    statuses.iter().position(|s| *s == 429).map(|i| i + 1)
}

/// Every test's name starts with `default_limits::`, which the main run skips by name.
mod default_limits {
    use super::*;

    /// Item 3: a failure is reserved before the password is checked. Twenty wrong guesses go
    /// at once; as soon as five of them have reached the function, the right password comes.
    /// Had the guesses been counted only after their checks, it would have found the pair's
    /// count short of the limit and logged in: twenty guesses and more in a window of five.
    /// The account's hash is a costlier one ([`costly_hash`]): with twenty checks sharing two
    /// cores, the first ends seconds after it began, not a few hundred milliseconds; the same
    /// race, wide enough to be seen every time.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn twenty_concurrent_wrong_guesses_then_the_right_password_get_429() {
        assert_defaults();
        let address = "127.0.0.31";
        let api = Api::from_address(address);
        let app = e2e::direct::app().await;
        let user = e2e::direct::api_user(&app, "raced").await;
        let password = "correct horse battery";
        set_password_hash(&user, &costly_hash(password)).await;
        let user = TestUser {
            password: password.to_owned(),
            ..user
        };

        with_room_in_the_window(Duration::from_secs(60), Duration::from_secs(45)).await;
        warm_up(21).await;
        let counters = Counters::new().await;
        let attempts = ("login_attempts", address, 60);
        let before = counters.count(attempts.0, attempts.1, attempts.2).await;
        let guesses = tokio::spawn({
            let (api, user) = (api.clone(), user.clone());
            async move { join_all((0..20).map(|_| login(&api, &user, "not the password"))).await }
        });
        // Five guesses have counted their attempt, the first thing a login does; then a
        // moment for their next step, where their failures are reserved (far less than one
        // check of this hash takes).
        let arrived = counters
            .reaches(attempts, before + 5, Duration::from_secs(20))
            .await;
        assert!(
            arrived >= before + 5,
            "{} guesses arrived",
            arrived - before
        );
        let pair = format!("{}|{address}", user.id);
        let failures = ("login_failures", pair.as_str(), 60);
        counters
            .reaches(failures, 5, Duration::from_millis(100))
            .await;
        let right = login(&api, &user, &user.password).await;
        let guesses = guesses.await.unwrap();
        let statuses: Vec<u16> = guesses.iter().map(|r| r.status.as_u16()).collect();

        assert_eq!(
            right.status.as_u16(),
            429,
            "the right password after 20 concurrent wrong guesses (theirs: {statuses:?}): {:#}",
            right.body
        );
        assert_rate_limited(&right);
        // Five guesses were checked (401); the other fifteen never were (429).
        let checked = statuses.iter().filter(|s| **s == 401).count();
        assert_eq!(checked, 5, "{statuses:?}");
        for reply in guesses.iter().filter(|r| r.status.as_u16() != 401) {
            assert_rate_limited(reply);
        }
        assert_eq!(counters.count(failures.0, failures.1, failures.2).await, 5);
        // From another address the owner still logs in.
        login(&Api::from_address("127.0.0.33"), &user, &user.password)
            .await
            .expect(200);
    }

    /// Item 4: `current_password` of `PUT /users/me` is a password guess like a login's, with a
    /// stolen access token as much as with a login form: the same failure limit, on the same
    /// (account, address) pair.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn wrong_current_passwords_are_limited_as_wrong_logins_are() {
        assert_defaults();
        let api = Api::from_address("127.0.0.34");
        let user = api.user("reguess").await;
        with_room_in_the_window(Duration::from_secs(60), Duration::from_secs(30)).await;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            let reply = api
                .put(
                    "/users/me",
                    &user.token,
                    json!({"password": "a new password", "current_password": "not the password"}),
                )
                .await;
            statuses.push(reply.status.as_u16());
            if reply.status.as_u16() == 429 {
                assert_rate_limited(&reply);
            }
        }
        assert_eq!(first_429(&statuses), Some(6), "{statuses:?}");
        assert!(statuses[..5].iter().all(|s| *s == 403), "{statuses:?}");
        assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");

        // The right current password is refused too, and so is a login of the pair: one limit.
        let right = json!({"password": "a new password", "current_password": user.password});
        assert_rate_limited(&api.put("/users/me", &user.token, right).await);
        assert_rate_limited(&login(&api, &user, &user.password).await);
        // The same goes for an account deletion with a password.
        let deletion = api
            .call(
                reqwest::Method::DELETE,
                "/users/me",
                Some(&user.token),
                Some(json!({"current_password": user.password})),
            )
            .await;
        assert_rate_limited(&deletion);
        // Nothing changed: the old password still logs in, from elsewhere.
        login(&Api::from_address("127.0.0.35"), &user, &user.password)
            .await
            .expect(200);
    }

    /// Item 4: `email_taken` says that somebody registered an address. Such answers are
    /// rationed per address, and a refusal is the same whether the address is taken or not.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn taken_emails_are_rationed_so_that_registered_addresses_cannot_be_listed() {
        assert_defaults();
        let api = Api::from_address("127.0.0.36");
        let prober = api.user("prober").await;
        let victims = [api.user("listed").await, api.user("listed").await];
        with_room_in_the_window(Duration::from_secs(3600), Duration::from_secs(120)).await;
        let mut statuses = Vec::new();
        for n in 0..15 {
            let email = &victims[n % 2].email;
            let reply = api
                .put("/users/me", &prober.token, json!({"email": email}))
                .await;
            statuses.push(reply.status.as_u16());
            if reply.status.as_u16() == 429 {
                assert_rate_limited(&reply);
            } else {
                reply.expect_error(409, "email_taken");
            }
        }
        assert_eq!(first_429(&statuses), Some(11), "{statuses:?}");
        // Past the limit a free address is refused alike: the answer says nothing about it.
        let free = format!("{}@example.com", unique("free"));
        assert_rate_limited(
            &api.put("/users/me", &prober.token, json!({"email": free}))
                .await,
        );
        // A change that finds its address free costs nothing: from another address, more
        // changes to free addresses than the limit allows taken ones all succeed.
        let elsewhere = Api::from_address("127.0.0.37");
        for _ in 0..12 {
            let free = format!("{}@example.com", unique("free"));
            elsewhere
                .put("/users/me", &prober.token, json!({"email": free}))
                .await
                .expect(200);
        }
        let me = elsewhere.get("/users/me", &prober.token).await;
        assert_ne!(me.expect(200)["email"], prober.email.as_str());
    }

    /// Item 6: the write limit's count is taken concurrently with the token's session check;
    /// a token whose session ended gives its count back, so a thief holding a logged-out token
    /// cannot spend the owner's writes.
    #[tokio::test]
    #[ignore = "needs a stack with the default limits: infra/test.sh runs it"]
    async fn a_logged_out_token_spends_nothing_of_its_owners_write_limit() {
        assert_defaults();
        let api = Api::from_address("127.0.0.38");
        let owner = api.user("revoked").await;
        let peer = api.user("revokedP").await;
        let live = api.login(&owner).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        api.post("/users/logout", Some(&owner.token), json!({}))
            .await
            .expect(204);
        let send = |token: String, n: usize| {
            let (api, peer) = (api.clone(), peer.id.clone());
            async move {
                api.post(
                    "/messages",
                    Some(&token),
                    json!({"recipient_id": peer, "content": format!("message {n}")}),
                )
                .await
            }
        };
        // Writes count in windows of 10 s: the 30 sends go at once, in one window.
        with_room_in_the_window(Duration::from_secs(10), Duration::from_secs(8)).await;
        let revoked = join_all((0..30).map(|n| send(owner.token.clone(), n))).await;
        let statuses: Vec<u16> = revoked.iter().map(|r| r.status.as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
        let reply = send(live, 30).await;
        assert_eq!(
            reply.status.as_u16(),
            201,
            "a send with a live token after 30 with a logged-out one: {:#}",
            reply.body
        );
    }
}
