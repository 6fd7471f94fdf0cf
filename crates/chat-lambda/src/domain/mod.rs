//! The rules of the chat service, independent of how a request arrived (REST or WebSocket).

pub mod attachments;
pub mod chats;
pub mod inbox;
pub mod messages;
pub mod presence;
pub mod users;
