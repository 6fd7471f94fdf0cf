//! Pushing frames to WebSocket clients through the API Gateway Management API: every open
//! connection of every recipient, concurrently with a bound. A connection that API Gateway
//! reports gone (410) is forgotten on the spot; it never fails the request that caused the push.

use std::time::{Duration, SystemTime};

use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::timeout::TimeoutConfig;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use futures::StreamExt;
use futures::future::BoxFuture;

use crate::domain::contacts::{contacts_in, presence};
use crate::events::{Audience, Notification, Notify};
use crate::store::connections::Socket;
use crate::store::{Store, StoreResult};
use crate::time::{now_rfc3339, rfc3339_ago, unix_seconds};

/// Pushes in flight at once per request: enough to reach a 200-member chat in a few round
/// trips without opening hundreds of sockets from one Lambda.
const MAX_IN_FLIGHT: usize = 64;

/// Longest a `$connect` can run: API Gateway's 29 s integration timeout, rounded up.
pub const CONNECT_GRACE: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Delivery {
    client: Client,
    store: Store,
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
}

impl Delivery {
    /// `endpoint` is the WebSocket API's callback URL (`https://{api}.execute-api.{region}.
    /// amazonaws.com/{stage}` on AWS, `http://127.0.0.1:8000/ws` locally).
    pub fn new(sdk_config: &aws_config::SdkConfig, endpoint: &str, store: Store) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk_config)
            .endpoint_url(endpoint)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(1))
                    .operation_timeout(Duration::from_secs(3))
                    .build(),
            )
            .build();
        Delivery {
            client: Client::from_conf(config),
            store,
        }
    }

    /// Sends `frame` to every open connection of every user in `user_ids`. A socket whose
    /// token has expired gets no frame: it is closed instead (a socket lives no longer than the
    /// token it was opened with).
    pub async fn to_users(&self, user_ids: &[String], frame: &[u8]) -> Report {
        let mut users: Vec<String> = user_ids.to_vec();
        users.sort();
        users.dedup();
        let connections = self
            .store
            .connections_of(&users)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(error = %err, "listing connections failed");
                Vec::new()
            });
        let now = unix_seconds(SystemTime::now());
        let (expired, live): (Vec<Socket>, Vec<Socket>) =
            connections.into_iter().partition(|s| s.token_expired(now));
        futures::future::join_all(expired.iter().map(|s| self.close(&s.connection_id))).await;
        let live = live.into_iter().map(|s| s.connection_id).collect();
        let mut report = self.to_connections(live, frame).await;
        report.expired = expired.len();
        report
    }

    pub async fn to_connections(&self, connection_ids: Vec<String>, frame: &[u8]) -> Report {
        let outcomes: Vec<Outcome> = futures::stream::iter(connection_ids)
            .map(|id| async move { self.to_connection(&id, frame).await })
            .buffer_unordered(MAX_IN_FLIGHT)
            .collect()
            .await;
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

    pub async fn to_connection(&self, connection_id: &str, frame: &[u8]) -> Outcome {
        let result = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(frame))
            .send()
            .await;
        match result {
            Ok(_) => Outcome::Delivered,
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(PostToConnectionError::GoneException(_))
                ) =>
            {
                self.forget_settled(connection_id).await;
                Outcome::Gone
            }
            Err(err) => {
                tracing::warn!(error = %err, connection_id, "push failed");
                Outcome::Failed
            }
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
    /// Tells the contacts of a user that a gone connection took offline, as `$disconnect`
    /// would. Each push that finds another gone connection closes that one first, so the
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
        match contacts_in(&self.store, user_id).await {
            Ok(contacts) => self.notify(presence(&user, contacts)).await,
            Err(err) => tracing::warn!(error = %err, "listing contacts failed"),
        }
    }
}

impl Delivery {
    /// The users of an audience: a chat's members are read now (one GetItem of its meta item).
    async fn resolve(&self, audience: Audience) -> Vec<String> {
        match audience {
            Audience::Users(users) => users,
            Audience::Chat { chat_id, except } => match self.store.get_chat(&chat_id).await {
                Ok(chat) => chat
                    .map(|c| c.members)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|m| Some(m) != except.as_ref())
                    .collect(),
                Err(err) => {
                    tracing::warn!(error = %err, chat_id, "reading the chat's members failed");
                    Vec::new()
                }
            },
        }
    }
}

impl Notify for Delivery {
    /// Every notification's event, serialised once, to every connection of its recipients.
    fn notify(&self, notifications: Vec<Notification>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for notification in notifications {
                let frame = notification.event.to_json();
                let users = self.resolve(notification.audience).await;
                let report = self.to_users(&users, frame.as_bytes()).await;
                tracing::debug!(
                    event_type = ?notification.event.event_type(),
                    delivered = report.delivered,
                    gone = report.gone,
                    failed = report.failed,
                    "pushed"
                );
            }
        })
    }
}
