//! The chat service's rules as data: its entities, the requests clients send, the events
//! changes yield, the bounds and rate limits, and the one error type with its mapping to the
//! contract. No AWS SDK, no Lambda runtime and no HTTP types: the crates above it store,
//! push and serve, and none of them can be named from here.

pub mod attachments;
pub mod authorisation;
pub mod changes;
pub mod chats;
pub mod connections;
pub mod conversation;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod ids;
pub mod input;
pub mod labels;
#[cfg(any(test, feature = "memory"))]
pub mod memory;
pub mod messages;
pub mod paging;
pub mod ports;
pub mod presence;
pub mod rate_limits;
#[cfg(test)]
mod test_users;
pub mod time;
pub mod users;
pub mod waves;
