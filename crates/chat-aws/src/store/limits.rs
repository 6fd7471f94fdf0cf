//! The rate-limits table (key `pk`: bucket, key and window number; TTL `expires_at`): one
//! counter item per window, see `crate::limits`.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, ReturnValue};

use super::items::{Item, n, opt_n, s};
use super::{Store, StoreError, StoreResult, capacity, corrupt};

/// How taking from a limit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Counted,
    /// The window is full; nothing was counted.
    Full,
}

fn key(pk: &str) -> Item {
    Item::from([("pk".to_owned(), s(pk))])
}

impl Store {
    /// `ADD n 1` on the window `pk`; the first count also sets its TTL.
    fn counter_update(&self, pk: &str, expires_at: u64) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.tables.rate_limits)
            .set_key(Some(key(pk)))
            .update_expression("ADD n :one SET expires_at = if_not_exists(expires_at, :expires)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(expires_at))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
    }

    /// Counts one event in the window `pk` if it holds fewer than `max`.
    pub async fn take(&self, pk: &str, max: u32, expires_at: u64) -> StoreResult<Taken> {
        let result = self
            .counter_update(pk, expires_at)
            .condition_expression("attribute_not_exists(n) OR n < :max")
            .expression_attribute_values(":max", n(max))
            .send()
            .await;
        match result {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(Taken::Counted)
            }
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(Taken::Full),
                other => Err(other),
            },
        }
    }

    /// Takes back one event counted in the window `pk` (`ADD n -1`), as long as it holds one:
    /// a window that expired meanwhile is not brought back below nothing.
    pub async fn uncount(&self, pk: &str) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.rate_limits)
            .set_key(Some(key(pk)))
            .update_expression("ADD n :minus_one")
            .condition_expression("n > :zero")
            .expression_attribute_values(":minus_one", n(-1))
            .expression_attribute_values(":zero", n(0))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(out) => {
                capacity::write(out.consumed_capacity());
                Ok(())
            }
            Err(err) => match StoreError::from_sdk(err) {
                StoreError::ConditionFailed => Ok(()),
                other => Err(other),
            },
        }
    }

    /// Counts one event in the window `pk`, whatever it holds; the count after it.
    pub async fn count(&self, pk: &str, expires_at: u64) -> StoreResult<u64> {
        let out = self
            .counter_update(pk, expires_at)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        capacity::write(out.consumed_capacity());
        out.attributes
            .as_ref()
            .map(|item| opt_n(item, "n"))
            .transpose()?
            .flatten()
            .ok_or_else(|| corrupt("a counter without a count"))
    }
}
