//! Retried writes that change nothing twice: the `Idempotency-Key` request header of the IETF
//! HTTP API working group's draft (draft-ietf-httpapi-idempotency-key-header). A keyed write
//! stores, in its own transaction, what it asked (a digest of the method, the path and the
//! body) and what it answered; a retry with the same key gets that answer back without doing
//! anything, and the same key with another request gets 422. Sends have their own key
//! (`client_message_id`), edits are idempotent by their content; this is for the writes that
//! have neither (making a chat, changing its members).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The header's name, as the draft spells it.
pub const HEADER: &str = "Idempotency-Key";
/// How long a key is remembered: retries come within seconds or minutes; a day covers a
/// client that retries after a night offline.
pub const REMEMBERED_SECONDS: u64 = 24 * 60 * 60;
/// UUIDs (36) and ULIDs (26) fit with room to spare; longer keys would only grow the items.
pub const MAX_KEY_CHARS: usize = 255;

/// A client's idempotency key, checked: 1 to 255 visible ASCII characters. The draft sends it
/// as a Structured Field string (quoted); the unquoted form most clients send is taken too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The header's value as a key; 422 naming the header when it cannot be one.
    pub fn parse(header: &str) -> Result<Self> {
        let trimmed = header.trim();
        let key = trimmed
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(trimmed);
        let visible = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ';
        if key.trim().is_empty() || key.len() > MAX_KEY_CHARS || !key.chars().all(visible) {
            return Err(Error::validation(
                HEADER,
                format!("{HEADER} must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
            ));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A keyed request: its key and the digest of what it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed {
    pub key: IdempotencyKey,
    pub request: String,
}

impl Keyed {
    /// `key` for the request of `method` at `path` with `body`. A JSON body counts by its
    /// value (objects' keys sorted), so a client that re-serialises a retry in another key
    /// order or spacing still asks the same.
    pub fn new(key: IdempotencyKey, method: &str, path: &[&str], body: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(method.as_bytes());
        for segment in path {
            hash.update(b"/");
            hash.update(segment.as_bytes());
        }
        hash.update(b"\n");
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => hash.update(canonical(&value).as_bytes()),
            Err(_) => hash.update(body),
        }
        let request = hex(&hash.finalize());
        Self { key, request }
    }

    /// What a store keeps of this request's write by `owner`, answering `result`.
    pub fn remember(&self, owner: &str, result: String, now: u64) -> Remembered {
        Remembered {
            owner: owner.to_owned(),
            key: self.key.as_str().to_owned(),
            request: self.request.clone(),
            result,
            expires_at: now.saturating_add(REMEMBERED_SECONDS),
        }
    }

    /// The remembered answer, if it was this request's; 422 when the key was another's.
    pub fn replay(&self, remembered: Remembered) -> Result<String> {
        if remembered.request != self.request {
            return Err(Error::validation(
                HEADER,
                format!("this {HEADER} was used for another request"),
            ));
        }
        Ok(remembered.result)
    }
}

/// A keyed write as stored beside the change it made: whose it was, what it asked, what it
/// answered (JSON) and until when (Unix seconds) it is remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub owner: String,
    pub key: String,
    pub request: String,
    pub result: String,
    pub expires_at: u64,
}

/// Sorted keys and no spacing: one text per JSON value.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(body: &str) -> Keyed {
        let key = IdempotencyKey::parse("k-1").expect("key");
        Keyed::new(key, "POST", &["chats"], body.as_bytes())
    }

    #[test]
    fn keys_are_visible_ascii_quoted_or_not() {
        assert_eq!(
            IdempotencyKey::parse("\"8e03978e-40d5\"").map(|k| k.0).ok(),
            Some("8e03978e-40d5".to_owned())
        );
        assert!(IdempotencyKey::parse("plain-key_1").is_ok());
        for bad in [
            "",
            "  ",
            "\"\"",
            "tab\there",
            "é",
            &"k".repeat(MAX_KEY_CHARS + 1),
        ] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_request_is_its_method_path_and_json_value() {
        let a = keyed(r#"{"name":"ops","member_ids":["B"]}"#);
        let reordered = keyed(r#"{ "member_ids": ["B"], "name": "ops" }"#);
        assert_eq!(a.request, reordered.request);
        assert_ne!(
            a.request,
            keyed(r#"{"name":"ops2","member_ids":["B"]}"#).request
        );
        let key = a.key.clone();
        let elsewhere = Keyed::new(key, "POST", &["chats", "X", "members"], b"{}");
        assert_ne!(keyed("{}").request, elsewhere.request);
    }

    #[test]
    fn a_replay_answers_only_the_same_request() {
        let first = keyed(r#"{"name":"ops"}"#);
        let remembered = first.remember("A", "{\"id\":\"C\"}".into(), 100);
        assert_eq!(remembered.expires_at, 100 + REMEMBERED_SECONDS);
        assert_eq!(
            first.replay(remembered.clone()).ok().as_deref(),
            Some("{\"id\":\"C\"}")
        );
        let other = keyed(r#"{"name":"dev"}"#).replay(remembered);
        let field = other.err().and_then(|e| e.detail().1.field);
        assert_eq!(field.as_deref(), Some(HEADER));
    }
}
