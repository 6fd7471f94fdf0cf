//! Keyed chat changes sent again: the rules against the memory store.

use futures::executor::block_on;

use crate::chats::NewChat;
use crate::chats::rules::{add_member, create, get, remove_member};
use crate::error::Error;
use crate::idempotency::{IdempotencyKey, Keyed};
use crate::memory::MemoryStore;
use crate::test_users::{ADA, BOB, CY, chat as c, user as u};

fn keyed(key: &str, path: &[&str], body: &str) -> Keyed {
    let key = IdempotencyKey::parse(key).expect("a key");
    Keyed::new(key, "POST", path, body.as_bytes())
}

fn new_chat(name: &str) -> NewChat {
    NewChat {
        name: name.into(),
        member_ids: vec![u(BOB)],
    }
}

#[test]
fn a_keyed_creation_sent_again_answers_the_chat_it_made() {
    let store = MemoryStore::with_users([ADA, BOB, CY]);
    let request = keyed("k1", &["chats"], r#"{"name":"ops"}"#);
    let first = block_on(create(&store, ADA, new_chat("ops"), Some(&request))).expect("made");
    let again = block_on(create(&store, ADA, new_chat("ops"), Some(&request))).expect("again");
    assert_eq!(again, first);
    // The key is Ada's: Bob's same key is a request of its own.
    let bobs = block_on(create(&store, BOB, new_chat("ops"), Some(&request))).expect("bob's");
    assert_ne!(bobs.id, first.id);

    let other = keyed("k1", &["chats"], r#"{"name":"dev"}"#);
    let refused = block_on(create(&store, ADA, new_chat("dev"), Some(&other)));
    assert!(
        matches!(&refused, Err(Error::Validation { field, .. }) if field == "Idempotency-Key"),
        "{refused:?}"
    );
}

#[test]
fn a_keyed_removal_sent_again_answers_the_chat_it_left() {
    let store = MemoryStore::with_users([ADA, BOB, CY]);
    let chat = block_on(create(&store, ADA, new_chat("ops"), None)).expect("made");
    let id = c(&chat.id);
    let add = keyed("a", &["chats", &chat.id, "members"], r#"{"user_id":"C"}"#);
    let added = block_on(add_member(&store, ADA, &id, &u(CY), Some(&add))).expect("added");
    assert_eq!(added.members.len(), 3);
    let remove = keyed("r", &["chats", &chat.id, "members", CY], "");
    let removed = block_on(remove_member(&store, ADA, &id, &u(CY), Some(&remove)));
    let removed = removed.expect("removed");
    assert_eq!(removed.members.len(), 2);
    let again = block_on(remove_member(&store, ADA, &id, &u(CY), Some(&remove)));
    assert_eq!(again.ok(), Some(removed.clone()));
    assert_eq!(block_on(get(&store, ADA, &id)).ok(), Some(removed));
}
