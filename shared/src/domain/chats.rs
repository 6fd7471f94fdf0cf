//! Chats (rooms): creation, membership and the caller's list of chats.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::error::{Error, Result};
use crate::input::check_len;
use crate::store::chats::{AddMember, RemoveMember};
use crate::time::now_rfc3339;

use super::conversation::{Conversation, is_entity_id};
use super::paging::{Page, PageRequest};

pub const MAX_NAME_CHARS: usize = 100;
/// A chat is created in one transaction of at most 100 items: its meta item plus one membership
/// item per member, the creator included.
pub const MAX_INITIAL_MEMBERS: usize = 99;
/// Members of one chat. The meta item lists them (about 29 bytes each), and every message
/// event is pushed to each of them, so the bound keeps both the item and the fan-out finite.
pub const MAX_MEMBERS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01JDQ40B5HZ3K6S9D1F4G7J2LM", "name": "Engines",
    "created_by": "01JDQ3Y6S1W8X5V9K2M4N7P0QR",
    "members": ["01JDQ3Y6S1W8X5V9K2M4N7P0QR", "01JDQ3YF4T2W6X8Z0B3C5D7E9G"],
    "created_at": "2026-11-24T01:02:03.456Z"
}))]
pub struct Chat {
    pub id: String,
    pub name: String,
    pub created_by: String,
    /// Sorted user ids.
    pub members: Vec<String>,
    pub created_at: String,
}

impl Chat {
    pub fn has_member(&self, user_id: &str) -> bool {
        self.members.iter().any(|m| m == user_id)
    }
}

/// `POST /chats`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Engines", "member_ids": ["01JDQ3YF4T2W6X8Z0B3C5D7E9G"]}))]
pub struct NewChat {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Existing users; the creator is always a member.
    #[serde(default)]
    #[schema(max_items = 98)]
    pub member_ids: Vec<String>,
}

/// `POST /chats/{chat_id}/members`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"user_id": "01JDQ3YF4T2W6X8Z0B3C5D7E9G"}))]
pub struct NewMember {
    pub user_id: String,
}

/// Cursors of one user's chat list only resume that list.
fn list_scope(me: &str) -> String {
    format!("chats:{me}")
}

fn validate_name(name: &str) -> Result<()> {
    check_len("name", name, 1, MAX_NAME_CHARS)?;
    if name.trim().is_empty() {
        return Err(Error::validation("name", "name must not be blank"));
    }
    Ok(())
}

/// Creates a chat of `me` and `member_ids` (existing users; duplicates and `me` are ignored).
pub async fn create(app: &App, me: &str, new: NewChat) -> Result<Chat> {
    validate_name(&new.name)?;
    let mut members: Vec<String> = vec![me.to_owned()];
    for id in &new.member_ids {
        if !members.iter().any(|m| m == id) {
            members.push(id.clone());
        }
    }
    if members.len() > MAX_INITIAL_MEMBERS {
        return Err(Error::validation(
            "member_ids",
            format!(
                "member_ids may name at most {} other users; add more members afterwards",
                MAX_INITIAL_MEMBERS - 1
            ),
        ));
    }
    let unknown = |id: &str| Error::validation("member_ids", format!("unknown user: {id}"));
    if let Some(bad) = members.iter().find(|id| !is_entity_id(id)) {
        return Err(unknown(bad));
    }
    let others: Vec<String> = members.iter().skip(1).cloned().collect();
    let found = app.store.existing_user_ids(&others).await?;
    if let Some(missing) = others.iter().find(|id| !found.contains(*id)) {
        return Err(unknown(missing));
    }

    let now = now_rfc3339();
    members.sort();
    let chat = Chat {
        id: ulid::Ulid::generate().to_string(),
        name: new.name.clone(),
        created_by: me.to_owned(),
        members,
        created_at: now,
    };
    app.store.create_chat(&chat).await?;
    // Decides whether its events are pushed inline; without it they go through the stream.
    let conversation_id = Conversation::Chat(chat.id.clone()).id();
    let members = u64::try_from(chat.members.len()).unwrap_or(u64::MAX);
    if let Err(err) = app.store.count_members(&conversation_id, members).await {
        tracing::warn!(error = %err, "a new chat's members not counted");
    }
    Ok(chat)
}

/// Where a user stands with a chat.
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    NoSuchChat,
    Outsider(Chat),
    Member(Chat),
}

/// The one membership check (one strongly consistent GetItem); callers choose the status: 404
/// for reads, 403 for writes by outsiders.
pub async fn membership(app: &App, chat_id: &str, user_id: &str) -> Result<Membership> {
    if !is_entity_id(chat_id) {
        return Ok(Membership::NoSuchChat);
    }
    Ok(match app.store.get_chat(chat_id).await? {
        None => Membership::NoSuchChat,
        Some(chat) if chat.has_member(user_id) => Membership::Member(chat),
        Some(chat) => Membership::Outsider(chat),
    })
}

/// The chat, if `me` is a member; 404 otherwise.
pub async fn get(app: &App, me: &str, chat_id: &str) -> Result<Chat> {
    match membership(app, chat_id, me).await? {
        Membership::Member(chat) => Ok(chat),
        Membership::Outsider(_) | Membership::NoSuchChat => Err(Error::NotFound),
    }
}

/// The chats `me` belongs to, most recently joined first.
pub async fn list(app: &App, me: &str, page: PageRequest) -> Result<Page<Chat>> {
    let scope = list_scope(me);
    let start = page.start(app, &scope)?;
    let (ids, next) = app.store.member_chat_ids(me, page.limit(), start).await?;
    let mut chats = app.store.get_chats(&ids).await?;
    // Keep the index order; drop chats left between the index read and the item read.
    chats.retain(|c| c.has_member(me));
    chats.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(Page::new(app, &scope, chats, next))
}

/// Adds `user_id` to the chat. Only members may add (403; 404 for an unknown chat); adding a
/// member again changes nothing; a chat of [`MAX_MEMBERS`] takes nobody more (422).
pub async fn add_member(app: &App, me: &str, chat_id: &str, user_id: &str) -> Result<Chat> {
    let not_allowed = || Error::Forbidden("only members may add members".into());
    let chat = match membership(app, chat_id, me).await? {
        Membership::Member(chat) => chat,
        Membership::Outsider(_) => return Err(not_allowed()),
        Membership::NoSuchChat => return Err(Error::NotFound),
    };
    if chat.has_member(user_id) {
        return Ok(chat);
    }
    let unknown = || Error::validation("user_id", "user_id must name an existing user");
    if !is_entity_id(user_id) {
        return Err(unknown());
    }
    // The history before joining is not unread: the new member starts at the message count.
    let conversation_id = Conversation::Chat(chat.id.clone()).id();
    let (user, conversation) = futures::try_join!(
        app.store.get_user(user_id),
        app.store.conversation(&conversation_id)
    )?;
    if user.is_none() {
        return Err(unknown());
    }
    let added = app
        .store
        .add_member(
            chat_id,
            user_id,
            me,
            &now_rfc3339(),
            conversation.message_count,
            MAX_MEMBERS,
        )
        .await?;
    match added {
        // Added concurrently by somebody else is the same outcome.
        AddMember::Added | AddMember::AlreadyMember => {}
        AddMember::NoSuchChat => return Err(Error::NotFound),
        AddMember::AdderNotMember => return Err(not_allowed()),
        AddMember::Full => {
            return Err(Error::LimitExceeded(format!(
                "a chat has at most {MAX_MEMBERS} members"
            )));
        }
    }
    app.store.get_chat(chat_id).await?.ok_or(Error::NotFound)
}

/// Removes `user_id` from the chat: a member may remove itself, the creator anybody, others get
/// 403. Non-members (and members of no such chat) get 404. The removed user's read position
/// goes with its membership.
pub async fn remove_member(app: &App, me: &str, chat_id: &str, user_id: &str) -> Result<Chat> {
    let chat = get(app, me, chat_id).await?;
    if me != user_id && me != chat.created_by {
        return Err(Error::Forbidden(
            "only the creator may remove other members".into(),
        ));
    }
    if !chat.has_member(user_id) {
        return Err(Error::NotFound);
    }
    match app.store.remove_member(chat_id, user_id, me).await? {
        RemoveMember::Removed => {}
        // Removed concurrently, chat gone, or the remover left meanwhile.
        RemoveMember::NotMember | RemoveMember::NoSuchChat | RemoveMember::RemoverNotMember => {
            return Err(Error::NotFound);
        }
    }
    app.store.get_chat(chat_id).await?.ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("team").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"n".repeat(100)).is_ok());
        assert!(validate_name(&"n".repeat(101)).is_err());
    }

    #[test]
    fn chats_serialise_as_the_contract_says() {
        let chat = Chat {
            id: "C".into(),
            name: "n".into(),
            created_by: "A".into(),
            members: vec!["A".into(), "B".into()],
            created_at: "t".into(),
        };
        let json = serde_json::to_value(&chat).unwrap_or_default();
        let mut keys: Vec<&String> = json
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        keys.sort();
        assert_eq!(keys, ["created_at", "created_by", "id", "members", "name"]);
    }
}
