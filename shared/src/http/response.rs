use serde::Serialize;
use serde_json::{Value, json};

use crate::error::Error;

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

    /// API Gateway's own answer when no route matches, byte for byte: `{"message":"Not Found"}`.
    pub fn route_not_found() -> Self {
        Self::json(404, &json!({ "message": "Not Found" }))
    }

    /// A page of a list, as every list endpoint answers.
    pub fn page(items: &impl Serialize, next_cursor: Option<String>) -> Self {
        Self::ok(&json!({ "items": items, "next_cursor": next_cursor }))
    }
}

/// The single mapping from domain errors to the contract's status codes and error bodies.
impl From<Error> for ApiResponse {
    fn from(err: Error) -> Self {
        let (status, code) = match &err {
            Error::BadRequest(_) => (400, "bad_request"),
            Error::Validation { .. } => (422, "validation_error"),
            Error::Unauthorized => (401, "unauthorized"),
            Error::InvalidCredentials => (401, "invalid_credentials"),
            Error::Forbidden(_) => (403, "forbidden"),
            Error::NotFound => (404, "not_found"),
            Error::MethodNotAllowed => (405, "method_not_allowed"),
            Error::UsernameTaken => (409, "username_taken"),
            Error::EmailTaken => (409, "email_taken"),
            Error::Conflict(_) => (409, "conflict"),
            Error::LimitExceeded(_) => (422, "limit_exceeded"),
            Error::PayloadTooLarge => (413, "payload_too_large"),
            Error::RateLimited { .. } => (429, "rate_limited"),
            Error::Unavailable(_) => (503, "unavailable"),
            Error::Internal(_) => (500, "internal"),
        };
        let mut body = json!({ "code": code, "message": err.to_string() });
        if let Error::Validation { field, .. } = &err {
            body["field"] = Value::String(field.clone());
        }
        let mut headers = Vec::new();
        match &err {
            Error::RateLimited { retry_after_secs } => {
                headers.push(("retry-after", retry_after_secs.to_string()));
            }
            Error::Unavailable(source) => {
                // Logged once, here, with its cause; the client only learns it may retry.
                tracing::error!(error = %source, cause = ?source, "dependency unavailable");
                headers.push(("retry-after", "1".to_owned()));
            }
            Error::Internal(what) => tracing::error!(error = %what, "internal error"),
            _ => {}
        }
        ApiResponse {
            status,
            body: Some(json!({ "error": body })),
            headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
