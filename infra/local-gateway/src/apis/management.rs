//! The API Gateway Management API at `/ws/@connections/{connection_id}`, as
//! aws-sdk-apigatewaymanagement and the AWS CLI call it with endpoint `http://<gateway>/ws`.
//!
//! Errors follow restJson1: the SDKs read the error code from the `x-amzn-ErrorType` header,
//! so that header is what makes a 410 a `GoneException`.
//!
//! As on AWS, every request (the local crash control too) must be signed with SigV4 for
//! `execute-api` by the gateway's keys; anything else is refused with 403 before the path or
//! the method is looked at (`crate::apis::signature`).

use axum::extract::Request;
use axum::extract::ws::Message;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::apis::http_util::{BodyError, header_value, json_message, read_body_first};
use crate::apis::signature;
use crate::gateway::Gateway;
use crate::runtime::connections::{Disconnect, Outbound};
use crate::runtime::ids;
use crate::runtime::sigv4::Service;

pub(crate) async fn handle(gateway: &Gateway, raw_id: &str, request: Request) -> Response {
    let request_id = ids::api_gateway_id();
    let mut response = respond(gateway, raw_id, request).await;
    if let Some(value) = header_value(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

async fn respond(gateway: &Gateway, raw_id: &str, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let limit = gateway.config.ws_max_message_bytes;
    let payload = match read_body_first(&parts.headers, body, limit, refuse_body).await {
        Ok(payload) => payload,
        Err(answer) => return answer,
    };
    if let Some(refused) = signature::refusal(gateway, Service::ExecuteApi, &parts, &payload) {
        return refused;
    }
    if let Some(raw_id) = raw_id.strip_suffix(CRASH_SUFFIX) {
        return crash(gateway, raw_id, &parts.method).await;
    }
    if raw_id.is_empty() || raw_id.contains('/') {
        return json_message(StatusCode::NOT_FOUND, "Not Found");
    }
    // Ids end in `=`, which clients send as `%3D`.
    let Ok(id) = urlencoding::decode(raw_id) else {
        return gone(raw_id);
    };
    match parts.method {
        Method::POST => {
            if let Some(status) = gateway.faults.push(&id) {
                return refused_push(gateway, &id, status).await;
            }
            let Some(connection) = gateway.connections.get(&id) else {
                return gone(&id);
            };
            let frame = match std::str::from_utf8(&payload) {
                Ok(text) => Message::text(text),
                Err(_) => Message::Binary(payload),
            };
            match connection.send(Outbound::Frame(frame)).await {
                Ok(()) => StatusCode::OK.into_response(),
                Err(_) => gone(&id),
            }
        }
        Method::GET => match gateway.connections.get(&id) {
            Some(connection) => {
                let session = &connection.session;
                // restJson1 member names of GetConnection (what the SDKs parse), ISO 8601 times.
                let body = json!({
                    "connectedAt": session.connected_at.iso8601(),
                    "identity": {
                        "sourceIp": session.source_ip,
                        "userAgent": session.user_agent,
                    },
                    "lastActiveAt": connection.last_active().iso8601(),
                });
                (
                    StatusCode::OK,
                    [("content-type", HeaderValue::from_static("application/json"))],
                    body.to_string(),
                )
                    .into_response()
            }
            None => gone(&id),
        },
        Method::DELETE => match gateway.connections.remove(&id) {
            Some(connection) => {
                // Queued behind frames already posted, so those still arrive before the close.
                let _ = connection
                    .send(Outbound::Close(Disconnect::deleted()))
                    .await;
                StatusCode::NO_CONTENT.into_response()
            }
            None => gone(&id),
        },
        _ => json_message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
    }
}

/// Local only, not part of the Management API: `POST /ws/@connections/{id}/crash` cuts the
/// socket the way a crashed client or a lost `$disconnect` leaves it on AWS (no close frame, no
/// `$disconnect`), so tests can show that presence heals without it.
const CRASH_SUFFIX: &str = "/crash";

async fn crash(gateway: &Gateway, raw_id: &str, method: &Method) -> Response {
    if *method != Method::POST {
        return json_message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let Ok(id) = urlencoding::decode(raw_id) else {
        return gone(raw_id);
    };
    match gateway.connections.remove(&id) {
        Some(connection) => {
            let _ = connection.send(Outbound::Crash).await;
            StatusCode::NO_CONTENT.into_response()
        }
        None => gone(&id),
    }
}

/// A push fault: the post is refused as API Gateway refuses it, the frame is not delivered;
/// a 410 also cuts the connection the way a vanished client goes (no close frame, no
/// `$disconnect`), so that it stays gone.
async fn refused_push(gateway: &Gateway, id: &str, status: u16) -> Response {
    tracing::info!(target: "local_gateway::faults", fault = "push", connection_id = id, status, "post refused");
    match status {
        429 => aws_error(
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            "Too Many Requests",
        ),
        410 => {
            if let Some(connection) = gateway.connections.remove(id) {
                let _ = connection.send(Outbound::Crash).await;
            }
            gone(id)
        }
        _ => aws_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerErrorException",
            "Internal server error",
        ),
    }
}

fn refuse_body(error: BodyError) -> Response {
    match error {
        BodyError::TooLarge { limit } => aws_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            &format!("Message is larger than {limit} bytes"),
        ),
        BodyError::Read(_) => aws_error(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "Cannot read the request body",
        ),
    }
}

fn gone(id: &str) -> Response {
    aws_error(
        StatusCode::GONE,
        "GoneException",
        &format!("Connection {id} is gone"),
    )
}

fn aws_error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    let mut response = json_message(status, message);
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error_type));
    response
}
