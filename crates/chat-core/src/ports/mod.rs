//! What the rules need from outside, as small traits that the adapters implement: the
//! DynamoDB store in production, [`crate::memory`] in the rules' own tests. Each trait is one
//! capability, so a rule's bounds say what it touches; the rules take them as generics, so a
//! function links only the methods it calls (no vtable of every method in every function).
//!
//! Every method answers in the rules' vocabulary: their types, their outcomes, their
//! [`Error`](crate::error::Error). A failing dependency is `Error::Unavailable`; an outcome a
//! conditional write decides (a full chat, a member added concurrently) is a value, never an
//! error, so the rule chooses what the client hears.

mod attachments;
mod chats;
mod conversations;
mod messages;
mod presence;
mod sessions;
mod tokens;
mod users;

pub use attachments::AttachmentFiles;
pub use chats::{ChatStore, Joining};
pub use conversations::ConversationCounters;
pub use messages::{Attach, MessageChanges, MessageHistory, MessageStore, ReadPositions};
pub use presence::{PresenceAudience, PresenceSubscriptions};
pub use sessions::SessionStore;
pub use tokens::{IssuedToken, TokenIssuer, Verified};
pub use users::UserDirectory;
