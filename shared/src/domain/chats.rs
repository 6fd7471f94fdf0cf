//! Chats (rooms): creation, membership and the caller's list of chats.

use chat_core::chats::{
    Chat, MAX_INITIAL_MEMBERS, MAX_MEMBERS, Membership, NewChat, validate_name,
};
use chat_core::conversation::{Conversation, is_entity_id};
use chat_core::error::{Error, Result};
use chat_core::time::now_rfc3339;

use super::paging::{Page, PageRequest};
use crate::app::App;
use crate::store::chats::{AddMember, RemoveMember};

/// Cursors of one user's chat list only resume that list.
fn list_scope(me: &str) -> String {
    format!("chats:{me}")
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
