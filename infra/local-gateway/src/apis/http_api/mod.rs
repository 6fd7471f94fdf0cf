//! The HTTP API: a request becomes the payload format 2.0 event API Gateway sends, and the
//! function's result becomes the response, with API Gateway's own errors where it has them.

mod event;
mod response;

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;

use crate::apis::http_util::{BodyError, header_value, json_message, read_body_first};
use crate::gateway::Gateway;
use crate::runtime::clock::Timestamp;
use crate::runtime::ids;
use event::build_event;
pub(crate) use response::into_response;

/// API Gateway's payload limit for HTTP APIs. The functions enforce the contract's 64 KiB.
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

pub(crate) async fn handle(gateway: &Gateway, peer: SocketAddr, request: Request) -> Response {
    let meta = RequestMeta {
        request_id: ids::api_gateway_id(),
        received: Timestamp::now(),
        source_ip: peer.ip().to_string(),
    };
    let mut response = respond(gateway, request, &meta).await;
    if let Some(value) = header_value(&meta.request_id) {
        response.headers_mut().insert("apigw-requestid", value);
    }
    response
}

/// What the gateway itself knows about a request, beyond what the client sent.
#[derive(Debug, Clone)]
pub(crate) struct RequestMeta {
    pub request_id: String,
    pub received: Timestamp,
    pub source_ip: String,
}

async fn respond(gateway: &Gateway, request: Request, meta: &RequestMeta) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read_body_first(&parts.headers, body, MAX_REQUEST_BYTES, refuse_body).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    if let Some(cors) = &gateway.cors
        && let Some(preflight) = cors.preflight(&parts.method, &parts.headers)
    {
        return preflight;
    }
    let Some(found) = gateway
        .http_routes
        .find(parts.method.as_str(), parts.uri.path())
    else {
        return json_message(StatusCode::NOT_FOUND, "Not Found");
    };
    // API Gateway's own refusal: its error shape, no Retry-After, the function never runs.
    if !gateway.http_throttles.allow(&found.route.route_key) {
        return json_message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    }
    let event = build_event(&parts, &found, &body, meta);
    let function = &found.route.function;
    let within = Some(gateway.config.http_integration_timeout);
    match gateway.lambda.invoke_within(function, &event, within).await {
        Ok(result) => match into_response(&result) {
            Ok(mut response) => {
                if let Some(cors) = &gateway.cors {
                    cors.decorate(&parts.headers, &mut response);
                }
                response
            }
            Err(error) => {
                tracing::warn!(function, %error, "function returned a malformed response");
                json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        },
        // API Gateway's integration timeout, or no function to run at all.
        Err(error) if error.is_unavailable() || error.is_integration_timeout() => {
            tracing::warn!(function, %error, "function unavailable");
            json_message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Err(error) => {
            tracing::warn!(function, %error, "function failed");
            json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

fn refuse_body(error: BodyError) -> Response {
    match error {
        BodyError::TooLarge { .. } => {
            json_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
        }
        BodyError::Read(error) => {
            tracing::debug!(%error, "client body unreadable");
            json_message(StatusCode::BAD_REQUEST, "Bad Request")
        }
    }
}
