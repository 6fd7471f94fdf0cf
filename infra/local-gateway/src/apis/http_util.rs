//! Small HTTP helpers shared by the HTTP API and the Management API.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures::StreamExt;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("request body is over {limit} bytes")]
    TooLarge { limit: usize },
    #[error("cannot read the request body: {0}")]
    Read(#[from] axum::Error),
}

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
async fn read_body_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut stream = body.into_data_stream();
    // Most bodies arrive as one chunk: keep it as is and only copy once a second one shows up.
    let mut single: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(BodyError::TooLarge { limit });
        }
        match single.take() {
            None if joined.is_empty() => single = Some(chunk),
            earlier => {
                if let Some(earlier) = earlier {
                    joined.extend_from_slice(&earlier);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    Ok(single.unwrap_or_else(|| Bytes::from(joined)))
}

/// Reads the whole body before any answer is chosen, as API Gateway does: an answer sent with
/// the body still unread costs the client its keep-alive connection (the server cannot reuse a
/// connection whose next bytes are the rest of a body). A body that cannot be taken gets
/// `refuse`'s answer, which closes the connection, since its unread rest is still on it.
pub async fn read_body_first(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    refuse: impl FnOnce(BodyError) -> Response,
) -> Result<Bytes, Response> {
    read_body_limited(headers, body, limit)
        .await
        .map_err(|error| {
            let mut answer = refuse(error);
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            answer
        })
}

/// `{"message": "..."}` with a JSON content type: API Gateway's own error shape.
pub fn json_message(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "message": message }).to_string();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Header values API Gateway generates (ids, dates) are plain ASCII; anything else is dropped.
pub fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

/// A body as events carry it: UTF-8 text as is, anything else base64; `None` when empty.
pub fn encode_body(body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    match std::str::from_utf8(body) {
        Ok(text) => (Some(text.to_owned()), false),
        Err(_) => (Some(STANDARD.encode(body)), true),
    }
}

/// Decoded query parameters in order of first appearance, repeated keys gathered.
pub fn parse_query(raw: &str) -> Vec<(String, Vec<String>)> {
    let mut parameters: Vec<(String, Vec<String>)> = Vec::new();
    for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode_form(key), decode_form(value));
        match parameters.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, values)) => values.push(value),
            None => parameters.push((key, vec![value])),
        }
    }
    parameters
}

fn decode_form(text: &str) -> String {
    let spaced = text.replace('+', " ");
    match urlencoding::decode(&spaced) {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => spaced,
    }
}
