//! The one error type of the domain layer. Every variant maps to exactly one status and error code
//! of the contract; the mapping lives in [`crate::http::response`].

use std::error::Error as StdError;

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
