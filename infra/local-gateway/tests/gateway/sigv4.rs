//! SigV4 on the Management API and the Invoke API: as on AWS, where both take only requests
//! signed by a known key, an unsigned or badly signed request is refused with 403 before
//! anything is pushed, looked up, closed or invoked. A `text/plain` POST needs no CORS preflight,
//! so without this any web page could push forged frames to any socket.

use std::time::{Duration, SystemTime};

use local_gateway::runtime::sigv4::Verifier;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Harness, Signing, next_text, signature_headers};

const INVOKE: &str = "/2015-03-31/functions/worker/invocations";

/// The 403, the error type AWS puts in `x-amzn-ErrorType` and the message of its JSON body.
async fn assert_refused(response: reqwest::Response, error_type: &str) -> String {
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["x-amzn-errortype"], error_type);
    let body: Value = response.json().await.unwrap();
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn unsigned_management_calls_are_refused_and_nothing_reaches_the_socket() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    let url = harness.management_url(&id);
    // What a page's `fetch(url, {method: "POST", body})` sends: no preflight, no signature.
    let forged = harness
        .http
        .post(&url)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"type":"message.created","data":{"text":"forged"}}"#)
        .send()
        .await
        .unwrap();
    let message = assert_refused(forged, "MissingAuthenticationTokenException").await;
    assert_eq!(message, "Missing Authentication Token");
    let path = format!("/ws/@connections/{}", urlencoding::encode(&id));
    for method in ["GET", "DELETE"] {
        let response = harness.send(method, &path).await;
        assert_refused(response, "MissingAuthenticationTokenException").await;
    }
    // The local crash control lives under the same path and is refused the same way.
    let crash = harness.send("POST", &format!("{path}/crash")).await;
    assert_refused(crash, "MissingAuthenticationTokenException").await;

    // The connection is untouched: the next frame is the first signed one.
    let signed = harness.signed(harness.http.post(&url).body("real")).await;
    assert_eq!(signed.status(), StatusCode::OK);
    assert_eq!(next_text(&mut socket).await, "real");
    assert_eq!(harness.gateway.live_connections(), 1);
}

#[tokio::test]
async fn unsigned_invocations_are_refused_and_nothing_runs() {
    let harness = Harness::start("template.yaml").await;
    let unsigned = harness
        .http
        .post(harness.url(INVOKE))
        .header("content-type", "text/plain")
        .body(json!({"frame": "forged", "user_ids": ["someone"]}).to_string())
        .send()
        .await
        .unwrap();
    let message = assert_refused(unsigned, "MissingAuthenticationTokenException").await;
    assert_eq!(message, "Missing Authentication Token");
    assert!(harness.lambda.events("worker").is_empty());

    let signed = harness
        .signed(
            harness
                .http
                .post(harness.url(INVOKE))
                .json(&json!({"n": 1})),
        )
        .await;
    assert_eq!(signed.status(), StatusCode::OK);
    assert_eq!(harness.lambda.events("worker"), [json!({"n": 1})]);
}

#[tokio::test]
async fn a_signature_made_with_another_secret_is_refused() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    let wrong = Signing {
        secret_key: "not-the-secret",
        ..Signing::default()
    };
    let url = harness.management_url(&id);
    let response = harness
        .signed_with(harness.http.post(&url).body("forged"), &wrong)
        .await;
    let message = assert_refused(response, "InvalidSignatureException").await;
    assert_eq!(
        message,
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation \
         for details."
    );
    let response = harness
        .signed_with(
            harness.http.post(harness.url(INVOKE)).json(&json!({})),
            &wrong,
        )
        .await;
    assert_refused(response, "InvalidSignatureException").await;
    assert!(harness.lambda.events("worker").is_empty());

    let signed = harness.signed(harness.http.post(&url).body("real")).await;
    assert_eq!(signed.status(), StatusCode::OK);
    assert_eq!(next_text(&mut socket).await, "real");
}

#[tokio::test]
async fn other_keys_services_times_and_bodies_are_refused() {
    let harness = Harness::start("template.yaml").await;
    let (mut socket, id) = harness.connect(1).await;
    let url = harness.management_url(&id);
    let post = |body: &'static str| harness.http.post(&url).body(body);

    let stranger = Signing {
        access_key: "AKIDSTRANGER",
        ..Signing::default()
    };
    let response = harness.signed_with(post("x"), &stranger).await;
    let message = assert_refused(response, "UnrecognizedClientException").await;
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );

    // Signed for Lambda, sent to the Management API (and the other way round).
    let lambda = Signing {
        service: Some("lambda"),
        ..Signing::default()
    };
    let response = harness.signed_with(post("x"), &lambda).await;
    let message = assert_refused(response, "InvalidSignatureException").await;
    assert_eq!(
        message,
        "Credential should be scoped to correct service: 'execute-api'. "
    );
    let execute_api = Signing {
        service: Some("execute-api"),
        ..Signing::default()
    };
    let invoke = harness.http.post(harness.url(INVOKE)).json(&json!({}));
    let response = harness.signed_with(invoke, &execute_api).await;
    let message = assert_refused(response, "InvalidSignatureException").await;
    assert_eq!(
        message,
        "Credential should be scoped to correct service: 'lambda'. "
    );

    let earlier = Signing {
        time: Some(SystemTime::now() - Duration::from_secs(6 * 60)),
        ..Signing::default()
    };
    let response = harness.signed_with(post("x"), &earlier).await;
    let message = assert_refused(response, "InvalidSignatureException").await;
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.ends_with(" - 5 min.)"), "{message}");
    let later = Signing {
        time: Some(SystemTime::now() + Duration::from_secs(6 * 60)),
        ..Signing::default()
    };
    let response = harness.signed_with(post("x"), &later).await;
    let message = assert_refused(response, "InvalidSignatureException").await;
    assert!(
        message.starts_with("Signature not yet current: "),
        "{message}"
    );

    // A signed request whose body was replaced on the way.
    let mut request = post("real").build().unwrap();
    crate::harness::sign(&mut request, &Signing::default());
    *request.body_mut() = Some("forged".into());
    let response = harness.http.execute(request).await.unwrap();
    assert_refused(response, "InvalidSignatureException").await;

    // A header named as signed but absent.
    let headers = vec![("x-extra".to_owned(), "1".to_owned())];
    let mut request = post("x");
    for (name, value) in signature_headers("POST", &url, &headers, b"x", &Signing::default()) {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let message = assert_refused(response, "IncompleteSignatureException").await;
    assert_eq!(
        message,
        "'x-extra' is named as a SignedHeader, but it does not exist in the HTTP request."
    );

    // A bearer token is no signature.
    let response = post("x")
        .header("authorization", "Bearer abc")
        .send()
        .await
        .unwrap();
    let message = assert_refused(response, "IncompleteSignatureException").await;
    assert!(
        message.starts_with("Authorization header requires 'Credential' parameter."),
        "{message}"
    );

    // None of it reached the socket.
    let signed = harness.signed(post("real")).await;
    assert_eq!(signed.status(), StatusCode::OK);
    assert_eq!(next_text(&mut socket).await, "real");
}

/// A gateway started without keys (`AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` unset) takes
/// nothing on either API: every key is unknown to it.
#[tokio::test]
async fn without_keys_both_apis_refuse_everything() {
    let harness = Harness::start_with("template.yaml", |config| {
        config.sigv4 = Verifier::default();
    })
    .await;
    let (_socket, id) = harness.connect(1).await;
    let response = harness
        .signed(harness.http.post(harness.management_url(&id)).body("x"))
        .await;
    assert_refused(response, "UnrecognizedClientException").await;
    let response = harness
        .signed(harness.http.post(harness.url(INVOKE)).json(&json!({})))
        .await;
    assert_refused(response, "UnrecognizedClientException").await;
    let unsigned = harness.send("POST", INVOKE).await;
    assert_refused(unsigned, "MissingAuthenticationTokenException").await;
    assert!(harness.lambda.events("worker").is_empty());
}
