//! Presence as the rules see it: who hears of a user's status change.

pub mod audience;
pub mod subscriptions;
