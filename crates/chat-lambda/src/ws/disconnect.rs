//! `$disconnect`: forgets the connection; the last one takes its user offline.

use std::sync::Arc;

use chat_core::error::Result;

use super::{WsRequest, WsResponse, connection_id, ok};
use crate::app::App;
use crate::domain::presence;

pub async fn handle(app: Arc<App>, req: WsRequest) -> Result<WsResponse> {
    let notifications = presence::disconnected(&app, connection_id(&req)?).await?;
    app.notifier.notify(notifications).await;
    Ok(ok())
}
