//! The one error type of the rules, and the one place where it maps to the contract: every
//! variant to exactly one status and error code ([`Error::detail`]). The REST adapter writes
//! the detail as the error body; the WebSocket adapter as an `error` event.

use std::error::Error as StdError;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub type BoxError = Box<dyn StdError + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// The path exists, with other methods: `allow` lists them for the `Allow` header.
    #[error("method not allowed")]
    MethodNotAllowed { allow: &'static str },
    #[error("username is already taken")]
    UsernameTaken,
    #[error("email is already registered")]
    EmailTaken,
    #[error("{0}")]
    Conflict(String),
    /// A documented bound of a stored item (reactions per message, members per chat) or a
    /// storage limit of the database would be passed.
    #[error("{0}")]
    LimitExceeded(String),
    #[error("request body is larger than 64 KiB")]
    PayloadTooLarge,
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// A dependency (DynamoDB, the Management API) failed; the request changed nothing it
    /// reported as done and is safe to retry.
    #[error("a dependency is unavailable")]
    Unavailable(#[source] BoxError),
    /// A defect or a broken deployment (an unreadable stored item, a missing permission):
    /// retrying cannot help, and the cause is logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl Error {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn unavailable(source: impl Into<BoxError>) -> Self {
        Error::Unavailable(source.into())
    }

    pub fn internal(what: impl std::fmt::Display) -> Self {
        Error::Internal(what.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The contract's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    ValidationError,
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UsernameTaken,
    EmailTaken,
    Conflict,
    LimitExceeded,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    Internal,
}

/// What went wrong: the REST error body's `error`, and the data of a WebSocket `error` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "validation_error", "message": "name is required", "field": "name"}))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For humans; never a stack trace or a dependency's own error.
    pub message: String,
    /// The offending field or query parameter, for `validation_error` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Every REST error: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl Error {
    /// The status and the contract's error detail of this error.
    pub fn detail(&self) -> (u16, ErrorDetail) {
        let (status, code) = match self {
            Error::BadRequest(_) => (400, ErrorCode::BadRequest),
            Error::Validation { .. } => (422, ErrorCode::ValidationError),
            Error::Unauthorized => (401, ErrorCode::Unauthorized),
            Error::InvalidCredentials => (401, ErrorCode::InvalidCredentials),
            Error::Forbidden(_) => (403, ErrorCode::Forbidden),
            Error::NotFound => (404, ErrorCode::NotFound),
            Error::MethodNotAllowed { .. } => (405, ErrorCode::MethodNotAllowed),
            Error::UsernameTaken => (409, ErrorCode::UsernameTaken),
            Error::EmailTaken => (409, ErrorCode::EmailTaken),
            Error::Conflict(_) => (409, ErrorCode::Conflict),
            Error::LimitExceeded(_) => (422, ErrorCode::LimitExceeded),
            Error::PayloadTooLarge => (413, ErrorCode::PayloadTooLarge),
            Error::RateLimited { .. } => (429, ErrorCode::RateLimited),
            Error::Unavailable(_) => (503, ErrorCode::Unavailable),
            Error::Internal(_) => (500, ErrorCode::Internal),
        };
        let field = match self {
            Error::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let detail = ErrorDetail {
            code,
            message: self.to_string(),
            field,
        };
        (status, detail)
    }

    /// Logs what the client is never shown: the cause of a 5xx, once, where it is answered.
    pub fn log_cause(&self) {
        match self {
            Error::Unavailable(source) => {
                tracing::error!(error = %source, cause = ?source, "dependency unavailable");
            }
            Error::Internal(what) => tracing::error!(error = %what, "internal error"),
            _ => {}
        }
    }
}
