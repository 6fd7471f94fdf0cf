//! Stream records as Lambda receives them: the record GetRecords returns, with DynamoDB JSON in
//! `Keys` and the images, `eventVersion` 1.1 and the stream's ARN as `eventSourceARN`.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// One record on its way to the function.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    pub sequence_number: String,
    /// `ApproximateCreationDateTime`, whole seconds since the epoch.
    pub created_at: i64,
    /// Records with the same partition key share a key, and so their order.
    pub partition: u64,
    /// The record as the function receives it.
    pub event: Value,
}

/// The Lambda form of `record`; `partition_key` names the table's HASH key attribute.
pub fn from_sdk(record: &Record, stream_arn: &str, partition_key: &str) -> StreamRecord {
    let change = record.dynamodb();
    let mut dynamodb = Map::new();
    let created_at = change
        .and_then(|c| c.approximate_creation_date_time())
        .map(|at| at.secs())
        .unwrap_or_default();
    dynamodb.insert("ApproximateCreationDateTime".into(), json!(created_at));
    let keys = change.and_then(|c| c.keys());
    for (name, image) in [
        ("Keys", keys),
        ("NewImage", change.and_then(|c| c.new_image())),
        ("OldImage", change.and_then(|c| c.old_image())),
    ] {
        if let Some(image) = image {
            dynamodb.insert(name.into(), item_json(image));
        }
    }
    let sequence_number = change
        .and_then(|c| c.sequence_number())
        .unwrap_or_default()
        .to_owned();
    dynamodb.insert("SequenceNumber".into(), json!(sequence_number));
    if let Some(size) = change.and_then(|c| c.size_bytes()) {
        dynamodb.insert("SizeBytes".into(), json!(size));
    }
    if let Some(view) = change.and_then(|c| c.stream_view_type()) {
        dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
    }
    let mut event = json!({
        "eventID": record.event_id().unwrap_or_default(),
        "eventName": record.event_name().map(|name| name.as_str()).unwrap_or_default(),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region().unwrap_or("us-east-1"),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    });
    // TTL deletions carry who did them; Lambda passes it on.
    if let Some(identity) = record.user_identity() {
        event["userIdentity"] = json!({
            "type": identity.r#type().unwrap_or_default(),
            "principalId": identity.principal_id().unwrap_or_default(),
        });
    }
    let mut hasher = DefaultHasher::new();
    keys.and_then(|keys| keys.get(partition_key))
        .map(attribute_json)
        .unwrap_or(Value::Null)
        .to_string()
        .hash(&mut hasher);
    StreamRecord {
        sequence_number,
        created_at,
        partition: hasher.finish(),
        event,
    }
}

fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(name, value)| (name.clone(), attribute_json(value)))
            .collect(),
    )
}

/// DynamoDB JSON: `{"S": "x"}`, `{"N": "1"}`, binary as base64, `{"NULL": true}`, ...
fn attribute_json(value: &AttributeValue) -> Value {
    let base64 = |blob: &aws_sdk_dynamodbstreams::primitives::Blob| STANDARD.encode(blob.as_ref());
    match value {
        AttributeValue::S(text) => json!({ "S": text }),
        AttributeValue::N(number) => json!({ "N": number }),
        AttributeValue::B(blob) => json!({ "B": base64(blob) }),
        AttributeValue::Ss(texts) => json!({ "SS": texts }),
        AttributeValue::Ns(numbers) => json!({ "NS": numbers }),
        AttributeValue::Bs(blobs) => json!({ "BS": blobs.iter().map(base64).collect::<Vec<_>>() }),
        AttributeValue::M(map) => json!({ "M": item_json(map) }),
        AttributeValue::L(items) => {
            json!({ "L": items.iter().map(attribute_json).collect::<Vec<_>>() })
        }
        AttributeValue::Null(flag) => json!({ "NULL": flag }),
        AttributeValue::Bool(flag) => json!({ "BOOL": flag }),
        // A type newer than this SDK: say so rather than drop the attribute.
        _ => json!({ "UNKNOWN": true }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aws_sdk_dynamodbstreams::primitives::{Blob, DateTime};
    use aws_sdk_dynamodbstreams::types::{
        OperationType, StreamRecord as SdkChange, StreamViewType,
    };

    fn record(pk: &str, n: &str) -> Record {
        let keys = HashMap::from([
            ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
            ("sk".to_owned(), AttributeValue::N(n.to_owned())),
        ]);
        let mut image = keys.clone();
        image.insert(
            "body".into(),
            AttributeValue::M(HashMap::from([
                ("b".into(), AttributeValue::B(Blob::new(b"hi".to_vec()))),
                (
                    "l".into(),
                    AttributeValue::L(vec![AttributeValue::Null(true)]),
                ),
                ("ss".into(), AttributeValue::Ss(vec!["a".into()])),
                ("t".into(), AttributeValue::Bool(false)),
            ])),
        );
        Record::builder()
            .event_id("e1")
            .event_name(OperationType::Insert)
            .aws_region("ddblocal")
            .dynamodb(
                SdkChange::builder()
                    .approximate_creation_date_time(DateTime::from_secs(1_795_482_123))
                    .set_keys(Some(keys))
                    .set_new_image(Some(image))
                    .sequence_number("000001")
                    .size_bytes(42)
                    .stream_view_type(StreamViewType::NewImage)
                    .build(),
            )
            .build()
    }

    #[test]
    fn records_have_lambdas_shape_and_dynamodb_json() {
        let converted = from_sdk(&record("c#1", "7"), "arn:stream", "pk");
        assert_eq!(
            converted.event,
            json!({
                "eventID": "e1",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "ddblocal",
                "eventSourceARN": "arn:stream",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1_795_482_123,
                    "Keys": {"pk": {"S": "c#1"}, "sk": {"N": "7"}},
                    "NewImage": {
                        "pk": {"S": "c#1"},
                        "sk": {"N": "7"},
                        "body": {"M": {
                            "b": {"B": "aGk="},
                            "l": {"L": [{"NULL": true}]},
                            "ss": {"SS": ["a"]},
                            "t": {"BOOL": false},
                        }},
                    },
                    "SequenceNumber": "000001",
                    "SizeBytes": 42,
                    "StreamViewType": "NEW_IMAGE",
                },
            })
        );
        assert_eq!(converted.sequence_number, "000001");
        assert_eq!(converted.created_at, 1_795_482_123);
    }

    #[test]
    fn partitions_follow_the_partition_key_only() {
        let a = from_sdk(&record("c#1", "1"), "s", "pk").partition;
        assert_eq!(a, from_sdk(&record("c#1", "2"), "s", "pk").partition);
        assert_ne!(a, from_sdk(&record("c#2", "1"), "s", "pk").partition);
    }
}
