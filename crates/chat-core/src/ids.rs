//! Ids as types: a `UserId` cannot be passed where a `ChatId` is expected, and holding one means
//! it was parsed where it entered (a request body through serde, a path segment or a token's
//! subject through `parse`), so no rule checks an id's shape again.
//!
//! Users, chats and attachments are named by ULIDs the service mints. Anything with other
//! characters (notably the `.` and `#` the keys use as separators) cannot name one and is
//! refused before it reaches a key. Ids the service reads back from its own tables are trusted
//! and wrapped without a check (`trusted`), as is the subject of a token the service signed.
//!
//! Conversation and message ids have structure of their own: they are
//! [`Conversation`](crate::conversation::Conversation) and
//! [`MessageRef`](crate::conversation::MessageRef). A WebSocket connection's id is API Gateway's,
//! never parsed and never part of a key the client chooses, so it stays a string.

use std::fmt;

/// Whether `text` can name a user, chat or attachment.
fn is_entity_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// serde's `try_from`/`into` attributes do the (de)serialisation and the check on the way in;
/// a macro rather than a newtype crate because these are four lines of behaviour each, and
/// the OpenAPI schema stays a plain string.
macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id `text` spells, if it can name one.
            pub fn parse(text: &str) -> Option<Self> {
                is_entity_id(text).then(|| $name(text.to_owned()))
            }

            /// An id the service minted or vouches for: read back from its own tables (which hold only
            /// parsed ids) or the subject of a token it signed.
            pub fn trusted(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            /// A new id, a ULID: it sorts by creation time.
            pub fn generate() -> Self {
                $name(ulid::Ulid::generate().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, String> {
                if is_entity_id(&text) {
                    Ok($name(text))
                } else {
                    Err(format!("{text:?} is not {}", $what))
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

entity_id!(
    /// A user's id.
    UserId,
    "a user id"
);
entity_id!(
    /// A chat's id.
    ChatId,
    "a chat id"
);
entity_id!(
    /// An uploaded file's id.
    AttachmentId,
    "an attachment id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_refused_at_the_door() {
        assert!(UserId::parse("01HZZZZZZZZZZZZZZZZZZZZZZA").is_some());
        assert!(UserId::parse("").is_none());
        assert!(ChatId::parse("a#b").is_none());
        assert!(ChatId::parse("c.x").is_none());
        assert!(AttachmentId::parse(&"x".repeat(65)).is_none());
    }

    #[test]
    fn a_request_body_with_a_malformed_id_is_refused_naming_the_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // read only through Debug
        struct Add {
            user_id: UserId,
        }
        let err = crate::input::body::<Add>(br#"{"user_id": "a.b"}"#).err();
        let field = err.map(|e| e.detail().1.field);
        assert_eq!(field.flatten().as_deref(), Some("user_id"));
        let ok = crate::input::body::<Add>(br#"{"user_id": "U1"}"#).ok();
        assert_eq!(ok.map(|a| a.user_id.to_string()), Some("U1".to_owned()));
    }
}
