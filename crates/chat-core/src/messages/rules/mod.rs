//! The rules of messages that need storage: sending and typing (and, in the DynamoDB adapter
//! for now, edits, deletes, reactions, read marks and history).

mod send;

pub use send::{Sent, send, typing};

#[cfg(test)]
mod tests;
