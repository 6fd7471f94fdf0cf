//! Opening a connection: its record, the user's count and the user's index item, in one
//! transaction. The count is also the user's cap on live connections: the increment is
//! conditioned on it, so a `$connect` past the cap writes nothing, however many run at once,
//! and every close (`$disconnect`, the sweeper, a push's 410) takes the connection off it in the
//! transaction that deletes the record. The index item, which grows by one attribute a socket,
//! is bounded with it.
//!
//! The same condition needs the token's session to exist still. `$connect` checks the session
//! when it reads the user, and a session that ends closes the sockets its user's index item
//! lists: a logout (or a password change, an eviction...) between that read and this write
//! would find no socket to close, and the socket would outlive its session. With the condition
//! on the user item, which ending a session writes, one of the two comes first: the session
//! ends first and this write is refused, or the socket is in the index item when it ends.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::super::items::{n, s};
use super::super::{Store, StoreResult, corrupt};
use super::{leases, socket_attribute, user_index_key};

/// What recording a new connection did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// Recorded and counted on its user.
    Counted,
    /// A record with this id exists already; nothing changed.
    AlreadyOpen,
    /// The user no longer exists; nothing was written.
    NoSuchUser,
    /// The token's session ended since `$connect` checked it; nothing was written.
    SessionEnded,
    /// The user holds its cap of live connections already; nothing was written.
    Full,
}

/// A new connection's record.
#[derive(Debug, Clone, Copy)]
pub struct NewConnection<'a> {
    pub connection_id: &'a str,
    pub user_id: &'a str,
    /// RFC 3339.
    pub connected_at: &'a str,
    /// Unix milliseconds; see `leases`.
    pub lease_expires_at: i64,
    /// Unix seconds: the table's TTL, which only reclaims storage (AWS deletes expired items
    /// within days, so presence never waits for it).
    pub expires_at: u64,
    /// Unix seconds: when the token the socket was opened with expires. The socket closes at
    /// its first frame or push after that.
    pub token_expires_at: u64,
    /// The session of that token: logout closes the session's sockets.
    pub session_id: &'a str,
    /// Live connections the user may hold, this one included.
    pub max_connections: u32,
}

impl Store {
    /// Records a connection, counts it on its user and adds it to the user's index item, in
    /// one transaction: a `$connect` that fails half-way, or is refused, leaves nothing behind.
    pub async fn open_connection(&self, new: NewConnection<'_>) -> StoreResult<Opened> {
        let record = Put::builder()
            .table_name(&self.tables.connections)
            .item("connection_id", s(new.connection_id))
            .item("user_id", s(new.user_id))
            .item("connected_at", s(new.connected_at))
            .item("expires_at", n(new.expires_at))
            .item("lease_expires_at", n(new.lease_expires_at))
            .item("lease_shard", s(leases::lease_shard(new.connection_id)))
            .item("token_expires_at", n(new.token_expires_at))
            .item("session_id", s(new.session_id))
            .condition_expression("attribute_not_exists(connection_id)")
            .build()
            .map_err(corrupt)?;
        let items = vec![
            (
                TransactWriteItem::builder().put(record).build(),
                Opened::AlreadyOpen,
            ),
            // Refined below: one condition covers the user, its session and its cap.
            (self.count_open(&new)?, Opened::Full),
            // Unconditional: its meaning is never reported.
            (self.index_add(&new)?, Opened::Counted),
        ];
        match self.transact_or(items).await? {
            None => Ok(Opened::Counted),
            Some(Opened::Full) => self.why_not_counted(&new).await,
            Some(other) => Ok(other),
        }
    }

    /// `ADD connection_count` on the user, while its session lasts and below the cap only.
    /// `version` moves too, so a concurrent profile write (which puts the whole item, a password
    /// change's new sessions included) re-reads instead of overwriting the counter, and then
    /// closes this socket with the others. A deleted user is not resurrected.
    fn count_open(&self, new: &NewConnection<'_>) -> StoreResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.tables.users)
            .key("id", s(new.user_id))
            .update_expression("ADD connection_count :one, version :one")
            .condition_expression(
                "attribute_exists(sessions.#sid) AND (attribute_not_exists(connection_count) OR connection_count < :max)",
            )
            .expression_attribute_names("#sid", new.session_id)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(new.max_connections))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Why the user's count refused a connection: the user is gone, its session ended, or it
    /// is at its cap. The refusal itself was the conditional write's; this read only names it,
    /// so a connection closing in between changes nothing that was decided.
    async fn why_not_counted(&self, new: &NewConnection<'_>) -> StoreResult<Opened> {
        Ok(match self.get_user(new.user_id).await? {
            None => Opened::NoSuchUser,
            Some(user) if !user.sessions.contains_key(new.session_id) => Opened::SessionEnded,
            Some(_) => Opened::Full,
        })
    }

    /// Adds a socket to its user's index item.
    fn index_add(&self, new: &NewConnection<'_>) -> StoreResult<TransactWriteItem> {
        let socket = AttributeValue::M(
            [
                ("token_expires_at".to_owned(), n(new.token_expires_at)),
                ("session_id".to_owned(), s(new.session_id)),
            ]
            .into(),
        );
        let update = Update::builder()
            .table_name(&self.tables.connections)
            .set_key(Some(user_index_key(new.user_id)))
            .update_expression("ADD ids :id SET #socket = :socket")
            .expression_attribute_names("#socket", socket_attribute(new.connection_id))
            .expression_attribute_values(
                ":id",
                AttributeValue::Ss(vec![new.connection_id.to_owned()]),
            )
            .expression_attribute_values(":socket", socket)
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
