//! The REST endpoint groups: each turns an [`ApiRequest`](crate::http::ApiRequest) into calls of
//! the domain and answers with the contract's shapes. One module per Lambda.

pub mod users;

use crate::app::App;
use crate::domain::users::{User, authenticate};
use crate::error::Result;
use crate::http::ApiRequest;

/// The caller, from the bearer token; 401 unless the token is valid and the account exists.
pub async fn caller(app: &App, req: &ApiRequest) -> Result<User> {
    authenticate(app, req.bearer()?).await
}
