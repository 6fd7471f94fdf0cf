//! Pages of a list: what a client asks for, what it gets, and the signed cursor between them.
//!
//! A store answers a page with where the next one starts, a [`Position`] the rules never look
//! inside. A cursor is that position plus the scope it belongs to (a list, a conversation, a
//! catch-up), signed with HMAC-SHA256 so that clients can neither forge one nor replay it
//! against another scope: either gives 422 instead of somebody else's data.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};
use crate::input::Limit;

type HmacSha256 = Hmac<Sha256>;

/// Where a store resumes a list: named parts, each a string or a number (as text). Opaque to
/// the rules; only the store that made one reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position(pub BTreeMap<String, PositionPart>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PositionPart {
    S(String),
    N(String),
}

/// The query of every list: `limit` (checked while parsing) and `cursor` as the client sent it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Items per page.
    #[serde(default)]
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100, default = 50)]
    pub limit: Limit,
    /// `next_cursor` of the previous page; a forged or foreign cursor gives 422.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn limit(&self) -> i32 {
        self.limit.0
    }

    /// Where the page starts: the position the client's cursor carries, if it was issued for
    /// `scope` (else 422).
    pub fn start(&self, cursors: &Cursors, scope: &str) -> Result<Option<Position>> {
        self.cursor
            .as_deref()
            .map(|cursor| cursors.decode(scope, cursor))
            .transpose()
    }
}

/// A page of a list, as every list endpoint answers: `next_cursor` is `null` only when nothing
/// follows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `scope`, with a cursor to resume at `next` when more follows.
    pub fn new(cursors: &Cursors, scope: &str, items: Vec<T>, next: Option<Position>) -> Self {
        Page {
            items,
            next_cursor: next.map(|position| cursors.encode(scope, &position)),
        }
    }
}

/// Signs and checks cursors with a key of the deployment's own.
#[derive(Clone)]
pub struct Cursors {
    key: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Signed {
    scope: String,
    key: Position,
}

impl Cursors {
    /// Derives the cursor key from the deployment secret, so the two keys never coincide.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = mac_with(secret);
        mac.update(b"chat-api cursor key v1");
        Cursors {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    pub fn encode(&self, scope: &str, position: &Position) -> String {
        let signed = Signed {
            scope: scope.to_owned(),
            key: position.clone(),
        };
        // Serialising a map of strings cannot fail.
        let json = serde_json::to_vec(&signed).unwrap_or_default();
        let tag = self.tag(&json);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The position to resume from, if `cursor` was issued by us for exactly this `scope`.
    pub fn decode(&self, scope: &str, cursor: &str) -> Result<Position> {
        let invalid =
            || Error::validation("cursor", "cursor is invalid or belongs to another list");
        let (body, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        let mut mac = mac_with(&self.key);
        mac.update(&json);
        mac.verify_slice(&tag).map_err(|_| invalid())?;
        let signed: Signed = serde_json::from_slice(&json).map_err(|_| invalid())?;
        if signed.scope != scope {
            return Err(invalid());
        }
        Ok(signed.key)
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
        Cursors::new("x".repeat(40).as_bytes())
    }

    fn position() -> Position {
        Position(BTreeMap::from([
            ("pk".to_owned(), PositionPart::S("CONV#a".into())),
            ("n".to_owned(), PositionPart::N("42".into())),
        ]))
    }

    #[test]
    fn a_cursor_round_trips_within_its_scope() {
        let c = cursors();
        let token = c.encode("conv-a", &position());
        assert_eq!(c.decode("conv-a", &token).ok(), Some(position()));
    }

    #[test]
    fn a_cursor_of_another_scope_a_forged_one_or_another_deployments_is_422() {
        let c = cursors();
        let token = c.encode("conv-a", &position());
        let field = |r: Result<Position>| r.err().map(|e| e.detail()).map(|(s, d)| (s, d.field));
        let refused = Some((422, Some("cursor".to_owned())));
        assert_eq!(field(c.decode("conv-b", &token)), refused);
        let (body, tag) = token.split_once('.').unwrap_or_default();
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(b"{\"scope\":\"conv-a\"}")
        );
        assert_eq!(field(c.decode("conv-a", &forged)), refused);
        assert_eq!(field(c.decode("conv-a", body)), refused);
        let other = Cursors::new("y".repeat(40).as_bytes());
        assert_eq!(field(other.decode("conv-a", &token)), refused);
    }
}
