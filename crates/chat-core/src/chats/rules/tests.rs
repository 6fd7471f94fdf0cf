//! The chat rules against the memory store.

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
    let chat = block_on(create(&store, ADA, new_chat(&[CY, BOB, CY, ADA]), None)).expect("created");
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
    let err = block_on(create(&store, ADA, new_chat(&[BOB, unknown]), None)).err();
    let detail = err.map(|e| e.detail().1);
    assert_eq!(detail.and_then(|d| d.field).as_deref(), Some("member_ids"));

    let many: Vec<String> = (0..MAX_INITIAL_MEMBERS)
        .map(|n| format!("U{n:03}"))
        .collect();
    let store = MemoryStore::with_users(many.iter().map(String::as_str));
    let named: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        status(block_on(create(&store, ADA, new_chat(&named), None))),
        422
    );
    assert_eq!(
        status(block_on(create(&store, ADA, new_chat(&named[1..]), None))),
        200
    );
}

#[test]
fn only_members_add_and_a_newcomer_has_read_the_history_before_it() {
    let store = store();
    let chat = block_on(create(&store, ADA, new_chat(&[BOB]), None)).expect("created");
    store
        .set_message_count(&format!("c.{}", chat.id), 7)
        .expect("counted");

    assert_eq!(
        status(block_on(add_member(
            &store,
            CY,
            &c(&chat.id),
            &u(DEE),
            None
        ))),
        403
    );
    assert_eq!(
        status(block_on(add_member(
            &store,
            ADA,
            &c("NOCHAT"),
            &u(DEE),
            None
        ))),
        404
    );
    assert_eq!(
        status(block_on(add_member(
            &store,
            ADA,
            &c(&chat.id),
            &u("NOBODY"),
            None
        ))),
        422
    );

    let added = block_on(add_member(&store, BOB, &c(&chat.id), &u(CY), None)).expect("added");
    assert_eq!(added.members, [ADA, BOB, CY]);
    assert_eq!(store.read_count(&chat.id, CY).ok().flatten(), Some(7));
    // Adding a member again changes nothing.
    assert_eq!(
        block_on(add_member(&store, ADA, &c(&chat.id), &u(CY), None)).ok(),
        Some(added)
    );
}

#[test]
fn a_full_chat_takes_nobody_more() {
    let users: Vec<String> = (0..=MAX_MEMBERS).map(|n| format!("U{n:04}")).collect();
    let store = MemoryStore::with_users(users.iter().map(String::as_str));
    let owner = users[0].as_str();
    let chat = block_on(create(&store, owner, new_chat(&[]), None)).expect("created");
    for user in &users[1..MAX_MEMBERS] {
        block_on(add_member(&store, owner, &c(&chat.id), &u(user), None)).expect("room left");
    }
    let last = users[MAX_MEMBERS].as_str();
    let refused = block_on(add_member(&store, owner, &c(&chat.id), &u(last), None)).err();
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
    let chat = block_on(create(&store, ADA, new_chat(&[BOB, CY]), None)).expect("created");

    assert_eq!(
        status(block_on(remove_member(
            &store,
            BOB,
            &c(&chat.id),
            &u(CY),
            None
        ))),
        403
    );
    assert_eq!(
        status(block_on(remove_member(
            &store,
            DEE,
            &c(&chat.id),
            &u(CY),
            None
        ))),
        404
    );
    assert_eq!(
        status(block_on(remove_member(
            &store,
            ADA,
            &c(&chat.id),
            &u(DEE),
            None
        ))),
        404
    );

    let left = block_on(remove_member(&store, CY, &c(&chat.id), &u(CY), None)).expect("left");
    assert_eq!(left.members, [ADA, BOB]);
    assert_eq!(store.read_count(&chat.id, CY).ok().flatten(), None);
    let removed =
        block_on(remove_member(&store, ADA, &c(&chat.id), &u(BOB), None)).expect("removed");
    assert_eq!(removed.members, [ADA]);
    // A former member hears 404, as if the chat did not exist.
    assert_eq!(status(block_on(get(&store, BOB, &c(&chat.id)))), 404);
}
