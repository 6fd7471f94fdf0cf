//! SigV4 verification for the two APIs AWS guards with IAM: the Management API (signed for
//! `execute-api`) and the Lambda Invoke API (signed for `lambda`). On AWS both take only
//! requests signed by a known key; without this check locally, any web page could push frames
//! to any socket with a `text/plain` POST, which needs no CORS preflight.
//!
//! The signature a request should carry is computed by `aws-sigv4`, the crate the functions
//! sign their invocations with (and the SDKs their Management API calls), over the request as
//! received: its method, path and query, the headers it names as signed, and its body, at the
//! time and for the region and service its credential scope names. Only what that crate does
//! not do is written here, since it signs and never verifies: reading the `Authorization`
//! header and `X-Amz-Date`, checking the key, scope and time, and comparing the signatures in
//! constant time.
//!
//! The answers are AWS's, as clients report them (the message is the error's text):
//! - no `Authorization` header: `MissingAuthenticationTokenException`, "Missing Authentication
//!   Token" (execute-api: [chalice#12](https://github.com/aws/chalice/issues/12) and
//!   [repost.aws](https://repost.aws/knowledge-center/api-gateway-authentication-token-errors),
//!   "the API request isn't signed when the API method has IAM authentication turned on";
//!   Lambda Invoke: [bref#1250](https://github.com/brefphp/bref/issues/1250));
//! - an `Authorization` header that is no SigV4 header, or names a header the request lacks:
//!   `IncompleteSignatureException` ([amplify-flutter#1539](https://github.com/aws-amplify/amplify-flutter/issues/1539),
//!   [chalice#828](https://github.com/aws/chalice/issues/828),
//!   [fhir-works-on-aws-deployment#379](https://github.com/awslabs/fhir-works-on-aws-deployment/issues/379),
//!   [aws-mobile-appsync-sdk-js#702](https://github.com/awslabs/aws-mobile-appsync-sdk-js/issues/702));
//! - an unknown access key (or session token): `UnrecognizedClientException`, "The security
//!   token included in the request is invalid." (Lambda: [iamlive#58](https://github.com/iann0036/iamlive/issues/58);
//!   execute-api gives the same message, [amplify-js#2626](https://github.com/aws-amplify/amplify-js/issues/2626),
//!   whose error type header is not shown there: the gateway assumes Lambda's);
//! - a scope for another service: `InvalidSignatureException`, "Credential should be scoped to
//!   correct service: 'execute-api'. " ([ex_aws#701](https://github.com/ex-aws/ex_aws/issues/701),
//!   [aws-sdk-js-v3#1831](https://github.com/aws/aws-sdk-js-v3/issues/1831) for
//!   PostToConnection); another region: "Credential should be scoped to a valid region, not
//!   '...'. " ([aws-sdk-js#792](https://github.com/aws/aws-sdk-js/issues/792));
//! - a signing time more than 5 minutes off: `InvalidSignatureException`, "Signature expired:
//!   ... is now earlier than ... (... - 5 min.)" (PostToConnection:
//!   [cognitect-labs/aws-api#255](https://github.com/cognitect-labs/aws-api/issues/255); Lambda
//!   Invoke: [aws-sdk-js#2598](https://github.com/aws/aws-sdk-js/issues/2598), 403 in
//!   [serverless#27](https://github.com/serverless/serverless/issues/27)) or "Signature not yet
//!   current: ... is still later than ... (... + 5 min.)";
//! - any other mismatch: `InvalidSignatureException`, "The request signature we calculated does
//!   not match the signature you provided. ..." (execute-api: [awscurl#27](https://github.com/okigan/awscurl/issues/27)
//!   and [repost.aws](https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch); Lambda
//!   Invoke: [erlcloud#690](https://github.com/erlcloud/erlcloud/issues/690), whose 192-byte body
//!   is exactly this message).
//!
//! Every one is a 403 with `{"message": "..."}` on both services.
//!
//! Not taken, though AWS takes them: the `Date` header in place of `X-Amz-Date`, and a signature
//! in the query string (a presigned URL, answered as unsigned). The SDKs, the AWS CLI and
//! `aws-sigv4` sign these two APIs in headers, with `X-Amz-Date`.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as SigningCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

/// How far a request's signing time may be from the gateway's clock, either way. Both services
/// answer "(... - 5 min.)" (see the module's sources), not the 15 minutes of some other
/// services (STS, DynamoDB).
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
const DATE_HEADER: &str = "x-amz-date";
const TOKEN_HEADER: &str = "x-amz-security-token";

/// The service a request must be signed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// API Gateway's Management API (`@connections`).
    ExecuteApi,
    /// Lambda's Invoke API.
    Lambda,
}

impl Service {
    /// The name in the credential scope.
    pub fn name(self) -> &'static str {
        match self {
            Service::ExecuteApi => "execute-api",
            Service::Lambda => "lambda",
        }
    }
}

/// The one key pair the gateway accepts, as the local stack gives it to the functions.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
}

/// The secret and the token stay out of logs and panics.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Checks SigV4 signatures against the configured credentials. Without credentials every
/// signed request is refused as AWS refuses an unknown key (and an unsigned one as unsigned):
/// a gateway started without keys must not fall back to taking anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verifier {
    credentials: Option<Credentials>,
    /// The region a scope must name; `None` takes any.
    region: Option<String>,
}

/// The environment variables the credentials and the region are read from, as the AWS SDKs
/// and the AWS CLI read them (the local stack sets them for the gateway and the functions).
pub const ACCESS_KEY_ID_VAR: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_ACCESS_KEY_VAR: &str = "AWS_SECRET_ACCESS_KEY";
pub const SESSION_TOKEN_VAR: &str = "AWS_SESSION_TOKEN";
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

impl Verifier {
    pub fn new(credentials: Option<Credentials>, region: Option<String>) -> Self {
        Self {
            credentials,
            region,
        }
    }

    /// From `var` (the process environment in `main`): no credentials unless both the key id
    /// and the secret are set and not empty; the region from `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        let credentials = match (set(ACCESS_KEY_ID_VAR), set(SECRET_ACCESS_KEY_VAR)) {
            (Some(id), Some(secret)) => Some(Credentials::new(id, secret, set(SESSION_TOKEN_VAR))),
            _ => None,
        };
        let region = REGION_VARS.iter().find_map(|name| set(name));
        Self::new(credentials, region)
    }

    /// The access key requests must be signed with, if any.
    pub fn access_key_id(&self) -> Option<&str> {
        self.credentials
            .as_ref()
            .map(|credentials| credentials.access_key_id.as_str())
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Whether the request `parts` with `body` carries a valid signature for `service`, by the
    /// gateway's clock `now`.
    pub fn verify(
        &self,
        service: Service,
        parts: &Parts,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Refusal> {
        let Some(header) = parts.headers.get("authorization") else {
            return Err(Refusal::MissingToken);
        };
        // Read as text to be parsed and, when incomplete, shown back; bytes that are not UTF-8
        // cannot be part of a valid one anyway.
        let header = String::from_utf8_lossy(header.as_bytes());
        let date = parts
            .headers
            .get(DATE_HEADER)
            .map(|value| String::from_utf8_lossy(value.as_bytes()));
        let authorization = Authorization::parse(&header, date.is_some())?;
        let scope = authorization.scope();
        let Some(credentials) = self
            .credentials
            .as_ref()
            .filter(|credentials| same(scope.access_key_id, &credentials.access_key_id))
        else {
            return Err(Refusal::UnknownKey);
        };
        let Some(scope) = scope.rest else {
            return Err(Refusal::Mismatch);
        };
        if scope.service != service.name() {
            return Err(Refusal::WrongService {
                expected: service.name(),
            });
        }
        if let Some(region) = &self.region
            && scope.region != region
        {
            return Err(Refusal::WrongRegion {
                region: scope.region.to_owned(),
            });
        }
        let date = date.unwrap_or_default();
        let signed_at = parse_basic(&date).ok_or_else(|| Refusal::BadDate(date.to_string()))?;
        check_time(signed_at, now)?;
        let token = parts
            .headers
            .get(TOKEN_HEADER)
            .map(|value| value.as_bytes());
        let token_matches = match (token, &credentials.session_token) {
            (None, None) => true,
            (Some(sent), Some(ours)) => same_bytes(sent, ours.as_bytes()),
            _ => false,
        };
        if !token_matches {
            return Err(Refusal::UnknownKey);
        }
        let headers = signed_headers(parts, authorization.signed_headers)?;
        let expected = expected_signature(
            credentials,
            scope.region,
            service,
            signed_at,
            parts,
            &headers,
            body,
        )
        .ok_or(Refusal::Mismatch)?;
        if same(&expected, authorization.signature) {
            Ok(())
        } else {
            Err(Refusal::Mismatch)
        }
    }
}

/// Why a request was refused; its text is the message AWS answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Missing Authentication Token")]
    MissingToken,
    /// The `Authorization` header is not a complete SigV4 header.
    #[error("{0}")]
    Incomplete(String),
    /// `X-Amz-Date` is not `YYYYMMDD'T'HHMMSS'Z'`. The gateway's own text: AWS's was not found.
    #[error("X-Amz-Date must be in ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z'), not '{0}'.")]
    BadDate(String),
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error("Credential should be scoped to correct service: '{expected}'. ")]
    WrongService { expected: &'static str },
    #[error("Credential should be scoped to a valid region, not '{region}'. ")]
    WrongRegion { region: String },
    /// "5 min." is [`MAX_SKEW`].
    #[error("Signature expired: {signed} is now earlier than {earliest} ({now} - 5 min.)")]
    Expired {
        signed: String,
        earliest: String,
        now: String,
    },
    #[error("Signature not yet current: {signed} is still later than {latest} ({now} + 5 min.)")]
    NotYetCurrent {
        signed: String,
        latest: String,
        now: String,
    },
    #[error(
        "The request signature we calculated does not match the signature you provided. Check \
         your AWS Secret Access Key and signing method. Consult the service documentation for \
         details."
    )]
    Mismatch,
}

impl Refusal {
    /// The error code AWS puts in `x-amzn-ErrorType`, where the SDKs read it.
    pub fn error_type(&self) -> &'static str {
        match self {
            Refusal::MissingToken => "MissingAuthenticationTokenException",
            Refusal::Incomplete(_) | Refusal::BadDate(_) => "IncompleteSignatureException",
            Refusal::UnknownKey => "UnrecognizedClientException",
            Refusal::WrongService { .. }
            | Refusal::WrongRegion { .. }
            | Refusal::Expired { .. }
            | Refusal::NotYetCurrent { .. }
            | Refusal::Mismatch => "InvalidSignatureException",
        }
    }
}

/// The parts of `AWS4-HMAC-SHA256 Credential=<scope>, SignedHeaders=<a;b>, Signature=<hex>`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Refuses as AWS does: a pair without `=` is named, and every missing part (the date
    /// header included) gets its sentence, followed by the header as sent.
    fn parse(header: &'a str, has_date: bool) -> Result<Self, Refusal> {
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        if let Some(pairs) = header
            .strip_prefix(ALGORITHM)
            .filter(|rest| rest.starts_with(' '))
        {
            for pair in pairs.split(',').map(str::trim) {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(Refusal::Incomplete(format!(
                        "'{pair}' not a valid key=value pair (missing equal-sign) in \
                         Authorization header: '{header}'."
                    )));
                };
                match key {
                    "Credential" => credential = Some(value),
                    "SignedHeaders" => signed_headers = Some(value),
                    "Signature" => signature = Some(value),
                    _ => {}
                }
            }
        }
        let mut missing = Vec::new();
        for (name, value) in [
            ("Credential", credential),
            ("Signature", signature),
            ("SignedHeaders", signed_headers),
        ] {
            if value.is_none() {
                missing.push(format!("Authorization header requires '{name}' parameter."));
            }
        }
        if !has_date {
            missing.push(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
                 header."
                    .to_owned(),
            );
        }
        match (credential, signed_headers, signature) {
            (Some(credential), Some(signed_headers), Some(signature)) if missing.is_empty() => {
                Ok(Self {
                    credential,
                    signed_headers,
                    signature,
                })
            }
            _ => Err(Refusal::Incomplete(format!(
                "{} Authorization={header}",
                missing.join(" ")
            ))),
        }
    }

    /// `<key>/<yyyymmdd>/<region>/<service>/aws4_request`.
    fn scope(&self) -> Scope<'a> {
        let (access_key_id, rest) = self
            .credential
            .split_once('/')
            .unwrap_or((self.credential, ""));
        let parts: Vec<&str> = rest.split('/').collect();
        let rest = match parts.as_slice() {
            [_date, region, service, TERMINATOR] => Some(ScopeRest { region, service }),
            _ => None,
        };
        Scope {
            access_key_id,
            rest,
        }
    }
}

struct Scope<'a> {
    access_key_id: &'a str,
    /// `None` when the scope is malformed: no signature can match it. (Its date needs no check
    /// of its own: the expected signature is computed for the scope of `X-Amz-Date`'s day.)
    rest: Option<ScopeRest<'a>>,
}

struct ScopeRest<'a> {
    region: &'a str,
    service: &'a str,
}

/// The signed headers' values as received, each name once with all its values in order, as
/// SigV4's canonical headers take them.
fn signed_headers<'a>(
    parts: &'a Parts,
    names: &'a str,
) -> Result<Vec<(&'a str, &'a str)>, Refusal> {
    let mut signed = Vec::new();
    for name in names.split(';') {
        let mut found = false;
        for value in parts.headers.get_all(name) {
            found = true;
            // A value that is not visible ASCII cannot be put in a canonical request.
            let value = value.to_str().map_err(|_| Refusal::Mismatch)?;
            signed.push((name, value));
        }
        // HTTP/2 carries the host in the `:authority` pseudo-header, which becomes the URI's.
        if !found
            && name.eq_ignore_ascii_case("host")
            && let Some(authority) = parts.uri.authority()
        {
            found = true;
            signed.push((name, authority.as_str()));
        }
        if !found {
            return Err(Refusal::Incomplete(format!(
                "'{name}' is named as a SignedHeader, but it does not exist in the HTTP request."
            )));
        }
    }
    Ok(signed)
}

/// The signature `aws-sigv4` computes for the request as received, or `None` when the crate
/// cannot take it (a header name or path it refuses): then nothing can match.
fn expected_signature(
    credentials: &Credentials,
    region: &str,
    service: Service,
    signed_at: SystemTime,
    parts: &Parts,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<String> {
    let identity = SigningCredentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "local-gateway",
    )
    .into();
    // The SDKs' settings for every service but S3 (double-encoded, normalised path; the body's
    // hash, never a header's claim), except that nothing is left out: exactly the headers the
    // client named are signed, where the crate by default would drop `user-agent` even if named.
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service.name())
        .time(signed_at)
        .settings(settings)
        .build()
        .ok()?
        .into();
    // The authority is never read (the signed `host` header is), but the crate wants an
    // absolute URI to fall back on.
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |path_and_query| path_and_query.as_str());
    let uri = format!("http://local-gateway.invalid{path_and_query}");
    let request = SignableRequest::new(
        parts.method.as_str(),
        uri,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .ok()?;
    let (_instructions, signature) = aws_sigv4::http_request::sign(request, &params)
        .ok()?
        .into_parts();
    Some(signature)
}

fn check_time(signed_at: SystemTime, now: SystemTime) -> Result<(), Refusal> {
    if let Some(earliest) = now.checked_sub(MAX_SKEW)
        && signed_at < earliest
    {
        return Err(Refusal::Expired {
            signed: basic(signed_at),
            earliest: basic(earliest),
            now: basic(now),
        });
    }
    if let Some(latest) = now.checked_add(MAX_SKEW)
        && signed_at > latest
    {
        return Err(Refusal::NotYetCurrent {
            signed: basic(signed_at),
            latest: basic(latest),
            now: basic(now),
        });
    }
    Ok(())
}

/// `20150830T123600Z` (ISO 8601 basic format, what `X-Amz-Date` carries).
fn parse_basic(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes.get(8) == Some(&b'T')
        && bytes.get(15) == Some(&b'Z')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, byte)| i == 8 || i == 15 || byte.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    // Digits at checked positions only: every slice below is in bounds and on char boundaries.
    let extended = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    );
    humantime::parse_rfc3339(&extended).ok()
}

fn basic(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect()
}

/// Constant time in the contents (a length difference shows, which gives nothing away).
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
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
}
