//! Chats (rooms): what a chat is, what clients send to make and change one, its bounds, and
//! (in [`rules`]) who may change its members.

mod keyed;
pub mod rules;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::input::check_len;
use crate::labels::check_label;

pub const MAX_NAME_CHARS: usize = 100;
/// A chat is created in one transaction of at most 100 items: its meta item plus one membership
/// item per member, the creator included.
pub const MAX_INITIAL_MEMBERS: usize = 99;
/// Members of one chat. The meta item lists them (about 29 bytes each), and every message
/// event is pushed to each of them, so the bound keeps both the item and the fan-out finite.
pub const MAX_MEMBERS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01JDQ40B5HZ3K6S9D1F4G7J2LM", "name": "Engines",
    "created_by": "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
    "members": ["01JDQ3Y6S1W8X5V9K2M4N7P0QR", "01JDQ3YF4T2W6X8Z0B3C5D7E9G"],
    "created_at": "2026-11-24T01:02:03.456Z"
}))]
pub struct Chat {
    pub id: String,
    pub name: String,
    pub created_by: String,
    /// Sorted user ids.
    pub members: Vec<String>,
    pub created_at: String,
}

impl Chat {
    pub fn has_member(&self, user_id: &str) -> bool {
        self.members.iter().any(|m| m == user_id)
    }
}

/// `POST /chats`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Engines", "member_ids": ["01JDQ3YF4T2W6X8Z0B3C5D7E9G"]}))]
pub struct NewChat {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Existing users; the creator is always a member.
    #[serde(default)]
    #[schema(max_items = 98, value_type = Vec<String>)]
    pub member_ids: Vec<UserId>,
}

/// `POST /chats/{chat_id}/members`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"user_id": "01JDQ3YF4T2W6X8Z0B3C5D7E9G"}))]
pub struct NewMember {
    #[schema(value_type = String)]
    pub user_id: UserId,
}

pub fn validate_name(name: &str) -> Result<()> {
    check_len("name", name, 1, MAX_NAME_CHARS)?;
    if name.trim().is_empty() {
        return Err(Error::validation("name", "name must not be blank"));
    }
    check_label("name", name)
}

/// Where a user stands with a chat.
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    NoSuchChat,
    Outsider(Chat),
    Member(Chat),
}

/// How making a chat ended: the storage's answer to one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateChat {
    Created,
    /// A chat of the id exists: a keyed request's retry completed it first.
    Exists,
}

/// How adding a member ended: the storage's answer to one conditional write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddMember {
    Added,
    /// A live record of the request's idempotency key exists: a retry raced the first.
    KeyUsed,
    AlreadyMember,
    NoSuchChat,
    /// The chat has its maximum number of members.
    Full,
    /// The member who adds is no member (any more).
    AdderNotMember,
}

/// How removing a member ended: the storage's answer to one conditional write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveMember {
    Removed,
    /// A live record of the request's idempotency key exists: a retry raced the first.
    KeyUsed,
    NotMember,
    NoSuchChat,
    /// The member who removes somebody else is no member (any more).
    RemoverNotMember,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("team").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"n".repeat(100)).is_ok());
        assert!(validate_name(&"n".repeat(101)).is_err());
    }

    #[test]
    fn chats_serialise_as_the_contract_says() {
        let chat = Chat {
            id: "C".into(),
            name: "n".into(),
            created_by: "A".into(),
            members: vec!["A".into(), "B".into()],
            created_at: "t".into(),
        };
        let json = serde_json::to_value(&chat).unwrap_or_default();
        let mut keys: Vec<&String> = json
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        keys.sort();
        assert_eq!(keys, ["created_at", "created_by", "id", "members", "name"]);
    }
}
