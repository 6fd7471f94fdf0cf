//! The rules of messages that need storage: sending and typing ([`send`]); edits, tombstones,
//! reactions and read marks ([`changes`]). History, which pages through the store with signed
//! cursors, is the REST adapter's for now.

mod changes;
mod send;

pub use changes::{add_reaction, delete, edit, get, mark_read, remove_reaction};
pub use send::{Sent, send, typing};

#[cfg(test)]
mod tests;
