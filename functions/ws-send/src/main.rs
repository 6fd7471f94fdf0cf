//! The WebSocket API's message routes (`sendMessage`, `typing`, `markRead`, `ping`, `$default`) as a Lambda.

use std::sync::Arc;

use chat_lambda::{App, telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init(env!("CARGO_BIN_NAME"));
    let app = Arc::new(App::from_env_with_s3().await?);
    ws::run(app, ws::send::handle).await
}
