//! `subscribePresence`: a connection names the users whose presence it shows; the list replaces
//! the one before, and the answer is their current presence. Status is public (any signed-in
//! user reads it with `GET /users/{id}`), so anybody may subscribe to anybody.

use chat_core::error::{Error, Result};
use chat_core::events::{PresenceEvent, PresenceSnapshot};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::store::connections::LiveConnection;

/// Users one connection may subscribe to: a screen's worth of avatars. With every connection
/// at the cap, n users coming online together cost at most 100·n pushes, not n²/2.
pub const MAX_PRESENCE_SUBSCRIPTIONS: usize = 100;
/// Longest user id accepted (ids are 26-character ULIDs).
const MAX_ID_LEN: usize = 64;
/// Replacements retried after losing a race to another frame of the same connection.
const ATTEMPTS: usize = 3;

/// The `subscribePresence` frame's fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PresenceSubscription {
    /// The users whose presence this connection receives from now on, at most 100; `[]`
    /// unsubscribes from all. Direct-message peers need not be listed.
    pub user_ids: Vec<String>,
}

/// The list, checked and without repeats, in the order given.
fn checked(request: &PresenceSubscription) -> Result<Vec<String>> {
    let mut users: Vec<String> = Vec::with_capacity(request.user_ids.len());
    for id in &request.user_ids {
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err(Error::validation(
                "user_ids",
                format!("user ids are 1 to {MAX_ID_LEN} characters"),
            ));
        }
        if !users.contains(id) {
            users.push(id.clone());
        }
    }
    if users.len() > MAX_PRESENCE_SUBSCRIPTIONS {
        return Err(Error::LimitExceeded(format!(
            "a connection subscribes to at most {MAX_PRESENCE_SUBSCRIPTIONS} users, not {}",
            users.len()
        )));
    }
    Ok(users)
}

/// Replaces `connection`'s subscriptions with the requested list; the snapshot of those users.
/// A bad list changes nothing. The subscriptions are written before the users are read, so a
/// change either shows in the snapshot or is pushed after it.
pub async fn subscribe(
    app: &App,
    connection: LiveConnection,
    request: &PresenceSubscription,
) -> Result<PresenceSnapshot> {
    let users = checked(request)?;
    let mut connection = connection;
    let mut attempt = 0;
    while !app.store.replace_watching(&connection, &users).await? {
        attempt += 1;
        // Another frame of this connection replaced the list meanwhile, or it was closed.
        connection = match app
            .store
            .connection_record(&connection.connection_id)
            .await?
        {
            Some(again) if attempt < ATTEMPTS => again,
            Some(_) => {
                return Err(Error::Conflict(
                    "the subscriptions changed concurrently; retry".into(),
                ));
            }
            None => return Err(Error::Unauthorized),
        };
    }
    let mut found = app.store.get_public_users(&users).await?;
    found.sort_by_key(|user| users.iter().position(|id| id == &user.id));
    Ok(PresenceSnapshot {
        users: found
            .into_iter()
            .map(|user| PresenceEvent {
                user_id: user.id,
                status: user.status,
                last_seen_at: user.last_seen_at,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(ids: &[&str]) -> PresenceSubscription {
        PresenceSubscription {
            user_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn the_list_is_deduplicated_in_order_and_capped() {
        assert_eq!(
            checked(&ask(&["B", "A", "B"])).ok(),
            Some(vec!["B".to_owned(), "A".to_owned()])
        );
        assert_eq!(checked(&ask(&[])).ok(), Some(vec![]));
        let ids: Vec<String> = (0..=MAX_PRESENCE_SUBSCRIPTIONS)
            .map(|i| format!("U{i}"))
            .collect();
        let at_cap: Vec<&str> = ids[..MAX_PRESENCE_SUBSCRIPTIONS]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            checked(&ask(&at_cap)).map(|u| u.len()).ok(),
            Some(MAX_PRESENCE_SUBSCRIPTIONS)
        );
        let over: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert!(matches!(checked(&ask(&over)), Err(Error::LimitExceeded(_))));
        // Repeats do not count against the cap.
        let mut repeated = at_cap.clone();
        repeated.push("U0");
        assert!(checked(&ask(&repeated)).is_ok());
    }

    #[test]
    fn malformed_ids_are_refused() {
        let long = "x".repeat(MAX_ID_LEN + 1);
        for bad in [&["A", ""][..], &[long.as_str()][..]] {
            assert!(matches!(
                checked(&ask(bad)),
                Err(Error::Validation { field, .. }) if field == "user_ids"
            ));
        }
    }
}
