//! The rules of messages that need storage: sending and typing ([`send`]); edits, tombstones,
//! reactions and read marks ([`changes`]); the history and the catch-up after a sequence
//! number, a page at a time ([`history`]).

mod changes;
mod history;
mod send;

pub use changes::{
    add_reaction, add_reaction_authorised, change_audience, delete, delete_authorised, edit,
    edit_authorised, get, mark_read, mark_read_authorised, remove_reaction,
    remove_reaction_authorised,
};
pub use history::{HistoryQuery, history};
pub use send::{Sent, send, send_audience, send_authorised, typing};

#[cfg(test)]
mod tests;
