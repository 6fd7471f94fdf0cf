//! The scheduled sweeper of expired WebSocket connection leases as a Lambda.

use std::sync::Arc;

use chat_shared::{App, telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let app = Arc::new(App::from_env().await?);
    ws::sweep::run(app).await
}
