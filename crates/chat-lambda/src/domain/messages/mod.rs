//! The two ways into a conversation's history that the REST API offers: with a user, or in a
//! chat. The rule (participants only, pages, cursors, the catch-up after a sequence number) is
//! chat-core's, as are sending, typing and every change to a message
//! (`chat_core::messages::rules`).

use std::future::Future;
use std::pin::Pin;

use chat_core::conversation::Conversation;
use chat_core::error::{Error, Result};
use chat_core::events::Audience;
use chat_core::events::{LookedUp, Outcome};
use chat_core::ids::{ChatId, UserId};
use chat_core::messages::rules::{self, Sent, change_audience, history, send_audience};
use chat_core::messages::{Message, NewMessage};
use chat_core::paging::Page;
use chat_core::waves::wave;

pub use chat_core::messages::rules::HistoryQuery;

use crate::app::App;
use crate::domain::attachments::Files;

/// The direct conversation of `me` with `peer`; 404 with oneself.
pub async fn direct_history(
    app: &App,
    me: &str,
    peer: &UserId,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::direct(&UserId::trusted(me), peer).ok_or(Error::NotFound)?;
    history(
        &app.store,
        &Files(app),
        &app.cursors,
        me,
        &conversation,
        query.into(),
    )
    .await
}

/// A chat's messages; 404 for non-members.
pub async fn chat_history(
    app: &App,
    me: &str,
    chat_id: &ChatId,
    query: impl Into<HistoryQuery>,
) -> Result<Page<Message>> {
    let conversation = Conversation::chat(chat_id);
    history(
        &app.store,
        &Files(app),
        &app.cursors,
        me,
        &conversation,
        query.into(),
    )
    .await
}

/// A send by `me` in its three waves, for both doors: the rule (with the caller's
/// `authorised`, its session and write count, in its first wave) beside the look-up of the
/// sockets of the send's audience, then the pushes. The rule's future is boxed: joined with
/// the look-up and held inline by a handler, it overflowed a debug build's stack.
pub async fn send<A>(app: &App, me: &str, new: &NewMessage, authorised: A) -> Result<Sent>
where
    A: Future<Output = Result<()>>,
{
    let files = Files(app);
    let (outcome, looked_up) = tokio::join!(
        Box::pin(rules::send(&app.store, &files, me, new, authorised)),
        look_up(app, send_audience(me, new)),
    );
    Ok(notify_looked_up(app, outcome?, looked_up).await)
}

/// A change to message `id`, for both doors: the `rule` (boxed where it is made, as the
/// send's) beside the look-up of the sockets of the change's audience, then the pushes.
pub async fn change<T>(
    app: &App,
    id: &str,
    rule: Pin<Box<impl Future<Output = Result<Outcome<T>>>>>,
) -> Result<T> {
    let (outcome, looked_up) = tokio::join!(rule, look_up(app, change_audience(id)));
    Ok(notify_looked_up(app, outcome?, looked_up).await)
}

/// Hands the change's notifications to the notifier, with the sockets looked up in the
/// change's first wave, and returns its result.
async fn notify_looked_up<T>(app: &App, outcome: Outcome<T>, looked_up: LookedUp) -> T {
    if !outcome.notifications.is_empty() {
        let pushes = app
            .notifier
            .notify_looked_up(outcome.notifications, looked_up);
        wave("push", pushes).await;
    }
    outcome.value
}

async fn look_up(app: &App, audience: Option<Audience>) -> LookedUp {
    match audience {
        Some(audience) => app.notifier.look_up(audience).await,
        None => LookedUp::default(),
    }
}
