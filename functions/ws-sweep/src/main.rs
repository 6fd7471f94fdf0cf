//! The scheduled sweeper of expired WebSocket connection leases as a Lambda.

use std::sync::Arc;

use chat_lambda::ws::sweep::SweeperState;
use chat_lambda::{telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init(env!("CARGO_BIN_NAME"));
    let state = Arc::new(SweeperState::from_env().await?);
    ws::sweep::run(state).await
}
