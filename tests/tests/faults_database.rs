//! The database faults of the local stack's proxy between the functions and DynamoDB Local
//! (docs/local-stack.md, "Faults on demand"): each test switches one on, shows from the
//! proxy's counts that it fired, and checks what the service answered. A failing database is a
//! 503 with `Retry-After`, never a half-written change, and the next request after it
//! succeeds; no invocation outlives its timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::retry::RetryConfig;
use e2e::faults::Faults;
use e2e::{Api, Reply, TestUser};
use reqwest::Method;
use serde_json::{Value, json};

/// The functions' `Timeout` (template.yaml, `Globals`): no answer may take longer.
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);

#[track_caller]
fn assert_unavailable(reply: &Reply) {
    reply.expect_error(503, "unavailable");
    assert!(
        reply.headers.contains_key("retry-after"),
        "a 503 says when to come back: {:?}",
        reply.headers
    );
}

/// A DynamoDB client of the test's own through the functions' proxy, retrying nothing: it
/// sees each fault as the functions' SDK sees its first attempt.
async fn through_proxy() -> aws_sdk_dynamodb::Client {
    let url = std::env::var("CHAT_DYNAMODB_PROXY_URL").expect("run through infra/test.sh");
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(url)
        .load()
        .await;
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

async fn me(api: &Api, user: &TestUser) -> (Reply, Duration) {
    let started = Instant::now();
    let reply = api.get("/users/me", &user.token).await;
    (reply, started.elapsed())
}

#[tokio::test]
async fn throttling_answers_with_dynamodbs_errors_and_the_service_retries_then_503s() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let user = api.user("fth").await;
    let client = through_proxy().await;
    for kind in [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
    ] {
        faults
            .set(json!({"dynamodb": {"throttle_every": 1, "throttle": kind}}))
            .await;
        // The shape: the SDK reads the proxy's answer as DynamoDB's own error.
        let error = client.list_tables().send().await.unwrap_err();
        let service = error.as_service_error().map(|e| e.meta().code());
        assert_eq!(service, Some(Some(kind)), "{error:?}");
        let raw = error.raw_response().unwrap();
        assert_eq!(raw.status().as_u16(), 400);
        assert_eq!(raw.headers().get("x-amzn-errortype"), Some(kind));

        // Every attempt throttled: the function's SDK retries (3 attempts), then the answer
        // is 503 with Retry-After.
        let (reply, took) = me(&api, &user).await;
        assert_unavailable(&reply);
        let fired = faults.fired("dynamodb_throttle").await;
        println!(
            "{kind}: every call throttled: {} after {took:?}, {fired} throttled",
            reply.status
        );
        assert!(
            fired >= 3,
            "the SDK's own retries were throttled too: {fired}"
        );
    }
    // One read in two: the SDK's retry gets through and the caller never knows. (Reads by
    // key only: the sweepers' calls, every second, would otherwise share the count.)
    faults
        .set(json!({"dynamodb": {"throttle_every": 2, "throttle": "ThrottlingException", "operations": ["GetItem"]}}))
        .await;
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(me(&api, &user).await.0.status.as_u16());
    }
    let fired = faults.fired("dynamodb_throttle").await;
    println!("one call in two throttled: answers {answers:?}, {fired} throttled");
    assert_eq!(answers, [200; 4]);
    assert!(fired >= 1);
}

#[tokio::test]
async fn a_dropped_answer_is_retried_and_a_lasting_one_gives_503() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let user = api.user("fdr").await;
    faults.set(json!({"dynamodb": {"drop_every": 1}})).await;
    let error = through_proxy()
        .await
        .list_tables()
        .send()
        .await
        .unwrap_err();
    assert!(
        error.as_service_error().is_none(),
        "a cut connection is no answer at all: {error:?}"
    );
    let (reply, took) = me(&api, &user).await;
    assert_unavailable(&reply);
    assert!(took < FUNCTION_TIMEOUT, "{took:?}");
    println!(
        "every answer dropped: {} after {took:?}, {} dropped",
        reply.status,
        faults.fired("dynamodb_drop").await
    );

    // One read in two (reads by key only, as above): the SDK retries a cut connection.
    faults
        .set(json!({"dynamodb": {"drop_every": 2, "operations": ["GetItem"]}}))
        .await;
    for _ in 0..4 {
        me(&api, &user).await.0.expect(200);
    }
    let dropped = faults.fired("dynamodb_drop").await;
    println!("one answer in two dropped: 4 answers 200, {dropped} dropped");
    assert!(dropped >= 2, "{dropped}");
}

#[tokio::test]
async fn latency_slows_the_service_and_no_invocation_outlives_its_timeout() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let user = api.user("flt").await;
    let (_, plain) = me(&api, &user).await;
    faults.set(json!({"dynamodb": {"latency_ms": 400}})).await;
    let (reply, slow) = me(&api, &user).await;
    reply.expect(200);
    let delayed = faults.fired("dynamodb_latency").await;
    println!("400 ms a call: 200 after {slow:?} (without: {plain:?}), {delayed} calls delayed");
    assert!(
        delayed >= 1 && slow >= Duration::from_millis(400),
        "{slow:?}"
    );

    // Longer than the SDK's attempt timeout (2 s): every attempt is abandoned, and the
    // function answers 503 well inside its own timeout rather than hanging on.
    faults.set(json!({"dynamodb": {"latency_ms": 4000}})).await;
    let (reply, took) = me(&api, &user).await;
    println!("4 s a call: {} after {took:?}", reply.status);
    assert_unavailable(&reply);
    assert!(took < FUNCTION_TIMEOUT, "{took:?}");
    faults.clear().await;
    me(&api, &user).await.0.expect(200);
}

/// Each call just inside the SDK's attempt timeout (2 s): every call succeeds, slowly, and an
/// account deletion makes several in a row (the session, the re-authentication's limit, the
/// uploads, the transaction, the sockets), about 13 s of them. The chaos run found such
/// requests outliving the function's 10 s `Timeout` (API Gateway's bare 500): each call was
/// bounded, the request was not. (A send no longer serves here: its three waves take about
/// 5 s at this latency.)
#[tokio::test]
async fn a_request_of_many_slow_calls_answers_503_inside_the_timeout() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let user = api.user("fsl").await;
    let deletion = json!({"current_password": user.password});
    faults.set(json!({"dynamodb": {"latency_ms": 1800}})).await;
    let started = Instant::now();
    let reply = api
        .call(
            Method::DELETE,
            "/users/me",
            Some(&user.token),
            Some(deletion.clone()),
        )
        .await;
    let took = started.elapsed();
    let delayed = faults.fired("dynamodb_latency").await;
    println!(
        "1.8 s a call: {} after {took:?}, {delayed} calls delayed",
        reply.status
    );
    faults.clear().await;
    assert!(took < FUNCTION_TIMEOUT, "{took:?}");
    assert_unavailable(&reply);
    // The deletion stopped at its budget may have been done or not: its retry finishes it
    // (204) or finds the account gone (401); either way it is gone.
    let retried = api
        .call(
            Method::DELETE,
            "/users/me",
            Some(&user.token),
            Some(deletion),
        )
        .await;
    assert!(
        [204, 401].contains(&retried.status.as_u16()),
        "{}",
        retried.status
    );
    let login = api
        .post(
            "/users/login",
            None,
            json!({"username": user.username, "password": user.password}),
        )
        .await;
    login.expect_error(401, "invalid_credentials");
}

async fn conversation(api: &Api, reader: &TestUser, peer: &TestUser) -> Vec<Value> {
    let path = format!("/messages/conversation/{}?limit=50", peer.id);
    api.get(&path, &reader.token).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_outage_gives_503_writes_nothing_and_the_next_request_after_it_succeeds() {
    // Held before anything else: another test's faults would break this one's set-up.
    let faults = Faults::hold().await;
    let api = Api::new();
    let alice = api.user("fouA").await;
    let bob = api.user("fouB").await;
    faults.set(json!({"dynamodb": {"outage_secs": 4}})).await;
    let body = json!({"recipient_id": bob.id, "content": "during the outage"});
    let started = Instant::now();
    let reply = api
        .post("/messages", Some(&alice.token), body.clone())
        .await;
    let took = started.elapsed();
    let report = faults.report().await;
    println!(
        "send during the outage: {} {} after {took:?}; proxy: {}",
        reply.status, reply.body, report["counts"]["dynamodb_outage"]
    );
    assert_unavailable(&reply);
    assert!(took < FUNCTION_TIMEOUT, "{took:?}");
    assert!(
        report["counts"]["dynamodb_outage"]["fired"]
            .as_u64()
            .unwrap()
            >= 1
    );
    faults
        .until_over("outage_active", Duration::from_secs(10))
        .await;

    // Nothing of the refused send was written; the same request now succeeds, with no restart.
    let stored = conversation(&api, &bob, &alice).await;
    assert!(stored.is_empty(), "half-written: {stored:?}");
    api.post("/messages", Some(&alice.token), body)
        .await
        .expect(201);
    let stored = conversation(&api, &bob, &alice).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["content"], "during the outage");
}
