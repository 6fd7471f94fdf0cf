//! `subscribePresence`: a connection names the users whose presence it shows; the list replaces
//! the one before, and the answer is their current presence. Status is public (any signed-in
//! user reads it with `GET /users/{id}`), so anybody may subscribe to anybody.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::connections::LiveConnection;
use crate::error::{Error, Result};
use crate::events::{PresenceEvent, PresenceSnapshot};
use crate::ports::PresenceSubscriptions;

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
    store: &impl PresenceSubscriptions,
    connection: LiveConnection,
    request: &PresenceSubscription,
) -> Result<PresenceSnapshot> {
    let users = checked(request)?;
    let mut connection = connection;
    let mut attempt = 0;
    while !store.replace_watching(&connection, &users).await? {
        attempt += 1;
        // Another frame of this connection replaced the list meanwhile, or it was closed.
        connection = match store.connection_record(&connection.connection_id).await? {
            Some(again) if attempt < ATTEMPTS => again,
            Some(_) => {
                return Err(Error::Conflict(
                    "the subscriptions changed concurrently; retry".into(),
                ));
            }
            None => return Err(Error::Unauthorized),
        };
    }
    let mut found = store.public_users(&users).await?;
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
    use futures::executor::block_on;

    use super::*;
    use crate::memory::MemoryStore;
    use crate::ports::PresenceAudience;

    use crate::test_users::{ADA, BOB, CY};
    const SOCKET: &str = "ada-socket=";

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

    fn snapshot_of(snapshot: &PresenceSnapshot) -> Vec<&str> {
        snapshot.users.iter().map(|u| u.user_id.as_str()).collect()
    }

    fn watchers(store: &MemoryStore, user_id: &str) -> Vec<String> {
        let sockets = block_on(store.watchers_of(user_id, 10)).unwrap_or_default();
        sockets.into_iter().map(|s| s.connection_id).collect()
    }

    #[test]
    fn a_subscription_replaces_the_list_and_answers_with_those_users_in_order() {
        let store = MemoryStore::with_accounts([ADA, BOB, CY]);
        let live = store.connect(SOCKET, ADA).expect("connected");
        let unknown = "01HZZZZZZZZZZZZZZZZZZNOBODY";
        let snapshot = block_on(subscribe(&store, live, &ask(&[CY, unknown, BOB, CY])));
        let snapshot = snapshot.expect("subscribed");
        assert_eq!(snapshot_of(&snapshot), [CY, BOB]);
        assert_eq!(watchers(&store, BOB), [SOCKET]);

        let live = block_on(store.connection_record(SOCKET)).ok().flatten();
        let live = live.expect("a record");
        let mut listed = vec![CY, unknown, BOB];
        listed.sort_unstable();
        assert_eq!(live.watching, listed, "the record keeps the list sorted");
        let snapshot = block_on(subscribe(&store, live, &ask(&[BOB]))).expect("subscribed");
        assert_eq!(snapshot_of(&snapshot), [BOB]);
        assert!(watchers(&store, CY).is_empty());
        assert_eq!(watchers(&store, BOB), [SOCKET]);
    }

    #[test]
    fn a_list_replaced_meanwhile_is_read_again_and_replaced() {
        let store = MemoryStore::with_accounts([ADA, BOB, CY]);
        let stale = store.connect(SOCKET, ADA).expect("connected");
        block_on(subscribe(&store, stale.clone(), &ask(&[CY]))).expect("subscribed");
        // Another frame of the same connection got there first; the last one read wins.
        let snapshot = block_on(subscribe(&store, stale, &ask(&[BOB]))).expect("subscribed");
        assert_eq!(snapshot_of(&snapshot), [BOB]);
        assert!(watchers(&store, CY).is_empty());
        assert_eq!(watchers(&store, BOB), [SOCKET]);
    }

    #[test]
    fn a_closed_connection_subscribes_to_nobody() {
        let store = MemoryStore::with_accounts([ADA, BOB]);
        let live = store.connect(SOCKET, ADA).expect("connected");
        store.disconnect(SOCKET).expect("closed");
        let refused = block_on(subscribe(&store, live, &ask(&[BOB]))).err();
        assert!(matches!(refused, Some(Error::Unauthorized)), "{refused:?}");
        assert!(watchers(&store, BOB).is_empty());
    }

    #[test]
    fn a_list_over_the_cap_changes_nothing() {
        let store = MemoryStore::with_accounts([ADA, BOB]);
        let live = store.connect(SOCKET, ADA).expect("connected");
        block_on(subscribe(&store, live.clone(), &ask(&[BOB]))).expect("subscribed");
        let ids: Vec<String> = (0..=MAX_PRESENCE_SUBSCRIPTIONS)
            .map(|i| format!("U{i}"))
            .collect();
        let over: Vec<&str> = ids.iter().map(String::as_str).collect();
        let refused = block_on(subscribe(&store, live, &ask(&over))).err();
        assert!(
            matches!(refused, Some(Error::LimitExceeded(_))),
            "{refused:?}"
        );
        assert_eq!(watchers(&store, BOB), [SOCKET]);
    }
}
