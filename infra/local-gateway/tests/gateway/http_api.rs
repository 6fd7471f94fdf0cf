//! HTTP API: route matching, the payload 2.0 event, response conversion, errors.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Harness, Reply};

async fn route_of(harness: &Harness, method: &str, path: &str) -> (String, String) {
    let response = harness.send(method, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
    let body: Value = response.json().await.unwrap();
    (
        body["function"].as_str().unwrap().to_owned(),
        body["routeKey"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn routes_by_specificity_and_method() {
    let harness = Harness::start("template.yaml").await;
    let cases = [
        ("GET", "/users/me", "users", "GET /users/me"),
        ("GET", "/users/abc", "users", "GET /users/{user_id}"),
        ("GET", "/users", "users", "GET /users"),
        ("POST", "/users/register", "users", "POST /users/register"),
        ("PUT", "/users/abc", "users", "ANY /users/{proxy+}"),
        ("GET", "/users/a/b/c", "users", "ANY /users/{proxy+}"),
        ("DELETE", "/things/1", "delete-thing", "DELETE /things/{id}"),
        ("PATCH", "/things/1", "things", "ANY /things/{id}"),
        ("GET", "/elsewhere", "fallback", "$default"),
        (
            "POST",
            "/users/register/extra/",
            "users",
            "ANY /users/{proxy+}",
        ),
    ];
    assert_routes(&harness, &cases).await;
}

async fn assert_routes(harness: &Harness, cases: &[(&str, &str, &str, &str)]) {
    for (method, path, function, route_key) in cases {
        assert_eq!(
            route_of(harness, method, path).await,
            ((*function).to_owned(), (*route_key).to_owned()),
            "{method} {path}"
        );
    }
}

/// API Gateway routes cannot end in `/` and a request path is matched as sent: a trailing
/// slash adds an empty last segment, which only a greedy variable (or `$default`) takes.
#[tokio::test]
async fn a_trailing_slash_matches_only_a_greedy_route() {
    let harness = Harness::start("template.yaml").await;
    let greedy = "ANY /users/{proxy+}";
    let cases = [
        ("GET", "/users/me/", "users", greedy),
        ("GET", "/users/abc/", "users", greedy),
        ("GET", "/users/", "users", greedy),
        ("POST", "/users/register/", "users", greedy),
        // No greedy route under /things: the slash form falls through to `$default`.
        ("GET", "/things/1/", "fallback", "$default"),
    ];
    assert_routes(&harness, &cases).await;
    let proxies: Vec<Value> = harness
        .lambda
        .events("users")
        .iter()
        .map(|event| event["pathParameters"]["proxy"].clone())
        .collect();
    assert_eq!(
        proxies,
        [json!("me/"), json!("abc/"), json!(""), json!("register/")]
    );

    let bare = Harness::start("no-default.yaml").await;
    for path in ["/users/", "/users//"] {
        let response = bare.http.get(bare.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"message": "Not Found"}));
    }
    assert!(bare.lambda.events("users").is_empty());
}

#[tokio::test]
async fn unmatched_request_is_api_gateway_404() {
    let harness = Harness::start("no-default.yaml").await;
    let response = harness
        .http
        .post(harness.url("/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().contains_key("apigw-requestid"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"message": "Not Found"}));
    assert!(harness.lambda.events("users").is_empty());
}

#[tokio::test]
async fn event_carries_every_field_api_gateway_sends() {
    let harness = Harness::start("template.yaml").await;
    let response = harness
        .http
        .post(harness.url("/users/register?x=1&x=2&q=a+b%21&empty="))
        .header("user-agent", "lg-test/1.0")
        .header("cookie", "session=abc; theme=dark")
        .header("x-repeated", "one")
        .header("X-Repeated", "two")
        .header("content-type", "application/json")
        .body(r#"{"username":"ann"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let request_id = response.headers()["apigw-requestid"]
        .to_str()
        .unwrap()
        .to_owned();

    let event = harness.lambda.wait_for("users", 1).await.remove(0);
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "POST /users/register");
    assert_eq!(event["rawPath"], "/users/register");
    assert_eq!(event["rawQueryString"], "x=1&x=2&q=a+b%21&empty=");
    assert_eq!(event["cookies"], json!(["session=abc", "theme=dark"]));
    let headers = &event["headers"];
    assert_eq!(headers["x-repeated"], "one,two");
    assert_eq!(headers["user-agent"], "lg-test/1.0");
    assert_eq!(headers["host"], harness.addr.to_string());
    assert!(headers.get("cookie").is_none());
    assert!(
        headers
            .as_object()
            .unwrap()
            .keys()
            .all(|name| *name == name.to_lowercase())
    );
    assert_eq!(
        event["queryStringParameters"],
        json!({"x": "1,2", "q": "a b!", "empty": ""})
    );
    assert!(event.get("pathParameters").is_none());
    assert!(event.get("stageVariables").is_none());
    assert_eq!(event["body"], r#"{"username":"ann"}"#);
    assert_eq!(event["isBase64Encoded"], false);

    let context = &event["requestContext"];
    assert_eq!(context["accountId"], "123456789012");
    assert_eq!(context["apiId"], "local");
    assert_eq!(context["domainName"], harness.addr.to_string());
    assert_eq!(context["domainPrefix"], "127");
    assert_eq!(context["requestId"], request_id.as_str());
    assert_eq!(context["routeKey"], "POST /users/register");
    assert_eq!(context["stage"], "$default");
    assert_eq!(
        context["http"],
        json!({
            "method": "POST",
            "path": "/users/register",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "lg-test/1.0",
        })
    );
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let epoch = context["timeEpoch"].as_i64().unwrap();
    assert!((now_ms - epoch).abs() < 10_000, "timeEpoch {epoch}");
    let time = context["time"].as_str().unwrap();
    // `24/Nov/2026:01:02:03 +0000`
    assert_eq!(time.len(), 26, "{time}");
    assert!(
        time.ends_with(" +0000") && &time[2..3] == "/" && &time[6..7] == "/",
        "{time}"
    );

    let parsed: ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
    assert_eq!(parsed.request_context.http.method, reqwest::Method::POST);
    assert_eq!(parsed.cookies.unwrap().len(), 2);
    assert_eq!(parsed.body.as_deref(), Some(r#"{"username":"ann"}"#));
}

#[tokio::test]
async fn path_parameters_are_decoded_and_raw_path_kept() {
    let harness = Harness::start("template.yaml").await;
    let response = harness
        .http
        .get(harness.url("/users/a%20b%3D"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let event = harness.lambda.wait_for("users", 1).await.remove(0);
    assert_eq!(event["rawPath"], "/users/a%20b%3D");
    assert_eq!(event["pathParameters"], json!({"user_id": "a b="}));
    assert_eq!(event["rawQueryString"], "");
    assert!(event.get("queryStringParameters").is_none());
    assert!(event.get("body").is_none());

    harness
        .http
        .get(harness.url("/users/x/y/z"))
        .send()
        .await
        .unwrap();
    let events = harness.lambda.wait_for("users", 2).await;
    assert_eq!(events[1]["pathParameters"], json!({"proxy": "x/y/z"}));
}

#[tokio::test]
async fn binary_bodies_are_base64_encoded() {
    let harness = Harness::start("template.yaml").await;
    harness
        .http
        .post(harness.url("/users/register"))
        .body(vec![0xff_u8, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    let event = harness.lambda.wait_for("users", 1).await.remove(0);
    assert_eq!(event["body"], "//4A");
    assert_eq!(event["isBase64Encoded"], true);
}

#[tokio::test]
async fn structured_results_become_responses() {
    let harness = Harness::start("template.yaml").await;
    harness.lambda.reply(
        "users",
        Reply::Json(json!({
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-single": "1"},
            "multiValueHeaders": {"x-multi": ["a", "b"]},
            "cookies": ["session=new; HttpOnly", "theme=light"],
            "body": "aGVsbG8=",
            "isBase64Encoded": true
        })),
    );
    let response = harness
        .http
        .post(harness.url("/users/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/plain");
    assert_eq!(headers["x-single"], "1");
    let multi: Vec<_> = headers.get_all("x-multi").iter().collect();
    assert_eq!(multi, ["a", "b"]);
    let cookies: Vec<_> = headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["session=new; HttpOnly", "theme=light"]);
    assert!(headers.contains_key("apigw-requestid"));
    assert_eq!(response.text().await.unwrap(), "hello");
}

#[tokio::test]
async fn results_without_status_code_use_the_inferred_format() {
    let harness = Harness::start("template.yaml").await;
    harness
        .lambda
        .reply("users", Reply::Json(json!({"hello": "world", "n": [1, 2]})));
    let response = harness
        .http
        .get(harness.url("/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"hello": "world", "n": [1, 2]}));
}

#[tokio::test]
async fn function_failures_are_api_gateway_errors() {
    let harness = Harness::start("template.yaml").await;
    let cases = [
        (
            Reply::FunctionError(json!({"errorType": "Panic", "errorMessage": "boom"})),
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
        ),
        (
            Reply::Status(502),
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
        ),
        (
            Reply::Json(json!({"statusCode": 200, "body": {"not": "a string"}})),
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
        ),
    ];
    for (reply, status, message) in cases {
        harness.lambda.reply("users", reply.clone());
        let response = harness
            .http
            .get(harness.url("/users"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{reply:?}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "message": message }), "{reply:?}");
    }
}

#[tokio::test]
async fn unreachable_emulator_is_service_unavailable() {
    // A port nothing listens on: bind one, then free it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let harness = Harness::start_with("template.yaml", |config| {
        config.lambda_endpoint = endpoint;
    })
    .await;
    let response = harness
        .http
        .get(harness.url("/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"message": "Service Unavailable"}));
}

#[tokio::test]
async fn bodies_over_ten_megabytes_are_refused() {
    let harness = Harness::start("template.yaml").await;
    let response = harness
        .http
        .post(harness.url("/users/register"))
        .body(vec![b'a'; 10 * 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The rest of the body is never read, so the connection cannot carry another request.
    assert_eq!(response.headers()["connection"], "close");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"message": "Request Entity Too Large"}));
    assert!(harness.lambda.events("users").is_empty());

    let response = harness
        .http
        .post(harness.url("/users/register"))
        .body(vec![b'a'; 10 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn invocations_beyond_the_lambda_concurrency_wait_their_turn() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.lambda_concurrency = Some(2);
    })
    .await;
    let answer = json!({"statusCode": 200, "body": "ok"});
    harness.lambda.reply(
        "users",
        Reply::Delayed(
            std::time::Duration::from_millis(200),
            Box::new(Reply::Json(answer)),
        ),
    );
    let statuses = futures::future::join_all((0..6).map(|_| async {
        harness
            .http
            .get(harness.url("/users/me"))
            .send()
            .await
            .unwrap()
            .status()
    }))
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(harness.lambda.events("users").len(), 6);
    assert_eq!(harness.lambda.peak_in_flight(), 2);
}
