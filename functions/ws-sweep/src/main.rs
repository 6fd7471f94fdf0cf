//! The scheduled sweeper of expired WebSocket connection leases as a Lambda.

use std::sync::Arc;

use chat_shared::app::SweeperState;
use chat_shared::{telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let state = Arc::new(SweeperState::from_env().await?);
    ws::sweep::run(state).await
}
