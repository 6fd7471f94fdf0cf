use super::*;
use axum::http::Request;

const KEY: &str = "AKIDLOCAL";
const SECRET: &str = "local-secret";

fn verifier() -> Verifier {
    Verifier::new(
        Some(Credentials::new(KEY, SECRET, None)),
        Some("us-east-1".to_owned()),
    )
}

/// 2026-11-24T01:02:03Z
fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_482_123)
}

/// A request signed as `chat-aws` signs its invocations.
fn signed(
    secret: &str,
    service: &str,
    time: SystemTime,
    method: &str,
    path: &str,
    body: &[u8],
) -> Parts {
    let url = format!("http://127.0.0.1:8000{path}");
    let identity = SigningCredentials::new(KEY, secret, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let headers = [("content-type", "application/json")];
    let signable = SignableRequest::new(
        method,
        url.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .expect("signed")
        .into_parts();
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1:8000")
        .header("content-type", "application/json");
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    request.body(()).expect("request").into_parts().0
}

const POST: &str = "/ws/@connections/AbC%3D";

#[test]
fn a_request_signed_with_the_key_passes() {
    let parts = signed(SECRET, "execute-api", at(), "POST", POST, b"hi");
    assert_eq!(
        verifier().verify(Service::ExecuteApi, &parts, b"hi", at()),
        Ok(())
    );
    let invoke = "/2015-03-31/functions/delivery/invocations";
    let parts = signed(SECRET, "lambda", at(), "POST", invoke, b"{}");
    let later = at() + Duration::from_secs(299);
    assert_eq!(
        verifier().verify(Service::Lambda, &parts, b"{}", later),
        Ok(())
    );
}

#[test]
fn what_differs_from_the_signed_request_is_refused() {
    let parts = signed(SECRET, "execute-api", at(), "POST", POST, b"hi");
    let check =
        |parts: &Parts, body: &[u8]| verifier().verify(Service::ExecuteApi, parts, body, at());
    assert_eq!(check(&parts, b"forged"), Err(Refusal::Mismatch));
    let mut other_path = parts.clone();
    other_path.uri = "/ws/@connections/XyZ%3D".parse().expect("uri");
    assert_eq!(check(&other_path, b"hi"), Err(Refusal::Mismatch));
    let mut other_method = parts.clone();
    other_method.method = axum::http::Method::DELETE;
    assert_eq!(check(&other_method, b"hi"), Err(Refusal::Mismatch));
    let mut other_header = parts.clone();
    other_header
        .headers
        .insert("content-type", "text/plain".parse().expect("value"));
    assert_eq!(check(&other_header, b"hi"), Err(Refusal::Mismatch));
    let wrong_secret = signed("other", "execute-api", at(), "POST", POST, b"hi");
    assert_eq!(check(&wrong_secret, b"hi"), Err(Refusal::Mismatch));
    // An unsigned header may be added on the way, as proxies do.
    let mut extra = parts.clone();
    extra
        .headers
        .insert("user-agent", "curl".parse().expect("value"));
    assert_eq!(check(&extra, b"hi"), Ok(()));
}

#[test]
fn keys_services_regions_and_times_are_checked() {
    let parts = signed(SECRET, "execute-api", at(), "POST", POST, b"");
    let unconfigured = Verifier::default().verify(Service::ExecuteApi, &parts, b"", at());
    assert_eq!(unconfigured, Err(Refusal::UnknownKey));
    let other_key = Verifier::new(Some(Credentials::new("AKIDOTHER", SECRET, None)), None);
    assert_eq!(
        other_key.verify(Service::ExecuteApi, &parts, b"", at()),
        Err(Refusal::UnknownKey)
    );
    assert_eq!(
        verifier().verify(Service::Lambda, &parts, b"", at()),
        Err(Refusal::WrongService { expected: "lambda" })
    );
    let elsewhere = Verifier::new(
        Some(Credentials::new(KEY, SECRET, None)),
        Some("eu-west-1".to_owned()),
    );
    let refusal = elsewhere.verify(Service::ExecuteApi, &parts, b"", at());
    assert_eq!(
        refusal.map_err(|r| r.to_string()),
        Err("Credential should be scoped to a valid region, not 'us-east-1'. ".to_owned())
    );
    let expired = verifier().verify(
        Service::ExecuteApi,
        &parts,
        b"",
        at() + Duration::from_secs(301),
    );
    assert_eq!(
        expired.map_err(|r| r.to_string()),
        Err(
            "Signature expired: 20261124T010203Z is now earlier than 20261124T010204Z \
             (20261124T010704Z - 5 min.)"
                .to_owned()
        )
    );
    let early = verifier().verify(
        Service::ExecuteApi,
        &parts,
        b"",
        at() - Duration::from_secs(301),
    );
    assert_eq!(
        early.map_err(|r| r.to_string()),
        Err(
            "Signature not yet current: 20261124T010203Z is still later than \
             20261124T010202Z (20261124T005702Z + 5 min.)"
                .to_owned()
        )
    );
}

#[test]
fn session_tokens_must_be_the_configured_one() {
    let parts = signed(SECRET, "execute-api", at(), "POST", POST, b"");
    let mut with_token = parts.clone();
    with_token
        .headers
        .insert(TOKEN_HEADER, "token".parse().expect("value"));
    assert_eq!(
        verifier().verify(Service::ExecuteApi, &with_token, b"", at()),
        Err(Refusal::UnknownKey)
    );
    let expects_token = Verifier::new(
        Some(Credentials::new(KEY, SECRET, Some("token".to_owned()))),
        None,
    );
    assert_eq!(
        expects_token.verify(Service::ExecuteApi, &parts, b"", at()),
        Err(Refusal::UnknownKey)
    );
}

#[test]
fn incomplete_headers_are_named() {
    let missing_all = Authorization::parse("Bearer abc", false);
    assert_eq!(
        missing_all,
        Err(Refusal::Incomplete(
            "Authorization header requires 'Credential' parameter. Authorization header \
             requires 'Signature' parameter. Authorization header requires 'SignedHeaders' \
             parameter. Authorization header requires existence of either a 'X-Amz-Date' \
             or a 'Date' header. Authorization=Bearer abc"
                .to_owned()
        ))
    );
    let no_equal = Authorization::parse("AWS4-HMAC-SHA256 Credential=a/b, Signature", true);
    assert_eq!(
        no_equal,
        Err(Refusal::Incomplete(
            "'Signature' not a valid key=value pair (missing equal-sign) in Authorization \
             header: 'AWS4-HMAC-SHA256 Credential=a/b, Signature'."
                .to_owned()
        ))
    );
    let header = "AWS4-HMAC-SHA256 Credential=k/20261124/us-east-1/lambda/aws4_request, \
                  SignedHeaders=host;x-amz-date, Signature=abc";
    assert_eq!(
        Authorization::parse(header, true),
        Ok(Authorization {
            credential: "k/20261124/us-east-1/lambda/aws4_request",
            signed_headers: "host;x-amz-date",
            signature: "abc",
        })
    );
}

#[test]
fn a_signed_header_must_be_present() {
    let mut parts = signed(SECRET, "execute-api", at(), "POST", POST, b"");
    parts.headers.remove("content-type");
    assert_eq!(
        verifier().verify(Service::ExecuteApi, &parts, b"", at()),
        Err(Refusal::Incomplete(
            "'content-type' is named as a SignedHeader, but it does not exist in the HTTP \
             request."
                .to_owned()
        ))
    );
}

#[test]
fn unsigned_requests_miss_the_token_and_malformed_dates_are_refused() {
    let unsigned = Request::builder()
        .method("POST")
        .uri(POST)
        .body(())
        .expect("request")
        .into_parts()
        .0;
    assert_eq!(
        verifier().verify(Service::ExecuteApi, &unsigned, b"", at()),
        Err(Refusal::MissingToken)
    );
    let mut parts = signed(SECRET, "execute-api", at(), "POST", POST, b"");
    parts
        .headers
        .insert(DATE_HEADER, "2026-11-24T01:02:03Z".parse().expect("value"));
    assert_eq!(
        verifier().verify(Service::ExecuteApi, &parts, b"", at()),
        Err(Refusal::BadDate("2026-11-24T01:02:03Z".to_owned()))
    );
    assert_eq!(parse_basic("20261124T010203Z"), Some(at()));
    for bad in [
        "20261124T0102030Z",
        "2026112XT010203Z",
        "20261324T010203Z",
        "é0261124T01020Z",
    ] {
        assert_eq!(parse_basic(bad), None, "{bad}");
    }
}

#[test]
fn credentials_come_from_the_environment_or_not_at_all() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    };
    let stack = Verifier::from_vars(env(&[
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ]));
    assert_eq!(
        stack,
        Verifier::new(
            Some(Credentials::new("local", "s3cr3t", None)),
            Some("us-east-1".to_owned())
        )
    );
    let no_secret = Verifier::from_vars(env(&[
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ]));
    assert_eq!(no_secret.access_key_id(), None);
    assert_eq!(no_secret.region(), Some("eu-west-1"));
    let debug = format!("{stack:?}");
    assert!(
        !debug.contains("s3cr3t") && debug.contains("<redacted>"),
        "{debug}"
    );
}
