use std::collections::HashMap;

use chat_core::error::{Error, Result};
use chat_core::idempotency::{self, IdempotencyKey, Keyed};
use chat_core::input;
use lambda_http::http::Method;
use lambda_http::request::RequestContext;
use lambda_http::{Body as LambdaBody, RequestExt};

/// The contract's limit on request bodies.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A REST request, reduced to what handlers need and independent of the Lambda event types.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// Decoded path segments, empty ones dropped, so `/users/` and `/users` are the same route.
    pub segments: Vec<String>,
    pub query: HashMap<String, String>,
    pub body: Vec<u8>,
    pub authorization: Option<String>,
    /// The `Idempotency-Key` header, unchecked.
    pub idempotency_key: Option<String>,
    pub request_id: String,
    /// The client's address as API Gateway saw it (`requestContext.http.sourceIp`).
    pub source_ip: Option<String>,
}

impl ApiRequest {
    pub fn from_lambda(req: lambda_http::Request) -> Self {
        let request_id = req
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .unwrap_or_default();
        let query = req
            .query_string_parameters_ref()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let source_ip = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
            _ => None,
        };
        let (parts, body) = req.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let authorization = header("authorization");
        let idempotency_key = header(idempotency::HEADER);
        let body = match body {
            LambdaBody::Empty => Vec::new(),
            LambdaBody::Text(text) => text.into_bytes(),
            LambdaBody::Binary(bytes) => bytes,
            _ => Vec::new(),
        };
        ApiRequest {
            method: parts.method,
            segments: split_path(parts.uri.path()),
            query,
            body,
            authorization,
            idempotency_key,
            request_id,
            source_ip,
        }
    }

    /// The request with its `Idempotency-Key`, if it has one; 422 for a key that cannot be one.
    pub fn keyed(&self) -> Result<Option<Keyed>> {
        let Some(header) = self.idempotency_key.as_deref() else {
            return Ok(None);
        };
        let key = IdempotencyKey::parse(header)?;
        let keyed = Keyed::new(key, self.method.as_str(), &self.segments(), &self.body);
        Ok(Some(keyed))
    }

    /// The client's address, for per-address limits; one shared bucket when API Gateway gave
    /// none (a direct invocation).
    pub fn client_ip(&self) -> &str {
        self.source_ip.as_deref().unwrap_or("unknown")
    }

    pub fn segments(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The body as `T`: 413 over 64 KiB, 400 when not a JSON object, 422 naming the field that
    /// does not fit `T`.
    pub fn body<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(Error::PayloadTooLarge);
        }
        input::body(&self.body)
    }

    /// The query parameters as `T`; 422 naming the parameter that does not fit.
    pub fn query_as<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        input::query(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The bearer token of the `Authorization` header; 401 when there is none.
    pub fn bearer(&self) -> Result<&str> {
        let value = self.authorization.as_deref().ok_or(Error::Unauthorized)?;
        let (scheme, token) = value.split_once(' ').ok_or(Error::Unauthorized)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(Error::Unauthorized);
        }
        Ok(token)
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            urlencoding::decode(s)
                .map(|d| d.into_owned())
                .unwrap_or_else(|_| s.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_and_encoding_do_not_matter() {
        assert_eq!(split_path("/users/"), vec!["users"]);
        assert_eq!(split_path("/users"), vec!["users"]);
        assert_eq!(split_path("/users/a%20b/"), vec!["users", "a b"]);
    }

    #[test]
    fn bearer_tokens() {
        let mut req = ApiRequest {
            method: Method::GET,
            segments: vec![],
            query: HashMap::new(),
            body: vec![],
            authorization: Some("Bearer abc".into()),
            idempotency_key: None,
            request_id: String::new(),
            source_ip: None,
        };
        assert_eq!(req.bearer().ok(), Some("abc"));
        req.authorization = Some("Basic abc".into());
        assert!(req.bearer().is_err());
        req.authorization = Some("Bearer ".into());
        assert!(req.bearer().is_err());
        req.authorization = None;
        assert!(req.bearer().is_err());
    }
}
