use futures::executor::block_on;

use super::*;
use crate::conversation::Conversation;
use crate::messages::Message;
use crate::messages::rules::{HistoryQuery, edit, history};
use crate::paging::{Cursors, Page};

fn cursors() -> Cursors {
    Cursors::new(b"a deployment secret of at least 32 bytes")
}

fn direct() -> Conversation {
    Conversation::direct(&user(ADA), &user(BOB)).expect("two users")
}

fn query(limit: i32, cursor: Option<String>, after_seq: Option<u64>) -> HistoryQuery {
    HistoryQuery {
        limit: crate::input::Limit(limit),
        cursor,
        after_seq,
    }
}

fn read(
    store: &MemoryStore,
    me: &str,
    conversation: &Conversation,
    query: HistoryQuery,
) -> Result<Page<Message>> {
    block_on(history(store, store, &cursors(), me, conversation, query))
}

/// Every page of a history from the first, following `next_cursor` until it is `null`.
fn every_page(store: &MemoryStore, limit: i32, after_seq: Option<u64>) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = read(store, BOB, &direct(), query(limit, cursor, after_seq)).expect("a page");
        pages.push(page.items.iter().map(|m| m.content.clone()).collect());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return pages,
        }
    }
}

/// Five messages, each in a millisecond of its own: the history sorts by ULID, and two ULIDs of
/// one millisecond sort at random.
fn send_five(store: &MemoryStore) -> Vec<Message> {
    (1..=5)
        .map(|n| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            let message = sent(store, ADA, &to_user(BOB, &format!("m{n}")));
            message.expect("sent").value.message
        })
        .collect()
}

#[test]
fn pages_run_newest_first_without_gaps_or_repeats_until_nothing_follows() {
    let store = store();
    send_five(&store);
    assert_eq!(
        every_page(&store, 2, None),
        [vec!["m5", "m4"], vec!["m3", "m2"], vec!["m1"]]
    );
    // A page that ends exactly at the last message says nothing follows.
    assert_eq!(
        every_page(&store, 5, None),
        [vec!["m5", "m4", "m3", "m2", "m1"]]
    );
}

#[test]
fn a_catch_up_lists_each_change_after_the_number_once_in_the_order_of_the_changes() {
    let store = store();
    let messages = send_five(&store);
    // m2 edited after m5 was sent: it is the last change.
    block_on(edit(
        &store,
        &store,
        ADA,
        &messages[1].id,
        "m2 again",
        allowed(),
    ))
    .expect("edited");
    assert_eq!(
        every_page(&store, 2, Some(3)),
        [vec!["m4", "m5"], vec!["m2 again"]]
    );
    assert_eq!(every_page(&store, 10, Some(6)), [Vec::<String>::new()]);
}

#[test]
fn a_cursor_resumes_only_its_own_list() {
    let store = store();
    send_five(&store);
    let first = read(&store, BOB, &direct(), query(2, None, None)).expect("a page");
    let cursor = first.next_cursor;
    assert!(cursor.is_some());
    // Another conversation, the catch-up of this one, or a forged cursor: 422 on `cursor`.
    let elsewhere = Conversation::direct(&user(BOB), &user(CY)).expect("two users");
    for (conversation, after_seq) in [(&elsewhere, None), (&direct(), Some(0))] {
        let refused = read(
            &store,
            BOB,
            conversation,
            query(2, cursor.clone(), after_seq),
        );
        assert_eq!(field(refused).as_deref(), Some("cursor"));
    }
    let forged = read(
        &store,
        BOB,
        &direct(),
        query(2, Some("e30.AAAA".into()), None),
    );
    assert_eq!(status(forged), 422);
}

#[test]
fn only_participants_read_a_history() {
    let store = store();
    send_five(&store);
    let chat_id = chat_of(&store, ADA, &[BOB]);
    sent(&store, BOB, &to_chat(&chat_id, "in the chat")).expect("sent");
    let in_chat = Conversation::chat(&chat(&chat_id));
    let page = read(&store, ADA, &in_chat, query(10, None, None)).expect("a member reads");
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        status(read(&store, CY, &in_chat, query(10, None, None))),
        404
    );
    let theirs = read(&store, CY, &direct(), query(10, None, None));
    assert_eq!(status(theirs), 404);
}
