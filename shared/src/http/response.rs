use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::paging::Page;
use crate::error::Error;

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

/// API Gateway's own body when no route matches a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"message": "Not Found"}))]
pub struct RouteNotFound {
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

impl ApiResponse {
    pub fn json(status: u16, body: &impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(body) => ApiResponse {
                status,
                body: Some(body),
                headers: Vec::new(),
            },
            Err(err) => Error::internal(err).into(),
        }
    }

    pub fn ok(body: &impl Serialize) -> Self {
        Self::json(200, body)
    }

    pub fn created(body: &impl Serialize) -> Self {
        Self::json(201, body)
    }

    pub fn no_content() -> Self {
        ApiResponse {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    /// A 302 to `location`, which is not to be cached: it names a short-lived presigned URL.
    pub fn redirect(location: String) -> Self {
        ApiResponse {
            status: 302,
            body: None,
            headers: vec![
                ("location", location),
                ("cache-control", "private, no-store".to_owned()),
            ],
        }
    }

    /// API Gateway's own answer when no route matches, byte for byte: `{"message":"Not Found"}`.
    pub fn route_not_found() -> Self {
        Self::json(
            404,
            &RouteNotFound {
                message: "Not Found".into(),
            },
        )
    }

    /// A page of a list, as every list endpoint answers.
    pub fn page<T: Serialize>(page: &Page<T>) -> Self {
        Self::ok(page)
    }
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

/// The single mapping from domain errors to the contract's status codes and error bodies.
impl From<Error> for ApiResponse {
    fn from(err: Error) -> Self {
        let (status, error) = err.detail();
        err.log_cause();
        let mut headers = Vec::new();
        match &err {
            Error::RateLimited { retry_after_secs } => {
                headers.push(("retry-after", retry_after_secs.to_string()));
            }
            Error::Unavailable(_) => headers.push(("retry-after", "1".to_owned())),
            // RFC 9110: a 405 lists the methods the path takes.
            Error::MethodNotAllowed { allow } => headers.push(("allow", (*allow).to_owned())),
            _ => {}
        }
        let mut response = Self::json(status, &ErrorBody { error });
        response.headers = headers;
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_name_their_field() {
        let resp = ApiResponse::from(Error::validation("username", "too short"));
        assert_eq!(resp.status, 422);
        assert_eq!(
            resp.body,
            Some(
                json!({"error": {"code": "validation_error", "message": "too short", "field": "username"}})
            )
        );
    }

    #[test]
    fn internal_errors_hide_the_cause_and_ask_for_no_retry() {
        let resp = ApiResponse::from(Error::internal("item lacks attribute secret_thing"));
        assert_eq!(resp.status, 500);
        assert!(resp.headers.is_empty());
        assert!(!format!("{:?}", resp.body).contains("secret_thing"));
    }

    #[test]
    fn route_not_found_is_api_gateways_body() {
        let resp = ApiResponse::route_not_found();
        assert_eq!(resp.status, 404);
        assert_eq!(
            resp.body.map(|body| body.to_string()).as_deref(),
            Some(r#"{"message":"Not Found"}"#)
        );
    }

    #[test]
    fn unavailable_hides_the_cause() {
        let resp = ApiResponse::from(Error::unavailable("connection refused to 10.0.0.1"));
        assert_eq!(resp.status, 503);
        assert!(!format!("{:?}", resp.body).contains("10.0.0.1"));
    }
}
