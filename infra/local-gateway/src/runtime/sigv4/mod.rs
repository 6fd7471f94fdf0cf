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

/// Constant time in the contents (a length difference shows, which gives nothing away).
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

mod header;
#[cfg(test)]
mod tests;

use header::{Authorization, check_time, parse_basic, signed_headers};
