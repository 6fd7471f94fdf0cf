//! Messages: direct and chat conversations, history, edits, tombstones, reactions, read receipts
//! and the notifications each change yields. The use cases live in [`send`] (new messages and
//! typing), [`changes`] (edits, deletes, reactions, reads) and [`history`].

mod changes;
mod history;
mod send;

pub use changes::{add_reaction, delete, edit, get, mark_read, remove_reaction};
pub use history::{HistoryQuery, chat_history, direct_history};
pub use send::{Sent, send, typing};
