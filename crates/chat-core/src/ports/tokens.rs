use std::time::Duration;

use crate::error::Result;

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub user_id: String,
    pub session_id: String,
    /// Unix seconds: a socket opened with the token closes at its first frame or push after.
    pub expires_at: u64,
}

/// A freshly issued access token, as login returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
}

/// Signs and checks the access tokens that name a session. Signing is local work (no I/O), so
/// these are plain functions.
pub trait TokenIssuer: Sync {
    fn issue(&self, user_id: &str, session_id: &str) -> Result<IssuedToken>;

    /// What a valid token says; any defect is `Error::Unauthorized`.
    fn verify(&self, token: &str) -> Result<Verified>;

    /// How long a refresh token works; each refresh starts it again.
    fn refresh_ttl(&self) -> Duration;
}
