//! Connection leases: every connection record carries `lease_expires_at` (Unix milliseconds),
//! set by `$connect` and renewed by every client frame. A sparse GSI (`by_lease`: partition
//! `lease_shard`, sort `lease_expires_at`; only connection records have those attributes, not
//! the per-user index items) lets the sweeper find expired leases with Queries, never a Scan.

use aws_sdk_dynamodb::types::ReturnValue;
use chat_core::connections::LiveConnection;

use super::super::items::{Item, n, opt_s, s};
use super::super::shards::{shard_name, shard_of};
use super::super::{Store, StoreError, StoreResult};
use super::watchers::live_connection;

pub const BY_LEASE_INDEX: &str = "by_lease";

/// Every renewal moves the record in the index; spreading records over shards keeps each
/// index partition far below DynamoDB's per-partition write rate. Records keep the shard they
/// were written with, so changing this strands those in dropped shards: it is a constant.
pub const LEASE_SHARDS: u32 = 16;

/// The shard of a connection.
pub(super) fn lease_shard(connection_id: &str) -> String {
    shard_name(shard_of(connection_id, LEASE_SHARDS))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredConnection {
    pub connection_id: String,
    pub user_id: String,
}

impl Store {
    /// Extends a connection's lease to `lease_expires_at`; the connection's record after it,
    /// or `None` when the record is gone (closed, or swept while the client was silent) or the
    /// token it was opened with expired before `now_secs`.
    pub async fn renew_lease(
        &self,
        connection_id: &str,
        lease_expires_at: i64,
        now_secs: u64,
    ) -> StoreResult<Option<LiveConnection>> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.connections)
            .key("connection_id", s(connection_id))
            .update_expression("SET lease_expires_at = :lease")
            // `user_id` exists on connection records only, never on the per-user index items.
            .condition_expression(
                "attribute_exists(user_id) AND (attribute_not_exists(token_expires_at) OR token_expires_at > :now)",
            )
            .expression_attribute_values(":lease", n(lease_expires_at))
            .expression_attribute_values(":now", n(now_secs))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => match out.attributes.as_ref() {
                Some(item) => live_connection(item),
                None => Ok(None),
            },
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(None),
                other => Err(other),
            },
        }
    }

    /// One page (at most `limit`) of the connections of `shard` whose lease ended before `now`
    /// (Unix milliseconds), oldest first, and where the next page starts.
    pub async fn expired_connections(
        &self,
        shard: u32,
        now: i64,
        limit: i32,
        start: Option<Item>,
    ) -> StoreResult<(Vec<ExpiredConnection>, Option<Item>)> {
        let out = self
            .client
            .query()
            .table_name(&self.tables.connections)
            .index_name(BY_LEASE_INDEX)
            .key_condition_expression("lease_shard = :shard AND lease_expires_at < :now")
            .expression_attribute_values(":shard", s(shard_name(shard)))
            .expression_attribute_values(":now", n(now))
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let expired = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                Some(ExpiredConnection {
                    connection_id: opt_s(item, "connection_id")?.to_owned(),
                    user_id: opt_s(item, "user_id")?.to_owned(),
                })
            })
            .collect();
        Ok((expired, out.last_evaluated_key))
    }
}
