//! The HTTP API's CORS configuration (`CorsConfiguration` of the template's
//! `AWS::Serverless::HttpApi`), applied as API Gateway applies it: a preflight `OPTIONS` (one
//! with `Origin` and `Access-Control-Request-Method`) is answered by the gateway itself with
//! 204, whatever the routes; an allowed origin gets the configured `access-control-*` headers,
//! any other origin none. On other responses the integration's own `access-control-*` headers
//! are dropped and, for an allowed `Origin`, the configured ones added.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_yaml::Value;

use crate::template::intrinsics;
use crate::template::{Template, TemplateError};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfig {
    /// Exact origins, `*`, or patterns with one `*` (`https://*`, `https://*.example.com`).
    pub allow_origins: Vec<String>,
    /// Upper-case methods, or `*`.
    pub allow_methods: Vec<String>,
    /// Lower-case header names, or `*`.
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    pub allow_credentials: bool,
}

impl CorsConfig {
    /// The configuration of the template's HTTP API, if it has one. `CorsConfiguration: true`
    /// is SAM's shorthand for any origin.
    pub fn from_template(template: &Template) -> Result<Option<Self>, TemplateError> {
        let Some((api, value)) = template.http_api_cors()? else {
            return Ok(None);
        };
        let problem = |what: String| TemplateError::Invalid {
            resource: api.clone(),
            problem: format!("CorsConfiguration: {what}"),
        };
        let config = match value {
            Value::Bool(false) => return Ok(None),
            Value::Bool(true) => Self {
                allow_origins: vec!["*".to_owned()],
                ..Self::default()
            },
            Value::Mapping(_) => {
                let list = |name: &str| -> Result<Vec<String>, TemplateError> {
                    match value.get(name) {
                        None | Some(Value::Null) => Ok(Vec::new()),
                        Some(Value::Sequence(items)) => items
                            .iter()
                            .map(|item| {
                                text(template, item).ok_or_else(|| {
                                    problem(format!(
                                        "{name} entry {} cannot be resolved locally",
                                        intrinsics::describe(item)
                                    ))
                                })
                            })
                            .collect(),
                        Some(other) => Err(problem(format!(
                            "{name} is {}, not a list",
                            intrinsics::describe(other)
                        ))),
                    }
                };
                let max_age = match value.get("MaxAge") {
                    None | Some(Value::Null) => None,
                    Some(age) => Some(
                        text(template, age)
                            .and_then(|age| age.parse().ok())
                            .ok_or_else(|| problem("MaxAge is not a number".to_owned()))?,
                    ),
                };
                Self {
                    allow_origins: list("AllowOrigins")?,
                    allow_methods: upper(list("AllowMethods")?),
                    allow_headers: lower(list("AllowHeaders")?),
                    expose_headers: lower(list("ExposeHeaders")?),
                    max_age,
                    allow_credentials: value.get("AllowCredentials").and_then(Value::as_bool)
                        == Some(true),
                }
            }
            other => {
                return Err(problem(format!(
                    "{} is neither a map nor a boolean",
                    intrinsics::describe(&other)
                )));
            }
        };
        Ok(Some(config))
    }

    /// The gateway's own answer when `method` and `headers` make a preflight request.
    pub fn preflight(&self, method: &Method, headers: &HeaderMap) -> Option<Response> {
        if method != Method::OPTIONS {
            return None;
        }
        let origin = headers.get(header::ORIGIN)?;
        let requested = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD)?;
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let Some(allow_origin) = self.allowed_origin(origin) else {
            return Some(response);
        };
        if !allowed(&self.allow_methods, requested.to_str().unwrap_or_default()) {
            return Some(response);
        }
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        let methods = echo_or_join(&self.allow_methods, Some(requested));
        insert(out, header::ACCESS_CONTROL_ALLOW_METHODS, methods);
        let asked = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS);
        let allow_headers = echo_or_join(&self.allow_headers, asked);
        insert(out, header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
        if let Some(age) = self.max_age {
            insert(out, header::ACCESS_CONTROL_MAX_AGE, Some(age.to_string()));
        }
        self.credentials(out);
        Some(response)
    }

    /// Replaces whatever CORS headers the integration set with the configured ones.
    pub fn decorate(&self, request_headers: &HeaderMap, response: &mut Response) {
        let out = response.headers_mut();
        let theirs: Vec<HeaderName> = out
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in theirs {
            out.remove(name);
        }
        let Some(origin) = request_headers.get(header::ORIGIN) else {
            return;
        };
        let Some(allow_origin) = self.allowed_origin(origin) else {
            return;
        };
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        let expose = (!self.expose_headers.is_empty()).then(|| self.expose_headers.join(","));
        insert(out, header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
        self.credentials(out);
    }

    /// `*` when any origin is allowed (and credentials are not), else the origin itself.
    fn allowed_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        let text = origin.to_str().ok()?;
        let any = self.allow_origins.iter().any(|o| o == "*");
        if any && !self.allow_credentials {
            return Some(HeaderValue::from_static("*"));
        }
        self.allow_origins
            .iter()
            .any(|pattern| origin_matches(pattern, text))
            .then(|| origin.clone())
    }

    fn credentials(&self, out: &mut HeaderMap) {
        if self.allow_credentials {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

/// `pattern` is an origin, `*`, or an origin with one `*` standing for any run of characters.
fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern.eq_ignore_ascii_case(origin),
        Some((prefix, suffix)) => {
            let origin = origin.to_ascii_lowercase();
            origin.len() >= prefix.len() + suffix.len()
                && origin.starts_with(&prefix.to_ascii_lowercase())
                && origin.ends_with(&suffix.to_ascii_lowercase())
        }
    }
}

fn allowed(configured: &[String], requested: &str) -> bool {
    configured
        .iter()
        .any(|item| item == "*" || item.eq_ignore_ascii_case(requested))
}

/// The configured list, or what the browser asked for when the list is `*`.
fn echo_or_join(configured: &[String], asked: Option<&HeaderValue>) -> Option<String> {
    if configured.iter().any(|item| item == "*") {
        return asked
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
    }
    (!configured.is_empty()).then(|| configured.join(","))
}

fn insert(out: &mut HeaderMap, name: HeaderName, value: Option<String>) {
    if let Some(value) = value.and_then(|value| HeaderValue::from_str(&value).ok()) {
        out.insert(name, value);
    }
}

/// A plain scalar, or `!Ref` of a parameter with a `Default`.
fn text(template: &Template, value: &Value) -> Option<String> {
    let value = match intrinsics::ref_target(value) {
        Some(parameter) => template.parameter_default(parameter).flatten()?,
        None => value,
    };
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn upper(items: Vec<String>) -> Vec<String> {
    items.into_iter().map(|i| i.to_ascii_uppercase()).collect()
}

fn lower(items: Vec<String>) -> Vec<String> {
    items.into_iter().map(|i| i.to_ascii_lowercase()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  Origin: {Type: String, Default: "https://app.example.com"}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [!Ref Origin, "https://*.example.org"]
        AllowMethods: [get, POST]
        AllowHeaders: [Authorization, content-type]
        ExposeHeaders: [x-request-id]
        MaxAge: 600
"#;

    fn config() -> CorsConfig {
        CorsConfig::from_template(&Template::parse(TEMPLATE).unwrap())
            .unwrap()
            .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn reads_the_template_with_parameters_resolved() {
        assert_eq!(
            config(),
            CorsConfig {
                allow_origins: vec![
                    "https://app.example.com".into(),
                    "https://*.example.org".into()
                ],
                allow_methods: vec!["GET".into(), "POST".into()],
                allow_headers: vec!["authorization".into(), "content-type".into()],
                expose_headers: vec!["x-request-id".into()],
                max_age: Some(600),
                allow_credentials: false,
            }
        );
        let none = Template::parse("Resources: {Api: {Type: AWS::Serverless::HttpApi}}").unwrap();
        assert_eq!(CorsConfig::from_template(&none).unwrap(), None);
    }

    #[test]
    fn origins_match_exactly_or_by_pattern() {
        let config = config();
        let allowed = |origin: &str| config.allowed_origin(&HeaderValue::from_str(origin).unwrap());
        assert!(allowed("https://app.example.com").is_some());
        assert!(allowed("https://chat.example.org").is_some());
        assert!(allowed("https://example.org").is_none());
        assert!(allowed("http://app.example.com").is_none());
        assert!(allowed("https://evil.com").is_none());
    }

    #[test]
    fn a_preflight_needs_origin_and_requested_method() {
        let config = config();
        let plain = headers(&[("origin", "https://app.example.com")]);
        assert!(config.preflight(&Method::OPTIONS, &plain).is_none());
        let asking = headers(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "POST"),
        ]);
        assert!(config.preflight(&Method::GET, &asking).is_none());
        let response = config.preflight(&Method::OPTIONS, &asking).unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            response.headers()["access-control-allow-methods"],
            "GET,POST"
        );
        let wrong_method = headers(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "DELETE"),
        ]);
        let response = config.preflight(&Method::OPTIONS, &wrong_method).unwrap();
        assert!(response.headers().is_empty());
    }
}
