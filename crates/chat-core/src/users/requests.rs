//! What clients send to the users endpoints, and the session they get back. The schema
//! attributes state the same bounds the domain checks, so that the OpenAPI document tells
//! clients (and the fuzzer) the rules.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{PrivateUser, Status};
use crate::error::{Error, Result};
use crate::input::{Limit, clearable};

/// `POST /users/register`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "ada", "email": "ada@example.com",
    "password": "correct horse battery", "display_name": "Ada Lovelace"
}))]
pub struct Registration {
    /// Unique, case-insensitively.
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_.-]+$")]
    pub username: String,
    /// Unique, case-insensitively.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// The username when absent.
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
}

/// `POST /users/login`: the password and either `username` (which may also hold an email) or
/// `email`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"username": "ada", "password": "correct horse battery"}))]
pub struct Login {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: String,
}

impl Login {
    /// The username or email to look up; `username` wins when both are sent.
    pub fn identifier(&self) -> Result<&str> {
        self.username
            .as_deref()
            .or(self.email.as_deref())
            .ok_or_else(|| Error::validation("username", "username or email is required"))
    }
}

/// The only token type the API issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Bearer,
}

/// What a successful login or refresh answers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    #[serde(flatten)]
    pub tokens: SessionTokens,
    pub user: PrivateUser,
}

/// `POST /users/refresh`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh.
    #[schema(max_length = 512)]
    pub refresh_token: String,
}

/// What `PUT /users/me` answers: the profile, and after a password change a new session's
/// tokens (every earlier token of the account stopped working). The token fields are spelled
/// out, each optional, so that the document says "absent unless the password changed".
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileUpdated {
    #[serde(flatten)]
    pub user: PrivateUser,
    /// After a password change only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<TokenType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
}

impl ProfileUpdated {
    pub fn new(user: PrivateUser, session: Option<SessionTokens>) -> Self {
        match session {
            None => ProfileUpdated {
                user,
                access_token: None,
                token_type: None,
                expires_in: None,
                refresh_token: None,
                refresh_expires_in: None,
            },
            Some(tokens) => ProfileUpdated {
                user,
                access_token: Some(tokens.access_token),
                token_type: Some(tokens.token_type),
                expires_in: Some(tokens.expires_in),
                refresh_token: Some(tokens.refresh_token),
                refresh_expires_in: Some(tokens.refresh_expires_in),
            },
        }
    }
}

/// A session's tokens. Renew the access token with the refresh token before `expires_in`
/// runs out, and reconnect the WebSocket with the new one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionTokens {
    /// A JWT for `Authorization: Bearer <token>` and the WebSocket `?token=`.
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: `POST /users/refresh` swaps it for a new access and refresh pair.
    pub refresh_token: String,
    /// Seconds until the refresh token expires unless used.
    pub refresh_expires_in: u64,
}

/// `PUT /users/me`: any of the fields; absent ones stay as they are. `null` or `""` clears
/// `bio` and `avatar_url`. A new `password` needs the `current_password`; a new `email` needs
/// it too unless the session logged in within the last five minutes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(example = json!({"display_name": "Ada L.", "bio": "Analyst", "avatar_url": null}))]
pub struct ProfileChange {
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "clearable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub bio: Option<Option<String>>,
    /// An http(s) URL; `""` or `null` clears it.
    #[serde(default, deserialize_with = "clearable")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(min_length = 8, max_length = 128)]
    pub password: Option<String>,
    /// Required with `password`, and with `email` unless the session logged in within the last
    /// five minutes; ignored otherwise. A wrong one is 403 and counts as a failed login of the
    /// account from the caller's address.
    pub current_password: Option<String>,
}

/// `DELETE /users/me`: an optional JSON body, as the other `DELETE` bodies of the API (never the
/// query string, which logs and histories keep).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "correct horse battery"}))]
pub struct AccountDeletion {
    /// Required unless the session logged in within the last five minutes. A wrong one is 403
    /// and counts as a failed login of the account from the caller's address.
    pub current_password: Option<String>,
}

/// `PATCH /users/me/status`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[schema(example = json!({"status": "busy"}))]
pub struct StatusChange {
    pub status: Status,
}

/// `GET /users/search`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Matches the start of usernames and display names, case-insensitively.
    #[param(min_length = 1, max_length = 64)]
    pub q: String,
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 50)]
    pub limit: Limit,
}
