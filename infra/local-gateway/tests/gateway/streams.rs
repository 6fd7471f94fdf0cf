//! `Type: DynamoDB` events against the real DynamoDB Local (its DynamoDB Streams API): writes to
//! the table reach the fake Lambda as Lambda's stream event, filtered, in order, with partial
//! batch failures and the dead-letter file. Run with `cargo test -p local-gateway -- --ignored`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use local_gateway::Template;
use local_gateway::tables;
use serde_json::{Value, json};

use crate::dynamodb_local::{DynamoDbLocal, start_dynamodb_local};
use crate::harness::{Harness, Reply, fixture};

const TABLE: &str = "lg-stream-messages";
const FUNCTION: &str = "delivery";

struct Stack {
    harness: Harness,
    dynamodb: Client,
    dead_letters: PathBuf,
    _local: DynamoDbLocal,
}

async fn stack(name: &str) -> Stack {
    stack_after(name, async |_: &Client| {}).await
}

/// A stack whose table already holds what `before` wrote when the gateway starts.
async fn stack_after(name: &str, before: impl AsyncFnOnce(&Client)) -> Stack {
    let local = start_dynamodb_local().await;
    let template = Template::load(&fixture("streams.yaml")).unwrap();
    let dynamodb = tables::client(&local.endpoint).await;
    tables::ensure_tables(&dynamodb, &template.tables())
        .await
        .unwrap();
    before(&dynamodb).await;
    let dead_letters = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dead-letters-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dead_letters);
    let endpoint = local.endpoint.clone();
    let dir = dead_letters.clone();
    let harness = Harness::start_with("streams.yaml", move |config| {
        config.streams.endpoint = endpoint;
        config.streams.dead_letter_dir = dir;
    })
    .await;
    harness
        .lambda
        .reply(FUNCTION, Reply::Json(json!({"batchItemFailures": []})));
    // The gateway answers once its LATEST iterators are taken: writes from now on count.
    assert_eq!(harness.send("GET", "/nothing-here").await.status(), 404);
    Stack {
        harness,
        dynamodb,
        dead_letters,
        _local: local,
    }
}

fn item(pk: &str, sk: u32, fanout: &str) -> std::collections::HashMap<String, AttributeValue> {
    std::collections::HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::N(sk.to_string())),
        ("fanout".to_owned(), AttributeValue::S(fanout.to_owned())),
        (
            "text".to_owned(),
            AttributeValue::S(format!("message {sk}")),
        ),
    ])
}

async fn put(dynamodb: &Client, pk: &str, sk: u32, fanout: &str) {
    dynamodb
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item(pk, sk, fanout)))
        .send()
        .await
        .unwrap();
}

/// Writes `sks` of one partition in one transaction, so they tend to land in one batch.
async fn put_together(dynamodb: &Client, pk: &str, sks: std::ops::RangeInclusive<u32>) {
    let writes = sks
        .map(|sk| {
            let put = Put::builder()
                .table_name(TABLE)
                .set_item(Some(item(pk, sk, "stream")))
                .build()
                .unwrap();
            TransactWriteItem::builder().put(put).build()
        })
        .collect();
    dynamodb
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .unwrap();
}

/// Every invocation's records as (pk, sk) lists.
fn batches(harness: &Harness) -> Vec<Vec<(String, u32)>> {
    harness
        .lambda
        .events(FUNCTION)
        .iter()
        .map(|event| {
            event["Records"]
                .as_array()
                .unwrap()
                .iter()
                .map(key)
                .collect()
        })
        .collect()
}

fn key(record: &Value) -> (String, u32) {
    let keys = &record["dynamodb"]["Keys"];
    (
        keys["pk"]["S"].as_str().unwrap().to_owned(),
        keys["sk"]["N"].as_str().unwrap().parse().unwrap(),
    )
}

/// Waits until the function has received at least `count` records in all.
async fn wait_records(harness: &Harness, count: usize) -> Vec<Vec<(String, u32)>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let seen = batches(harness);
        if seen.iter().map(Vec::len).sum::<usize>() >= count {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} records expected, got {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
async fn records_reach_the_function_filtered_in_order_with_lambdas_shape() {
    let stack = stack("order").await;
    for sk in 1..=20 {
        let fanout = if sk % 2 == 1 { "stream" } else { "inline" };
        put(&stack.dynamodb, "c#1", sk, fanout).await;
        if sk <= 5 {
            put(&stack.dynamodb, "c#2", sk, "stream").await;
        }
    }
    // A change of an item is a MODIFY record (a write that changes nothing makes no record).
    stack
        .dynamodb
        .update_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S("c#1".into()))
        .key("sk", AttributeValue::N("1".into()))
        .update_expression("SET #text = :text")
        .expression_attribute_names("#text", "text")
        .expression_attribute_values(":text", AttributeValue::S("edited".into()))
        .send()
        .await
        .unwrap();
    let seen = wait_records(&stack.harness, 16).await;
    // Nothing more comes: no record twice, no filtered record late.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(batches(&stack.harness), seen);
    let flat: Vec<(String, u32)> = seen.concat();
    let of = |pk: &str| -> Vec<u32> {
        flat.iter()
            .filter(|(p, _)| p == pk)
            .map(|(_, sk)| *sk)
            .collect()
    };
    assert_eq!(of("c#1"), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 1]);
    assert_eq!(of("c#2"), [1, 2, 3, 4, 5]);

    let events = stack.harness.lambda.events(FUNCTION);
    let records: Vec<&Value> = events
        .iter()
        .flat_map(|event| event["Records"].as_array().unwrap())
        .collect();
    let first = records[0];
    assert_eq!(first["eventName"], "INSERT");
    assert_eq!(first["eventVersion"], "1.1");
    assert_eq!(first["eventSource"], "aws:dynamodb");
    assert!(first["eventID"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(first["awsRegion"].is_string());
    let arn = first["eventSourceARN"].as_str().unwrap();
    assert!(arn.contains(&format!("table/{TABLE}/stream/")), "{arn}");
    let change = &first["dynamodb"];
    assert_eq!(change["StreamViewType"], "NEW_IMAGE");
    assert_eq!(change["NewImage"]["fanout"], json!({"S": "stream"}));
    assert_eq!(
        change["NewImage"]["text"]["S"],
        format!("message {}", key(first).1)
    );
    assert_eq!(change["Keys"].as_object().unwrap().len(), 2);
    assert!(change["ApproximateCreationDateTime"].is_number());
    assert!(change["SizeBytes"].as_i64().is_some_and(|n| n > 0));
    assert!(change.get("OldImage").is_none());
    let modify = records.last().unwrap();
    assert_eq!(key(modify), ("c#1".to_owned(), 1));
    assert_eq!(modify["eventName"], "MODIFY");
    assert_eq!(modify["dynamodb"]["NewImage"]["text"]["S"], "edited");
    // Sequence numbers grow within a partition.
    let sequence = |pk: &str| -> Vec<u128> {
        records
            .iter()
            .filter(|r| key(r).0 == pk)
            .map(|r| {
                r["dynamodb"]["SequenceNumber"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    for pk in ["c#1", "c#2"] {
        let numbers = sequence(pk);
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{pk}: {numbers:?}");
    }
}

/// With `StartingPosition: LATEST`, what the table held before the start never reaches the
/// function; what comes after does, from the first record.
#[tokio::test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
async fn latest_starts_after_the_records_already_there() {
    let stack = stack_after("latest", async |dynamodb: &Client| {
        for sk in 1..=3 {
            put(dynamodb, "c#old", sk, "stream").await;
        }
    })
    .await;
    put(&stack.dynamodb, "c#new", 1, "stream").await;
    let seen = wait_records(&stack.harness, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(batches(&stack.harness), seen);
    assert_eq!(seen.concat(), [("c#new".to_owned(), 1)]);
}

#[tokio::test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
async fn a_reported_item_failure_is_retried_with_the_records_after_it_only() {
    let stack = stack("partial").await;
    let failed_once = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&failed_once);
    stack.harness.lambda.respond_with(FUNCTION, move |event| {
        let records = event["Records"].as_array().unwrap();
        let fifth = records.iter().find(|r| key(r).1 == 5);
        let mut failed = flag.lock().unwrap();
        match fifth {
            Some(record) if !*failed => {
                *failed = true;
                let sequence = &record["dynamodb"]["SequenceNumber"];
                Reply::Json(json!({"batchItemFailures": [{"itemIdentifier": sequence}]}))
            }
            _ => Reply::Json(json!({"batchItemFailures": []})),
        }
    });
    put_together(&stack.dynamodb, "c#1", 1..=10).await;
    let seen = wait_records(&stack.harness, 11).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen_later = batches(&stack.harness);
    assert_eq!(seen_later, seen, "more deliveries than the one retry");
    assert!(*failed_once.lock().unwrap());
    let sks =
        |batch: &Vec<(String, u32)>| -> Vec<u32> { batch.iter().map(|(_, sk)| *sk).collect() };
    let failing = seen.iter().position(|b| sks(b).contains(&5)).unwrap();
    let failing_batch = sks(&seen[failing]);
    let at = failing_batch.iter().position(|sk| *sk == 5).unwrap();
    // The retry is the failed record and the ones after it, nothing before it.
    assert_eq!(
        sks(&seen[failing + 1]),
        failing_batch[at..].to_vec(),
        "{seen:?}"
    );
    let mut once: Vec<u32> = seen.iter().flat_map(sks).collect();
    let retried = failing_batch.len() - at;
    let failed_part: Vec<u32> = failing_batch[at..].to_vec();
    // Without the failed attempt's tail, every record arrived exactly once, in order.
    let start = seen[..failing].iter().map(Vec::len).sum::<usize>() + at;
    let removed: Vec<u32> = once.drain(start..start + retried).collect();
    assert_eq!(removed, failed_part);
    assert_eq!(once, (1..=10).collect::<Vec<u32>>());
}

#[tokio::test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
async fn a_batch_that_keeps_failing_goes_to_the_dead_letter_file_after_the_retries() {
    let stack = stack("dead").await;
    stack.harness.lambda.reply(
        FUNCTION,
        Reply::FunctionError(json!({"errorType": "Boom", "errorMessage": "always"})),
    );
    put(&stack.dynamodb, "c#1", 1, "stream").await;
    // The first invocation and MaximumRetryAttempts (5) retries.
    let events = stack.harness.lambda.wait_for(FUNCTION, 6).await;
    let file = stack.dead_letters.join("DeliveryDeadLetterQueue.jsonl");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let text = loop {
        match std::fs::read_to_string(&file) {
            Ok(text) if !text.is_empty() => break text,
            _ if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => panic!("no dead letter in {}: {other:?}", file.display()),
        }
    };
    assert_eq!(stack.harness.lambda.events(FUNCTION).len(), 6);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let letter = &lines[0];
    let record = &events[0]["Records"][0];
    let sequence = &record["dynamodb"]["SequenceNumber"];
    assert_eq!(
        letter["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(letter["requestContext"]["approximateInvokeCount"], 6);
    assert_eq!(letter["responseContext"]["functionError"], "Unhandled");
    let info = &letter["DDBStreamBatchInfo"];
    assert_eq!(&info["startSequenceNumber"], sequence);
    assert_eq!(&info["endSequenceNumber"], sequence);
    assert_eq!(info["batchSize"], 1);
    assert_eq!(info["streamArn"], record["eventSourceARN"]);
    assert!(info["shardId"].as_str().is_some_and(|id| !id.is_empty()));

    // The shard moved on: the next record is delivered, the discarded one never again.
    stack
        .harness
        .lambda
        .reply(FUNCTION, Reply::Json(json!({"batchItemFailures": []})));
    put(&stack.dynamodb, "c#1", 2, "stream").await;
    let events = stack.harness.lambda.wait_for(FUNCTION, 7).await;
    let last: Vec<(String, u32)> = events[6]["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert_eq!(last, [("c#1".to_owned(), 2)]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(stack.harness.lambda.events(FUNCTION).len(), 7);
    let _ = std::fs::remove_dir_all(&stack.dead_letters);
}
