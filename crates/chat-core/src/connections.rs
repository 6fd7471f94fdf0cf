//! An open WebSocket connection as the rules see it.

/// Live connections one user may hold at once (`MAX_CONNECTIONS_PER_USER`): a phone, a laptop
/// and a few browser tabs each, with room to spare. Each socket is an attribute of the user's
/// connection index item, which every push to the user reads, so the cap bounds that item and
/// what a push costs; it is not a rate, and `RATE_LIMIT_MULTIPLIER` leaves it alone.
pub const DEFAULT_MAX_CONNECTIONS_PER_USER: u32 = 20;

/// An open socket as its user's index item lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub connection_id: String,
    /// Unix seconds; `None` for a record written before tokens were tracked.
    pub token_expires_at: Option<u64>,
    pub session_id: Option<String>,
}

impl Socket {
    pub fn token_expired(&self, now_secs: u64) -> bool {
        self.token_expires_at.is_some_and(|at| at <= now_secs)
    }
}

/// A live connection as its record says after a renewal: what a frame's route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConnection {
    pub connection_id: String,
    pub user_id: String,
    /// The users whose presence it subscribed to, sorted.
    pub watching: Vec<String>,
    /// Bumped by every replacement of `watching`.
    pub watch_version: u64,
    /// Unix seconds (the token the socket was opened with; the record's TTL).
    pub token_expires_at: Option<u64>,
    pub expires_at: Option<u64>,
    /// The session of that token; `None` for a record written before sockets named it.
    pub session_id: Option<String>,
}
