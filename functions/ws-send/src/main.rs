//! The WebSocket API's message routes (`sendMessage`, `typing`, `markRead`, `ping`, `$default`) as a Lambda.

use std::sync::Arc;

use chat_lambda::{App, UsesS3, telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let app = Arc::new(App::from_env(UsesS3::Yes).await?);
    ws::run(app, ws::send::handle).await
}
