//! The WebSocket API's `$disconnect` route as a Lambda.

use std::sync::Arc;

use chat_lambda::{App, telemetry, ws};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let app = Arc::new(App::from_env().await?);
    ws::run(app, ws::disconnect::handle).await
}
