//! The connections table (key `connection_id`, GSIs `by_user` and `by_lease`) and the per-user
//! connection counter on the users table that decides presence.
//!
//! Besides one record per connection, the table holds one index item per user
//! (`connection_id = "user#<user id>"`, a string set `ids`): a push to a 200-member chat then
//! finds every socket with two BatchGetItem calls instead of 200 Queries. Opening and closing a
//! connection change the record, the index item and the counter in one transaction, so the
//! three never disagree, whatever fails half-way. The counter is also the user's cap on live
//! connections, which bounds the index item (see `open`).

mod leases;
mod open;
mod watchers;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use chat_core::connections::{LiveConnection, Socket};

use super::items::{Item, n, s, string_set};
use super::{Store, StoreError, StoreResult, corrupt};

pub use leases::{BY_LEASE_INDEX, ExpiredConnection, LEASE_SHARDS};
pub use open::{NewConnection, Opened};
pub use watchers::BY_WATCHED_INDEX;

/// GSI listing a user's connection records (closing a deleted account's sockets, and the
/// tests); pushes read the per-user index item instead.
pub const BY_USER_INDEX: &str = "by_user";

fn user_index_key(user_id: &str) -> Item {
    Item::from([("connection_id".to_owned(), s(format!("user#{user_id}")))])
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub connection_id: String,
    pub user_id: String,
}

/// The index item's attribute describing one socket: top-level, so that opening and closing
/// set and remove it in the same update as the id set, with no parent map to create first.
fn socket_attribute(connection_id: &str) -> String {
    format!("{SOCKET_PREFIX}{connection_id}")
}

const SOCKET_PREFIX: &str = "socket#";

/// Why a close transaction did not commit.
#[derive(Debug, Clone, Copy)]
enum CloseFailed {
    /// The record is gone, or its `CloseIf` condition does not hold.
    NoSuchRecord,
    /// The user has no count to take the connection from.
    NothingToUncount,
}

/// When a close applies; a close whose condition does not hold changes nothing.
#[derive(Debug, Clone, Copy)]
pub enum CloseIf<'a> {
    Always,
    /// Opened before this RFC 3339 instant (a 410 may come from a `$connect` still running).
    OpenedBefore(&'a str),
    /// Its lease ended before this instant (Unix ms): a renewal racing the sweep wins.
    LeaseExpiredBefore(i64),
}

impl Store {
    /// Takes one connection off its user's count. `version` moves too, so a concurrent profile
    /// write (which puts the whole item) re-reads instead of overwriting the counter. A deleted
    /// user is not resurrected, and the count never goes below zero.
    fn count_close(&self, user_id: &str) -> StoreResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .update_expression("ADD connection_count :d, version :one")
            .condition_expression("attribute_exists(id) AND connection_count >= :one")
            .expression_attribute_values(":d", n(-1))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Takes a socket out of its user's index item.
    fn index_remove(&self, user_id: &str, connection_id: &str) -> StoreResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.tables.connections)
            .set_key(Some(user_index_key(user_id)))
            .update_expression("DELETE ids :id REMOVE #socket")
            .expression_attribute_names("#socket", socket_attribute(connection_id))
            .expression_attribute_values(":id", AttributeValue::Ss(vec![connection_id.to_owned()]))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Every open socket of every user in `user_ids` (BatchGetItem of their index items).
    pub async fn connections_of(&self, user_ids: &[String]) -> StoreResult<Vec<Socket>> {
        let keys = user_ids.iter().map(|u| user_index_key(u)).collect();
        let items = self
            .batch_get(&self.tables.connections, keys, false, &[])
            .await?;
        Ok(items.iter().flat_map(sockets_in).collect())
    }

    /// Every open socket of one user (a GetItem of its index item).
    pub async fn sockets_of_user(&self, user_id: &str) -> StoreResult<Vec<Socket>> {
        let item = self
            .get_item(&self.tables.connections, user_index_key(user_id))
            .await?;
        Ok(item.as_ref().map(sockets_in).unwrap_or_default())
    }

    /// Forgets a connection; its user when this call removed it (and so uncounted it), `None`
    /// when it was already gone, so that a disconnect, a sweep and a `GoneException` clean-up
    /// of the same connection never uncount it twice.
    pub async fn close_connection(&self, connection_id: &str) -> StoreResult<Option<String>> {
        self.close_connection_if(connection_id, CloseIf::Always)
            .await
    }

    /// [`Store::close_connection`], only if the connection was opened before `opened_before`
    /// (an RFC 3339 timestamp); a younger one is left alone and gives `None`.
    pub async fn close_connection_opened_before(
        &self,
        connection_id: &str,
        opened_before: &str,
    ) -> StoreResult<Option<String>> {
        self.close_connection_if(connection_id, CloseIf::OpenedBefore(opened_before))
            .await
    }

    /// Deletes the record, takes the id out of the user's index item and uncounts it, in one
    /// transaction, when `when` holds; then deletes its presence subscriptions (the record,
    /// read first, lists them).
    pub async fn close_connection_if(
        &self,
        connection_id: &str,
        when: CloseIf<'_>,
    ) -> StoreResult<Option<String>> {
        let Some(record) = self.connection_record(connection_id).await? else {
            return Ok(None);
        };
        let closed = self
            .close_record(connection_id, &record.user_id, when)
            .await?;
        if closed && !record.watching.is_empty() {
            // Best effort: a pair left behind goes with its TTL, or with the first push that
            // finds the connection gone.
            if let Err(err) = self.unwatch(connection_id, &record.watching).await {
                tracing::warn!(error = %err, connection_id, "deleting the subscriptions of a closed connection failed");
            }
        }
        Ok(closed.then_some(record.user_id))
    }

    async fn close_record(
        &self,
        connection_id: &str,
        user_id: &str,
        when: CloseIf<'_>,
    ) -> StoreResult<bool> {
        // A record whose user has no count to take from (a write lost before this fix, or an
        // account deleted since) still goes, without touching the counter.
        for counted in [true, false] {
            let mut items = vec![
                (
                    self.record_delete(connection_id, user_id, when)?,
                    CloseFailed::NoSuchRecord,
                ),
                // Unconditional: its meaning is never reported.
                (
                    self.index_remove(user_id, connection_id)?,
                    CloseFailed::NoSuchRecord,
                ),
            ];
            if counted {
                items.push((self.count_close(user_id)?, CloseFailed::NothingToUncount));
            }
            match self.transact_or(items).await? {
                None => return Ok(true),
                Some(CloseFailed::NoSuchRecord) => return Ok(false),
                Some(CloseFailed::NothingToUncount) => continue,
            }
        }
        Ok(false)
    }

    fn record_delete(
        &self,
        connection_id: &str,
        user_id: &str,
        when: CloseIf<'_>,
    ) -> StoreResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.tables.connections)
            .key("connection_id", s(connection_id))
            .expression_attribute_values(":user", s(user_id));
        let delete = match when {
            CloseIf::Always => delete.condition_expression("user_id = :user"),
            // Timestamps share one fixed-width UTC format, so string order is time order.
            CloseIf::OpenedBefore(cutoff) => delete
                .condition_expression("user_id = :user AND connected_at < :cutoff")
                .expression_attribute_values(":cutoff", s(cutoff)),
            CloseIf::LeaseExpiredBefore(now) => delete
                .condition_expression("user_id = :user AND lease_expires_at < :now")
                .expression_attribute_values(":now", n(now)),
        };
        Ok(TransactWriteItem::builder()
            .delete(delete.build().map_err(corrupt)?)
            .build())
    }

    /// A connection's record, if it has one.
    pub async fn connection_record(
        &self,
        connection_id: &str,
    ) -> StoreResult<Option<LiveConnection>> {
        let key = Item::from([("connection_id".to_owned(), s(connection_id))]);
        // Consistent: closing right after `$connect` must see the record it wrote.
        match self.get_item(&self.tables.connections, key).await? {
            Some(item) => watchers::live_connection(&item),
            None => Ok(None),
        }
    }

    /// Every open connection of a user (one Query on `by_user`).
    pub async fn user_connections(&self, user_id: &str) -> StoreResult<Vec<String>> {
        self.query_strings(
            &self.tables.connections,
            Some(BY_USER_INDEX),
            ("user_id", user_id),
            "connection_id",
        )
        .await
    }

    /// Sets the presence status if the connection counter still agrees with it: `online`-like
    /// statuses need `connection_count > 0`, `offline` needs `connection_count <= 0`. Whichever
    /// of two racing connects and disconnects writes last, the status matches the counter.
    /// Returns whether the status was written.
    pub async fn set_presence(
        &self,
        user_id: &str,
        status: &str,
        connected: bool,
        now: &str,
    ) -> StoreResult<bool> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key("id", s(user_id))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1));
        update = if connected {
            update
                .update_expression("SET #status = :status ADD version :one")
                .condition_expression(
                    "attribute_exists(id) AND connection_count > :zero AND #status <> :status",
                )
        } else {
            update
                .update_expression("SET #status = :status, last_seen_at = :now ADD version :one")
                .condition_expression(
                    "attribute_exists(id) AND (attribute_not_exists(connection_count) OR connection_count <= :zero) AND #status <> :status",
                )
                .expression_attribute_values(":now", s(now))
        };
        match self.retry_on_transactions(|| update.clone().send()).await {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(err) => Err(err),
        }
    }
}

/// The sockets an index item lists.
fn sockets_in(item: &Item) -> Vec<Socket> {
    string_set(item, "ids")
        .into_iter()
        .map(|connection_id| {
            let described = item
                .get(&socket_attribute(&connection_id))
                .and_then(|v| v.as_m().ok());
            let field = |name: &str| described.and_then(|m| m.get(name));
            Socket {
                token_expires_at: field("token_expires_at")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok()),
                session_id: field("session_id").and_then(|v| v.as_s().ok()).cloned(),
                connection_id,
            }
        })
        .collect()
}
