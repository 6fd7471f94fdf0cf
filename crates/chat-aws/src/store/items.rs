//! Helpers the table modules share: attribute access, page keys and BatchGetItem.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, ReturnConsumedCapacity, WriteRequest,
};

use chat_core::paging::{Position, PositionPart};

use super::{Store, StoreError, StoreResult, capacity, corrupt};
use crate::store::Key;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// BatchGetItem takes at most 100 keys per request.
const BATCH_GET_MAX: usize = 100;
/// BatchWriteItem takes at most 25 requests.
const BATCH_WRITE_MAX: usize = 25;
/// Unprocessed keys or writes (throttling) are retried this often before the batch counts as
/// unavailable.
const BATCH_ATTEMPTS: u32 = 8;

/// Waits before the next attempt of a batch that left work unprocessed (none before the first),
/// or gives up after [`BATCH_ATTEMPTS`].
async fn batch_attempt(attempt: u32, what: &str) -> StoreResult<()> {
    if attempt > BATCH_ATTEMPTS {
        return Err(StoreError::Unavailable(
            format!("{what} kept leaving work unprocessed").into(),
        ));
    }
    if attempt > 1 {
        let backoff_ms = 10 * u64::from(attempt) + rand::random_range(0..20);
        tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
    }
    Ok(())
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn opt_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub(crate) fn req_s(item: &Item, name: &str) -> StoreResult<String> {
    opt_s(item, name)
        .map(str::to_owned)
        .ok_or_else(|| corrupt(format!("item lacks string attribute {name}")))
}

pub(crate) fn opt_n<T: std::str::FromStr>(item: &Item, name: &str) -> StoreResult<Option<T>> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .map(|raw| {
            raw.parse::<T>()
                .map_err(|_| corrupt(format!("attribute {name} is not a valid number")))
        })
        .transpose()
}

/// A string set as a sorted list (DynamoDB drops empty sets, so absent means empty).
pub(crate) fn string_set(item: &Item, name: &str) -> Vec<String> {
    let mut values = item
        .get(name)
        .and_then(|v| v.as_ss().ok())
        .cloned()
        .unwrap_or_default();
    values.sort();
    values
}

/// An item from DynamoDB's JSON (a stream record's image: `{"name": {"S": "..."}, ...}`).
pub(crate) fn item_from_json(
    json: &serde_json::Map<String, serde_json::Value>,
) -> StoreResult<Item> {
    json.iter()
        .map(|(name, value)| Ok((name.clone(), attribute_from_json(value)?)))
        .collect()
}

fn attribute_from_json(value: &serde_json::Value) -> StoreResult<AttributeValue> {
    let bad = || corrupt(format!("not a DynamoDB JSON value: {value}"));
    let object = value.as_object().ok_or_else(bad)?;
    let (tag, inner) = object.iter().next().ok_or_else(bad)?;
    let text = || inner.as_str().map(str::to_owned).ok_or_else(bad);
    let texts = || {
        inner
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<StoreResult<Vec<String>>>()
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(text()?),
        "N" => AttributeValue::N(text()?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or_else(bad)?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(texts()?),
        "NS" => AttributeValue::Ns(texts()?),
        "M" => AttributeValue::M(item_from_json(inner.as_object().ok_or_else(bad)?)?),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(attribute_from_json)
                .collect::<StoreResult<_>>()?,
        ),
        // Binary values: none of this application's items has one.
        _ => return Err(bad()),
    })
}

/// A key as the rules' opaque resume point: its string and number attributes (keys have no
/// other kind).
pub(crate) fn position_of(key: Key) -> Position {
    Position(
        key.into_iter()
            .filter_map(|(name, value)| match value {
                AttributeValue::S(s) => Some((name, PositionPart::S(s))),
                AttributeValue::N(n) => Some((name, PositionPart::N(n))),
                _ => None,
            })
            .collect(),
    )
}

/// The key a position names, for `ExclusiveStartKey`.
pub(crate) fn key_at(position: Position) -> Key {
    position
        .0
        .into_iter()
        .map(|(name, part)| match part {
            PositionPart::S(s) => (name, AttributeValue::S(s)),
            PositionPart::N(n) => (name, AttributeValue::N(n)),
        })
        .collect()
}

/// The key to resume a Query after `item`: its table and index key attributes.
pub(crate) fn key_of(item: &Item, names: &[&str]) -> Key {
    names
        .iter()
        .filter_map(|name| item.get(*name).map(|v| ((*name).to_owned(), v.clone())))
        .collect()
}

/// Cuts one page from a Query that asked for `limit + 1` items. The extra item tells whether
/// another page follows when the Query read `limit + 1` items; when DynamoDB stopped earlier (it
/// stops after 1 MB), its `LastEvaluatedKey` is the only word on that, so the page holds fewer
/// than `limit` items and still has a cursor. A cursor is `None` only when nothing follows.
pub(crate) fn split_page(
    mut items: Vec<Item>,
    limit: i32,
    last_evaluated: Option<Key>,
    key_names: &[&str],
) -> (Vec<Item>, Option<Key>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if items.len() <= limit {
        return (items, last_evaluated);
    }
    items.truncate(limit);
    let next = items.last().map(|last| key_of(last, key_names));
    (items, next)
}

/// A projection of `attributes` (none: the whole item) as `#p0, #p1, ...` and the names they
/// stand for, since an attribute may be a reserved word.
fn projected(attributes: &[&str]) -> Option<(String, HashMap<String, String>)> {
    if attributes.is_empty() {
        return None;
    }
    let names: HashMap<String, String> = attributes
        .iter()
        .enumerate()
        .map(|(i, name)| (format!("#p{i}"), (*name).to_owned()))
        .collect();
    let expression = (0..attributes.len())
        .map(|i| format!("#p{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some((expression, names))
}

impl Store {
    /// A Query `key_name = value` on `index` of `table` that reports its consumed capacity;
    /// the caller adds the rest and sends it with [`Store::run_query`].
    pub(crate) fn query_index(
        &self,
        table: &str,
        index: &str,
        (key_name, value): (&str, &str),
    ) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(table)
            .index_name(index)
            .key_condition_expression("#key = :key")
            .expression_attribute_names("#key", key_name)
            .expression_attribute_values(":key", s(value))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
    }

    /// Sends a Query, recording the capacity it consumed.
    pub(crate) async fn run_query(&self, query: QueryFluentBuilder) -> StoreResult<QueryOutput> {
        let out = query.send().await.map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        Ok(out)
    }

    /// The item at `key`, read consistently.
    pub(crate) async fn get_item(&self, table: &str, key: Item) -> StoreResult<Option<Item>> {
        self.get_attributes(table, key, true, &[]).await
    }

    /// The attributes `projection` (all if empty) of the item at `key`.
    pub(crate) async fn get_attributes(
        &self,
        table: &str,
        key: Item,
        consistent: bool,
        projection: &[&str],
    ) -> StoreResult<Option<Item>> {
        let mut request = self
            .client
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .consistent_read(consistent)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        if let Some((expression, names)) = projected(projection) {
            request = request
                .projection_expression(expression)
                .set_expression_attribute_names(Some(names));
        }
        let out = request.send().await.map_err(StoreError::from_sdk)?;
        capacity::read(out.consumed_capacity());
        Ok(out.item)
    }

    /// The string attribute `attribute` of every item a Query `key_name = value` (on `index`,
    /// if given) finds, all pages read.
    pub(crate) async fn query_strings(
        &self,
        table: &str,
        index: Option<&str>,
        (key_name, value): (&str, &str),
        attribute: &str,
    ) -> StoreResult<Vec<String>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression("#k = :v")
                .expression_attribute_names("#k", key_name)
                .expression_attribute_names("#a", attribute)
                .expression_attribute_values(":v", s(value))
                .projection_expression("#a")
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            capacity::read(out.consumed_capacity());
            found.extend(
                out.items
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|item| opt_s(item, attribute).map(str::to_owned)),
            );
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(found),
            }
        }
    }

    /// The items at `keys` that exist, in no particular order; only the `projection` attributes
    /// when some are named.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<Item>,
        consistent: bool,
        projection: &[&str],
    ) -> StoreResult<Vec<Item>> {
        // The requests of 100 keys run at once: a 1,000-member audience is one round trip.
        let chunks = keys
            .chunks(BATCH_GET_MAX)
            .map(|chunk| self.batch_get_chunk(table, chunk.to_vec(), consistent, projection));
        Ok(futures::future::try_join_all(chunks)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    /// One BatchGetItem of at most 100 keys, its unprocessed keys sent again.
    async fn batch_get_chunk(
        &self,
        table: &str,
        keys: Vec<Item>,
        consistent: bool,
        projection: &[&str],
    ) -> StoreResult<Vec<Item>> {
        let mut found = Vec::with_capacity(keys.len());
        let mut pending = keys;
        let mut attempt = 0;
        while !pending.is_empty() {
            attempt += 1;
            batch_attempt(attempt, "BatchGetItem").await?;
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(consistent);
            if let Some((expression, names)) = projected(projection) {
                request = request
                    .projection_expression(expression)
                    .set_expression_attribute_names(Some(names));
            }
            let request = request.build().map_err(corrupt)?;
            let out = self
                .client
                .batch_get_item()
                .request_items(table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            capacity::read(out.consumed_capacity());
            if let Some(mut responses) = out.responses {
                found.extend(responses.remove(table).unwrap_or_default());
            }
            if let Some(mut unprocessed) = out.unprocessed_keys {
                pending = unprocessed
                    .remove(table)
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        Ok(found)
    }

    /// Puts and deletes on `table`, 25 to a request, the requests at once; unprocessed ones
    /// (throttling) are sent again. Not atomic: each write stands alone.
    pub(crate) async fn batch_write(
        &self,
        table: &str,
        writes: Vec<WriteRequest>,
    ) -> StoreResult<()> {
        let chunks = writes
            .chunks(BATCH_WRITE_MAX)
            .map(|chunk| self.batch_write_chunk(table, chunk.to_vec()));
        futures::future::try_join_all(chunks).await?;
        Ok(())
    }

    async fn batch_write_chunk(
        &self,
        table: &str,
        mut pending: Vec<WriteRequest>,
    ) -> StoreResult<()> {
        let mut attempt = 0;
        while !pending.is_empty() {
            attempt += 1;
            batch_attempt(attempt, "BatchWriteItem").await?;
            let out = self
                .client
                .batch_write_item()
                .request_items(table, std::mem::take(&mut pending))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            capacity::write(out.consumed_capacity());
            if let Some(mut unprocessed) = out.unprocessed_items {
                pending = unprocessed.remove(table).unwrap_or_default();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(i: u32) -> Item {
        HashMap::from([
            ("pk".to_owned(), s("p")),
            ("sk".to_owned(), s(format!("{i:03}"))),
            ("body".to_owned(), s("x")),
        ])
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_follows() {
        let (items, next) = split_page((0..3).map(item).collect(), 3, None, &["pk", "sk"]);
        assert_eq!((items.len(), next), (3, None));
        let (items, next) = split_page((0..4).map(item).collect(), 3, None, &["pk", "sk"]);
        assert_eq!(items.len(), 3);
        let next = next.unwrap_or_default();
        assert_eq!(next.len(), 2, "only key attributes: {next:?}");
        assert_eq!(next.get("sk"), Some(&s("002")));
    }

    #[test]
    fn a_query_cut_short_by_its_size_limit_keeps_its_cursor() {
        let stopped_at = key_of(&item(1), &["pk", "sk"]);
        let (items, next) = split_page(
            (0..2).map(item).collect(),
            3,
            Some(stopped_at.clone()),
            &["pk", "sk"],
        );
        assert_eq!((items.len(), next), (2, Some(stopped_at)));
    }

    #[test]
    fn absent_sets_are_empty() {
        assert!(string_set(&item(1), "members").is_empty());
    }
}
