//! The chats table (key `pk`, `sk`). Per chat, in partition `CHAT#<chat_id>`: the meta item
//! (`sk = META`: name, creator, creation time and `members`, a string set) and one membership
//! item per member (`sk = MEMBER#<user_id>`). Every membership change writes the membership item
//! and the meta item's set in one transaction, so the two never disagree. The `by_member` index
//! (partition `member_id`, sort `joined_at`, keys only) lists a user's chats.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};
use chat_core::chats::Chat;
use chat_core::conversation::Conversation;
use chat_core::ids::ChatId;
use chat_core::paging::Position;

use super::items::{Item, key_at, n, opt_n, opt_s, position_of, req_s, s, split_page, string_set};
use super::{Store, StoreError, StoreResult, capacity, corrupt};
use crate::store::Key;
use crate::store::conversations::MEMBERS_VERSION;

mod membership;
mod remembered;

pub const MEMBER_INDEX: &str = "by_member";
const META: &str = "META";
const MEMBER_PAGE_KEY: [&str; 4] = ["pk", "sk", "member_id", "joined_at"];
const READ_COUNT: &str = "read_count";

/// The chat's conversation (the key of its messages and of its item in the conversations
/// table). The store is handed only ids the rules parsed or read back from its tables.
fn conversation_id(chat_id: &str) -> String {
    Conversation::chat(&ChatId::trusted(chat_id)).id()
}

fn chat_pk(chat_id: &str) -> String {
    format!("CHAT#{chat_id}")
}

fn member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}

fn meta_key(chat_id: &str) -> Item {
    Item::from([
        ("pk".to_owned(), s(chat_pk(chat_id))),
        ("sk".to_owned(), s(META)),
    ])
}

fn member_key(chat_id: &str, user_id: &str) -> Item {
    Item::from([
        ("pk".to_owned(), s(chat_pk(chat_id))),
        ("sk".to_owned(), s(member_sk(user_id))),
    ])
}

fn meta_item(chat: &Chat) -> Item {
    let mut item = meta_key(&chat.id);
    item.insert("chat_id".into(), s(&chat.id));
    item.insert("name".into(), s(&chat.name));
    item.insert("created_by".into(), s(&chat.created_by));
    item.insert("created_at".into(), s(&chat.created_at));
    if !chat.members.is_empty() {
        item.insert("members".into(), AttributeValue::Ss(chat.members.clone()));
    }
    item
}

/// A membership item; `read_count` is the member's read position (the number of the last
/// message it has read), which starts at the chat's message count when it joins.
fn member_item(chat_id: &str, user_id: &str, joined_at: &str, read_count: u64) -> Item {
    let mut item = member_key(chat_id, user_id);
    item.insert("member_id".into(), s(user_id));
    item.insert("joined_at".into(), s(joined_at));
    item.insert(READ_COUNT.into(), n(read_count));
    item
}

fn chat_from_meta(item: &Item) -> StoreResult<Chat> {
    Ok(Chat {
        id: req_s(item, "chat_id")?,
        name: req_s(item, "name")?,
        created_by: req_s(item, "created_by")?,
        members: string_set(item, "members"),
        created_at: req_s(item, "created_at")?,
    })
}

/// A transaction's Put of `item`, on `condition` (with its `values`) if any.
pub(super) fn transact_put(
    item: Item,
    table: &str,
    condition: Option<&str>,
    values: &[(&str, AttributeValue)],
) -> StoreResult<TransactWriteItem> {
    let mut put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned));
    for (placeholder, value) in values {
        put = put.expression_attribute_values(*placeholder, value.clone());
    }
    let put = put.build().map_err(corrupt)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A transaction item that moves `user_id`'s read position in the chat to `number` (its own
/// new message) and holds only while it is a member: a send's membership check.
pub(crate) fn member_read_position(
    table: &str,
    chat_id: &str,
    user_id: &str,
    number: u64,
) -> StoreResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(member_key(chat_id, user_id)))
        .update_expression("SET #read = :number")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_names("#read", READ_COUNT)
        .expression_attribute_values(":number", n(number))
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// A chat's members at a version of its membership (see [`ConversationState::members_version`]).
///
/// [`ConversationState::members_version`]: crate::store::conversations::ConversationState::members_version
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Members {
    pub user_ids: Vec<String>,
    pub version: u64,
}

impl Store {
    /// The chat's members and their version. Eventually consistent (`consistent` false), a
    /// stale answer names an older version, which a change stored at the current one does not
    /// match.
    pub async fn chat_members(
        &self,
        chat_id: &str,
        consistent: bool,
    ) -> StoreResult<Option<Members>> {
        let projection = ["members", MEMBERS_VERSION];
        let item = self
            .get_attributes(
                &self.tables.chats,
                meta_key(chat_id),
                consistent,
                &projection,
            )
            .await?;
        item.map(|item| {
            Ok(Members {
                user_ids: string_set(&item, "members"),
                version: opt_n(&item, MEMBERS_VERSION)?.unwrap_or(0),
            })
        })
        .transpose()
    }

    pub async fn get_chat(&self, chat_id: &str) -> StoreResult<Option<Chat>> {
        let item = self.get_item(&self.tables.chats, meta_key(chat_id)).await?;
        item.as_ref().map(chat_from_meta).transpose()
    }

    /// The chats of `chat_ids` that exist, in no particular order.
    pub async fn get_chats(&self, chat_ids: &[String]) -> StoreResult<Vec<Chat>> {
        let mut ids: Vec<&String> = chat_ids.iter().collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids.into_iter().map(|id| meta_key(id)).collect();
        self.batch_get(&self.tables.chats, keys, true, &[])
            .await?
            .iter()
            .map(chat_from_meta)
            .collect()
    }

    /// `user_id`'s read positions in `chat_ids` (strongly consistent BatchGetItems of its
    /// membership items); chats it is no member of are left out.
    pub async fn read_positions(
        &self,
        user_id: &str,
        chat_ids: &[String],
    ) -> StoreResult<Vec<(String, u64)>> {
        if chat_ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = chat_ids.iter().map(|id| member_key(id, user_id)).collect();
        self.batch_get(&self.tables.chats, keys, true, &[])
            .await?
            .iter()
            .map(|item| {
                let pk = req_s(item, "pk")?;
                let chat_id = pk
                    .strip_prefix("CHAT#")
                    .ok_or_else(|| corrupt(format!("membership item {pk}")))?;
                Ok((chat_id.to_owned(), opt_n(item, READ_COUNT)?.unwrap_or(0)))
            })
            .collect()
    }

    /// Moves `user_id`'s read position in the chat forward to `number` (never back), if it is
    /// a member. Best effort after the read mark is stored: a failed condition is no error.
    pub async fn advance_chat_read(
        &self,
        chat_id: &str,
        user_id: &str,
        number: u64,
    ) -> StoreResult<()> {
        let key = member_key(chat_id, user_id);
        self.advance_read_position(&self.tables.chats, key, "pk", number)
            .await
    }

    /// One GetItem on the membership item.
    pub async fn is_member(&self, chat_id: &str, user_id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.chats)
            .set_key(Some(member_key(chat_id, user_id)))
            .projection_expression("pk")
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        Ok(out.item.is_some())
    }

    /// One page of the ids of `user_id`'s chats, most recently joined first.
    pub async fn member_chat_ids(
        &self,
        user_id: &str,
        limit: i32,
        start: Option<Position>,
    ) -> StoreResult<(Vec<String>, Option<Position>)> {
        let (items, last_evaluated) = self
            .query_member_index(user_id, Some(limit.saturating_add(1)), start.map(key_at))
            .await?;
        let (items, next) = split_page(items, limit, last_evaluated, &MEMBER_PAGE_KEY);
        Ok((chat_ids_of(&items)?, next.map(position_of)))
    }

    /// The ids of `user_id`'s chats, most recently joined first, at most `max`.
    pub async fn recent_member_chat_ids(
        &self,
        user_id: &str,
        max: usize,
    ) -> StoreResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let left = i32::try_from(max.saturating_sub(ids.len())).unwrap_or(i32::MAX);
            let (items, next) = self.query_member_index(user_id, Some(left), start).await?;
            ids.extend(chat_ids_of(&items)?);
            match next {
                Some(key) if ids.len() < max => start = Some(key),
                _ => {
                    ids.truncate(max);
                    return Ok(ids);
                }
            }
        }
    }

    async fn query_member_index(
        &self,
        user_id: &str,
        limit: Option<i32>,
        start: Option<Key>,
    ) -> StoreResult<(Vec<Item>, Option<Key>)> {
        let out = self
            .client
            .query()
            .table_name(&self.tables.chats)
            .index_name(MEMBER_INDEX)
            .key_condition_expression("member_id = :u")
            .expression_attribute_values(":u", s(user_id))
            .scan_index_forward(false)
            .set_limit(limit)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
    }
}

fn chat_ids_of(items: &[Item]) -> StoreResult<Vec<String>> {
    items
        .iter()
        .map(|item| {
            opt_s(item, "pk")
                .and_then(|pk| pk.strip_prefix("CHAT#"))
                .map(str::to_owned)
                .ok_or_else(|| corrupt("membership item without a chat key"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::items::key_of;
    use super::*;

    #[test]
    fn meta_items_round_trip() {
        let chat = Chat {
            id: "C1".into(),
            name: "team".into(),
            created_by: "A".into(),
            members: vec!["A".into(), "B".into()],
            created_at: "2026-11-24T01:02:03.456Z".into(),
        };
        let item = meta_item(&chat);
        assert_eq!(item.get("pk"), Some(&s("CHAT#C1")));
        assert_eq!(chat_from_meta(&item).ok(), Some(chat));
        let key = key_of(&member_item("C1", "B", "t", 0), &MEMBER_PAGE_KEY);
        assert_eq!(chat_ids_of(&[key]).ok(), Some(vec!["C1".to_owned()]));
    }
}
