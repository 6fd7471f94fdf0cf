//! A session as its user item keeps it, and how a change of it can end.

use serde::{Deserialize, Serialize};

/// A session as stored on its user item, keyed by session id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// SHA-256 (hex) of the current refresh token's secret; the token itself is never stored.
    pub refresh_hash: String,
    /// Unix seconds; every refresh moves it.
    pub refresh_expires_at: u64,
    /// Unix milliseconds: when the session logged in, which a refresh keeps. The oldest session
    /// goes first when an account has too many, and a session that logged in recently may
    /// change the email or delete the account without the password ([`super::sessions`]).
    pub created_at_ms: i64,
}

/// How rotating a session's refresh token ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotated {
    Done,
    /// The session is gone, or its refresh token was rotated by somebody else meanwhile.
    Lost,
}
