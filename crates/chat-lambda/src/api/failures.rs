//! The failures every route shares, for the OpenAPI document: the handlers' `#[utoipa::path]`
//! attributes name them beside their own outcomes.

use chat_core::error::ErrorBody;
use utoipa::{IntoParams, IntoResponses};

/// What any route may answer besides its own outcomes.
#[derive(IntoResponses)]
pub enum Failures {
    /// Over a per-caller rate limit (`rate_limited`); retry after `Retry-After` seconds. API
    /// Gateway's own edge throttling also answers 429, with `{"message":"Too Many Requests"}`
    /// and no `Retry-After`: back off and retry.
    #[response(status = 429, headers(("Retry-After" = u32, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
    /// A defect or a broken deployment (`internal`); retrying cannot help.
    #[response(status = 500)]
    Internal(ErrorBody),
    /// The database or another dependency is unreachable, throttled or slow (`unavailable`);
    /// nothing was lost and the request is safe to retry after `Retry-After` seconds.
    #[response(status = 503, headers(("Retry-After" = u32, description = "Seconds to wait")))]
    Unavailable(ErrorBody),
}

/// What a route that needs a token answers without a valid one.
#[derive(IntoResponses)]
pub enum AuthFailures {
    /// No valid token: missing, malformed, expired or tampered, for another audience, of a
    /// deleted account or of an ended session (logout, password change, reused refresh token)
    /// (`unauthorized`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
}

/// What a route with a JSON body answers to a body it cannot take.
#[derive(IntoResponses)]
pub enum BodyFailures {
    /// The body is not JSON, or not a JSON object (`bad_request`).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The body is over 64 KiB (`payload_too_large`).
    #[response(status = 413)]
    PayloadTooLarge(ErrorBody),
    /// A field is missing, mistyped or breaks a rule (`validation_error`, naming the `field`),
    /// or the change would pass a documented bound (`limit_exceeded`).
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// The optional header of the writes a client may retry safely without a key of their own.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
// The struct only describes the header: the handlers read it from the request.
#[allow(dead_code)]
pub struct IdempotencyKeyHeader {
    /// The caller's key for this request: 1 to 255 visible ASCII characters, quoted or not. The
    /// same request with the same key within 24 hours answers the first answer again and
    /// changes nothing; the same key with another request: 422 `validation_error` on
    /// `Idempotency-Key`.
    #[param(rename = "Idempotency-Key")]
    idempotency_key: Option<String>,
}
