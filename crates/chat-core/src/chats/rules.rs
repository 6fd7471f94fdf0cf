//! Who may make a chat and change its members. Each change is one conditional write, so two
//! racing requests cannot pass a bound or add a member behind a removal; the write's outcome
//! decides the answer.

use super::{
    AddMember, Chat, MAX_INITIAL_MEMBERS, MAX_MEMBERS, Membership, NewChat, RemoveMember,
    validate_name,
};
use crate::conversation::Conversation;
use crate::error::{Error, Result};
use crate::ids::{ChatId, UserId};
use crate::ports::{ChatStore, ConversationCounters, Joining, UserDirectory};
use crate::time::now_rfc3339;

/// Creates a chat of `me` and `member_ids` (existing users; duplicates and `me` are ignored).
pub async fn create<S>(store: &S, me: &str, new: NewChat) -> Result<Chat>
where
    S: ChatStore + UserDirectory + ConversationCounters,
{
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
    let chat_id = ChatId::generate();
    let chat = Chat {
        id: chat_id.to_string(),
        name: new.name.clone(),
        created_by: me.to_owned(),
        members,
        created_at: now_rfc3339(),
    };
    store.create_chat(&chat).await?;
    // Decides whether its events are pushed inline; without it they go through the stream.
    let conversation_id = Conversation::chat(&chat_id).id();
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
/// member again changes nothing; a chat of [`MAX_MEMBERS`] takes nobody more (422).
pub async fn add_member<S>(store: &S, me: &str, chat_id: &ChatId, user_id: &UserId) -> Result<Chat>
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
    let joined_at = now_rfc3339();
    let joining = Joining {
        chat_id,
        user_id,
        added_by: me,
        joined_at: &joined_at,
        read_count,
        max_members: MAX_MEMBERS,
    };
    match store.add_member(&joining).await? {
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
    store.get_chat(chat_id).await?.ok_or(Error::NotFound)
}

/// Removes `user_id` from the chat: a member may remove itself, the creator anybody, others get
/// 403. Non-members (and members of no such chat) get 404. The removed user's read position
/// goes with its membership.
pub async fn remove_member(
    store: &impl ChatStore,
    me: &str,
    chat_id: &ChatId,
    user_id: &UserId,
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
    match store.remove_member(chat_id, user_id, me).await? {
        RemoveMember::Removed => {}
        // Removed concurrently, chat gone, or the remover left meanwhile.
        RemoveMember::NotMember | RemoveMember::NoSuchChat | RemoveMember::RemoverNotMember => {
            return Err(Error::NotFound);
        }
    }
    store.get_chat(chat_id).await?.ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;

    use super::*;
    use crate::memory::MemoryStore;

    use crate::test_users::{ADA, BOB, CY, DEE, chat as c, user as u};

    fn store() -> MemoryStore {
        MemoryStore::with_users([ADA, BOB, CY, DEE])
    }

    fn new_chat(members: &[&str]) -> NewChat {
        NewChat {
            name: "engines".into(),
            member_ids: members.iter().map(|m| u(m)).collect(),
        }
    }

    fn status(result: Result<Chat>) -> u16 {
        result.err().map_or(200, |err| err.detail().0)
    }

    #[test]
    fn a_new_chat_has_its_creator_and_each_named_user_once_and_counts_them() {
        let store = store();
        let chat = block_on(create(&store, ADA, new_chat(&[CY, BOB, CY, ADA]))).expect("created");
        assert_eq!(chat.members, [ADA, BOB, CY]);
        assert_eq!(chat.created_by, ADA);
        let counted = store.member_count(&format!("c.{}", chat.id));
        assert_eq!(counted.ok().flatten(), Some(3));
        assert_eq!(block_on(get(&store, BOB, &c(&chat.id))).ok(), Some(chat));
    }

    #[test]
    fn a_chat_names_only_existing_users_and_at_most_98_of_them() {
        let store = store();
        let unknown = "01HZZZZZZZZZZZZZZZZZZZNOBODY";
        let err = block_on(create(&store, ADA, new_chat(&[BOB, unknown]))).err();
        let detail = err.map(|e| e.detail().1);
        assert_eq!(detail.and_then(|d| d.field).as_deref(), Some("member_ids"));

        let many: Vec<String> = (0..MAX_INITIAL_MEMBERS)
            .map(|n| format!("U{n:03}"))
            .collect();
        let store = MemoryStore::with_users(many.iter().map(String::as_str));
        let named: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(status(block_on(create(&store, ADA, new_chat(&named)))), 422);
        assert_eq!(
            status(block_on(create(&store, ADA, new_chat(&named[1..])))),
            200
        );
    }

    #[test]
    fn only_members_add_and_a_newcomer_has_read_the_history_before_it() {
        let store = store();
        let chat = block_on(create(&store, ADA, new_chat(&[BOB]))).expect("created");
        store
            .set_message_count(&format!("c.{}", chat.id), 7)
            .expect("counted");

        assert_eq!(
            status(block_on(add_member(&store, CY, &c(&chat.id), &u(DEE)))),
            403
        );
        assert_eq!(
            status(block_on(add_member(&store, ADA, &c("NOCHAT"), &u(DEE)))),
            404
        );
        assert_eq!(
            status(block_on(add_member(
                &store,
                ADA,
                &c(&chat.id),
                &u("NOBODY")
            ))),
            422
        );

        let added = block_on(add_member(&store, BOB, &c(&chat.id), &u(CY))).expect("added");
        assert_eq!(added.members, [ADA, BOB, CY]);
        assert_eq!(store.read_count(&chat.id, CY).ok().flatten(), Some(7));
        // Adding a member again changes nothing.
        assert_eq!(
            block_on(add_member(&store, ADA, &c(&chat.id), &u(CY))).ok(),
            Some(added)
        );
    }

    #[test]
    fn a_full_chat_takes_nobody_more() {
        let users: Vec<String> = (0..=MAX_MEMBERS).map(|n| format!("U{n:04}")).collect();
        let store = MemoryStore::with_users(users.iter().map(String::as_str));
        let owner = users[0].as_str();
        let chat = block_on(create(&store, owner, new_chat(&[]))).expect("created");
        for user in &users[1..MAX_MEMBERS] {
            block_on(add_member(&store, owner, &c(&chat.id), &u(user))).expect("room left");
        }
        let last = users[MAX_MEMBERS].as_str();
        let refused = block_on(add_member(&store, owner, &c(&chat.id), &u(last))).err();
        assert!(
            matches!(refused, Some(Error::LimitExceeded(_))),
            "{refused:?}"
        );
        let chat = block_on(get(&store, owner, &c(&chat.id))).expect("chat");
        assert_eq!(chat.members.len(), MAX_MEMBERS);
    }

    #[test]
    fn members_leave_the_creator_removes_and_nobody_else_does() {
        let store = store();
        let chat = block_on(create(&store, ADA, new_chat(&[BOB, CY]))).expect("created");

        assert_eq!(
            status(block_on(remove_member(&store, BOB, &c(&chat.id), &u(CY)))),
            403
        );
        assert_eq!(
            status(block_on(remove_member(&store, DEE, &c(&chat.id), &u(CY)))),
            404
        );
        assert_eq!(
            status(block_on(remove_member(&store, ADA, &c(&chat.id), &u(DEE)))),
            404
        );

        let left = block_on(remove_member(&store, CY, &c(&chat.id), &u(CY))).expect("left");
        assert_eq!(left.members, [ADA, BOB]);
        assert_eq!(store.read_count(&chat.id, CY).ok().flatten(), None);
        let removed = block_on(remove_member(&store, ADA, &c(&chat.id), &u(BOB))).expect("removed");
        assert_eq!(removed.members, [ADA]);
        // A former member hears 404, as if the chat did not exist.
        assert_eq!(status(block_on(get(&store, BOB, &c(&chat.id)))), 404);
    }
}
