//! Pushing frames to WebSocket clients through the API Gateway Management API: every open
//! connection of every recipient, concurrently with a bound. A connection that API Gateway
//! reports gone (410) is forgotten on the spot; it never fails the request that caused the push.

use std::time::{Duration, SystemTime};

use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::retry::RetryConfig;
use aws_sdk_apigatewaymanagement::config::timeout::TimeoutConfig;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use chat_core::connections::Socket;
use chat_core::events::{Audience, LookedUp, Notification, Notify, Watchers};
use chat_core::presence::audience::presence_notifications;
use chat_core::time::{now_rfc3339, rfc3339_ago, unix_seconds};
use futures::StreamExt;
use futures::future::BoxFuture;

use crate::metrics::{self, Pushed};

mod looked_up;
mod members;
use crate::store::{Store, StoreResult};

/// Pushes in flight at once per request: enough to reach a 200-member chat in a few round
/// trips without opening hundreds of sockets from one Lambda.
const MAX_IN_FLIGHT: usize = 64;

/// Pushes refused by the throttle (or failing for a moment: a 5xx, a lost connection) are
/// tried again this many times, after a backoff of up to [`RETRY_BACKOFF_MS`] doubled each
/// time (full jitter): at most about 1.5 s in all.
const PUSH_RETRIES: u32 = 5;
const RETRY_BACKOFF_MS: u64 = 25;

/// Longest a `$connect` can run: API Gateway's 29 s integration timeout, rounded up.
pub const CONNECT_GRACE: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Delivery {
    client: Client,
    store: Store,
    members: members::Remembered,
}

/// What happened to one push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// API Gateway does not know the connection (any more, or yet); its record was removed
    /// unless it is younger than [`CONNECT_GRACE`].
    Gone,
    Failed,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub gone: usize,
    pub failed: usize,
    /// Sockets closed instead of pushed to: their tokens had expired.
    pub expired: usize,
    /// Users whose sockets another invocation pushed to (a share of a large audience).
    pub handed_over: usize,
}

impl Report {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: Report) {
        self.delivered += other.delivered;
        self.gone += other.gone;
        self.failed += other.failed;
        self.expired += other.expired;
        self.handed_over += other.handed_over;
    }

    fn from_outcomes(outcomes: impl IntoIterator<Item = Outcome>) -> Self {
        let mut report = Report::default();
        for outcome in outcomes {
            match outcome {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Gone => report.gone += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
        report
    }
}

impl Delivery {
    /// `endpoint` is the WebSocket API's callback URL (`https://{api}.execute-api.{region}.
    /// amazonaws.com/{stage}` on AWS, `http://127.0.0.1:8000/ws` locally).
    pub fn new(sdk_config: &aws_config::SdkConfig, endpoint: &str, store: Store) -> Self {
        // The SDK retries nothing: `to_connection` owns the retries, so that a throttled push
        // backs off once, not in two nested loops (their product outlived the function's
        // timeout under a sustained throttle), and each retry is counted.
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk_config)
            .retry_config(RetryConfig::disabled())
            .endpoint_url(endpoint)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(1))
                    .operation_timeout(Duration::from_secs(3))
                    .build(),
            );
        let config = if crate::calls::recording() {
            config.interceptor(crate::calls::RecordCalls::ManageConnections)
        } else {
            config
        }
        .build();
        Delivery {
            client: Client::from_conf(config),
            store,
            members: members::Remembered::default(),
        }
    }

    /// Sends `frame` to every open connection of every user in `user_ids`. A socket whose
    /// token has expired gets no frame: it is closed instead (a socket lives no longer than the
    /// token it was opened with).
    pub async fn to_users(&self, user_ids: &[String], frame: &[u8]) -> Report {
        self.to_sockets(self.sockets_of(user_ids).await, frame)
            .await
            .0
    }

    async fn sockets_of(&self, user_ids: &[String]) -> Vec<Socket> {
        let mut users: Vec<String> = user_ids.to_vec();
        users.sort();
        users.dedup();
        self.store
            .connections_of(&users)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(error = %err, "listing connections failed");
                Vec::new()
            })
    }

    /// Sends `frame` to each of `sockets` once, closing those whose token expired; the report
    /// and the ids of the connections API Gateway reported gone.
    async fn to_sockets(&self, mut sockets: Vec<Socket>, frame: &[u8]) -> (Report, Vec<String>) {
        sockets.sort_by(|a, b| a.connection_id.cmp(&b.connection_id));
        sockets.dedup_by(|a, b| a.connection_id == b.connection_id);
        let now = unix_seconds(SystemTime::now());
        let (expired, live): (Vec<Socket>, Vec<Socket>) =
            sockets.into_iter().partition(|s| s.token_expired(now));
        futures::future::join_all(expired.iter().map(|s| self.close(&s.connection_id))).await;
        let outcomes = self
            .outcomes(live.into_iter().map(|s| s.connection_id).collect(), frame)
            .await;
        let mut report = Report::from_outcomes(outcomes.iter().map(|(_, outcome)| *outcome));
        report.expired = expired.len();
        let gone = outcomes
            .into_iter()
            .filter(|(_, outcome)| *outcome == Outcome::Gone)
            .map(|(id, _)| id)
            .collect();
        (report, gone)
    }

    pub async fn to_connections(&self, connection_ids: Vec<String>, frame: &[u8]) -> Report {
        let outcomes = self.outcomes(connection_ids, frame).await;
        Report::from_outcomes(outcomes.into_iter().map(|(_, outcome)| outcome))
    }

    async fn outcomes(&self, connection_ids: Vec<String>, frame: &[u8]) -> Vec<(String, Outcome)> {
        futures::stream::iter(connection_ids)
            .map(|id| async move {
                let outcome = self.to_connection(&id, frame).await;
                (id, outcome)
            })
            .buffer_unordered(MAX_IN_FLIGHT)
            .collect()
            .await
    }

    /// One push. A push the account's throttle refuses (429 `LimitExceededException`), or that
    /// fails for a moment, is tried again after an exponential backoff with full jitter, a few
    /// times: a burst to a large chat spreads out instead of losing its tail.
    pub async fn to_connection(&self, connection_id: &str, frame: &[u8]) -> Outcome {
        let mut attempt: u32 = 0;
        loop {
            let result = self
                .client
                .post_to_connection()
                .connection_id(connection_id)
                .data(Blob::new(frame))
                .send()
                .await;
            let err = match result {
                Ok(_) => {
                    metrics::push(Pushed::Delivered);
                    return Outcome::Delivered;
                }
                Err(err) => err,
            };
            if matches!(
                err.as_service_error(),
                Some(PostToConnectionError::GoneException(_))
            ) {
                metrics::push(Pushed::Gone);
                self.forget_settled(connection_id).await;
                return Outcome::Gone;
            }
            let status = err.raw_response().map(|r| r.status().as_u16());
            let throttled = matches!(
                err.as_service_error(),
                Some(PostToConnectionError::LimitExceededException(_))
            ) || status == Some(429);
            // No answer at all (a timeout, a lost connection) or a 5xx may pass as well.
            let transient = throttled || status.is_none_or(|code| code >= 500);
            if transient && attempt < PUSH_RETRIES {
                let ceiling = RETRY_BACKOFF_MS.saturating_mul(1 << attempt);
                let wait = rand::random_range(0..=ceiling);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                attempt += 1;
                metrics::push_retried();
                continue;
            }
            tracing::warn!(error = %err, connection_id, throttled, "push failed");
            metrics::push(if throttled {
                Pushed::Throttled
            } else {
                Pushed::Failed
            });
            return Outcome::Failed;
        }
    }

    /// Closes a connection from the server side (account deletion, an expired lease); API
    /// Gateway then runs the `$disconnect` route, which forgets it if nothing did yet.
    pub async fn close(&self, connection_id: &str) {
        if let Err(err) = self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await
        {
            tracing::debug!(error = %err, connection_id, "closing a connection failed");
            self.forget(connection_id).await;
        }
    }

    /// Forgets a connection API Gateway reports gone, unless its `$connect` may still be
    /// running: API Gateway answers 410 for a connection until its `$connect` returns, and
    /// its record is written before that. A record that is really dead and still young goes
    /// with the next push after the grace, with `$disconnect`, or when its lease expires.
    async fn forget_settled(&self, connection_id: &str) {
        let cutoff = rfc3339_ago(CONNECT_GRACE);
        let closed = self
            .store
            .close_connection_opened_before(connection_id, &cutoff)
            .await;
        self.after_forget(connection_id, closed).await;
    }

    /// Removes a dead connection's record; the last one takes its user offline.
    async fn forget(&self, connection_id: &str) {
        let closed = self.store.close_connection(connection_id).await;
        self.after_forget(connection_id, closed).await;
    }

    async fn after_forget(&self, connection_id: &str, closed: StoreResult<Option<String>>) {
        match closed {
            // Conditioned on a zero count: only the user's last connection takes it offline.
            Ok(Some(user_id)) => {
                match self
                    .store
                    .set_presence(&user_id, "offline", false, &now_rfc3339())
                    .await
                {
                    Ok(true) => self.announce_offline(&user_id).await,
                    Ok(false) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "presence update after a gone connection failed")
                    }
                }
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, connection_id, "forgetting a gone connection failed")
            }
        }
    }
}

impl Delivery {
    /// Tells a user's presence audience that a gone connection took it offline, as
    /// `$disconnect` would. Each push that finds another gone connection closes that one first, so the
    /// recursion ends with the connections.
    async fn announce_offline(&self, user_id: &str) {
        let user = match self.store.get_user(user_id).await {
            Ok(Some(user)) => user,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err, "reading a user gone offline failed");
                return;
            }
        };
        match presence_notifications(&self.store, &user).await {
            Ok(notifications) => self.notify(notifications).await,
            Err(err) => tracing::warn!(error = %err, "finding the presence audience failed"),
        }
    }
}

impl Delivery {
    /// Deletes the subscriptions of watchers found gone. Their records, if any, went with the
    /// 410; a subscription left by a record closed before may not have, and would otherwise be
    /// pushed to until its TTL.
    async fn unwatch_gone(&self, watchers: &Watchers, gone: &[String]) {
        let watched = std::slice::from_ref(&watchers.watched);
        let dropped = watchers
            .sockets
            .iter()
            .filter(|s| gone.contains(&s.connection_id))
            .map(|s| self.store.unwatch(&s.connection_id, watched));
        for result in futures::future::join_all(dropped).await {
            if let Err(err) = result {
                tracing::warn!(error = %err, "deleting a gone watcher's subscription failed");
            }
        }
    }
}

impl Notify for Delivery {
    /// Every notification's event, serialised once, to every connection of its recipients.
    fn notify(&self, notifications: Vec<Notification>) -> BoxFuture<'_, ()> {
        Box::pin(push_all(self, notifications))
    }

    fn look_up(&self, audience: Audience) -> BoxFuture<'_, LookedUp> {
        Box::pin(self.look_up_sockets(audience))
    }

    fn notify_looked_up(
        &self,
        notifications: Vec<Notification>,
        looked_up: LookedUp,
    ) -> BoxFuture<'_, ()> {
        Box::pin(self.notify_with(notifications, looked_up))
    }
}

/// [`Notify::notify`]: each notification's audience read now, then its sockets, then the pushes.
async fn push_all(delivery: &Delivery, notifications: Vec<Notification>) {
    for notification in notifications {
        let frame = notification.event.to_json();
        let users = delivery
            .resolve(notification.audience)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(error = %err, "reading the audience failed");
                Vec::new()
            });
        let mut sockets = delivery.sockets_of(&users).await;
        if let Some(watchers) = &notification.watchers {
            sockets.extend(watchers.sockets.iter().cloned());
        }
        let (report, gone) = delivery.to_sockets(sockets, frame.as_bytes()).await;
        if let Some(watchers) = &notification.watchers {
            delivery.unwatch_gone(watchers, &gone).await;
        }
        tracing::debug!(
            event_type = ?notification.event.event_type(),
            delivered = report.delivered,
            gone = report.gone,
            failed = report.failed,
            "pushed"
        );
    }
}
