//! The scheduled sweeper of uploads never attached to a message, as a Lambda.

use std::sync::Arc;

use chat_lambda::telemetry;
use chat_lambda::uploads_sweep::{self, UploadsSweeperState};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init(env!("CARGO_BIN_NAME"));
    let state = Arc::new(UploadsSweeperState::from_env().await?);
    uploads_sweep::run(state).await
}
