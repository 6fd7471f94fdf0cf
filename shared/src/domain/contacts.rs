//! Contacts: the users with whom a user shares a direct conversation or a chat. They are who
//! hears of the user's presence.

use crate::app::App;
use crate::error::Result;
use crate::events::{Event, Notification, Payload, PresenceEvent};
use crate::store::Store;

use super::users::User;

/// The contacts of `user_id`, sorted, without the user itself: the peers of its direct
/// conversations (its inbox's direct entries) and the members of its chats. Cost grows with the
/// user's conversations and chats, never with the number of messages or users.
pub async fn contacts(app: &App, user_id: &str) -> Result<Vec<String>> {
    contacts_in(&app.store, user_id).await
}

/// [`contacts`] from the store alone, for the push path (which has no `App`).
pub async fn contacts_in(store: &Store, user_id: &str) -> Result<Vec<String>> {
    let (peers, chat_ids) = futures::try_join!(
        store.direct_peers(user_id),
        store.all_member_chat_ids(user_id)
    )?;
    let chats = store.get_chats(&chat_ids).await?;
    let mut contacts: Vec<String> = peers
        .into_iter()
        .chain(chats.into_iter().flat_map(|c| c.members))
        .filter(|id| id != user_id)
        .collect();
    contacts.sort();
    contacts.dedup();
    Ok(contacts)
}

/// The `presence` event of `user`'s current status, for `contacts`.
pub fn presence(user: &User, contacts: Vec<String>) -> Vec<Notification> {
    if contacts.is_empty() {
        return Vec::new();
    }
    let event = Event::new(Payload::Presence(PresenceEvent {
        user_id: user.id.clone(),
        status: user.status,
        last_seen_at: user.last_seen_at.clone(),
    }));
    vec![Notification::new(contacts, event)]
}

/// The `presence` notifications of `user`'s status change.
pub async fn presence_notifications(app: &App, user: &User) -> Result<Vec<Notification>> {
    Ok(presence(user, contacts(app, &user.id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::users::Status;
    use crate::events::EventType;

    #[test]
    fn presence_goes_to_the_contacts_with_status_and_last_seen() {
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
        let sent = presence(&user, vec!["A".into(), "B".into()]);
        let pairs: Vec<(String, EventType)> = sent
            .iter()
            .flat_map(|n| {
                n.recipients()
                    .iter()
                    .map(|r| (r.clone(), n.event.event_type()))
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("A".to_owned(), EventType::Presence),
                ("B".to_owned(), EventType::Presence)
            ]
        );
        assert_eq!(
            sent.first().map(|n| n.event.payload.clone()),
            Some(Payload::Presence(PresenceEvent {
                user_id: "U".into(),
                status: Status::Offline,
                last_seen_at: Some("2026-11-24T01:02:03.456Z".into()),
            }))
        );
        assert!(presence(&user, vec![]).is_empty());
    }
}
