//! The REST endpoint groups: each turns an [`ApiRequest`](crate::http::ApiRequest) into calls of
//! the domain and answers with the contract's shapes. One module per Lambda.

pub mod chats;
pub mod messages;
pub mod users;

use crate::app::App;
use crate::domain::messages::PageRequest;
use crate::domain::users::{User, authenticate};
use crate::error::Result;
use crate::http::ApiRequest;
use crate::input::parse_limit;

/// The caller, from the bearer token; 401 unless the token is valid and the account exists.
pub async fn caller(app: &App, req: &ApiRequest) -> Result<User> {
    authenticate(app, req.bearer()?).await
}

/// The `limit` and `cursor` query parameters of a list endpoint.
pub fn page_request(req: &ApiRequest) -> Result<PageRequest<'_>> {
    Ok(PageRequest {
        limit: parse_limit(req.query("limit"))?,
        cursor: req.query("cursor"),
    })
}
