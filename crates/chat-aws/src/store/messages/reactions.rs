//! Reactions: one string set per emoji (`r_<hex of the emoji's UTF-8>`), because DynamoDB's
//! ADD and DELETE, which make concurrent reactions safe without read-modify-write, work only on
//! top-level attributes; and two counters the bounds are checked against inside the write.

use std::fmt::Write as _;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_core::messages::{Changed, NewReaction};

use crate::store::conversations::ConversationState;

use super::{LastChange, UpdateSpec, changed_unless_condition_failed};
use crate::store::items::{n, s};
use crate::store::{Store, StoreResult};

const REACTION_PREFIX: &str = "r_";
/// How many (user, emoji) reactions the message has, and with how many distinct emoji: the
/// counters the bounds are checked against inside the write.
const REACTION_COUNT: &str = "reaction_count";
const REACTION_KINDS: &str = "reaction_kinds";

/// The attribute holding the users who reacted with `emoji`.
pub fn reaction_attribute(emoji: &str) -> String {
    let mut name = String::with_capacity(REACTION_PREFIX.len() + 2 * emoji.len());
    name.push_str(REACTION_PREFIX);
    for byte in emoji.bytes() {
        // Writing to a String cannot fail.
        let _ = write!(name, "{byte:02x}");
    }
    name
}

pub(super) fn emoji_of(attribute: &str) -> Option<String> {
    let hex = attribute.strip_prefix(REACTION_PREFIX)?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

impl Store {
    /// Adds `user_id` to the reaction set of `emoji` and counts it. `None` when the message
    /// changed since it was read in a way that matters (deleted, gone, the reaction or the emoji
    /// added or removed meanwhile, a bound reached): the caller reads again and decides.
    /// `new_emoji` says whether nobody reacted with `emoji` when it was read; `seen` is the
    /// conversation's state read beside the message, if it was.
    pub async fn add_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        reaction: NewReaction<'_>,
        seen: Option<ConversationState>,
    ) -> StoreResult<Option<Changed>> {
        let NewReaction {
            emoji,
            user_id,
            new_emoji,
            bounds,
        } = reaction;
        let attribute = reaction_attribute(emoji);
        let mut update = "ADD #r :users, #version :one, #count :one".to_owned();
        let mut condition = "attribute_exists(message_id) AND #deleted = :false \
             AND NOT contains(#r, :me) \
             AND (attribute_not_exists(#count) OR #count < :max_total)"
            .to_owned();
        if new_emoji {
            update.push_str(", #kinds :one");
            condition.push_str(
                " AND attribute_not_exists(#r) \
                 AND (attribute_not_exists(#kinds) OR #kinds < :max_kinds)",
            );
        } else {
            condition.push_str(" AND attribute_exists(#r)");
        }
        let mut values = vec![
            (":users", AttributeValue::Ss(vec![user_id.to_owned()])),
            (":one", n(1)),
            (":false", AttributeValue::Bool(false)),
            (":me", s(user_id)),
            (":max_total", n(bounds.max_total)),
        ];
        if new_emoji {
            values.push((":max_kinds", n(bounds.max_distinct)));
        }
        let mut names = reaction_names(&attribute, new_emoji);
        names.push(("#deleted", "deleted"));
        let result = self
            .update_message(
                conversation_id,
                ulid,
                seen,
                UpdateSpec {
                    change: LastChange::of("reaction.added", Some(user_id), Some(emoji)),
                    update,
                    condition: &condition,
                    names: &names,
                    values,
                },
            )
            .await;
        changed_unless_condition_failed(result)
    }

    /// Removes `user_id` from the reaction set of `emoji`. `None` when that changed since it
    /// was read; `last` says whether `user_id` was the only one who reacted with `emoji`.
    pub async fn remove_reaction(
        &self,
        conversation_id: &str,
        ulid: &str,
        emoji: &str,
        user_id: &str,
        last: bool,
        seen: Option<ConversationState>,
    ) -> StoreResult<Option<Changed>> {
        let attribute = reaction_attribute(emoji);
        let (update, condition) = if last {
            (
                "DELETE #r :users ADD #version :one, #count :minus_one, #kinds :minus_one",
                "contains(#r, :me) AND size(#r) = :one",
            )
        } else {
            (
                "DELETE #r :users ADD #version :one, #count :minus_one",
                "contains(#r, :me) AND size(#r) > :one",
            )
        };
        let names = reaction_names(&attribute, last);
        let result = self
            .update_message(
                conversation_id,
                ulid,
                seen,
                UpdateSpec {
                    change: LastChange::of("reaction.removed", Some(user_id), Some(emoji)),
                    update: update.into(),
                    condition,
                    names: &names,
                    values: vec![
                        (":users", AttributeValue::Ss(vec![user_id.to_owned()])),
                        (":one", n(1)),
                        (":minus_one", n(-1)),
                        (":me", s(user_id)),
                    ],
                },
            )
            .await;
        changed_unless_condition_failed(result)
    }
}

/// The attribute names a reaction update uses; `#kinds` only when an emoji comes or goes.
fn reaction_names(attribute: &str, kinds: bool) -> Vec<(&'static str, &str)> {
    let mut names = vec![
        ("#r", attribute),
        ("#version", "version"),
        ("#count", REACTION_COUNT),
    ];
    if kinds {
        names.push(("#kinds", REACTION_KINDS));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaction_attributes_round_trip_any_emoji() {
        for emoji in ["👍", "👨‍👩‍👧", "a", "ü"] {
            let name = reaction_attribute(emoji);
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            assert_eq!(emoji_of(&name).as_deref(), Some(emoji));
        }
        assert_eq!(reaction_attribute("👍"), "r_f09f918d");
        assert_eq!(emoji_of("r_f"), None);
        assert_eq!(emoji_of("read_by"), None);
    }
}
