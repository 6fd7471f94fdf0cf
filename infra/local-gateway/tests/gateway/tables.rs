//! `local-gateway tables` against the real DynamoDB Local (Java + the jar the project pins in
//! infra/node_modules). Run with `cargo test -p local-gateway -- --ignored`.

use std::process::Command;

use aws_sdk_dynamodb::types::{ProjectionType, StreamViewType, TimeToLiveStatus};
use local_gateway::Template;
use local_gateway::tables::{self, Outcome};

use crate::dynamodb_local::start_dynamodb_local;
use crate::harness::fixture;

#[tokio::test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
async fn creates_tables_idempotently_with_indexes_streams_and_ttl() {
    let dynamodb = start_dynamodb_local().await;
    let template = Template::load(&fixture("template.yaml")).unwrap();
    let client = tables::client(&dynamodb.endpoint).await;

    let first = tables::ensure_tables(&client, &template.tables())
        .await
        .unwrap();
    let lines: Vec<String> = first.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        ["ConnectionsTable: created", "lg-test-users: created"]
    );
    let second = tables::ensure_tables(&client, &template.tables())
        .await
        .unwrap();
    assert!(
        second
            .iter()
            .all(|report| report.outcome == Outcome::Exists)
    );

    let users = client
        .describe_table()
        .table_name("lg-test-users")
        .send()
        .await
        .unwrap();
    let table = users.table().unwrap();
    assert_eq!(table.key_schema().len(), 2);
    let index = &table.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("by-email"));
    let projection = index.projection().unwrap();
    assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
    assert_eq!(projection.non_key_attributes(), ["username".to_owned()]);
    let ttl = client
        .describe_time_to_live()
        .table_name("lg-test-users")
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));

    let connections = client
        .describe_table()
        .table_name("ConnectionsTable")
        .send()
        .await
        .unwrap();
    let stream = connections.table().unwrap().stream_specification().unwrap();
    assert!(stream.stream_enabled());
    assert_eq!(
        stream.stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
}

#[test]
#[ignore = "needs Java and DynamoDB Local from infra/node_modules"]
fn the_tables_command_prints_one_line_per_table() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dynamodb = runtime.block_on(start_dynamodb_local());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_local-gateway"))
            .args(["tables", "--template"])
            .arg(fixture("template.yaml"))
            .args(["--endpoint", &dynamodb.endpoint])
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8(first.stdout).unwrap(),
        "ConnectionsTable: created\nlg-test-users: created\n"
    );
    let second = run();
    assert_eq!(
        String::from_utf8(second.stdout).unwrap(),
        "ConnectionsTable: exists\nlg-test-users: exists\n"
    );
}
