//! Creates the template's DynamoDB tables in DynamoDB Local, idempotently.

mod spec;

use std::fmt;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext};
use aws_sdk_dynamodb::types::{BillingMode, TableStatus};

use crate::template::Table;

pub use spec::{SpecError, TableSpec};

/// DynamoDB Local makes tables ACTIVE at once; the bound only guards against a wedged server.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(60);
const ACTIVE_POLL: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    #[error("table {table}: properties not usable locally: {source}")]
    Spec {
        table: String,
        #[source]
        source: SpecError,
    },
    #[error("table {table}: {source}")]
    Build {
        table: String,
        #[source]
        source: BuildError,
    },
    #[error("table {table}: {operation} failed: {message}")]
    Api {
        table: String,
        operation: &'static str,
        message: String,
    },
    #[error("table {table} did not become ACTIVE within {seconds} s")]
    NotActive { table: String, seconds: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Exists,
}

/// One line of the `tables` command's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub name: String,
    pub outcome: Outcome,
}

impl fmt::Display for TableReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match self.outcome {
            Outcome::Created => "created",
            Outcome::Exists => "exists",
        };
        write!(f, "{}: {outcome}", self.name)
    }
}

/// A client for `endpoint`. Credentials and region come from the environment when set;
/// otherwise fixed fake ones, which DynamoDB Local accepts, so no profile lookup or instance
/// metadata probe slows the command down.
pub async fn client(endpoint: &str) -> Client {
    Client::new(&sdk_config(endpoint).await)
}

/// The SDK settings of [`client`], shared with the DynamoDB Streams client (DynamoDB Local
/// serves both APIs on one port).
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(key), Some(secret)) => {
            Credentials::new(key, secret, var("AWS_SESSION_TOKEN"), None, "environment")
        }
        _ => Credentials::new("local", "local", None, None, "local-gateway"),
    };
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        .load()
        .await
}

/// Creates every table that does not exist yet (with its TTL setting), leaves existing ones
/// alone, and waits until all are ACTIVE.
pub async fn ensure_tables(
    client: &Client,
    tables: &[Table],
) -> Result<Vec<TableReport>, TablesError> {
    let mut reports = Vec::with_capacity(tables.len());
    for table in tables {
        let outcome = ensure_table(client, table).await?;
        wait_active(client, &table.name).await?;
        reports.push(TableReport {
            name: table.name.clone(),
            outcome,
        });
    }
    Ok(reports)
}

async fn ensure_table(client: &Client, table: &Table) -> Result<Outcome, TablesError> {
    let name = &table.name;
    let spec =
        TableSpec::from_properties(&table.properties).map_err(|source| TablesError::Spec {
            table: name.clone(),
            source,
        })?;
    let build = |source| TablesError::Build {
        table: name.clone(),
        source,
    };
    let global = spec.global_secondary_indexes().map_err(build)?;
    let local = spec.local_secondary_indexes().map_err(build)?;
    let created = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(spec.key_schema().map_err(build)?))
        .set_attribute_definitions(Some(spec.attribute_definitions().map_err(build)?))
        .set_global_secondary_indexes((!global.is_empty()).then_some(global))
        .set_local_secondary_indexes((!local.is_empty()).then_some(local))
        .set_stream_specification(spec.stream_specification().map_err(build)?)
        .send()
        .await;
    match created {
        Ok(_) => {}
        // Checking by creating avoids a describe/create race with a second run.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|service| service.is_resource_in_use_exception()) =>
        {
            return Ok(Outcome::Exists);
        }
        Err(error) => {
            return Err(TablesError::Api {
                table: name.clone(),
                operation: "CreateTable",
                message: DisplayErrorContext(error).to_string(),
            });
        }
    }
    if let Some(ttl) = spec.time_to_live().map_err(build)? {
        wait_active(client, name).await?;
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|error| TablesError::Api {
                table: name.clone(),
                operation: "UpdateTimeToLive",
                message: DisplayErrorContext(error).to_string(),
            })?;
    }
    Ok(Outcome::Created)
}

async fn wait_active(client: &Client, name: &str) -> Result<(), TablesError> {
    let deadline = tokio::time::Instant::now() + ACTIVE_TIMEOUT;
    loop {
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|error| TablesError::Api {
                table: name.to_owned(),
                operation: "DescribeTable",
                message: DisplayErrorContext(error).to_string(),
            })?;
        let status = described.table().and_then(|table| table.table_status());
        if status == Some(&TableStatus::Active) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(TablesError::NotActive {
                table: name.to_owned(),
                seconds: ACTIVE_TIMEOUT.as_secs(),
            });
        }
        tokio::time::sleep(ACTIVE_POLL).await;
    }
}
