//! Per-caller rate limits as data: what is counted and per what, how many per window, and the
//! fixed window a count falls in. Counting happens in the store, so that a limit holds across
//! every Lambda instance.

use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::time::unix_seconds;

/// `max` events per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per(max: u32, window_secs: u64) -> Self {
        Limit {
            max,
            window: Duration::from_secs(window_secs),
        }
    }

    /// `"<max>/<window seconds>"`, e.g. `"5/60"`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (max, secs) = raw.trim().split_once('/')?;
        let (max, secs) = (max.trim().parse().ok()?, secs.trim().parse().ok()?);
        (max > 0 && secs > 0).then_some(Limit::per(max, secs))
    }
}

/// What is counted, and per what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Bucket {
    /// Failed logins per (account, source IP): a pair over it gets 429 for every attempt, with
    /// the right password too, until its window ends. Keyed by the pair, so nobody can lock a
    /// victim out from elsewhere.
    LoginFailures,
    /// Every login attempt per source IP.
    LoginAttempts,
    /// Registrations per source IP.
    Registrations,
    /// Email changes per source IP that found the address taken (`email_taken`): such an
    /// answer says that somebody registered the address, so it is rationed like a guess.
    /// Reserved before the change is tried and given back when the address was free, so a
    /// refusal says nothing about the address.
    EmailTaken,
    /// Writes per user: sends, edits, deletes, reactions, read marks, chat changes, upload requests.
    Writes,
    /// `sendMessage` and `typing` frames per WebSocket connection.
    SocketFrames,
}

/// Every per-caller limit, from `RATE_LIMIT_*` (see docs/configuration.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub login_failures: Limit,
    pub login_attempts: Limit,
    pub registrations: Limit,
    pub email_taken: Limit,
    pub writes: Limit,
    pub socket_frames: Limit,
    /// Frames refused within one window after which the connection is closed.
    pub socket_close_after: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_failures: Limit::per(5, 60),
            login_attempts: Limit::per(60, 60),
            registrations: Limit::per(20, 3600),
            // Nobody honest meets many taken addresses; a list of them, one a probe.
            email_taken: Limit::per(10, 3600),
            // A fast typist sends a message a second at most; a flood sends hundreds.
            writes: Limit::per(30, 10),
            socket_frames: Limit::per(30, 10),
            socket_close_after: 30,
        }
    }
}

impl Limits {
    pub fn of(&self, bucket: Bucket) -> Limit {
        match bucket {
            Bucket::LoginFailures => self.login_failures,
            Bucket::LoginAttempts => self.login_attempts,
            Bucket::Registrations => self.registrations,
            Bucket::EmailTaken => self.email_taken,
            Bucket::Writes => self.writes,
            Bucket::SocketFrames => self.socket_frames,
        }
    }
}

/// The window a limit is in now: its counter's key and when it ends.
pub struct Window {
    pub key: String,
    pub ends_at: u64,
    pub retry_after_secs: u64,
}

impl Window {
    pub fn now(bucket: Bucket, key: &str, limit: Limit) -> Self {
        let now = unix_seconds(SystemTime::now());
        let secs = limit.window.as_secs().max(1);
        let number = now / secs;
        let ends_at = (number + 1) * secs;
        let bucket: &'static str = bucket.into();
        Window {
            key: format!("{bucket}#{key}#{number}"),
            ends_at,
            retry_after_secs: (ends_at - now).max(1),
        }
    }

    pub fn refused(&self) -> Error {
        Error::RateLimited {
            retry_after_secs: self.retry_after_secs,
        }
    }

    /// Old windows go by TTL; a minute's slack keeps a counter for its whole window even
    /// where clocks differ a little.
    pub fn expires_at(&self) -> u64 {
        self.ends_at + 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_name_their_number_and_say_when_to_retry() {
        let window = Window::now(Bucket::LoginFailures, "ada|10.0.0.1", Limit::per(5, 60));
        assert!(window.key.starts_with("login_failures#ada|10.0.0.1#"));
        assert!((1..=60).contains(&window.retry_after_secs));
        assert_eq!(window.ends_at % 60, 0);
    }
}
