use chat_core::error::{Error, ErrorBody};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use chat_core::paging::Page;

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
