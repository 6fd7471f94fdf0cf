//! The rules of messages that need storage: sending and typing ([`send`]); edits, tombstones,
//! reactions and read marks ([`changes`]); the history and the catch-up after a sequence
//! number, a page at a time ([`history`]).

mod changes;
mod history;
mod send;

pub use changes::{add_reaction, change_audience, delete, edit, get, mark_read, remove_reaction};
pub use history::{HistoryQuery, history};
pub use send::{Sent, send, send_audience, typing};

#[cfg(test)]
mod tests;
