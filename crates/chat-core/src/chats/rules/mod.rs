//! Who may make a chat and change its members. Each change is one conditional write, so two
//! racing requests cannot pass a bound or add a member behind a removal; the write's outcome
//! decides the answer. A change keyed by the client ([`Keyed`]) writes its answer in the same
//! transaction, and a retry of it answers that again, changing nothing.

use super::keyed::{or_replayed, raced, remember, replayed};
use super::{
    AddMember, Chat, CreateChat, MAX_INITIAL_MEMBERS, MAX_MEMBERS, Membership, NewChat,
    RemoveMember, validate_name,
};
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::idempotency::Keyed;
use crate::ids::{ChatId, UserId};
use crate::ports::{ChatStore, ConversationCounters, Joining, UserDirectory};
use crate::time::now_rfc3339;

/// Creates a chat of `me` and `member_ids` (existing users; duplicates and `me` are ignored).
///
/// A keyed request first stores its record, the chat it is about to make, on its own: a chat
/// of up to 99 members takes DynamoDB's 100 items of one transaction, leaving no room for the
/// record. Whichever request then finds the record (the first, or a retry after the first
/// failed or crashed in between) makes exactly that chat, once, and answers it.
pub async fn create<S>(store: &S, me: &str, new: NewChat, keyed: Option<&Keyed>) -> Result<Chat>
where
    S: ChatStore + UserDirectory + ConversationCounters,
{
    if let Some(chat) = replayed(store, me, keyed).await? {
        return completed(store, chat).await;
    }
    validate_name(&new.name)?;
    let mut members: Vec<String> = vec![me.to_owned()];
    for id in &new.member_ids {
        if !members.iter().any(|m| m == id.as_str()) {
            members.push(id.to_string());
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
    let others: Vec<String> = members.iter().skip(1).cloned().collect();
    let found = store.existing_user_ids(&others).await?;
    if let Some(missing) = others.iter().find(|id| !found.contains(*id)) {
        return Err(unknown(missing));
    }

    members.sort();
    let chat = Chat {
        id: ChatId::generate().to_string(),
        name: new.name.clone(),
        created_by: me.to_owned(),
        members,
        created_at: now_rfc3339(),
    };
    if let Some(record) = remember(keyed, me, &chat)?
        && !store.remember(&record).await?
    {
        return completed(store, raced(store, me, keyed).await?).await;
    }
    completed(store, chat).await
}

/// Makes `chat` unless it exists (a keyed chat another request made first: its transaction
/// then writes nothing), and answers it.
async fn completed<S>(store: &S, chat: Chat) -> Result<Chat>
where
    S: ChatStore + ConversationCounters,
{
    if store.create_chat(&chat).await? == CreateChat::Exists {
        return Ok(chat);
    }
    // Decides whether its events are pushed inline; without it they go through the stream.
    let conversation_id = Conversation::chat(&ChatId::trusted(&chat.id)).id();
    let members = u64::try_from(chat.members.len()).unwrap_or(u64::MAX);
    if let Err(err) = store.count_members(&conversation_id, members).await {
        tracing::warn!(error = %err, "a new chat's members not counted");
    }
    Ok(chat)
}

/// The one membership check (one strongly consistent read); callers choose the status: 404
/// for reads, 403 for writes by outsiders.
pub async fn membership(
    store: &impl ChatStore,
    chat_id: &ChatId,
    user_id: &str,
) -> Result<Membership> {
    Ok(match store.get_chat(chat_id).await? {
        None => Membership::NoSuchChat,
        Some(chat) if chat.has_member(user_id) => Membership::Member(chat),
        Some(chat) => Membership::Outsider(chat),
    })
}

/// Whether `me` takes part in `conversation`: for a chat, one strongly consistent read of its
/// membership (never the member set). Callers choose the status for `false`: 404 for reads
/// (non-participants may not even learn that it exists), 403 for a chat send.
pub async fn takes_part(
    store: &impl ChatStore,
    conversation: &Conversation,
    me: &str,
) -> Result<bool> {
    Ok(match conversation {
        Conversation::Direct { .. } => conversation.is_direct_participant(me),
        Conversation::Chat(chat_id) => store.is_member(chat_id, me).await?,
    })
}

/// The chat, if `me` is a member; 404 otherwise.
pub async fn get(store: &impl ChatStore, me: &str, chat_id: &ChatId) -> Result<Chat> {
    match membership(store, chat_id, me).await? {
        Membership::Member(chat) => Ok(chat),
        Membership::Outsider(_) | Membership::NoSuchChat => Err(Error::NotFound),
    }
}

/// Adds `user_id` to the chat. Only members may add (403; 404 for an unknown chat); adding a
/// member again changes nothing; a chat of [`MAX_MEMBERS`] takes nobody more (422). Answers the
/// chat as the addition left it; a retry of a keyed request answers that again.
pub async fn add_member<S>(
    store: &S,
    me: &str,
    chat_id: &ChatId,
    user_id: &UserId,
    keyed: Option<&Keyed>,
) -> Result<Chat>
where
    S: ChatStore + UserDirectory + ConversationCounters,
{
    if let Some(chat) = replayed(store, me, keyed).await? {
        return Ok(chat);
    }
    let added = add_member_once(store, me, chat_id, user_id, keyed).await;
    or_replayed(store, me, keyed, added).await
}

async fn add_member_once<S>(
    store: &S,
    me: &str,
    chat_id: &ChatId,
    user_id: &UserId,
    keyed: Option<&Keyed>,
) -> Result<Chat>
where
    S: ChatStore + UserDirectory + ConversationCounters,
{
    let not_allowed = || Error::Forbidden("only members may add members".into());
    let chat = match membership(store, chat_id, me).await? {
        Membership::Member(chat) => chat,
        Membership::Outsider(_) => return Err(not_allowed()),
        Membership::NoSuchChat => return Err(Error::NotFound),
    };
    if chat.has_member(user_id) {
        return Ok(chat);
    }
    let unknown = || Error::validation("user_id", "user_id must name an existing user");
    // The history before joining is not unread: the new member starts at the message count.
    let conversation_id = Conversation::chat(chat_id).id();
    let (exists, read_count) = futures::try_join!(
        store.user_exists(user_id),
        store.message_count(&conversation_id)
    )?;
    if !exists {
        return Err(unknown());
    }
    let mut added = chat;
    added.members.push(user_id.to_string());
    added.members.sort();
    let remembered = remember(keyed, me, &added)?;
    let joined_at = now_rfc3339();
    let joining = Joining {
        chat_id,
        user_id,
        added_by: me,
        joined_at: &joined_at,
        read_count,
        max_members: MAX_MEMBERS,
        remember: remembered.as_ref(),
    };
    let outcome = store.add_member(&joining).await?;
    // A transaction names one failed condition: a concurrent copy of this keyed request that
    // won also made the member's put fail, so a record of the key comes first.
    if outcome != AddMember::Added
        && let Some(chat) = replayed(store, me, keyed).await?
    {
        return Ok(chat);
    }
    match outcome {
        AddMember::Added => return Ok(added),
        AddMember::KeyUsed => return raced(store, me, keyed).await,
        // Added concurrently by somebody else is the same outcome.
        AddMember::AlreadyMember => {}
        AddMember::NoSuchChat => return Err(Error::NotFound),
        AddMember::AdderNotMember => return Err(not_allowed()),
        AddMember::Full => {
            return Err(Error::LimitExceeded(format!(
                "a chat has at most {MAX_MEMBERS} members"
            )));
        }
    }
    store.get_chat(chat_id).await?.ok_or(Error::NotFound)
}

/// Removes `user_id` from the chat: a member may remove itself, the creator anybody, others get
/// 403. Non-members (and members of no such chat) get 404. The removed user's read position
/// goes with its membership. Answers the chat as the removal left it; a retry of a keyed
/// request answers that again (not 404, although the member is gone).
pub async fn remove_member(
    store: &impl ChatStore,
    me: &str,
    chat_id: &ChatId,
    user_id: &UserId,
    keyed: Option<&Keyed>,
) -> Result<Chat> {
    if let Some(chat) = replayed(store, me, keyed).await? {
        return Ok(chat);
    }
    let removed = remove_member_once(store, me, chat_id, user_id, keyed).await;
    or_replayed(store, me, keyed, removed).await
}

async fn remove_member_once(
    store: &impl ChatStore,
    me: &str,
    chat_id: &ChatId,
    user_id: &UserId,
    keyed: Option<&Keyed>,
) -> Result<Chat> {
    let chat = get(store, me, chat_id).await?;
    if user_id != me && me != chat.created_by {
        return Err(Error::Forbidden(
            "only the creator may remove other members".into(),
        ));
    }
    if !chat.has_member(user_id) {
        return Err(Error::NotFound);
    }
    let mut removed = chat;
    removed.members.retain(|m| user_id != m.as_str());
    let remembered = remember(keyed, me, &removed)?;
    let outcome = store
        .remove_member(chat_id, user_id, me, remembered.as_ref())
        .await?;
    // As for an addition: a winning copy of this keyed request answers first.
    if outcome != RemoveMember::Removed
        && let Some(chat) = replayed(store, me, keyed).await?
    {
        return Ok(chat);
    }
    match outcome {
        RemoveMember::Removed => Ok(removed),
        RemoveMember::KeyUsed => raced(store, me, keyed).await,
        // Removed concurrently, chat gone, or the remover left meanwhile.
        RemoveMember::NotMember | RemoveMember::NoSuchChat | RemoveMember::RemoverNotMember => {
            Err(Error::NotFound)
        }
    }
}

#[cfg(test)]
mod retries;
#[cfg(test)]
mod tests;
