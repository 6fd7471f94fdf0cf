//! Who hears of a user's presence change, bounded per change: the peers of its most recently
//! active direct conversations (subscribed by default) and the connections that subscribed to
//! it (`subscribePresence`). Chat members are not told by default: in a chat of n members
//! coming online that rule cost about n²/2 pushes; a client shows the presence of the members
//! it displays by subscribing to them. Finding the audience is two bounded Queries, never the
//! whole inbox or a chat's member set.

use crate::connections::Socket;
use crate::error::Result;
use crate::events::{Event, Notification, Payload, PresenceEvent, Watchers};
use crate::ports::PresenceAudience;
use crate::users::User;

/// Direct-message peers told of a change: the peers of this many of the user's direct
/// conversations (its first inbox entries), read with one bounded Query.
pub const MAX_PRESENCE_PEERS: i32 = 100;
/// Subscribed connections told of a change (one Query page); a user watched by more hears
/// none of them past this many.
pub const MAX_PRESENCE_WATCHERS: i32 = 1_000;

/// The presence `event` of `user`'s current status.
pub fn presence_event(user: &User) -> PresenceEvent {
    PresenceEvent {
        user_id: user.id.clone(),
        status: user.status,
        last_seen_at: user.last_seen_at.clone(),
    }
}

/// The `presence` notification of `user`'s status for its direct `peers` (every connection of
/// each, the user's own excluded) and its `watchers` (those connections).
pub fn presence(user: &User, peers: Vec<String>, watchers: Vec<Socket>) -> Vec<Notification> {
    let peers: Vec<String> = peers.into_iter().filter(|id| id != &user.id).collect();
    if peers.is_empty() && watchers.is_empty() {
        return Vec::new();
    }
    let event = Event::new(Payload::Presence(presence_event(user)));
    let mut notification = Notification::new(peers, event);
    if !watchers.is_empty() {
        notification.watchers = Some(Watchers {
            watched: user.id.clone(),
            sockets: watchers,
        });
    }
    vec![notification]
}

/// The `presence` notifications of `user`'s status change. It needs the audience's port alone,
/// so that the push path (which has no function state) tells of a connection it found gone as
/// `$disconnect` would.
pub async fn presence_notifications(
    store: &impl PresenceAudience,
    user: &User,
) -> Result<Vec<Notification>> {
    let (peers, watchers) = futures::try_join!(
        store.direct_peers(&user.id, MAX_PRESENCE_PEERS),
        store.watchers_of(&user.id, MAX_PRESENCE_WATCHERS)
    )?;
    Ok(presence(user, peers, watchers))
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;

    use super::*;
    use crate::events::EventType;
    use crate::memory::MemoryStore;
    use crate::ports::SessionStore;
    use crate::test_users::ADA;
    use crate::users::Status;

    fn socket(connection_id: &str) -> Socket {
        Socket {
            connection_id: connection_id.to_owned(),
            token_expires_at: None,
            session_id: None,
        }
    }

    fn ada(store: &MemoryStore) -> User {
        let user = block_on(store.account(ADA)).ok().flatten();
        user.expect("an account")
    }

    #[test]
    fn presence_goes_to_peers_but_not_the_user_and_to_watchers() {
        let mut user = ada(&MemoryStore::with_accounts([ADA]));
        user.last_seen_at = Some("2026-11-24T01:02:03.456Z".into());
        let watcher = socket("W=");
        let sent = presence(
            &user,
            vec!["A".into(), ADA.into(), "B".into()],
            vec![watcher.clone()],
        );
        // The user itself is not told through its peers.
        assert_eq!(
            sent.iter()
                .map(|n| (n.recipients().to_vec(), n.event.event_type()))
                .collect::<Vec<_>>(),
            [(vec!["A".to_owned(), "B".to_owned()], EventType::Presence)]
        );
        assert_eq!(
            sent.first().map(|n| n.event.payload.clone()),
            Some(Payload::Presence(PresenceEvent {
                user_id: ADA.into(),
                status: Status::Offline,
                last_seen_at: Some("2026-11-24T01:02:03.456Z".into()),
            }))
        );
        assert_eq!(
            sent.first().and_then(|n| n.watchers.clone()),
            Some(Watchers {
                watched: ADA.into(),
                sockets: vec![watcher.clone()],
            })
        );
        assert!(presence(&user, vec![], vec![]).is_empty());
        assert!(presence(&user, vec![ADA.into()], vec![]).is_empty());
        assert_eq!(presence(&user, vec![], vec![watcher]).len(), 1);
    }

    #[test]
    fn a_change_reaches_the_direct_peers_and_the_subscribed_connections() {
        let store = MemoryStore::with_accounts([ADA]);
        store.set_direct_peers(ADA, &["BOB", "CY"]).expect("peers");
        store.watch(ADA, socket("W1=")).expect("watched");
        store.watch("BOB", socket("W2=")).expect("watched");
        let sent = block_on(presence_notifications(&store, &ada(&store))).expect("audience");
        assert_eq!(sent.len(), 1);
        let notification = &sent[0];
        assert_eq!(notification.recipients(), ["BOB", "CY"]);
        // Another user's watchers hear nothing of this one.
        let watchers = notification.watchers.as_ref().map(|w| &w.sockets);
        assert_eq!(watchers, Some(&vec![socket("W1=")]));
    }

    #[test]
    fn a_user_nobody_follows_tells_nobody() {
        let store = MemoryStore::with_accounts([ADA]);
        let sent = block_on(presence_notifications(&store, &ada(&store))).expect("audience");
        assert!(sent.is_empty());
    }

    #[test]
    fn the_audience_stops_at_the_caps() {
        let store = MemoryStore::with_accounts([ADA]);
        let peers: Vec<String> = (0..MAX_PRESENCE_PEERS + 50)
            .map(|n| format!("P{n:03}"))
            .collect();
        let peer_ids: Vec<&str> = peers.iter().map(String::as_str).collect();
        store.set_direct_peers(ADA, &peer_ids).expect("peers");
        for n in 0..=MAX_PRESENCE_WATCHERS {
            store
                .watch(ADA, socket(&format!("W{n:04}=")))
                .expect("watched");
        }
        let sent = block_on(presence_notifications(&store, &ada(&store))).expect("audience");
        let notification = &sent[0];
        // The most recently active conversations' peers, up to the cap.
        let told = usize::try_from(MAX_PRESENCE_PEERS).unwrap_or_default();
        assert_eq!(notification.recipients(), &peers[..told]);
        let watchers = notification
            .watchers
            .as_ref()
            .map_or(0, |w| w.sockets.len());
        assert_eq!(i32::try_from(watchers).ok(), Some(MAX_PRESENCE_WATCHERS));
    }
}
