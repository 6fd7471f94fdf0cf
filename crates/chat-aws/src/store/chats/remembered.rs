//! Keyed chat changes' records (`Idempotency-Key`), in the chats table beside the chats:
//! `pk = IDEM#<owner>#<key>`, `sk = IDEM`, with the request's digest, the answer and
//! `expires_at`, the table's TTL attribute. The record is put in the change's own transaction,
//! on condition that no live record of the key exists, so one key makes one change. DynamoDB
//! deletes expired items within days (DynamoDB Local never does): expiry is also checked here.

use std::time::SystemTime;

use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TransactWriteItem};
use chat_core::idempotency::Remembered;
use chat_core::time::unix_seconds;

use super::transact_put;
use crate::store::items::{Item, n, opt_n, req_s, s};
use crate::store::{Store, StoreError, StoreResult, capacity};

const SORT_KEY: &str = "IDEM";
const EXPIRES_AT: &str = "expires_at";

fn record_key(owner: &str, key: &str) -> Item {
    Item::from([
        ("pk".to_owned(), s(format!("IDEM#{owner}#{key}"))),
        ("sk".to_owned(), s(SORT_KEY)),
    ])
}

fn record_item(record: &Remembered) -> Item {
    let mut item = record_key(&record.owner, &record.key);
    item.insert("request".into(), s(&record.request));
    item.insert("result".into(), s(&record.result));
    item.insert(EXPIRES_AT.into(), n(record.expires_at));
    item
}

/// The condition of a record's put: no live record of the key.
const KEY_FREE: &str = "attribute_not_exists(pk) OR expires_at <= :now";

fn now() -> u64 {
    unix_seconds(SystemTime::now())
}

/// The record's put, for the change's transaction: it fails its condition while a live
/// record of the key exists.
pub(super) fn put_record(table: &str, record: &Remembered) -> StoreResult<TransactWriteItem> {
    transact_put(
        record_item(record),
        table,
        Some(KEY_FREE),
        &[(":now", n(now()))],
    )
}

impl Store {
    /// Puts the record on its own (one conditional PutItem); `false` when a live record of
    /// its key exists.
    pub async fn remember(&self, record: &Remembered) -> StoreResult<bool> {
        let put = self
            .client
            .put_item()
            .table_name(&self.tables.chats)
            .set_item(Some(record_item(record)))
            .condition_expression(KEY_FREE)
            .expression_attribute_values(":now", n(now()))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match put.map_err(StoreError::from_sdk) {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(true)
            }
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// The live record of `owner`'s `key` (one strongly consistent GetItem).
    pub async fn remembered(
        &self,
        owner: &str,
        key: &str,
        now: u64,
    ) -> StoreResult<Option<Remembered>> {
        let item = self
            .get_item(&self.tables.chats, record_key(owner, key))
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        let expires_at: u64 = opt_n(&item, EXPIRES_AT)?.unwrap_or(0);
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some(Remembered {
            owner: owner.to_owned(),
            key: key.to_owned(),
            request: req_s(&item, "request")?,
            result: req_s(&item, "result")?,
            expires_at,
        }))
    }
}
