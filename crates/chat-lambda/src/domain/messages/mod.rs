//! A conversation's history, paged with signed cursors. Sending, typing and every change to a
//! message are rules of chat-core (`chat_core::messages::rules`).

mod history;

pub use history::{HistoryQuery, chat_history, direct_history};
