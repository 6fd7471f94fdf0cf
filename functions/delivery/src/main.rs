//! The delivery function as a Lambda: the messages table's stream, filtered to the changes of
//! large chats, pushed to their members' sockets; large audiences in shares, each pushed by an
//! invocation of this same function.

use std::sync::Arc;

use chat_shared::stream::{self, Shards};
use chat_shared::app::FanoutState;
use chat_shared::{aws, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let sdk_config = aws::sdk_config().await;
    let state = Arc::new(FanoutState::from_env_with(&sdk_config)?);
    let shards = Shards::from_env(&sdk_config)?;
    stream::run(state, shards).await
}
