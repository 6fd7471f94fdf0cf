//! The users the rules' tests talk about: valid ids (ULID-shaped), named so a failure reads.

pub const ADA: &str = "01HZZZZZZZZZZZZZZZZZZZZADA";
pub const BOB: &str = "01HZZZZZZZZZZZZZZZZZZZZBOB";
pub const CY: &str = "01HZZZZZZZZZZZZZZZZZZZZZCY";
pub const DEE: &str = "01HZZZZZZZZZZZZZZZZZZZZDEE";

/// A test's user id as the rules take it.
pub fn user(id: &str) -> crate::ids::UserId {
    crate::ids::UserId::trusted(id)
}

/// A test's chat id as the rules take it.
pub fn chat(id: &str) -> crate::ids::ChatId {
    crate::ids::ChatId::trusted(id)
}
