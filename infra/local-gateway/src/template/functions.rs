//! Functions: binary names, environment, and the events each declares.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_yaml::{Mapping, Value};

use super::{FUNCTION, Resource, Template, TemplateError, intrinsics, invalid};

/// Lambda's `Timeout` for a function whose template sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Lambda's longest `Timeout`.
const MAX_TIMEOUT_SECS: f64 = 900.0;

/// An `AWS::Serverless::Function`.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub logical_id: String,
    /// The name `cargo lambda watch` serves the function under.
    pub binary: String,
    pub environment: BTreeMap<String, Value>,
}

/// One `Schedule` event of a function, as written (the expression is read by
/// [`crate::sources::schedule`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleEventDef {
    /// `<function logical id><event name>`, the rule name SAM derives.
    pub rule: String,
    pub function: String,
    /// `rate(...)` or `cron(...)`.
    pub expression: String,
    pub enabled: bool,
    /// `Input`: the JSON text EventBridge sends instead of the scheduled event.
    pub input: Option<String>,
}

/// One event of a function, of any type, with its `Properties` (`Null` when absent).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionEvent {
    pub function_id: String,
    pub binary: String,
    pub name: String,
    pub properties: Value,
}

impl Template {
    pub fn functions(&self) -> Result<Vec<Function>, TemplateError> {
        self.resources_of(FUNCTION)
            .map(|(id, resource)| {
                let environment = match resource
                    .property("Environment")
                    .and_then(|env| env.get("Variables"))
                {
                    None | Some(Value::Null) => BTreeMap::new(),
                    Some(Value::Mapping(vars)) => variables(vars, id)?,
                    Some(_) => return Err(invalid(id, "Environment.Variables is not a map")),
                };
                Ok(Function {
                    logical_id: id.to_owned(),
                    binary: binary_of(id, resource)?,
                    environment,
                })
            })
            .collect()
    }

    pub(super) fn function_binary(&self, logical_id: &str) -> Result<String, TemplateError> {
        match self.resources.get(logical_id) {
            Some(resource) if resource.kind == FUNCTION => binary_of(logical_id, resource),
            _ => Err(invalid(logical_id, "is not an AWS::Serverless::Function")),
        }
    }

    /// Every event of type `kind` of every function: (function id, function, event name, the
    /// event's `Properties`).
    pub(super) fn function_events<'a>(
        &'a self,
        kind: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Resource, &'a str, Option<&'a Value>)> {
        self.resources_of(FUNCTION).flat_map(move |(id, resource)| {
            resource
                .property("Events")
                .and_then(Value::as_mapping)
                .into_iter()
                .flatten()
                .filter(move |(_, event)| event.get("Type").and_then(Value::as_str) == Some(kind))
                .map(move |(name, event)| {
                    let name = name.as_str().unwrap_or("?");
                    (id, resource, name, event.get("Properties"))
                })
        })
    }

    /// Every event of type `kind` of every function, as written; the caller reads the
    /// properties (the DynamoDB stream sources in [`crate::sources::streams`]).
    pub(crate) fn events_of(&self, kind: &str) -> Result<Vec<FunctionEvent>, TemplateError> {
        self.function_events(kind)
            .map(|(id, resource, name, props)| {
                Ok(FunctionEvent {
                    function_id: id.to_owned(),
                    binary: binary_of(id, resource)?,
                    name: name.to_owned(),
                    properties: props.cloned().unwrap_or(Value::Null),
                })
            })
            .collect()
    }

    /// Every `Schedule` event of every function.
    pub fn schedule_events(&self) -> Result<Vec<ScheduleEventDef>, TemplateError> {
        self.function_events("Schedule")
            .map(|(id, resource, name, props)| {
                let text = |key: &str| props.and_then(|p| p.get(key)).and_then(Value::as_str);
                let expression = text("Schedule").ok_or_else(|| {
                    invalid(
                        &format!("{id} event {name}"),
                        "Schedule must be a plain string",
                    )
                })?;
                let enabled = props
                    .and_then(|p| p.get("Enabled"))
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
                    && text("State") != Some("DISABLED");
                Ok(ScheduleEventDef {
                    rule: format!("{id}{name}"),
                    function: binary_of(id, resource)?,
                    expression: expression.to_owned(),
                    enabled,
                    input: text("Input").map(str::to_owned),
                })
            })
            .collect()
    }
}

pub(super) fn binary_of(id: &str, resource: &Resource) -> Result<String, TemplateError> {
    match resource
        .body
        .get("Metadata")
        .and_then(|m| m.get("BuildProperties"))
        .and_then(|b| b.get("Binary"))
    {
        None | Some(Value::Null) => Ok(id.to_lowercase()),
        Some(Value::String(binary)) if !binary.is_empty() => Ok(binary.clone()),
        Some(_) => Err(invalid(
            id,
            "Metadata.BuildProperties.Binary is not a non-empty string",
        )),
    }
}

pub(super) fn variables(
    map: &Mapping,
    owner: &str,
) -> Result<BTreeMap<String, Value>, TemplateError> {
    map.iter()
        .map(|(key, value)| match key.as_str() {
            Some(key) => Ok((key.to_owned(), value.clone())),
            None => Err(invalid(
                owner,
                format!("environment variable name {key:?} is not a string"),
            )),
        })
        .collect()
}

impl Template {
    /// Each function's `Timeout` by binary: its own, else `Globals.Function.Timeout`, else
    /// Lambda's default.
    pub fn function_timeouts(&self) -> Result<BTreeMap<String, Duration>, TemplateError> {
        let global = match &self.global_timeout {
            None | Some(Value::Null) => None,
            Some(value) => Some(self.timeout("Globals", value)?),
        };
        let mut timeouts = BTreeMap::new();
        for (id, resource) in self.resources_of(FUNCTION) {
            let own = match resource.property("Timeout") {
                None | Some(Value::Null) => None,
                Some(value) => Some(self.timeout(id, value)?),
            };
            let timeout = own.or(global).unwrap_or(DEFAULT_TIMEOUT);
            // Two functions on one binary: the longer bound, so that neither is cut short.
            let bound = timeouts.entry(binary_of(id, resource)?).or_insert(timeout);
            *bound = (*bound).max(timeout);
        }
        Ok(timeouts)
    }

    fn timeout(&self, owner: &str, value: &Value) -> Result<Duration, TemplateError> {
        self.number(value)
            .filter(|secs| secs.fract() == 0.0 && (1.0..=MAX_TIMEOUT_SECS).contains(secs))
            .map(|secs| Duration::from_secs(secs as u64))
            .ok_or_else(|| {
                invalid(
                    owner,
                    format!(
                        "Timeout must be a whole number of seconds from 1 to 900, found {}",
                        intrinsics::describe(value)
                    ),
                )
            })
    }
}
