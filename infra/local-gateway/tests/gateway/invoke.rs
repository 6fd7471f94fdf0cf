//! The functions' own Lambda Invoke API on the gateway: synchronous invocations forwarded to
//! the emulator, refused with Lambda's 429 at the function's concurrency limit. Requests are
//! signed as the functions sign them (`sigv4` has the ones that are not).

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Harness, Reply};

const PATH: &str = "/2015-03-31/functions/worker/invocations";

async fn invoke(harness: &Harness, payload: Value) -> reqwest::Response {
    harness
        .signed(harness.http.post(harness.url(PATH)).json(&payload))
        .await
}

#[tokio::test]
async fn an_invocation_reaches_the_function_and_answers_its_result() {
    let harness = Harness::start("template.yaml").await;
    harness
        .lambda
        .reply("worker", Reply::Json(json!({"done": true})));
    let answer = invoke(&harness, json!({"share": 1})).await;
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("x-amz-function-error").is_none());
    assert_eq!(answer.json::<Value>().await.unwrap(), json!({"done": true}));
    assert_eq!(harness.lambda.events("worker"), [json!({"share": 1})]);

    harness.lambda.reply(
        "worker",
        Reply::FunctionError(json!({"errorType": "Panic"})),
    );
    let failed = invoke(&harness, json!({"share": 2})).await;
    assert_eq!(
        failed.status(),
        200,
        "Lambda reports a function's failure in a header"
    );
    assert_eq!(failed.headers()["x-amz-function-error"], "Unhandled");
}

#[tokio::test]
async fn at_the_concurrency_limit_an_invocation_is_refused_not_queued() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.lambda_concurrency = Some(1);
    })
    .await;
    harness.lambda.reply(
        "worker",
        Reply::Delayed(Duration::from_millis(800), Box::new(Reply::Json(json!({})))),
    );
    let first = invoke(&harness, json!({"n": 1}));
    let second = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = std::time::Instant::now();
        (invoke(&harness, json!({"n": 2})).await, started.elapsed())
    };
    let (first, (second, waited)) = tokio::join!(first, second);
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 429);
    assert_eq!(
        second.headers()["x-amzn-errortype"],
        "TooManyRequestsException"
    );
    assert!(
        waited < Duration::from_millis(500),
        "refused at once, not after {waited:?}"
    );
    assert_eq!(harness.lambda.events("worker").len(), 1);
    // A place again once the first is done.
    assert_eq!(invoke(&harness, json!({"n": 3})).await.status(), 200);
}

#[tokio::test]
async fn other_methods_and_invocation_types_are_refused() {
    let harness = Harness::start("template.yaml").await;
    let get = harness.signed(harness.http.get(harness.url(PATH))).await;
    assert_eq!(get.status(), 405);
    let event = harness
        .signed(
            harness
                .http
                .post(harness.url(PATH))
                .header("x-amz-invocation-type", "Event")
                .json(&json!({})),
        )
        .await;
    assert_eq!(event.status(), 400);
    assert!(harness.lambda.events("worker").is_empty());
}
