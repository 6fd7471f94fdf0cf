//! The payload format 2.0 event API Gateway sends a function for an HTTP API request.

use std::collections::BTreeMap;

use axum::http::header;
use axum::http::request::Parts;
use serde_json::{Map, Value, json};

use super::RequestMeta;
use crate::apis::http_util::{encode_body, parse_query};
use crate::runtime::routing::RouteMatch;

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::runtime::clock::Timestamp;
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
}
