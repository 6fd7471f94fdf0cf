//! The template's `Type: DynamoDB` events, read into the settings of one event source mapping
//! each. What the gateway does not emulate is refused here, at start, with the property named.

use std::time::Duration;

use super::filter::Pattern;
use super::props::{Props, filters, invalid, on_failure, response_types, stream_table};
use crate::template::{Template, TemplateError};

/// The properties the gateway reads; any other one is refused.
const KNOWN: [&str; 12] = [
    "Stream",
    "StartingPosition",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
    "FilterCriteria",
    "DestinationConfig",
    "Enabled",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartingPosition {
    /// Records written after the gateway started.
    Latest,
    /// Every record the stream still holds.
    TrimHorizon,
}

/// One DynamoDB event source mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSource {
    /// `<function logical id><event name>`, as SAM names the mapping.
    pub name: String,
    /// The binary `cargo lambda watch` serves the function under.
    pub function: String,
    /// The local name of the table whose stream is read.
    pub table: String,
    pub starting_position: StartingPosition,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub parallelization: usize,
    /// `None`: retried until the record is too old (AWS's -1).
    pub max_retries: Option<u32>,
    /// `None`: no age limit (AWS's -1; the stream's own 24 h retention is not emulated).
    pub max_record_age: Option<Duration>,
    pub bisect_on_error: bool,
    pub report_item_failures: bool,
    /// A record passes when any matches; no filters pass everything.
    pub filters: Vec<Pattern>,
    /// `DestinationConfig.OnFailure.Destination`: the logical id of the queue or topic.
    pub on_failure: Option<String>,
}

/// Every enabled `Type: DynamoDB` event of the template.
pub fn from_template(template: &Template) -> Result<Vec<StreamSource>, TemplateError> {
    let mut sources = Vec::new();
    for event in template.events_of("DynamoDB")? {
        let name = format!("{}{}", event.function_id, event.name);
        let at = format!("{} event {}", event.function_id, event.name);
        let props = Props {
            at: &at,
            value: &event.properties,
        };
        if let Some(map) = event.properties.as_mapping() {
            for key in map.keys() {
                let key = key.as_str().unwrap_or("?");
                if !KNOWN.contains(&key) {
                    return Err(invalid(
                        &at,
                        format!("{key} is not emulated by the local gateway"),
                    ));
                }
            }
        }
        if !props.boolean("Enabled", true)? {
            continue;
        }
        sources.push(StreamSource {
            name,
            function: event.binary,
            table: stream_table(template, &props)?,
            starting_position: match props.text("StartingPosition")? {
                Some("LATEST") => StartingPosition::Latest,
                Some("TRIM_HORIZON") => StartingPosition::TrimHorizon,
                Some(other) => {
                    return Err(invalid(
                        &at,
                        format!(
                            "StartingPosition {other} is not emulated (LATEST or TRIM_HORIZON)"
                        ),
                    ));
                }
                None => return Err(invalid(&at, "StartingPosition is required")),
            },
            batch_size: props.integer("BatchSize", 100, 1, 10_000)? as usize,
            batching_window: Duration::from_secs(props.integer(
                "MaximumBatchingWindowInSeconds",
                0,
                0,
                300,
            )? as u64),
            parallelization: props.integer("ParallelizationFactor", 1, 1, 10)? as usize,
            max_retries: match props.integer("MaximumRetryAttempts", -1, -1, 10_000)? {
                -1 => None,
                n => Some(n as u32),
            },
            max_record_age: match props.integer("MaximumRecordAgeInSeconds", -1, -1, 604_800)? {
                -1 => None,
                n if n < 60 => {
                    return Err(invalid(
                        &at,
                        "MaximumRecordAgeInSeconds must be -1 or at least 60",
                    ));
                }
                n => Some(Duration::from_secs(n as u64)),
            },
            bisect_on_error: props.boolean("BisectBatchOnFunctionError", false)?,
            report_item_failures: response_types(&props)?,
            filters: filters(&props)?,
            on_failure: on_failure(template, &props)?,
        });
    }
    Ok(sources)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sources::streams::filter;

    /// The lead's template entries, as issue 13 adds them.
    const TEMPLATE: &str = r#"
Resources:
  MessagesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: chat-messages
      StreamSpecification:
        StreamViewType: NEW_IMAGE
  PlainTable:
    Type: AWS::DynamoDB::Table
  DeliveryFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildMethod: rust-cargolambda, BuildProperties: { Binary: delivery } }
    Properties:
      Events:
        MessageChanges:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt MessagesTable.StreamArn
            StartingPosition: LATEST
            BatchSize: 100
            MaximumBatchingWindowInSeconds: 0
            ParallelizationFactor: 10
            MaximumRetryAttempts: 5
            MaximumRecordAgeInSeconds: 3600
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"dynamodb": {"NewImage": {"fanout": {"S": ["stream"]}}}}'
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt DeliveryDeadLetterQueue.Arn
  DeliveryDeadLetterQueue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
"#;

    fn with(from: &str, to: &str) -> Result<Vec<StreamSource>, TemplateError> {
        assert!(TEMPLATE.contains(from), "{from}");
        from_template(&Template::parse(&TEMPLATE.replace(from, to)).unwrap())
    }

    #[test]
    fn reads_the_templates_stream_event() {
        let sources = from_template(&Template::parse(TEMPLATE).unwrap()).unwrap();
        assert_eq!(
            sources,
            vec![StreamSource {
                name: "DeliveryFunctionMessageChanges".into(),
                function: "delivery".into(),
                table: "chat-messages".into(),
                starting_position: StartingPosition::Latest,
                batch_size: 100,
                batching_window: Duration::ZERO,
                parallelization: 10,
                max_retries: Some(5),
                max_record_age: Some(Duration::from_secs(3600)),
                bisect_on_error: true,
                report_item_failures: true,
                filters: vec![
                    filter::parse(r#"{"dynamodb": {"NewImage": {"fanout": {"S": ["stream"]}}}}"#)
                        .unwrap()
                ],
                on_failure: Some("DeliveryDeadLetterQueue".into()),
            }]
        );
    }

    #[test]
    fn defaults_follow_aws() {
        let minimal = r#"
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties: { StreamSpecification: { StreamViewType: KEYS_ONLY } }
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E:
          Type: DynamoDB
          Properties: { Stream: { "Fn::GetAtt": [T, StreamArn] }, StartingPosition: TRIM_HORIZON }
        Off:
          Type: DynamoDB
          Properties: { Stream: !GetAtt T.StreamArn, StartingPosition: LATEST, Enabled: false }
"#;
        let sources = from_template(&Template::parse(minimal).unwrap()).unwrap();
        let [source] = sources.as_slice() else {
            panic!("{sources:?}")
        };
        assert_eq!(source.table, "T");
        assert_eq!(source.starting_position, StartingPosition::TrimHorizon);
        assert_eq!(source.batch_size, 100);
        assert_eq!(source.parallelization, 1);
        assert_eq!(source.max_retries, None);
        assert_eq!(source.max_record_age, None);
        assert!(!source.bisect_on_error && !source.report_item_failures);
        assert!(source.filters.is_empty() && source.on_failure.is_none());
    }

    #[test]
    fn refuses_what_is_not_emulated() {
        for (from, to, says) in [
            (
                "BatchSize: 100",
                "TumblingWindowInSeconds: 60",
                "TumblingWindowInSeconds",
            ),
            ("BatchSize: 100", "BatchSize: 0", "BatchSize"),
            (
                "ParallelizationFactor: 10",
                "ParallelizationFactor: 11",
                "ParallelizationFactor",
            ),
            (
                "MaximumRecordAgeInSeconds: 3600",
                "MaximumRecordAgeInSeconds: 10",
                "at least 60",
            ),
            (
                "StartingPosition: LATEST",
                "StartingPosition: AT_TIMESTAMP",
                "AT_TIMESTAMP",
            ),
            (
                "StartingPosition: LATEST",
                "Enabled: true",
                "StartingPosition is required",
            ),
            (
                "!GetAtt MessagesTable.StreamArn",
                "arn:aws:dynamodb:x",
                "Stream must be",
            ),
            (
                "!GetAtt MessagesTable.StreamArn",
                "!GetAtt MessagesTable.Arn",
                "Stream must be",
            ),
            (
                "!GetAtt MessagesTable.StreamArn",
                "!GetAtt PlainTable.StreamArn",
                "no StreamSpecification",
            ),
            (
                "[ReportBatchItemFailures]",
                "[Other]",
                "FunctionResponseTypes",
            ),
            (
                r#"{"S": ["stream"]}"#,
                r#"{"S": [{"suffix": "m"}]}"#,
                "not supported",
            ),
            (
                "!GetAtt DeliveryDeadLetterQueue.Arn",
                "!GetAtt MessagesTable.Arn",
                "Destination",
            ),
            ("OnFailure:", "OnSuccess:", "OnFailure"),
        ] {
            let error = with(from, to).unwrap_err().to_string();
            assert!(
                error.contains("DeliveryFunction event MessageChanges") && error.contains(says),
                "{to}: {error}"
            );
        }
    }
}
