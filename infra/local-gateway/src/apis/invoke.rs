//! The Lambda Invoke API for the functions themselves (`AWS_ENDPOINT_URL_LAMBDA` points here):
//! `POST /2015-03-31/functions/{name}/invocations`, synchronous invocations forwarded to
//! `cargo lambda watch` under the same per-function concurrency limit as the gateway's own.
//!
//! Like Lambda, a synchronous invocation of a function at its concurrency limit is refused at
//! once with 429 `TooManyRequestsException` rather than queued: a function that invokes itself
//! and waits (the delivery function's shares) must not wait for a place that only its own
//! return would free, and `cargo lambda watch` stops answering every function when handed more
//! invocations than it has instances.
//!
//! As on Lambda, a request must be signed with SigV4 for `lambda` by the gateway's keys (the
//! functions sign theirs, `chat-aws`'s `invoke`); anything else is refused with 403 before the
//! method or the payload is looked at (`crate::apis::signature`).

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::apis::http_util::{json_message, read_body_first};
use crate::apis::signature;
use crate::gateway::Gateway;
use crate::runtime::lambda::InvokeError;
use crate::runtime::sigv4::Service;

const PREFIX: &str = "/2015-03-31/functions/";
const SUFFIX: &str = "/invocations";
/// Lambda's limit for a synchronous invocation's payload.
const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The function an Invoke API path names.
pub(crate) fn function_of(path: &str) -> Option<&str> {
    path.strip_prefix(PREFIX)?
        .strip_suffix(SUFFIX)
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

pub(crate) async fn handle(gateway: &Gateway, function: &str, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let payload = match read_body_first(&parts.headers, body, MAX_PAYLOAD_BYTES, |err| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLargeException",
            &err.to_string(),
        )
    })
    .await
    {
        Ok(payload) => payload,
        Err(answer) => return answer,
    };
    if let Some(refused) = signature::refusal(gateway, Service::Lambda, &parts, &payload) {
        return refused;
    }
    if parts.method != Method::POST {
        return json_message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    if parts
        .headers
        .get("x-amz-invocation-type")
        .is_some_and(|kind| kind != "RequestResponse")
    {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            "only RequestResponse invocations are emulated",
        );
    }
    let event: Value = match serde_json::from_slice(&payload) {
        Ok(event) => event,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                "the payload is not JSON",
            );
        }
    };
    let Some(answer) = gateway.lambda.try_invoke(function, &event).await else {
        tracing::info!(
            function,
            "synchronous invocation refused: at the concurrency limit"
        );
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsException",
            "Rate Exceeded.",
        );
    };
    match answer {
        Ok(result) => json(StatusCode::OK, result.to_vec(), None),
        Err(InvokeError::FunctionError { kind, body, .. }) => {
            json(StatusCode::OK, body.into_bytes(), Some(&kind))
        }
        Err(err) => {
            tracing::warn!(function, error = %err, "synchronous invocation failed");
            error(
                StatusCode::BAD_GATEWAY,
                "ServiceException",
                &err.to_string(),
            )
        }
    }
}

fn json(status: StatusCode, body: Vec<u8>, function_error: Option<&str>) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if let Some(kind) = function_error.and_then(|k| HeaderValue::from_str(k).ok()) {
        response.headers_mut().insert("x-amz-function-error", kind);
    }
    response
}

/// Lambda's error shape: the code in `x-amzn-ErrorType`, where the SDKs read it.
fn error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = serde_json::json!({"Type": "User", "message": message}).to_string();
    let mut response = json(status, body.into_bytes(), None);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(code));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_invocation_paths_name_a_function() {
        assert_eq!(
            function_of("/2015-03-31/functions/delivery/invocations"),
            Some("delivery")
        );
        for other in [
            "/2015-03-31/functions//invocations",
            "/2015-03-31/functions/a/b/invocations",
            "/2015-03-31/functions/delivery",
            "/messages/2015-03-31/functions/x/invocations",
        ] {
            assert_eq!(function_of(other), None, "{other}");
        }
    }
}
