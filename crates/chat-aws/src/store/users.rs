//! The users table (key `id`) and the user handles table (key `handle`), which makes usernames
//! and emails unique case-insensitively: a user and its two handles are written, changed and
//! deleted together in one transaction whose conditions decide every race.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnConsumedCapacity, TransactWriteItem,
};
use chat_core::paging::Position;
use chat_core::users::{PublicUser, User};

use super::items::{key_at, position_of, s};
use super::{Store, StoreError, StoreResult, corrupt};

/// GSIs serving prefix search: partition = first character of the lower-cased name, sort key =
/// the lower-cased name, so a search is a `begins_with` Query that reads at most `limit` items.
pub const USERNAME_INDEX: &str = "by_username";
pub const DISPLAY_NAME_INDEX: &str = "by_display_name";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle<'a> {
    Username(&'a str),
    Email(&'a str),
}

impl Handle<'_> {
    /// Handles are stored lower-cased: that is what makes uniqueness case-insensitive.
    fn key(&self) -> String {
        match self {
            Handle::Username(name) => format!("username#{}", name.to_lowercase()),
            Handle::Email(email) => format!("email#{}", email.to_lowercase()),
        }
    }
}

/// The result of a search, with the read capacity it consumed (for benchmarks and logs).
pub struct SearchPage {
    pub users: Vec<PublicUser>,
    pub consumed_rcu: f64,
}

fn first_char(lowered: &str) -> String {
    lowered.chars().next().map(String::from).unwrap_or_default()
}

fn user_item(user: &User) -> StoreResult<HashMap<String, AttributeValue>> {
    let mut item: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(user).map_err(|e| corrupt(format!("user item: {e}")))?;
    let username_lc = user.username.to_lowercase();
    let display_name_lc = user.display_name.to_lowercase();
    item.insert("un_pk".into(), s(first_char(&username_lc)));
    item.insert("username_lc".into(), s(username_lc));
    item.insert("dn_pk".into(), s(first_char(&display_name_lc)));
    item.insert("display_name_lc".into(), s(display_name_lc));
    Ok(item)
}

/// How creating a user ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateUser {
    Created,
    /// The generated id exists already (a ULID collision: never in practice).
    IdTaken,
    UsernameTaken,
    EmailTaken,
}

/// How saving a changed user ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveUser {
    Saved,
    /// Somebody changed (or deleted) the user since it was read.
    Stale,
    EmailTaken,
}

impl Store {
    fn handle_put(&self, handle: Handle<'_>, user_id: &str) -> StoreResult<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.tables.user_handles)
            .item("handle", s(handle.key()))
            .item("user_id", s(user_id))
            .condition_expression("attribute_not_exists(handle)")
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn handle_delete(&self, handle: Handle<'_>, user_id: &str) -> StoreResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.tables.user_handles)
            .key("handle", s(handle.key()))
            .condition_expression("user_id = :id")
            .expression_attribute_values(":id", s(user_id))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Creates the user and claims its username and email, all or nothing.
    pub async fn create_user(&self, user: &User) -> StoreResult<CreateUser> {
        let put = Put::builder()
            .table_name(&self.tables.users)
            .set_item(Some(user_item(user)?))
            .condition_expression("attribute_not_exists(id)")
            .build()
            .map_err(corrupt)?;
        let failed = self
            .transact_or(vec![
                (
                    TransactWriteItem::builder().put(put).build(),
                    CreateUser::IdTaken,
                ),
                (
                    self.handle_put(Handle::Username(&user.username), &user.id)?,
                    CreateUser::UsernameTaken,
                ),
                (
                    self.handle_put(Handle::Email(&user.email), &user.id)?,
                    CreateUser::EmailTaken,
                ),
            ])
            .await?;
        Ok(failed.unwrap_or(CreateUser::Created))
    }

    pub async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.users)
            .key("id", s(id))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        super::capacity::read(out.consumed_capacity());
        out.item
            .map(|item| {
                serde_dynamo::from_item(item).map_err(|e| corrupt(format!("user {id}: {e}")))
            })
            .transpose()
    }

    pub async fn user_id_for(&self, handle: Handle<'_>) -> StoreResult<Option<String>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.tables.user_handles)
            .key("handle", s(handle.key()))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        super::capacity::read(out.consumed_capacity());
        Ok(out
            .item
            .and_then(|item| item.get("user_id").and_then(|v| v.as_s().ok()).cloned()))
    }

    /// Writes `user` if nobody changed it since `expected_version` was read; moves the email
    /// handle in the same transaction when `old_email` is given. Index 0 is the user, 1 the new
    /// email handle.
    pub async fn save_user(
        &self,
        user: &User,
        expected_version: u64,
        old_email: Option<&str>,
    ) -> StoreResult<SaveUser> {
        let put = Put::builder()
            .table_name(&self.tables.users)
            .set_item(Some(user_item(user)?))
            .condition_expression("attribute_exists(id) AND version = :v")
            .expression_attribute_values(":v", AttributeValue::N(expected_version.to_string()))
            .build()
            .map_err(corrupt)?;
        let mut items = vec![(
            TransactWriteItem::builder().put(put).build(),
            SaveUser::Stale,
        )];
        if let Some(old_email) = old_email {
            items.push((
                self.handle_put(Handle::Email(&user.email), &user.id)?,
                SaveUser::EmailTaken,
            ));
            items.push((
                self.handle_delete(Handle::Email(old_email), &user.id)?,
                SaveUser::Stale,
            ));
        }
        Ok(self.transact_or(items).await?.unwrap_or(SaveUser::Saved))
    }

    /// Deletes the user and frees its username and email, all or nothing; `false` when it was
    /// gone already.
    pub async fn delete_user(&self, user: &User) -> StoreResult<bool> {
        let delete = Delete::builder()
            .table_name(&self.tables.users)
            .key("id", s(&user.id))
            .condition_expression("attribute_exists(id)")
            .build()
            .map_err(corrupt)?;
        let failed = self
            .transact_or(vec![
                (TransactWriteItem::builder().delete(delete).build(), ()),
                (
                    self.handle_delete(Handle::Username(&user.username), &user.id)?,
                    (),
                ),
                (
                    self.handle_delete(Handle::Email(&user.email), &user.id)?,
                    (),
                ),
            ])
            .await?;
        Ok(failed.is_none())
    }

    /// One page of all users. The only Scan of the service, allowed for this listing.
    pub async fn list_users(
        &self,
        limit: i32,
        start: Option<Position>,
    ) -> StoreResult<(Vec<User>, Option<Position>)> {
        let out = self
            .client
            .scan()
            .table_name(&self.tables.users)
            .limit(limit)
            .set_exclusive_start_key(start.map(key_at))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let users = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(|e| corrupt(format!("user: {e}"))))
            .collect::<StoreResult<Vec<User>>>()?;
        Ok((users, out.last_evaluated_key.map(position_of)))
    }

    /// Users whose username or display name starts with `prefix` (any case): one Query on each
    /// name index, merged. Cost is bounded by `limit`, whatever the number of users.
    pub async fn search_users(&self, prefix: &str, limit: i32) -> StoreResult<SearchPage> {
        let prefix = prefix.to_lowercase();
        let partition = first_char(&prefix);
        let (by_username, by_display_name) = futures::try_join!(
            self.query_name_index(
                USERNAME_INDEX,
                "un_pk",
                "username_lc",
                &partition,
                &prefix,
                limit
            ),
            self.query_name_index(
                DISPLAY_NAME_INDEX,
                "dn_pk",
                "display_name_lc",
                &partition,
                &prefix,
                limit
            ),
        )?;
        let consumed_rcu = by_username.1 + by_display_name.1;
        let mut users: Vec<PublicUser> = Vec::new();
        for user in by_username.0.into_iter().chain(by_display_name.0) {
            if !users.iter().any(|u| u.id == user.id) {
                users.push(user);
            }
        }
        users.sort_by(|a, b| {
            a.username
                .to_lowercase()
                .cmp(&b.username.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        });
        users.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(SearchPage {
            users,
            consumed_rcu,
        })
    }

    async fn query_name_index(
        &self,
        index: &str,
        partition_attr: &str,
        sort_attr: &str,
        partition: &str,
        prefix: &str,
        limit: i32,
    ) -> StoreResult<(Vec<PublicUser>, f64)> {
        let out = self
            .client
            .query()
            .table_name(&self.tables.users)
            .index_name(index)
            .key_condition_expression("#p = :p AND begins_with(#s, :prefix)")
            .expression_attribute_names("#p", partition_attr)
            .expression_attribute_names("#s", sort_attr)
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":prefix", s(prefix))
            .limit(limit)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let consumed = out
            .consumed_capacity
            .as_ref()
            .and_then(|c| c.capacity_units)
            .unwrap_or(0.0);
        let users = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(|e| corrupt(format!("user: {e}"))))
            .collect::<StoreResult<Vec<PublicUser>>>()?;
        Ok((users, consumed))
    }
}

impl Store {
    /// The public users of `ids` that exist, in no particular order: one BatchGetItem per 100.
    pub async fn get_public_users(&self, ids: &[String]) -> StoreResult<Vec<PublicUser>> {
        self.batch_get_users(ids, &[])
            .await?
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(|e| corrupt(format!("user: {e}"))))
            .collect()
    }

    /// Which of `ids` name existing users.
    pub async fn existing_user_ids(&self, ids: &[String]) -> StoreResult<HashSet<String>> {
        Ok(self
            .batch_get_users(ids, &["id"])
            .await?
            .iter()
            .filter_map(|item| super::items::opt_s(item, "id").map(str::to_owned))
            .collect())
    }

    async fn batch_get_users(
        &self,
        ids: &[String],
        projection: &[&str],
    ) -> StoreResult<Vec<HashMap<String, AttributeValue>>> {
        let mut ids: Vec<&String> = ids.iter().collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids
            .into_iter()
            .map(|id| HashMap::from([("id".to_owned(), s(id))]))
            .collect();
        self.batch_get(&self.tables.users, keys, true, projection)
            .await
    }
}
