//! Reading one `Type: DynamoDB` event's properties, each refused with its name when the gateway
//! does not emulate the value.

use serde_yaml::Value;

use super::filter::{self, Pattern};
use crate::template::intrinsics;
use crate::template::{Template, TemplateError};

const TABLE: &str = "AWS::DynamoDB::Table";
const DESTINATIONS: [&str; 2] = ["AWS::SQS::Queue", "AWS::SNS::Topic"];

pub(super) fn invalid(source: &str, problem: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        resource: source.to_owned(),
        problem: problem.into(),
    }
}

pub(super) struct Props<'a> {
    pub at: &'a str,
    pub value: &'a Value,
}

impl Props<'_> {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.value.get(key).filter(|value| !value.is_null())
    }

    pub(super) fn text(&self, key: &str) -> Result<Option<&str>, TemplateError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(invalid(
                self.at,
                format!(
                    "{key} must be a plain string, found {}",
                    intrinsics::describe(other)
                ),
            )),
        }
    }

    pub(super) fn boolean(&self, key: &str, default: bool) -> Result<bool, TemplateError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(value)) => Ok(*value),
            Some(_) => Err(invalid(self.at, format!("{key} must be true or false"))),
        }
    }

    pub(super) fn integer(
        &self,
        key: &str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, TemplateError> {
        let value = match self.get(key) {
            None => return Ok(default),
            Some(value) => value.as_i64(),
        };
        value.filter(|n| (min..=max).contains(n)).ok_or_else(|| {
            invalid(
                self.at,
                format!("{key} must be a whole number from {min} to {max}"),
            )
        })
    }
}

/// The table behind `Stream: !GetAtt <Table>.StreamArn`; the table must declare a stream.
pub(super) fn stream_table(
    template: &Template,
    props: &Props<'_>,
) -> Result<String, TemplateError> {
    let refused = || {
        invalid(
            props.at,
            "Stream must be !GetAtt <Table>.StreamArn of a table of this template",
        )
    };
    let stream = props.get("Stream").ok_or_else(refused)?;
    let call = intrinsics::intrinsic(stream).ok_or_else(refused)?;
    if call.name != "GetAtt" {
        return Err(refused());
    }
    let reference = intrinsics::references(stream)
        .into_iter()
        .next()
        .ok_or_else(refused)?;
    if reference.attribute.as_deref() != Some("StreamArn")
        || template.resource_type(&reference.logical_id) != Some(TABLE)
    {
        return Err(refused());
    }
    let table = template
        .tables()
        .into_iter()
        .find(|table| table.logical_id == reference.logical_id)
        .ok_or_else(refused)?;
    if table.properties.get("StreamSpecification").is_none() {
        return Err(invalid(
            props.at,
            format!("table {} has no StreamSpecification", table.logical_id),
        ));
    }
    Ok(table.name)
}

pub(super) fn response_types(props: &Props<'_>) -> Result<bool, TemplateError> {
    let Some(types) = props.get("FunctionResponseTypes") else {
        return Ok(false);
    };
    let types = types
        .as_sequence()
        .ok_or_else(|| invalid(props.at, "FunctionResponseTypes must be a list"))?;
    match types.as_slice() {
        [] => Ok(false),
        [one] if one.as_str() == Some("ReportBatchItemFailures") => Ok(true),
        _ => Err(invalid(
            props.at,
            "FunctionResponseTypes may only hold ReportBatchItemFailures",
        )),
    }
}

pub(super) fn filters(props: &Props<'_>) -> Result<Vec<Pattern>, TemplateError> {
    let Some(criteria) = props.get("FilterCriteria") else {
        return Ok(Vec::new());
    };
    let list = criteria
        .get("Filters")
        .and_then(Value::as_sequence)
        .ok_or_else(|| invalid(props.at, "FilterCriteria needs a Filters list"))?;
    if list.len() > 5 {
        return Err(invalid(
            props.at,
            "FilterCriteria holds at most 5 filters (the AWS quota)",
        ));
    }
    list.iter()
        .map(|filter| {
            let text = filter
                .get("Pattern")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(props.at, "each filter needs a Pattern string"))?;
            filter::parse(text).map_err(|error| invalid(props.at, error.to_string()))
        })
        .collect()
}

pub(super) fn on_failure(
    template: &Template,
    props: &Props<'_>,
) -> Result<Option<String>, TemplateError> {
    let Some(config) = props.get("DestinationConfig") else {
        return Ok(None);
    };
    let refused = || {
        invalid(
            props.at,
            "DestinationConfig.OnFailure.Destination must be !GetAtt <Queue>.Arn or !Ref <Topic> of this template",
        )
    };
    if let Some(map) = config.as_mapping()
        && map.keys().any(|key| key.as_str() != Some("OnFailure"))
    {
        return Err(invalid(
            props.at,
            "DestinationConfig may only hold OnFailure",
        ));
    }
    let destination = config
        .get("OnFailure")
        .and_then(|on_failure| on_failure.get("Destination"))
        .ok_or_else(refused)?;
    let target = intrinsics::references(destination)
        .into_iter()
        .next()
        .ok_or_else(refused)?;
    match template.resource_type(&target.logical_id) {
        Some(kind) if DESTINATIONS.contains(&kind) => Ok(Some(target.logical_id)),
        _ => Err(refused()),
    }
}
