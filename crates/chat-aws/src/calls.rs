//! A record of the AWS calls this process makes, for the check that holds each function's IAM
//! grants in the template to the calls its code makes (`infra/scripts/check-grants.py`, run by
//! `infra/test.sh` after the end-to-end suite). Locally DynamoDB Local and s3s-fs let every
//! call through, so a missing grant would only show on AWS; this record is how the local stack
//! sees it.
//!
//! Off unless `AWS_CALL_RECORD` names a file (the local test stack sets it): then each distinct
//! call (action and resource) is appended once per process, as a JSON line naming the function
//! (its binary). Every AWS client records through an interceptor that reads each request as
//! it is sent ([`RecordCalls`]): presigned URLs too, when they are made, since the presigner
//! runs the same interceptors up to the point of sending.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Value, json};

/// What a call acts on, as its IAM grant names it.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    Table(&'a str),
    Index {
        table: &'a str,
        index: &'a str,
    },
    /// The attachments bucket's objects under `prefix` (`attachments/*`).
    Objects {
        prefix: &'a str,
    },
    /// The attachments bucket itself.
    Bucket,
    /// The WebSocket API's connections (the Management API).
    Connections,
    /// A Lambda function, by its name in the template (`<stack>-<name>`).
    Function(&'a str),
    /// The token secret's parameter in Parameter Store.
    Parameter,
}

impl Resource<'_> {
    fn to_json(self) -> Value {
        match self {
            Resource::Table(table) => json!({"kind": "table", "table": table}),
            Resource::Index { table, index } => {
                json!({"kind": "index", "table": table, "index": index})
            }
            Resource::Objects { prefix } => json!({"kind": "objects", "prefix": prefix}),
            Resource::Bucket => json!({"kind": "bucket"}),
            Resource::Connections => json!({"kind": "connections"}),
            Resource::Function(name) => json!({"kind": "function", "name": name}),
            Resource::Parameter => json!({"kind": "parameter"}),
        }
    }
}

struct Recorder {
    path: String,
    function: String,
    seen: Mutex<HashSet<String>>,
}

fn recorder() -> Option<&'static Recorder> {
    static RECORDER: OnceLock<Option<Recorder>> = OnceLock::new();
    RECORDER
        .get_or_init(|| {
            let path = std::env::var("AWS_CALL_RECORD")
                .ok()
                .filter(|p| !p.is_empty())?;
            let function = std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.file_stem()?.to_string_lossy().into_owned()))
                .unwrap_or_default();
            Some(Recorder {
                path,
                function,
                seen: Mutex::new(HashSet::new()),
            })
        })
        .as_ref()
}

/// Whether calls are recorded in this process.
pub fn recording() -> bool {
    recorder().is_some()
}

/// Records that this process called `action` (IAM's name, `dynamodb:Query`) on `resource`.
pub fn record(action: &str, resource: Resource<'_>) {
    let Some(recorder) = recorder() else {
        return;
    };
    let line =
        json!({"function": recorder.function, "action": action, "resource": resource.to_json()})
            .to_string();
    let Ok(mut seen) = recorder.seen.lock() else {
        return;
    };
    if !seen.insert(line.clone()) {
        return;
    }
    // One short line in append mode: whole lines, whichever processes write at once.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&recorder.path)
        .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
    if let Err(err) = written {
        tracing::warn!(error = %err, path = recorder.path, "AWS call not recorded");
    }
}

/// The SDK clients' side: DynamoDB requests (their `X-Amz-Target` and the tables and indexes
/// in the body, every item of a transaction or batch on its own), the Management API's, S3's
/// (by operation, on the attachments' objects) and Lambda's `Invoke` (the function in its path).
#[derive(Debug, Clone, Copy)]
pub enum RecordCalls {
    DynamoDb,
    ManageConnections,
    /// S3 requests on the objects under `prefix` (`attachments/*`).
    S3 {
        prefix: &'static str,
    },
    Lambda,
}

impl Intercept for RecordCalls {
    fn name(&self) -> &'static str {
        "RecordCalls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        match self {
            RecordCalls::ManageConnections => {
                record("execute-api:ManageConnections", Resource::Connections);
            }
            RecordCalls::S3 { prefix } => {
                // Each operation stores its name in the config bag; S3's REST requests are
                // told apart by it rather than by method and query.
                if let Some(metadata) = cfg.load::<Metadata>() {
                    record_s3(metadata.name(), prefix);
                }
            }
            RecordCalls::Lambda => {
                // `/2015-03-31/functions/{FunctionName}/invocations`, the name percent-encoded.
                let function = request
                    .uri()
                    .split("/functions/")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
                    .and_then(|name| urlencoding::decode(name).ok());
                if let Some(function) = function {
                    record("lambda:InvokeFunction", Resource::Function(&function));
                }
            }
            RecordCalls::DynamoDb => {
                let operation = request
                    .headers()
                    .get("x-amz-target")
                    .and_then(|target| target.split_once('.'))
                    .map(|(_, operation)| operation.to_owned());
                let body = request
                    .body()
                    .bytes()
                    .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok());
                if let (Some(operation), Some(body)) = (operation, body) {
                    record_dynamodb(&operation, &body);
                }
            }
        }
        Ok(())
    }
}

/// The IAM actions an S3 operation needs. `HeadObject` is authorised as `s3:GetObject`, and
/// answers a missing object with 404 rather than 403 only with `s3:ListBucket` on the bucket,
/// which the sends rely on; presigned operations are recorded when the URL is made.
fn record_s3(operation: &str, prefix: &str) {
    let objects = Resource::Objects { prefix };
    match operation {
        "HeadObject" => {
            record("s3:GetObject", objects);
            record("s3:ListBucket", Resource::Bucket);
        }
        operation => record(&format!("s3:{operation}"), objects),
    }
}

/// The IAM actions a DynamoDB request needs: its own, except for transactions, which need each
/// item's (`TransactWriteItems` is no IAM action).
fn record_dynamodb(operation: &str, body: &Value) {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    match operation {
        "TransactWriteItems" | "TransactGetItems" => {
            for item in body["TransactItems"].as_array().into_iter().flatten() {
                for (kind, action) in [
                    ("Put", "dynamodb:PutItem"),
                    ("Update", "dynamodb:UpdateItem"),
                    ("Delete", "dynamodb:DeleteItem"),
                    ("ConditionCheck", "dynamodb:ConditionCheckItem"),
                    ("Get", "dynamodb:GetItem"),
                ] {
                    if let Some(table) = text(&item[kind]["TableName"]) {
                        record(action, Resource::Table(&table));
                    }
                }
            }
        }
        "BatchGetItem" | "BatchWriteItem" => {
            let action = format!("dynamodb:{operation}");
            for table in body["RequestItems"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
            {
                record(&action, Resource::Table(table));
            }
        }
        _ => {
            let action = format!("dynamodb:{operation}");
            let Some(table) = text(&body["TableName"]) else {
                return;
            };
            match text(&body["IndexName"]) {
                Some(index) => record(
                    &action,
                    Resource::Index {
                        table: &table,
                        index: &index,
                    },
                ),
                None => record(&action, Resource::Table(&table)),
            }
        }
    }
}
