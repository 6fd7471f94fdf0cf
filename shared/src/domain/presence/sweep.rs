//! The sweeper: closes the connections whose lease ran out (their `$disconnect` was lost, or
//! the client went silent), exactly as `$disconnect` would, and pushes the `offline` presence.
//! It runs on a schedule (`WsSweepFunction`, every minute on AWS), so presence heals within
//! the lease plus that period, with no reliance on DynamoDB's TTL.

use std::time::SystemTime;

use chat_core::error::Result;
use chat_core::time::unix_millis;

use super::closed;
use crate::app::App;
use crate::store::connections::{CloseIf, ExpiredConnection, LEASE_SHARDS};

/// Expired connections read per Query.
const PAGE: i32 = 100;
/// Pages per shard per run: bounds a run's duration; what is left waits for the next run.
const MAX_PAGES: usize = 10;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub expired: usize,
    pub closed: usize,
}

/// Closes every connection whose lease ended before now.
pub async fn sweep(app: &App) -> Result<SweepReport> {
    let now = unix_millis(SystemTime::now());
    let shards = futures::future::try_join_all((0..LEASE_SHARDS).map(|s| sweep_shard(app, s, now)));
    Ok(shards
        .await?
        .into_iter()
        .fold(SweepReport::default(), |total, shard| SweepReport {
            expired: total.expired + shard.expired,
            closed: total.closed + shard.closed,
        }))
}

async fn sweep_shard(app: &App, shard: u32, now: i64) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let mut start = None;
    for _ in 0..MAX_PAGES {
        let (expired, next) = app
            .store
            .expired_connections(shard, now, PAGE, start)
            .await?;
        report.expired += expired.len();
        for connection in expired {
            if close_expired(app, &connection, now).await? {
                report.closed += 1;
            }
        }
        match next {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    Ok(report)
}

/// Closes one expired connection unless its lease was renewed meanwhile; whether it did.
async fn close_expired(app: &App, connection: &ExpiredConnection, now: i64) -> Result<bool> {
    let Some(user_id) = app
        .store
        .close_connection_if(&connection.connection_id, CloseIf::LeaseExpiredBefore(now))
        .await?
    else {
        return Ok(false);
    };
    let notifications = closed(app, &user_id).await?;
    app.notifier.notify(notifications).await;
    // The socket may be alive with a silent client: closing it makes the client reconnect and
    // re-sync rather than wait for pushes that no longer reach it. A dead one answers 410.
    if let Some(delivery) = &app.delivery {
        delivery.close(&connection.connection_id).await;
    }
    tracing::info!(
        connection_id = connection.connection_id,
        "closed a connection whose lease expired"
    );
    Ok(true)
}
