//! The users the rules' tests talk about: valid ids (ULID-shaped), named so a failure reads.

pub const ADA: &str = "01HZZZZZZZZZZZZZZZZZZZZADA";
pub const BOB: &str = "01HZZZZZZZZZZZZZZZZZZZZBOB";
pub const CY: &str = "01HZZZZZZZZZZZZZZZZZZZZZCY";
pub const DEE: &str = "01HZZZZZZZZZZZZZZZZZZZZDEE";
