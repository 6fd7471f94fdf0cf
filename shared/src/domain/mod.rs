//! The rules of the chat service, independent of how a request arrived (REST or WebSocket).

pub mod users;
