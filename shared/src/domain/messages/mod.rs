//! Messages: history, edits, tombstones, reactions, read receipts and the notifications each
//! change yields: [`changes`] (edits, deletes, reactions, reads) and [`history`]. Sending and
//! typing are rules of chat-core (`chat_core::messages::rules`).

mod changes;
mod history;

pub use changes::{add_reaction, delete, edit, get, mark_read, remove_reaction};
pub use history::{HistoryQuery, chat_history, direct_history};
