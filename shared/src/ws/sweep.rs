//! The sweeper's Lambda: a scheduled event (EventBridge, or the local gateway's schedule
//! runner) runs one sweep; the event's content does not matter.

use std::sync::Arc;
use std::time::Instant;

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};

use crate::app::SweeperState;
use crate::domain::presence::sweep::{Closed, sweep};

pub async fn run(state: Arc<SweeperState>) -> std::result::Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let state = Arc::clone(&state);
        async move {
            let started = Instant::now();
            let request_id = event.context.request_id;
            match sweep(&state.store).await {
                Ok(report) => {
                    let closed = report.closed.len();
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
        }
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
