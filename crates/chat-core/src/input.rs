//! Reading client input into typed requests, with the contract's rules for what is a 400 (not a
//! JSON object) and what is a 422 (well-formed, but a field is missing, mistyped or out of range,
//! named in `field`). Unknown fields are ignored, so that older servers accept newer clients.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: i32 = 50;
pub const MAX_LIMIT: i32 = 100;

/// A JSON body as `T`. An empty body counts as `{}`, so that bodiless endpoints accept no body.
pub fn body<T: DeserializeOwned>(raw: &[u8]) -> Result<T> {
    let value = if raw.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice::<Value>(raw)
            .map_err(|_| Error::BadRequest("request body is not valid JSON".into()))?
    };
    if !value.is_object() {
        return Err(Error::BadRequest(
            "request body must be a JSON object".into(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(field_error)
}

/// Query parameters as `T`.
pub fn query<'a, T: DeserializeOwned>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<T> {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let parsed = form_urlencoded::parse(encoded.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(parsed))
        .map_err(field_error)
}

/// A deserialisation error as the contract's 422, naming the field. Serde reports a missing field
/// at the path of the object that lacks it, with the name only in its message
/// (``missing field `name` ``, serde's own wording, held by a test below).
fn field_error<E: std::fmt::Display>(err: serde_path_to_error::Error<E>) -> Error {
    let path = err.path().to_string();
    let inner = err.inner().to_string();
    if let Some(name) = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = match path.as_str() {
            "." => name.to_owned(),
            parent => format!("{parent}.{name}"),
        };
        return Error::validation(&field, format!("{field} is required"));
    }
    // `field` names the request's own field, as clients know it; the message holds the whole
    // path (`member_ids[1]`). A field's own check (see `Limit`) words its message itself;
    // serde's type errors do not name the field.
    let field = path.split(['[', '.']).next().unwrap_or_default();
    let message = if inner.starts_with(field) {
        inner
    } else {
        format!("{path}: {inner}")
    };
    Error::validation(field, message)
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

/// The `limit` query parameter of a list: 1 to 100, 50 when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub i32);

impl Default for Limit {
    fn default() -> Self {
        Limit(DEFAULT_LIMIT)
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        // Query values arrive as strings; one message for every way of getting it wrong.
        let raw = String::deserialize(deserializer)?;
        raw.parse::<i32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .map(Limit)
            .ok_or_else(|| {
                D::Error::custom(format!("limit must be an integer from 1 to {MAX_LIMIT}"))
            })
    }
}

/// For fields that a request may clear: absent is `None` (leave alone), `null` is `Some(None)`.
pub fn clearable<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read only through Debug
    struct Named {
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default, deserialize_with = "clearable")]
        bio: Option<Option<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Paged {
        #[serde(default)]
        limit: Limit,
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn tells_bad_json_from_rule_breaking_json() {
        assert!(matches!(body::<Named>(b"{"), Err(Error::BadRequest(_))));
        assert!(matches!(body::<Named>(b"[1]"), Err(Error::BadRequest(_))));
        assert!(matches!(
            body::<Named>(br#""x""#),
            Err(Error::BadRequest(_))
        ));
        assert_eq!(field_of(body::<Named>(br#"{"name": 5}"#)), "name");
        assert_eq!(field_of(body::<Named>(b"")), "name");
        assert_eq!(field_of(body::<Named>(br#"{"name": null}"#)), "name");
        let element = body::<Named>(br#"{"name": "a", "tags": ["x", 1]}"#);
        assert!(
            matches!(&element, Err(Error::Validation { field, message })
                if field == "tags" && message.starts_with("tags[1]: invalid type")),
            "{element:?}"
        );
    }

    #[test]
    fn missing_fields_are_named_in_the_message_too() {
        match body::<Named>(br#"{"other": 1}"#) {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field, "name");
                assert_eq!(message, "name is required");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn null_clears_and_absence_leaves_alone() {
        let named = body::<Named>(br#"{"name": "a", "bio": null, "extra": true}"#);
        assert!(matches!(
            named,
            Ok(Named {
                bio: Some(None),
                ..
            })
        ));
        let named = body::<Named>(br#"{"name": "a"}"#);
        assert!(matches!(named, Ok(Named { bio: None, .. })));
    }

    #[test]
    fn limits() {
        let limit = |raw: &str| query::<Paged>([("limit", raw)]).map(|p| p.limit.0);
        assert_eq!(query::<Paged>([]).map(|p| p.limit.0).ok(), Some(50));
        assert_eq!(limit("100").ok(), Some(100));
        for bad in ["0", "101", "ten", "-1", ""] {
            assert_eq!(field_of(limit(bad)), "limit", "{bad:?}");
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(check_len("name", "ééé", 1, 3).is_ok());
        assert!(check_len("name", "éééé", 1, 3).is_err());
    }
}
