//! The messages endpoint group as a Lambda behind the HTTP API.

use std::sync::Arc;

use chat_lambda::{App, http, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init(env!("CARGO_BIN_NAME"));
    let app = Arc::new(App::from_env_with_s3().await?);
    http::run(app, chat_lambda::api::messages::route).await
}
