//! Opaque page cursors. A cursor is DynamoDB's `LastEvaluatedKey` plus the scope it belongs to
//! (a table, a conversation), signed with HMAC-SHA256 so that clients can neither forge one nor
//! replay it against another scope: either gives 422 instead of somebody else's data.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chat_core::error::{Error, Result};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use chat_aws::store::Key;

use crate::config::Secret;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Cursors {
    key: Vec<u8>,
}

/// Key attributes are strings or numbers; a cursor carries them tagged so they round-trip.
#[derive(Serialize, Deserialize)]
enum KeyValue {
    S(String),
    N(String),
}

#[derive(Serialize, Deserialize)]
struct Payload {
    scope: String,
    key: BTreeMap<String, KeyValue>,
}

impl Cursors {
    /// Derives the cursor key from the deployment secret, so the two keys never coincide.
    pub fn new(secret: &Secret) -> Self {
        let mut mac = mac_with(secret.expose());
        mac.update(b"chat-api cursor key v1");
        Cursors {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    pub fn encode(&self, scope: &str, key: &Key) -> String {
        let key = key
            .iter()
            .filter_map(|(name, value)| {
                let value = match value {
                    AttributeValue::S(s) => KeyValue::S(s.clone()),
                    AttributeValue::N(n) => KeyValue::N(n.clone()),
                    _ => return None,
                };
                Some((name.clone(), value))
            })
            .collect();
        let payload = Payload {
            scope: scope.to_owned(),
            key,
        };
        // Serialising a map of strings cannot fail.
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let tag = self.tag(&json);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The key to resume from, if `cursor` was issued by us for exactly this `scope`.
    pub fn decode(&self, scope: &str, cursor: &str) -> Result<Key> {
        let invalid =
            || Error::validation("cursor", "cursor is invalid or belongs to another list");
        let (body, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        let mut mac = mac_with(&self.key);
        mac.update(&json);
        mac.verify_slice(&tag).map_err(|_| invalid())?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| invalid())?;
        if payload.scope != scope {
            return Err(invalid());
        }
        Ok(payload
            .key
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    KeyValue::S(s) => AttributeValue::S(s),
                    KeyValue::N(n) => AttributeValue::N(n),
                };
                (name, value)
            })
            .collect())
    }

    fn tag(&self, json: &[u8]) -> Vec<u8> {
        let mut mac = mac_with(&self.key);
        mac.update(json);
        mac.finalize().into_bytes().to_vec()
    }
}

fn mac_with(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails.
    <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursors() -> Cursors {
        Cursors::new(&Secret::new("x".repeat(40)))
    }

    fn key() -> Key {
        std::collections::HashMap::from([
            ("pk".to_owned(), AttributeValue::S("CONV#a".into())),
            ("n".to_owned(), AttributeValue::N("42".into())),
        ])
    }

    #[test]
    fn round_trips_within_its_scope() {
        let c = cursors();
        let token = c.encode("conv-a", &key());
        assert_eq!(c.decode("conv-a", &token).ok(), Some(key()));
    }

    #[test]
    fn rejects_another_scope_and_tampering() {
        let c = cursors();
        let token = c.encode("conv-a", &key());
        assert!(c.decode("conv-b", &token).is_err());
        let mut tampered = token.clone().into_bytes();
        tampered[3] ^= 1;
        let tampered = String::from_utf8_lossy(&tampered).into_owned();
        assert!(c.decode("conv-a", &tampered).is_err());
        assert!(c.decode("conv-a", "not-a-cursor").is_err());
    }
}
