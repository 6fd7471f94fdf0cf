//! Who hears of a user's presence change, bounded per change: the peers of its most recently
//! active direct conversations (subscribed by default) and the connections that subscribed to
//! it (`subscribePresence`). Chat members are not told by default: in a chat of n members
//! coming online that rule cost about n²/2 pushes; a client shows the presence of the members
//! it displays by subscribing to them. Finding the audience is two bounded Queries, never the
//! whole inbox or a chat's member set.

use chat_core::connections::Socket;
use chat_core::error::Result;
use chat_core::events::{Event, Notification, Payload, PresenceEvent, Watchers};
use chat_core::users::User;

use crate::store::Store;

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

/// The `presence` notifications of `user`'s status change. It needs the store alone, so that
/// the push path (which has no `App`) tells of a connection it found gone as `$disconnect`
/// would.
pub async fn presence_notifications(store: &Store, user: &User) -> Result<Vec<Notification>> {
    let (peers, watchers) = futures::try_join!(
        store.direct_peers(&user.id, MAX_PRESENCE_PEERS),
        store.watchers_of(&user.id, MAX_PRESENCE_WATCHERS)
    )?;
    Ok(presence(user, peers, watchers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_core::events::EventType;
    use chat_core::users::Status;

    #[test]
    fn presence_goes_to_peers_but_not_the_user_and_to_watchers() {
        let user = User {
            id: "U".into(),
            username: "u".into(),
            email: "u@x.co".into(),
            display_name: "u".into(),
            bio: None,
            avatar_url: None,
            status: Status::Offline,
            last_seen_at: Some("2026-11-24T01:02:03.456Z".into()),
            created_at: "t".into(),
            updated_at: "t".into(),
            password_hash: "h".into(),
            version: 1,
            chosen_status: None,
            connection_count: 0,
            sessions: Default::default(),
        };
        let watcher = Socket {
            connection_id: "W=".into(),
            token_expires_at: None,
            session_id: None,
        };
        let sent = presence(
            &user,
            vec!["A".into(), "U".into(), "B".into()],
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
                user_id: "U".into(),
                status: Status::Offline,
                last_seen_at: Some("2026-11-24T01:02:03.456Z".into()),
            }))
        );
        assert_eq!(
            sent.first().and_then(|n| n.watchers.clone()),
            Some(Watchers {
                watched: "U".into(),
                sockets: vec![watcher.clone()],
            })
        );
        assert!(presence(&user, vec![], vec![]).is_empty());
        assert!(presence(&user, vec!["U".into()], vec![]).is_empty());
        assert_eq!(presence(&user, vec![], vec![watcher]).len(), 1);
    }
}
