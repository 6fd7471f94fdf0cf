//! The delivery function as a Lambda: the messages table's stream, filtered to the changes of
//! large chats, pushed to their members' sockets; large audiences in shares, each pushed by an
//! invocation of this same function.

use std::sync::Arc;

use chat_lambda::fanout::{self, FanoutState};
use chat_lambda::telemetry;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    telemetry::init(env!("CARGO_BIN_NAME"));
    let state = Arc::new(FanoutState::from_env().await?);
    fanout::run(state).await
}
