//! Changing a chat's members: creating a chat with its first members, adding and removing
//! one. Each change is one transaction whose conditions decide the outcome, so racing
//! requests cannot pass the member bound or add a member behind a removal.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, TransactWriteItem, Update};
use chat_core::chats::{AddMember, Chat, CreateChat, RemoveMember};
use chat_core::idempotency::Remembered;
use chat_core::ports::Joining;

use super::remembered::put_record;
use super::{conversation_id, member_item, member_key, meta_item, meta_key, transact_put};
use crate::store::conversations::{MEMBERS_VERSION, member_count_item};
use crate::store::items::n;
use crate::store::{Store, StoreResult, corrupt};

/// A transaction item that holds only while `user_id` is a member of the chat.
fn membership_check(table: &str, chat_id: &str, user_id: &str) -> StoreResult<TransactWriteItem> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(member_key(chat_id, user_id)))
        .condition_expression("attribute_exists(pk)")
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

impl Store {
    /// Creates the meta item and every membership item at once (at most 99 members); nothing
    /// when the meta item exists.
    pub async fn create_chat(&self, chat: &Chat) -> StoreResult<CreateChat> {
        let table = &self.tables.chats;
        let mut items = vec![(
            transact_put(
                meta_item(chat),
                table,
                Some("attribute_not_exists(pk)"),
                &[],
            )?,
            CreateChat::Exists,
        )];
        for member in &chat.members {
            items.push((
                transact_put(
                    member_item(&chat.id, member, &chat.created_at, 0),
                    table,
                    None,
                    &[],
                )?,
                // Unconditional: it cannot fail a condition.
                CreateChat::Created,
            ));
        }
        Ok(self
            .transact_or(items)
            .await?
            .unwrap_or(CreateChat::Created))
    }

    /// Adds the joining member, provided the member who adds is (still) one and the chat has
    /// fewer than `max_members`. The newcomer has read what the chat holds when it joins.
    pub async fn add_member(&self, joining: &Joining<'_>) -> StoreResult<AddMember> {
        let &Joining {
            chat_id,
            user_id,
            added_by,
            joined_at,
            read_count,
            max_members,
            remember,
        } = joining;
        let table = &self.tables.chats;
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(meta_key(chat_id)))
            .update_expression("ADD #members :u, #version :one")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(#members) OR size(#members) < :max)",
            )
            .expression_attribute_names("#members", "members")
            .expression_attribute_names("#version", MEMBERS_VERSION)
            .expression_attribute_values(":u", AttributeValue::Ss(vec![user_id.to_owned()]))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", AttributeValue::N(max_members.to_string()))
            .build()
            .map_err(corrupt)?;
        let mut items = vec![
            (
                transact_put(
                    member_item(chat_id, user_id, joined_at, read_count),
                    table,
                    Some("attribute_not_exists(pk)"),
                    &[],
                )?,
                AddMember::AlreadyMember,
            ),
            (
                TransactWriteItem::builder().update(update).build(),
                AddMember::NoSuchChat,
            ),
            (
                membership_check(table, chat_id, added_by)?,
                AddMember::AdderNotMember,
            ),
            (
                member_count_item(&self.tables.conversations, &conversation_id(chat_id), 1)?,
                // Unconditional: it cannot fail a condition.
                AddMember::Added,
            ),
        ];
        if let Some(record) = remember {
            items.push((put_record(table, record)?, AddMember::KeyUsed));
        }
        let failed = self.transact_or(items).await?;
        Ok(match failed {
            None => AddMember::Added,
            // The meta item's condition says "gone or full": which one, it does not say.
            Some(AddMember::NoSuchChat) if self.get_chat(chat_id).await?.is_some() => {
                AddMember::Full
            }
            Some(outcome) => outcome,
        })
    }

    /// Removes `user_id` (its read position goes with its membership item), provided
    /// `removed_by` is still a member when it is somebody else, with `remember`'s record
    /// unless its key is taken.
    pub async fn remove_member(
        &self,
        chat_id: &str,
        user_id: &str,
        removed_by: &str,
        remember: Option<&Remembered>,
    ) -> StoreResult<RemoveMember> {
        let table = &self.tables.chats;
        let delete = Delete::builder()
            .table_name(table)
            .set_key(Some(member_key(chat_id, user_id)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(corrupt)?;
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(meta_key(chat_id)))
            .update_expression("DELETE #members :u ADD #version :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#members", "members")
            .expression_attribute_names("#version", MEMBERS_VERSION)
            .expression_attribute_values(":u", AttributeValue::Ss(vec![user_id.to_owned()]))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(corrupt)?;
        let mut items = vec![
            (
                TransactWriteItem::builder().delete(delete).build(),
                RemoveMember::NotMember,
            ),
            (
                TransactWriteItem::builder().update(update).build(),
                RemoveMember::NoSuchChat,
            ),
            (
                member_count_item(&self.tables.conversations, &conversation_id(chat_id), -1)?,
                // Unconditional: it cannot fail a condition.
                RemoveMember::Removed,
            ),
        ];
        // A transaction may touch an item once: leaving needs no check of one's own membership.
        if removed_by != user_id {
            items.push((
                membership_check(table, chat_id, removed_by)?,
                RemoveMember::RemoverNotMember,
            ));
        }
        if let Some(record) = remember {
            items.push((put_record(table, record)?, RemoveMember::KeyUsed));
        }
        Ok(self
            .transact_or(items)
            .await?
            .unwrap_or(RemoveMember::Removed))
    }
}
