//! The uploads sweeper's Lambda: a scheduled event (EventBridge, or the local gateway's
//! schedule runner) runs one sweep of the uploads never attached; the event's content does not
//! matter.

use std::sync::Arc;
use std::time::Instant;

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};

use chat_aws::metrics;
use chat_aws::s3::Storage;
use chat_aws::store::Store;

use crate::app::storage;
use crate::config::{Config, ConfigError};
use crate::domain::attachments::expiry::sweep;
use crate::telemetry;

/// The sweeper's state: the attachments table and the bucket. No token secret, no pushes.
pub struct UploadsSweeperState {
    pub store: Store,
    pub storage: Storage,
}

impl UploadsSweeperState {
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        let sdk_config = chat_aws::sdk::sdk_config().await;
        Self::with_sdk_config(&Config::from_env()?, &sdk_config)
    }

    pub fn with_sdk_config(
        config: &Config,
        sdk_config: &aws_config::SdkConfig,
    ) -> std::result::Result<Self, ConfigError> {
        Ok(UploadsSweeperState {
            store: Store::new(sdk_config, config.tables.clone()),
            storage: storage(config, sdk_config)
                .ok_or(ConfigError::Missing("ATTACHMENTS_BUCKET"))?,
        })
    }
}

pub async fn run(
    state: Arc<UploadsSweeperState>,
) -> std::result::Result<(), lambda_runtime::Error> {
    telemetry::ready();
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let state = Arc::clone(&state);
        telemetry::invocation(async move {
            let started = Instant::now();
            let request_id = event.context.request_id;
            match sweep(&state.store, &state.storage).await {
                Ok(report) => {
                    metrics::swept_uploads(report.removed);
                    tracing::info!(
                        request_id = %request_id,
                        removed = report.removed,
                        attached_meanwhile = report.attached_meanwhile,
                        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "uploads sweep"
                    );
                    Ok::<_, lambda_runtime::Error>(json!({
                        "removed": report.removed,
                        "attached_meanwhile": report.attached_meanwhile,
                    }))
                }
                Err(err) => {
                    tracing::error!(request_id = %request_id, error = %err, "uploads sweep failed");
                    // What is left is found again by the next run.
                    Err(err.to_string().into())
                }
            }
        })
    }))
    .await
}
