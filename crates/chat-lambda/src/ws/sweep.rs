//! The sweeper's Lambda: a scheduled event (EventBridge, or the local gateway's schedule
//! runner) runs one sweep; the event's content does not matter.

use std::sync::Arc;
use std::time::Instant;

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};

use chat_aws::metrics;
use chat_aws::push::Delivery;
use chat_aws::store::Store;
use chat_core::events::Notify;

use crate::app::{delivery, notifier};
use crate::config::{Config, ConfigError};
use crate::domain::presence::sweep::{Closed, sweep};
use crate::telemetry;

/// The sweeper's state: the tables and the pushes. No password hasher, token signer (nor the
/// secret behind it) or S3.
pub struct SweeperState {
    pub store: Store,
    pub notifier: Arc<dyn Notify>,
    pub delivery: Option<Delivery>,
}

impl SweeperState {
    pub async fn from_env() -> std::result::Result<Self, ConfigError> {
        let sdk_config = chat_aws::sdk::sdk_config().await;
        Ok(Self::with_sdk_config(&Config::from_env()?, &sdk_config))
    }

    pub fn with_sdk_config(config: &Config, sdk_config: &aws_config::SdkConfig) -> Self {
        let store = Store::new(sdk_config, config.tables.clone());
        let delivery = delivery(config, sdk_config, &store);
        SweeperState {
            notifier: notifier(delivery.as_ref()),
            delivery,
            store,
        }
    }
}

pub async fn run(state: Arc<SweeperState>) -> std::result::Result<(), lambda_runtime::Error> {
    telemetry::ready();
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let state = Arc::clone(&state);
        telemetry::invocation(async move {
            let started = Instant::now();
            let request_id = event.context.request_id;
            match sweep(&state.store).await {
                Ok(report) => {
                    let closed = report.closed.len();
                    metrics::swept_connections(closed);
                    for connection in report.closed {
                        close(&state, connection).await;
                    }
                    tracing::info!(
                        request_id = %request_id,
                        expired = report.expired,
                        closed,
                        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "sweep"
                    );
                    Ok::<_, lambda_runtime::Error>(
                        json!({"expired": report.expired, "closed": closed}),
                    )
                }
                Err(err) => {
                    tracing::error!(request_id = %request_id, error = %err, "sweep failed");
                    // What is left is found again by the next run.
                    Err(err.to_string().into())
                }
            }
        })
    }))
    .await
}

/// What follows a connection the sweep closed: its user's `offline` presence, through the same
/// notifier as every change, then the socket itself. It may be alive with a silent client:
/// closing it makes the client reconnect and re-sync rather than wait for pushes that no
/// longer reach it. A dead one answers 410.
async fn close(state: &SweeperState, closed: Closed) {
    state.notifier.notify(closed.notifications).await;
    if let Some(delivery) = &state.delivery {
        delivery.close(&closed.connection_id).await;
    }
    tracing::info!(
        connection_id = closed.connection_id,
        "closed a connection whose lease expired"
    );
}
