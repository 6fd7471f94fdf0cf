//! A function's result turned into the HTTP response API Gateway sends: the structured format
//! (`statusCode`, headers, cookies, body) or the inferred one (any other JSON).

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ResponseError {
    #[error("the result is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("statusCode {0} is not an HTTP status")]
    Status(String),
    #[error("header {0:?} is not a valid header")]
    Header(String),
    #[error("body is neither a string nor null")]
    Body,
    #[error("body is marked isBase64Encoded but is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
}

/// Headers that describe the connection rather than the payload; the server sets its own.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    name == header::CONTENT_LENGTH
        || name == header::TRANSFER_ENCODING
        || name == header::CONNECTION
}

/// Turns a function's result into the response API Gateway would send.
pub(crate) fn into_response(result: &Bytes) -> Result<Response, ResponseError> {
    let value: Value = serde_json::from_slice(result)?;
    let Some(object) = value.as_object().filter(|o| o.contains_key("statusCode")) else {
        // API Gateway's inferred format: any JSON without statusCode is a 200 JSON body.
        let mut response = Response::new(Body::from(result.clone()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Ok(response);
    };

    let status = match object.get("statusCode") {
        Some(Value::Number(code)) => code.as_u64(),
        Some(Value::String(code)) => code.parse::<u64>().ok(),
        _ => None,
    }
    .and_then(|code| u16::try_from(code).ok())
    .and_then(|code| StatusCode::from_u16(code).ok())
    .ok_or_else(|| {
        ResponseError::Status(
            object
                .get("statusCode")
                .map(Value::to_string)
                .unwrap_or_default(),
        )
    })?;

    let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    if let Some(single) = object.get("headers").and_then(Value::as_object) {
        for (name, value) in single {
            if let Some(text) = scalar_text(value) {
                headers.push(header_pair(name, &text)?);
            }
        }
    }
    if let Some(multi) = object.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in multi {
            for value in values.as_array().into_iter().flatten() {
                if let Some(text) = scalar_text(value) {
                    headers.push(header_pair(name, &text)?);
                }
            }
        }
    }
    for cookie in object
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        headers.push(header_pair("set-cookie", cookie)?);
    }

    let is_base64 = object
        .get("isBase64Encoded")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let body = match object.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if is_base64 => Bytes::from(STANDARD.decode(text)?),
        Some(Value::String(text)) => Bytes::from(text.clone()),
        Some(_) => return Err(ResponseError::Body),
    };

    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    for (name, value) in headers {
        if !is_hop_by_hop(&name) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), ResponseError> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ResponseError::Header(name.to_owned()))?;
    let header_value =
        HeaderValue::from_str(value).map_err(|_| ResponseError::Header(name.to_owned()))?;
    Ok((header_name, header_value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_structured_results() {
        let result = Bytes::from(
            json!({
                "statusCode": 201,
                "headers": {"content-type": "text/plain", "x-n": 5},
                "multiValueHeaders": {"x-m": ["a", "b"]},
                "cookies": ["s=1; HttpOnly", "t=2"],
                "body": "aGk=",
                "isBase64Encoded": true
            })
            .to_string(),
        );
        let response = into_response(&result).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/plain");
        assert_eq!(headers["x-n"], "5");
        assert_eq!(headers.get_all("x-m").iter().count(), 2);
        assert_eq!(headers.get_all("set-cookie").iter().count(), 2);
    }

    #[test]
    fn rejects_malformed_results() {
        for bad in [
            json!({"statusCode": 99}),
            json!({"statusCode": "x"}),
            json!({"statusCode": 200, "body": {"a": 1}}),
            json!({"statusCode": 200, "body": "%%%", "isBase64Encoded": true}),
            json!({"statusCode": 200, "headers": {"bad header": "x"}}),
        ] {
            assert!(
                into_response(&Bytes::from(bad.to_string())).is_err(),
                "{bad}"
            );
        }
        assert!(into_response(&Bytes::from_static(b"not json")).is_err());
    }
}
