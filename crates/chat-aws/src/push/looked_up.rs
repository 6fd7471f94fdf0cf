//! Pushes to sockets looked up before the change: the send's third wave starts with the
//! first push instead of a read.
//!
//! A socket can open between the look-up and the commit. Its client catches up by `after_seq`
//! once connected, but that catch-up may run before the commit as well, and would then miss
//! the message until the conversation's next event. So the users' sockets are read again after
//! the commit, beside the pushes to the looked-up ones, and a socket that read finds new gets
//! the push too: one more read a change, off the path of the first push.
//!
//! A small chat's members are looked up too, with the version of the membership they belong
//! to. The change's transaction holds the version it was stored at (a member added or removed
//! in between fails it, and it starts again), so the looked-up members are the audience only
//! when the two versions are equal; otherwise the audience is read again after the commit, as
//! for any notification nothing was looked up for. A member removed while the message was
//! being written is never told.

use std::collections::HashSet;

use chat_core::conversation::INLINE_FANOUT_MAX_MEMBERS;
use chat_core::events::{Audience, LookedUp, Notification};

use super::{Delivery, Report};

impl Delivery {
    /// The sockets of `audience`'s users: a direct conversation's, or a chat's members when
    /// the request pushes its events (at most [`INLINE_FANOUT_MAX_MEMBERS`]); nothing for a
    /// larger chat, whose events the delivery function pushes from the stream.
    pub(super) async fn look_up_sockets(&self, audience: Audience) -> LookedUp {
        match audience {
            Audience::Users(users) => {
                let sockets = self.sockets_of(&users).await;
                LookedUp {
                    audience: Some(Audience::Users(users.clone())),
                    users,
                    sockets,
                }
            }
            Audience::Chat {
                chat_id, except, ..
            } => self.look_up_members(chat_id, except).await,
        }
    }

    async fn look_up_members(&self, chat_id: String, except: Option<String>) -> LookedUp {
        let members = match self.store.chat_members(&chat_id, false).await {
            Ok(Some(members)) => members,
            Ok(None) => return LookedUp::default(),
            Err(err) => {
                // The commit's own resolution reads them again.
                tracing::warn!(error = %err, "looking up a chat's members failed");
                return LookedUp::default();
            }
        };
        let small = u64::try_from(members.user_ids.len())
            .is_ok_and(|count| count <= INLINE_FANOUT_MAX_MEMBERS);
        if !small {
            return LookedUp::default();
        }
        let users: Vec<String> = members
            .user_ids
            .into_iter()
            .filter(|m| Some(m) != except.as_ref())
            .collect();
        let sockets = self.sockets_of(&users).await;
        LookedUp {
            audience: Some(Audience::Chat {
                chat_id,
                except,
                members_version: Some(members.version),
            }),
            users,
            sockets,
        }
    }

    /// Each notification of the looked-up audience goes to the looked-up sockets at once and,
    /// after a second read, to those opened since; every other one as [`Delivery::notify`]
    /// sends it.
    pub(super) async fn notify_with(&self, notifications: Vec<Notification>, looked_up: LookedUp) {
        let (ahead, others): (Vec<Notification>, Vec<Notification>) =
            notifications.into_iter().partition(|n| {
                n.watchers.is_none() && looked_up.audience.as_ref() == Some(&n.audience)
            });
        for notification in ahead {
            let report = self.push_looked_up(&notification, &looked_up).await;
            tracing::debug!(
                event_type = ?notification.event.event_type(),
                delivered = report.delivered,
                gone = report.gone,
                failed = report.failed,
                "pushed to sockets looked up before the change"
            );
        }
        if !others.is_empty() {
            super::push_all(self, others).await;
        }
    }

    async fn push_looked_up(&self, notification: &Notification, looked_up: &LookedUp) -> Report {
        let frame = notification.event.to_json();
        let known: HashSet<&str> = looked_up
            .sockets
            .iter()
            .map(|s| s.connection_id.as_str())
            .collect();
        let ((mut report, _), (late, _)) = tokio::join!(
            self.to_sockets(looked_up.sockets.clone(), frame.as_bytes()),
            async {
                let opened_since = self
                    .sockets_of(&looked_up.users)
                    .await
                    .into_iter()
                    .filter(|s| !known.contains(s.connection_id.as_str()))
                    .collect();
                self.to_sockets(opened_since, frame.as_bytes()).await
            }
        );
        report.add(late);
        report
    }
}
