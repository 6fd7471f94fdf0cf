//! The subset of Lambda's event filtering (`FilterCriteria.Filters[].Pattern`) the gateway
//! applies to stream records: nested objects that end in arrays of allowed values, where a value
//! is a string, number, boolean or null, `{"exists": true|false}` or `{"prefix": "..."}`. A
//! record passes when any filter matches it; anything else in a pattern is refused at start so
//! that a filter never silently passes records AWS would drop.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// Every field must match.
    Object(Vec<(String, Pattern)>),
    /// One of the allowed values.
    Leaf(Vec<Matcher>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Equals(Value),
    Exists(bool),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter pattern {pattern}: {problem}")]
pub struct FilterError {
    pub pattern: String,
    pub problem: String,
}

/// Reads one `Pattern` (JSON text); its top level must be an object.
pub fn parse(text: &str) -> Result<Pattern, FilterError> {
    let error = |problem: String| FilterError {
        pattern: text.to_owned(),
        problem,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| error(format!("not JSON: {e}")))?;
    if !value.is_object() {
        return Err(error("the top level must be an object".to_owned()));
    }
    compile(&value, "").map_err(error)
}

fn compile(value: &Value, path: &str) -> Result<Pattern, String> {
    match value {
        Value::Object(fields) if !fields.is_empty() => fields
            .iter()
            .map(|(key, child)| {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match child {
                    Value::Object(_) | Value::Array(_) => {
                        Ok((key.clone(), compile(child, &child_path)?))
                    }
                    _ => Err(format!(
                        "at {child_path}: expected an object or an array of allowed values"
                    )),
                }
            })
            .collect::<Result<_, _>>()
            .map(Pattern::Object),
        Value::Object(_) => Err(format!("at {path}: an empty object matches nothing")),
        Value::Array(values) if !values.is_empty() => values
            .iter()
            .map(|value| matcher(value, path))
            .collect::<Result<_, _>>()
            .map(Pattern::Leaf),
        _ => Err(format!("at {path}: an empty list matches nothing")),
    }
}

fn matcher(value: &Value, path: &str) -> Result<Matcher, String> {
    match value {
        Value::Object(operator) => match operator.iter().next() {
            Some((name, Value::Bool(wanted))) if operator.len() == 1 && name == "exists" => {
                Ok(Matcher::Exists(*wanted))
            }
            Some((name, Value::String(prefix))) if operator.len() == 1 && name == "prefix" => {
                Ok(Matcher::Prefix(prefix.clone()))
            }
            _ => Err(format!(
                "at {path}: {value} is not supported locally (only values, {{\"exists\": bool}} and {{\"prefix\": \"...\"}})"
            )),
        },
        Value::Array(_) => Err(format!("at {path}: nested lists are not a pattern")),
        other => Ok(Matcher::Equals(other.clone())),
    }
}

/// True when `record` (the record as the function receives it) matches `pattern`.
pub fn matches(pattern: &Pattern, record: &Value) -> bool {
    matches_at(pattern, Some(record))
}

fn matches_at(pattern: &Pattern, value: Option<&Value>) -> bool {
    match pattern {
        Pattern::Object(fields) => fields
            .iter()
            .all(|(key, child)| matches_at(child, value.and_then(|v| v.get(key)))),
        Pattern::Leaf(matchers) => matchers.iter().any(|m| leaf_matches(m, value)),
    }
}

fn leaf_matches(matcher: &Matcher, value: Option<&Value>) -> bool {
    match (matcher, value) {
        (Matcher::Exists(wanted), _) => value.is_some() == *wanted,
        (_, None) => false,
        // A list in the record matches when one of its elements does, as in EventBridge.
        (_, Some(Value::Array(items))) => items.iter().any(|item| scalar_matches(matcher, item)),
        (_, Some(item)) => scalar_matches(matcher, item),
    }
}

fn scalar_matches(matcher: &Matcher, value: &Value) -> bool {
    match (matcher, value) {
        (Matcher::Equals(Value::Number(want)), Value::Number(have)) => {
            want.as_f64().is_some_and(|w| have.as_f64() == Some(w))
        }
        (Matcher::Equals(want), have) => want == have,
        (Matcher::Prefix(prefix), Value::String(text)) => text.starts_with(prefix.as_str()),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(fanout: Option<&str>) -> Value {
        let mut image = json!({"pk": {"S": "c#1"}, "n": {"N": "5"}});
        if let Some(fanout) = fanout {
            image["fanout"] = json!({"S": fanout});
        }
        json!({"eventName": "INSERT", "dynamodb": {"NewImage": image}})
    }

    #[test]
    fn nested_objects_end_in_allowed_values() {
        let pattern =
            parse(r#"{"dynamodb": {"NewImage": {"fanout": {"S": ["stream"]}}}}"#).unwrap();
        assert!(matches(&pattern, &record(Some("stream"))));
        assert!(!matches(&pattern, &record(Some("inline"))));
        assert!(!matches(&pattern, &record(None)));
        let either = parse(r#"{"eventName": ["INSERT", "MODIFY"]}"#).unwrap();
        assert!(matches(&either, &record(None)));
        assert!(!matches(&either, &json!({"eventName": "REMOVE"})));
    }

    #[test]
    fn every_field_must_match() {
        let pattern = parse(
            r#"{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"fanout": {"S": ["stream"]}}}}"#,
        )
        .unwrap();
        assert!(!matches(&pattern, &record(Some("stream"))));
    }

    #[test]
    fn exists_and_prefix() {
        let present =
            parse(r#"{"dynamodb": {"NewImage": {"fanout": [{"exists": true}]}}}"#).unwrap();
        assert!(matches(&present, &record(Some("x"))));
        assert!(!matches(&present, &record(None)));
        let absent =
            parse(r#"{"dynamodb": {"NewImage": {"fanout": [{"exists": false}]}}}"#).unwrap();
        assert!(matches(&absent, &record(None)));
        assert!(!matches(&absent, &record(Some("x"))));
        // Absent all the way up still counts as absent.
        assert!(matches(&absent, &json!({"eventName": "REMOVE"})));
        let prefix =
            parse(r#"{"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "c#"}]}}}}"#).unwrap();
        assert!(matches(&prefix, &record(None)));
        assert!(!matches(
            &prefix,
            &json!({"dynamodb": {"NewImage": {"pk": {"S": "u#1"}}}})
        ));
    }

    #[test]
    fn numbers_compare_by_value_and_lists_by_element() {
        let pattern = parse(r#"{"size": [5], "tags": ["a"]}"#).unwrap();
        assert!(matches(&pattern, &json!({"size": 5.0, "tags": ["b", "a"]})));
        assert!(!matches(&pattern, &json!({"size": "5", "tags": ["a"]})));
        // DynamoDB JSON numbers are strings: the pattern says so.
        let ddb = parse(r#"{"dynamodb": {"NewImage": {"n": {"N": ["5"]}}}}"#).unwrap();
        assert!(matches(&ddb, &record(None)));
    }

    #[test]
    fn refuses_what_it_does_not_support() {
        for bad in [
            "not json",
            "[1]",
            "{}",
            r#"{"a": "b"}"#,
            r#"{"a": []}"#,
            r#"{"a": [{"numeric": [">", 1]}]}"#,
            r#"{"a": [{"anything-but": ["x"]}]}"#,
            r#"{"a": [{"exists": "yes"}]}"#,
            r#"{"a": [["x"]]}"#,
        ] {
            let error = parse(bad).unwrap_err();
            assert_eq!(error.pattern, bad);
        }
        let error = parse(r#"{"dynamodb": {"NewImage": [{"suffix": "x"}]}}"#).unwrap_err();
        assert!(error.problem.contains("dynamodb.NewImage"), "{error}");
    }
}
