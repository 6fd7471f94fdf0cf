//! Presence subscriptions: which connections watch which users.
//!
//! A connection's list lives on its record (`watching`, a string set, with `watch_version`
//! for optimistic concurrency), and each (connection, watched user) pair is one item
//! `connection_id = "watch#<connection>#<user>"` carrying `watched_id`. The sparse GSI
//! `by_watched` (partition `watched_id`; only pair items have it) answers the one read a
//! presence change needs, "who watches this user", with one bounded Query. Pair items carry the
//! connection's TTL and token expiry, so storage goes on its own and an expired token is closed
//! rather than pushed to; closing a connection deletes its pairs, and a push that finds a
//! watcher gone (410) deletes that pair.

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use chat_core::connections::LiveConnection;

use super::super::items::{Item, n, opt_n, opt_s, s, string_set};
use super::super::{Store, StoreError, StoreResult, corrupt};
use super::Socket;

pub const BY_WATCHED_INDEX: &str = "by_watched";

fn pair_key(connection_id: &str, watched: &str) -> Item {
    Item::from([(
        "connection_id".to_owned(),
        s(format!("watch#{connection_id}#{watched}")),
    )])
}

/// The live connection a connection record describes; `None` for another kind of item.
pub(super) fn live_connection(item: &Item) -> StoreResult<Option<LiveConnection>> {
    let (Some(connection_id), Some(user_id)) =
        (opt_s(item, "connection_id"), opt_s(item, "user_id"))
    else {
        return Ok(None);
    };
    Ok(Some(LiveConnection {
        connection_id: connection_id.to_owned(),
        user_id: user_id.to_owned(),
        watching: string_set(item, "watching"),
        watch_version: opt_n(item, "watch_version")?.unwrap_or(0),
        token_expires_at: opt_n(item, "token_expires_at")?,
        expires_at: opt_n(item, "expires_at")?,
        session_id: opt_s(item, "session_id").map(str::to_owned),
    }))
}

impl Store {
    /// Replaces `connection`'s subscriptions with `users` (deduplicated): the record first, on
    /// the condition that nobody replaced them since `connection` was read, then the pair items
    /// (the old ones not kept are deleted, every new one is put, so repeating a replacement
    /// that failed half-way repairs it). `false` when the record changed or is gone.
    pub async fn replace_watching(
        &self,
        connection: &LiveConnection,
        users: &[String],
    ) -> StoreResult<bool> {
        let id = &connection.connection_id;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(id))
            .condition_expression(
                "attribute_exists(user_id) AND (attribute_not_exists(watch_version) OR watch_version = :read)",
            )
            .expression_attribute_values(":read", n(connection.watch_version))
            .expression_attribute_values(":next", n(connection.watch_version + 1));
        update = if users.is_empty() {
            update.update_expression("SET watch_version = :next REMOVE watching")
        } else {
            update
                .update_expression("SET watch_version = :next, watching = :users")
                .expression_attribute_values(":users", AttributeValue::Ss(users.to_vec()))
        };
        match update.send().await.map_err(StoreError::from_sdk) {
            Ok(_) => {}
            Err(StoreError::ConditionFailed) => return Ok(false),
            Err(err) => return Err(err),
        }
        let mut writes = self.unwatch_requests(id, &connection.watching, users)?;
        for watched in users {
            let mut item = pair_key(id, watched);
            item.insert("watched_id".to_owned(), s(watched));
            item.insert("watcher".to_owned(), s(id));
            if let Some(at) = connection.token_expires_at {
                item.insert("token_expires_at".to_owned(), n(at));
            }
            if let Some(at) = connection.expires_at {
                item.insert("expires_at".to_owned(), n(at));
            }
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(corrupt)?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        self.batch_write(&self.tables.connections, writes).await?;
        Ok(true)
    }

    /// Deletes the pair items of `connection_id` for `watched` (a closed connection's list).
    pub async fn unwatch(&self, connection_id: &str, watched: &[String]) -> StoreResult<()> {
        let writes = self.unwatch_requests(connection_id, watched, &[])?;
        self.batch_write(&self.tables.connections, writes).await
    }

    /// Deletes of the pairs of `connection_id` for each of `watched` not in `kept`.
    fn unwatch_requests(
        &self,
        connection_id: &str,
        watched: &[String],
        kept: &[String],
    ) -> StoreResult<Vec<WriteRequest>> {
        watched
            .iter()
            .filter(|user| !kept.contains(user))
            .map(|user| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(pair_key(connection_id, user)))
                    .build()
                    .map_err(corrupt)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect()
    }

    /// At most `limit` connections watching `user_id`: one Query of `by_watched` (eventually
    /// consistent: a subscription made a moment ago may miss one change, which its snapshot
    /// covered).
    pub async fn watchers_of(&self, user_id: &str, limit: i32) -> StoreResult<Vec<Socket>> {
        let query = self
            .query_index(
                &self.tables.connections,
                BY_WATCHED_INDEX,
                ("watched_id", user_id),
            )
            .limit(limit);
        let out = self.run_query(query).await?;
        out.items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                let connection_id = opt_s(item, "watcher")?.to_owned();
                Some(
                    opt_n(item, "token_expires_at").map(|token_expires_at| Socket {
                        connection_id,
                        token_expires_at,
                        session_id: None,
                    }),
                )
            })
            .collect()
    }
}
