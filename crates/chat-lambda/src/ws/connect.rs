//! `$connect`: the `token` query parameter must be a valid session; the connection is recorded
//! and may bring its user online.

use std::sync::Arc;

use chat_core::error::{Error, Result};
use chat_core::users::sessions::authenticate;

use super::{WsRequest, WsResponse, connection_id, ok};
use crate::app::App;
use crate::domain::presence;

pub async fn handle(app: Arc<App>, req: WsRequest) -> Result<WsResponse> {
    let token = req
        .query_string_parameters
        .first("token")
        .filter(|t| !t.is_empty())
        .ok_or(Error::Unauthorized)?;
    let (user, token) = authenticate(&app.store, &app.tokens, token).await?;
    let notifications = presence::connected(&app, &user, &token, connection_id(&req)?).await?;
    app.notifier.notify(notifications).await;
    Ok(ok())
}
