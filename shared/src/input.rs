//! Reading client input: a JSON object body and query parameters, with the contract's rules for
//! what is a 400 (not a JSON object) and what is a 422 (well-formed, but breaks a rule).

use serde_json::{Map, Value};

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: i32 = 50;
pub const MAX_LIMIT: i32 = 100;

/// A request body that is a JSON object.
#[derive(Debug, Default)]
pub struct Body(Map<String, Value>);

impl Body {
    /// An empty body counts as `{}` so that bodiless endpoints accept no body at all.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::default());
        }
        match serde_json::from_slice::<Value>(raw) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(_) => Err(Error::BadRequest(
                "request body must be a JSON object".into(),
            )),
            Err(_) => Err(Error::BadRequest("request body is not valid JSON".into())),
        }
    }

    pub fn is_null(&self, field: &str) -> bool {
        self.0.get(field).is_some_and(Value::is_null)
    }

    /// A string field; absent and `null` are `None`, any other type is a 422.
    pub fn opt_str(&self, field: &str) -> Result<Option<&str>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::validation(
                field,
                format!("{field} must be a string"),
            )),
        }
    }

    pub fn str(&self, field: &str) -> Result<&str> {
        self.opt_str(field)?
            .ok_or_else(|| Error::validation(field, format!("{field} is required")))
    }

    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Error::validation(
                field,
                format!("{field} must be a boolean"),
            )),
        }
    }

    pub fn opt_str_list(&self, field: &str) -> Result<Option<Vec<&str>>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().ok_or_else(|| {
                        Error::validation(field, format!("{field} must be a list of strings"))
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(Error::validation(
                field,
                format!("{field} must be a list of strings"),
            )),
        }
    }
}

/// Checks a length in characters (not bytes), as users count them.
pub fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len < min || len > max {
        return Err(Error::validation(
            field,
            format!("{field} must be {min} to {max} characters long"),
        ));
    }
    Ok(())
}

/// The `limit` query parameter: default 50, 1..=100, anything else 422.
pub fn parse_limit(raw: Option<&str>) -> Result<i32> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    raw.parse::<i32>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            Error::validation(
                "limit",
                format!("limit must be an integer from 1 to {MAX_LIMIT}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_bad_json_from_rule_breaking_json() {
        assert!(matches!(Body::parse(b"{"), Err(Error::BadRequest(_))));
        assert!(matches!(Body::parse(b"[1]"), Err(Error::BadRequest(_))));
        assert!(Body::parse(b"").is_ok());
        let body = Body::parse(br#"{"name": 5}"#).unwrap_or_default();
        assert!(
            matches!(body.str("name"), Err(Error::Validation { field, .. }) if field == "name")
        );
        assert!(matches!(body.str("other"), Err(Error::Validation { .. })));
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).ok(), Some(50));
        assert_eq!(parse_limit(Some("100")).ok(), Some(100));
        assert!(parse_limit(Some("0")).is_err());
        assert!(parse_limit(Some("101")).is_err());
        assert!(parse_limit(Some("ten")).is_err());
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(check_len("name", "ééé", 1, 3).is_ok());
        assert!(check_len("name", "éééé", 1, 3).is_err());
    }
}
