//! The subset of an AWS SAM template the local stack runs from: functions (binary names and
//! environment), DynamoDB tables, HTTP API routes and the WebSocket API's routes.
//!
//! The template is parsed once; route and environment extraction are separate calls so that a
//! problem in, say, a WebSocket route does not stop `tables` or `env` from working.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

pub mod env;
mod functions;
mod http;
pub mod intrinsics;
mod storage;
#[cfg(test)]
mod tests;
mod websocket;

use functions::variables;
pub use functions::{DEFAULT_TIMEOUT, Function, ScheduleEventDef};
pub use http::HttpRouteDef;
pub use storage::Table;
pub use websocket::{WebSocketApiDef, WebSocketRouteDef};

const FUNCTION: &str = "AWS::Serverless::Function";
const TABLE: &str = "AWS::DynamoDB::Table";
const BUCKET: &str = "AWS::S3::Bucket";
const V2_API: &str = "AWS::ApiGatewayV2::Api";
const HTTP_API: &str = "AWS::Serverless::HttpApi";
const V2_ROUTE: &str = "AWS::ApiGatewayV2::Route";
const V2_INTEGRATION: &str = "AWS::ApiGatewayV2::Integration";
const V2_STAGE: &str = "AWS::ApiGatewayV2::Stage";

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template has no `Resources` map")]
    NoResources,
    #[error("resource {resource}: {problem}")]
    Invalid { resource: String, problem: String },
    #[error(
        "the template declares {count} WebSocket APIs ({ids}); the local gateway serves exactly one at /ws"
    )]
    SeveralWebSocketApis { count: usize, ids: String },
}

fn invalid(resource: &str, problem: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        resource: resource.to_owned(),
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
struct Resource {
    kind: String,
    body: Mapping,
}

impl Resource {
    fn properties(&self) -> Option<&Value> {
        self.body.get("Properties")
    }

    fn property(&self, name: &str) -> Option<&Value> {
        self.properties().and_then(|props| props.get(name))
    }
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    resources: BTreeMap<String, Resource>,
    parameters: Mapping,
    global_environment: Mapping,
    /// `Globals.Function.Timeout`, as written.
    global_timeout: Option<Value>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let document: Value = serde_yaml::from_str(text)?;
        let resources_map = document
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or(TemplateError::NoResources)?;
        let mut resources = BTreeMap::new();
        for (id, body) in resources_map {
            let id = id
                .as_str()
                .ok_or_else(|| invalid(&format!("{id:?}"), "logical id is not a string"))?;
            let body = body
                .as_mapping()
                .ok_or_else(|| invalid(id, "definition is not a map"))?;
            let kind = body
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(id, "has no `Type`"))?;
            resources.insert(
                id.to_owned(),
                Resource {
                    kind: kind.to_owned(),
                    body: body.clone(),
                },
            );
        }
        let parameters = document
            .get("Parameters")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        let globals = document.get("Globals").and_then(|g| g.get("Function"));
        let global_environment = globals
            .and_then(|f| f.get("Environment"))
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        let global_timeout = globals.and_then(|f| f.get("Timeout")).cloned();
        Ok(Self {
            resources,
            parameters,
            global_environment,
            global_timeout,
        })
    }

    fn resources_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Resource)> {
        self.resources
            .iter()
            .filter(move |(_, resource)| resource.kind == kind)
            .map(|(id, resource)| (id.as_str(), resource))
    }

    fn is(&self, logical_id: &str, kind: &str) -> bool {
        self.resources
            .get(logical_id)
            .is_some_and(|resource| resource.kind == kind)
    }

    /// `Globals.Function.Environment.Variables`.
    pub fn global_environment(&self) -> Result<BTreeMap<String, Value>, TemplateError> {
        variables(&self.global_environment, "Globals")
    }

    /// The `Default` of a template parameter; `Some(None)` for a parameter without one.
    pub fn parameter_default(&self, name: &str) -> Option<Option<&Value>> {
        self.parameters
            .get(name)
            .map(|parameter| parameter.get("Default"))
    }

    /// A number, a numeric string, or `!Ref` of a parameter whose `Default` is one.
    pub fn number(&self, value: &Value) -> Option<f64> {
        let value = match intrinsics::ref_target(value) {
            Some(parameter) => self.parameter_default(parameter).flatten()?,
            None => value,
        };
        match value {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The `Type` of a resource, when `logical_id` is one.
    pub(crate) fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .get(logical_id)
            .map(|resource| resource.kind.as_str())
    }
}
