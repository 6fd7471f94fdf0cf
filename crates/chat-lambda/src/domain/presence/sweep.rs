//! The sweeper: closes the connections whose lease ran out (their `$disconnect` was lost, or
//! the client went silent), exactly as `$disconnect` would, and says what follows: the
//! `offline` presence to push and the sockets to close, which its Lambda's adapter does.
//! It runs on a schedule (`WsSweepFunction`, every minute on AWS), so presence heals within
//! the lease plus that period, with no reliance on DynamoDB's TTL.

use std::time::SystemTime;

use chat_core::error::Result;
use chat_core::events::Notification;
use chat_core::time::unix_millis;

use super::closed;
use chat_aws::store::Store;
use chat_aws::store::connections::{CloseIf, ExpiredConnection, LEASE_SHARDS};

/// Expired connections read per Query.
const PAGE: i32 = 100;
/// Pages per shard per run: bounds a run's duration; what is left waits for the next run.
const MAX_PAGES: usize = 10;

/// What one run did, and what must follow it.
#[derive(Debug, Default)]
pub struct SweepReport {
    pub expired: usize,
    pub closed: Vec<Closed>,
}

/// A connection whose record the sweep removed.
#[derive(Debug)]
pub struct Closed {
    pub connection_id: String,
    /// Its user's `offline` presence, when it was the user's last connection.
    pub notifications: Vec<Notification>,
}

/// Closes every connection whose lease ended before now.
pub async fn sweep(store: &Store) -> Result<SweepReport> {
    let now = unix_millis(SystemTime::now());
    let shards =
        futures::future::try_join_all((0..LEASE_SHARDS).map(|s| sweep_shard(store, s, now)));
    Ok(shards
        .await?
        .into_iter()
        .fold(SweepReport::default(), |mut total, shard| {
            total.expired += shard.expired;
            total.closed.extend(shard.closed);
            total
        }))
}

async fn sweep_shard(store: &Store, shard: u32, now: i64) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let mut start = None;
    for _ in 0..MAX_PAGES {
        let (expired, next) = store.expired_connections(shard, now, PAGE, start).await?;
        report.expired += expired.len();
        for connection in expired {
            if let Some(closed) = close_expired(store, connection, now).await? {
                report.closed.push(closed);
            }
        }
        match next {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    Ok(report)
}

/// Closes one expired connection's record unless its lease was renewed meanwhile.
async fn close_expired(
    store: &Store,
    connection: ExpiredConnection,
    now: i64,
) -> Result<Option<Closed>> {
    let Some(user_id) = store
        .close_connection_if(&connection.connection_id, CloseIf::LeaseExpiredBefore(now))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Closed {
        notifications: closed(store, &user_id).await?,
        connection_id: connection.connection_id,
    }))
}
