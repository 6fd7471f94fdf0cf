//! The SigV4 check in front of the Management API and the Invoke API, and AWS's answer when it
//! fails: 403 with the error type in `x-amzn-ErrorType` (where the SDKs read it) and
//! `{"message": "..."}`, the same on both services (sources in [`crate::runtime::sigv4`]).

use std::time::SystemTime;

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::apis::http_util::json_message;
use crate::gateway::Gateway;
use crate::runtime::sigv4::{Refusal, Service};

/// AWS's answer, unless the request (whose body has been read: the signature covers it) is
/// signed for `service` with the gateway's keys.
pub(crate) fn refusal(
    gateway: &Gateway,
    service: Service,
    parts: &Parts,
    body: &[u8],
) -> Option<Response> {
    let verified = gateway
        .config
        .sigv4
        .verify(service, parts, body, SystemTime::now());
    verified.err().map(|refusal| {
        // The access log has the 403; this says why, for a client that signs wrongly. Never
        // the header an incomplete answer quotes back: it may be a bearer token.
        let reason = match &refusal {
            Refusal::Incomplete(_) => "not a complete SigV4 Authorization header".to_owned(),
            other => other.to_string(),
        };
        tracing::info!(
            service = service.name(),
            path = parts.uri.path(),
            error = refusal.error_type(),
            "refused: {reason}"
        );
        let mut response = json_message(StatusCode::FORBIDDEN, &refusal.to_string());
        response.headers_mut().insert(
            "x-amzn-errortype",
            HeaderValue::from_static(refusal.error_type()),
        );
        response
    })
}
