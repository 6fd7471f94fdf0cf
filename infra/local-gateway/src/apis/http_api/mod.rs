//! The HTTP API: a request becomes the payload format 2.0 event API Gateway sends, and the
//! function's result becomes the response, with API Gateway's own errors where it has them.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::apis::http_util::{
    BodyError, encode_body, header_value, json_message, parse_query, read_body_limited,
};
use crate::gateway::Gateway;
use crate::runtime::clock::Timestamp;
use crate::runtime::ids;
use crate::runtime::routing::RouteMatch;

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
    let body = match read_body_limited(&parts.headers, body, MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(BodyError::TooLarge { .. }) => {
            return json_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
        }
        Err(BodyError::Read(error)) => {
            tracing::debug!(%error, "client body unreadable");
            return json_message(StatusCode::BAD_REQUEST, "Bad Request");
        }
    };
    let event = build_event(&parts, &found, &body, meta);
    let function = &found.route.function;
    match gateway.lambda.invoke(function, &event).await {
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
        Err(error) if error.is_unavailable() => {
            tracing::warn!(function, %error, "function unavailable");
            json_message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        Err(error) => {
            tracing::warn!(function, %error, "function failed");
            json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// The payload format 2.0 event, field for field as API Gateway builds it.
pub(crate) fn build_event(
    parts: &Parts,
    found: &RouteMatch<'_>,
    body: &[u8],
    meta: &RequestMeta,
) -> Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies: Vec<String> = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        if name == header::COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|cookie| !cookie.is_empty())
                    .map(str::to_owned),
            );
            continue;
        }
        append_joined(&mut headers, name.as_str(), &value);
    }
    append_joined(&mut headers, "x-forwarded-for", &meta.source_ip);
    headers
        .entry("x-forwarded-proto".to_owned())
        .or_insert_with(|| "http".to_owned());

    let raw_path = parts.uri.path();
    let raw_query = parts.uri.query().unwrap_or("");
    let domain_name = parts
        .headers
        .get(header::HOST)
        .map(|host| String::from_utf8_lossy(host.as_bytes()).into_owned())
        .unwrap_or_else(|| "localhost".to_owned());
    let domain_prefix = domain_name
        .split(':')
        .next()
        .and_then(|host| host.split('.').next())
        .unwrap_or_default()
        .to_owned();
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .map(|agent| String::from_utf8_lossy(agent.as_bytes()).into_owned())
        .unwrap_or_default();
    let route_key = found.route.route_key.as_str();

    let mut event = Map::new();
    event.insert("version".into(), json!("2.0"));
    event.insert("routeKey".into(), json!(route_key));
    event.insert("rawPath".into(), json!(raw_path));
    event.insert("rawQueryString".into(), json!(raw_query));
    if !cookies.is_empty() {
        event.insert("cookies".into(), json!(cookies));
    }
    event.insert("headers".into(), json!(headers));
    let query = parse_query(raw_query);
    if !query.is_empty() {
        let joined: BTreeMap<&str, String> = query
            .iter()
            .map(|(key, values)| (key.as_str(), values.join(",")))
            .collect();
        event.insert("queryStringParameters".into(), json!(joined));
    }
    if !found.path_parameters.is_empty() {
        event.insert("pathParameters".into(), json!(found.path_parameters));
    }
    event.insert(
        "requestContext".into(),
        json!({
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": domain_name,
            "domainPrefix": domain_prefix,
            "http": {
                "method": parts.method.as_str(),
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": meta.source_ip,
                "userAgent": user_agent,
            },
            "requestId": meta.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": meta.received.clf(),
            "timeEpoch": meta.received.epoch_millis(),
        }),
    );
    let (body, is_base64) = encode_body(body);
    if let Some(body) = body {
        event.insert("body".into(), json!(body));
    }
    event.insert("isBase64Encoded".into(), json!(is_base64));
    Value::Object(event)
}

fn append_joined(map: &mut BTreeMap<String, String>, name: &str, value: &str) {
    map.entry(name.to_owned())
        .and_modify(|joined| {
            joined.push(',');
            joined.push_str(value);
        })
        .or_insert_with(|| value.to_owned());
}

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
    use crate::runtime::routing::RouteTable;
    use crate::template::HttpRouteDef;
    use aws_lambda_events::apigw::ApiGatewayV2httpRequest;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = axum::http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn routes() -> RouteTable {
        RouteTable::new(&[HttpRouteDef {
            route_key: "GET /users/{user_id}".into(),
            method: Some("GET".into()),
            path: Some("/users/{user_id}".into()),
            function: "users".into(),
        }])
        .unwrap()
    }

    fn meta() -> RequestMeta {
        RequestMeta {
            request_id: "JKJaXmPLvHcESHA=".into(),
            received: Timestamp::from_epoch_millis(1_795_482_123_456),
            source_ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn event_deserialises_as_lambda_http_expects() {
        let parts = parts(
            "GET",
            "/users/a%20b?x=1&x=2&q=hello+world&flag",
            &[
                ("host", "127.0.0.1:8000"),
                ("user-agent", "test/1.0"),
                ("cookie", "a=1; b=2"),
                ("x-multi", "one"),
                ("x-multi", "two"),
            ],
        );
        let table = routes();
        let found = table.find("GET", parts.uri.path()).unwrap();
        let event = build_event(&parts, &found, b"\xff\x00", &meta());

        assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
        assert_eq!(event["headers"]["x-multi"], "one,two");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(event["queryStringParameters"]["x"], "1,2");
        assert_eq!(event["queryStringParameters"]["q"], "hello world");
        assert_eq!(event["queryStringParameters"]["flag"], "");
        assert_eq!(event["rawQueryString"], "x=1&x=2&q=hello+world&flag");
        assert_eq!(event["rawPath"], "/users/a%20b");
        assert_eq!(event["pathParameters"]["user_id"], "a b");
        assert_eq!(
            event["requestContext"]["time"],
            "24/Nov/2026:01:02:03 +0000"
        );
        assert_eq!(event["requestContext"]["domainPrefix"], "127");
        assert_eq!(event["isBase64Encoded"], true);
        assert_eq!(event["body"], "/wA=");

        let parsed: ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
        assert_eq!(parsed.route_key.as_deref(), Some("GET /users/{user_id}"));
        assert_eq!(parsed.request_context.http.method, axum::http::Method::GET);
        assert_eq!(parsed.request_context.time_epoch, 1_795_482_123_456);
        assert_eq!(parsed.path_parameters["user_id"], "a b");
        assert_eq!(parsed.headers["user-agent"], "test/1.0");
        assert_eq!(
            parsed.request_context.http.source_ip.as_deref(),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn empty_optional_fields_are_omitted() {
        let parts = parts("GET", "/users/x", &[]);
        let table = routes();
        let found = table.find("GET", parts.uri.path()).unwrap();
        let event = build_event(&parts, &found, b"", &meta());
        for absent in ["cookies", "queryStringParameters", "body", "stageVariables"] {
            assert!(event.get(absent).is_none(), "{absent} should be omitted");
        }
        assert_eq!(event["isBase64Encoded"], false);
    }

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
