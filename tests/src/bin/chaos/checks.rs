//! The checks, from the database and the clients' logs, after the faults stopped and the
//! stack settled. Each names the cases it found, with the ids to find them.

use std::collections::{BTreeMap, HashMap};

use crate::client::Client;
use crate::database::{Database, StoredMessage};
use crate::ledger::{ChangeKind, Outcome};

/// One check's verdict, with the cases that failed it (at most a few shown).
pub struct Check {
    pub name: String,
    pub failures: Vec<String>,
}

impl Check {
    pub fn new(name: impl Into<String>, failures: Vec<String>) -> Check {
        Check {
            name: name.into(),
            failures,
        }
    }
}

/// The run's stored messages, by conversation and by `client_message_id` (the first word of
/// every content the clients write).
pub struct Stored {
    pub conversations: HashMap<String, Vec<StoredMessage>>,
    pub by_key: HashMap<String, Vec<(String, u64)>>,
}

pub async fn stored(db: &Database, clients: &[Client]) -> Result<Stored, String> {
    let mut ids: Vec<String> = clients
        .iter()
        .flat_map(|c| {
            c.known.keys().cloned().chain(
                c.log
                    .sends
                    .iter()
                    .flat_map(|s| s.answers.iter().map(|(id, _)| id.clone())),
            )
        })
        .filter(|id| !id.is_empty())
        .collect();
    ids.sort();
    ids.dedup();
    let mut conversations = HashMap::new();
    let mut by_key: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    for id in ids {
        let messages = db.messages(&id).await?;
        for m in &messages {
            let key = m.content.split(' ').next().unwrap_or("").to_owned();
            by_key.entry(key).or_default().push((id.clone(), m.seq));
        }
        conversations.insert(id, messages);
    }
    Ok(Stored {
        conversations,
        by_key,
    })
}

/// Every send with a 2xx stored exactly once, as answered; without one, at most once; the
/// ones retried with the same key among them; no key stored twice.
pub fn sends(clients: &[Client], stored: &Stored) -> (Vec<Check>, u64, u64) {
    let (mut lost, mut duplicated, mut unanswered_twice, mut retried_bad) =
        (vec![], vec![], vec![], vec![]);
    let (mut retried, mut acknowledged) = (0, 0);
    for client in clients {
        for send in &client.log.sends {
            let copies = stored
                .by_key
                .get(&send.client_message_id)
                .map_or(&[][..], |v| v.as_slice());
            let case = format!(
                "user {} client_message_id {} stored as {copies:?}",
                client.user.id, send.client_message_id
            );
            if send.attempts > 1 {
                retried += 1;
                if copies.len() > 1 {
                    retried_bad.push(case.clone());
                }
            }
            if copies.len() > 1 {
                duplicated.push(case.clone());
            }
            match send.answers.first() {
                Some(first) => {
                    acknowledged += 1;
                    let same = send.answers.iter().all(|a| a == first);
                    if copies.is_empty() || !same || copies.first() != Some(first) {
                        lost.push(format!("{case}, answered {:?}", send.answers));
                    }
                }
                None if copies.len() > 1 => unanswered_twice.push(case),
                None => {}
            }
        }
    }
    let (lost_n, dup_n) = (lost.len() as u64, duplicated.len() as u64);
    let checks = vec![
        Check::new(
            format!("every acknowledged send ({acknowledged}) stored once, as answered"),
            lost,
        ),
        Check::new(
            format!("sends retried with the same key ({retried}) stored once"),
            retried_bad,
        ),
        Check::new(
            "sends never acknowledged stored at most once",
            unanswered_twice,
        ),
        Check::new("no client_message_id stored twice", duplicated),
    ];
    (checks, lost_n, dup_n)
}

/// Acknowledged edits, reactions and read marks are in the stored messages.
pub fn changes(clients: &[Client], stored: &Stored) -> Check {
    let mut failures = Vec::new();
    let mut count = 0;
    // The last edit of each message, and whether it was acknowledged.
    let mut last_edit: BTreeMap<(String, u64), (String, bool)> = BTreeMap::new();
    for client in clients {
        for change in &client.log.changes {
            let message = stored
                .conversations
                .get(&change.conversation_id)
                .and_then(|ms| ms.iter().find(|m| m.seq == change.seq));
            let Some(message) = message else {
                failures.push(format!(
                    "{}#{}: no such message",
                    change.conversation_id, change.seq
                ));
                continue;
            };
            match &change.kind {
                ChangeKind::Edit(content) => {
                    last_edit.insert(
                        (change.conversation_id.clone(), change.seq),
                        (content.clone(), change.acknowledged),
                    );
                }
                ChangeKind::Reaction(emoji) if change.acknowledged => {
                    count += 1;
                    let attribute = chat_aws::store::messages::reaction_attribute(emoji);
                    let present = message
                        .reactions
                        .get(&attribute)
                        .is_some_and(|users| users.contains(&client.user.id));
                    if !present {
                        failures.push(format!(
                            "reaction {emoji} of {} on {}#{} missing",
                            client.user.id, change.conversation_id, change.seq
                        ));
                    }
                }
                ChangeKind::Read if change.acknowledged => {
                    count += 1;
                    if !message.read_by.contains(&client.user.id) {
                        failures.push(format!(
                            "read mark of {} on {}#{} missing",
                            client.user.id, change.conversation_id, change.seq
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    for ((conversation, seq), (content, acknowledged)) in last_edit {
        if !acknowledged {
            continue;
        }
        count += 1;
        let stored_content = stored
            .conversations
            .get(&conversation)
            .and_then(|ms| ms.iter().find(|m| m.seq == seq))
            .map(|m| m.content.clone());
        if stored_content.as_deref() != Some(content.as_str()) {
            failures.push(format!(
                "edit of {conversation}#{seq}: stored {stored_content:?}, acknowledged {content:?}"
            ));
        }
    }
    Check::new(
        format!("acknowledged edits, reactions and read marks ({count}) stored"),
        failures,
    )
}

/// Every event of each followed conversation reached its client, live or by catch-up, in
/// order, and the client's view of every message is the stored one.
pub async fn delivery(
    db: &Database,
    clients: &[Client],
    stored: &Stored,
) -> Result<(Vec<Check>, u64), String> {
    let (mut missed, mut stale, mut disorder) = (vec![], vec![], vec![]);
    let mut repeats = 0;
    let mut pairs = 0;
    let mut last_seqs: HashMap<String, u64> = HashMap::new();
    for client in clients {
        for conversation in &client.followed {
            pairs += 1;
            let last = match last_seqs.get(conversation) {
                Some(last) => *last,
                None => {
                    let last = db.last_seq(conversation).await?;
                    last_seqs.insert(conversation.clone(), last);
                    last
                }
            };
            let track = client
                .log
                .tracks
                .get(conversation)
                .cloned()
                .unwrap_or_default();
            repeats += track
                .live
                .values()
                .map(|n| u64::from(n.saturating_sub(1)))
                .sum::<u64>()
                + track.late_repeats;
            // Every followed conversation holds at least its last message (the sentinel):
            // a number of 0 means the run followed an id the service does not know, and the
            // checks below would have nothing to compare.
            if last == 0 {
                missed.push(format!(
                    "user {} conversation {conversation}: not stored (number 0)",
                    client.user.id
                ));
            }
            let holes: Vec<u64> = (1..=last).filter(|s| !track.received(*s)).collect();
            if !holes.is_empty() {
                missed.push(format!(
                    "user {} conversation {conversation}: numbers {holes:?} never arrived",
                    client.user.id
                ));
            }
            if !track.out_of_order.is_empty() {
                disorder.push(format!(
                    "user {} conversation {conversation}: {:?} arrived after a higher number",
                    client.user.id, track.out_of_order
                ));
            }
            for m in stored.conversations.get(conversation).into_iter().flatten() {
                let held = track.view.get(&m.seq);
                if held.is_none_or(|h| h.updated_seq != m.updated_seq || h.content != m.content) {
                    stale.push(format!("user {} conversation {conversation}#{}: holds {held:?}, stored updated_seq {} {:?}", client.user.id, m.seq, m.updated_seq, m.content));
                }
            }
        }
    }
    Ok((
        vec![
            Check::new(
                format!(
                    "every event reached its client ({pairs} client-conversation pairs), live or by catch-up"
                ),
                missed,
            ),
            Check::new("live events of a conversation arrived in order", disorder),
            Check::new(
                "every client's view of every message is the stored one",
                stale,
            ),
        ],
        repeats,
    ))
}

/// Chats created with an `Idempotency-Key`: one chat per key, every answer naming it.
pub fn creations(clients: &[Client], names: &HashMap<String, u64>) -> Check {
    let mut failures = Vec::new();
    let mut count = 0;
    for creation in clients.iter().flat_map(|c| &c.log.creations) {
        count += 1;
        let stored = names.get(&creation.name).copied().unwrap_or(0);
        let same = creation.answers.windows(2).all(|w| w[0] == w[1]);
        let fine = if creation.answers.is_empty() {
            stored <= 1
        } else {
            stored == 1 && same
        };
        if !fine {
            failures.push(format!(
                "key {}: {stored} chats stored, answers {:?}",
                creation.key, creation.answers
            ));
        }
    }
    Check::new(
        format!("chats created with an Idempotency-Key ({count}): one each"),
        failures,
    )
}

/// Attempts by outcome, over every client.
pub fn outcomes(clients: &[Client]) -> BTreeMap<(&'static str, Outcome), u64> {
    let mut counts = BTreeMap::new();
    for attempt in clients.iter().flat_map(|c| &c.log.attempts) {
        *counts
            .entry((attempt.route, attempt.outcome.clone()))
            .or_insert(0) += 1;
    }
    counts
}
