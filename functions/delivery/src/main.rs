//! The delivery function as a Lambda: the messages table's stream, filtered to the changes of
//! large chats, pushed to their members' sockets.

use std::sync::Arc;

use chat_shared::{App, stream, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let app = Arc::new(App::from_env().await?);
    stream::run(app).await
}
