//! Per-caller rate limits, counted in DynamoDB so that they hold across every Lambda instance.
//!
//! A fixed window per limit: one item per (bucket, key, window) with the window's number in
//! its key, so a new window starts from nothing without any reset, and a TTL reclaims old
//! windows. Taking from a limit is one conditional `ADD` (`n < max`); a refused take changes
//! nothing and is billed like any write. See the README's capacity table.

use std::time::{Duration, SystemTime};

use crate::app::App;
use crate::config::ConfigError;
use crate::error::{Error, Result};
use crate::store::limits::Taken;
use crate::time::unix_seconds;

/// `max` events per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    const fn per(max: u32, window_secs: u64) -> Self {
        Limit {
            max,
            window: Duration::from_secs(window_secs),
        }
    }

    /// `"<max>/<window seconds>"`, e.g. `"5/60"`.
    fn parse(raw: &str) -> Option<Self> {
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
    /// Writes per user: sends, edits, deletes, reactions, read marks, chat changes, upload requests.
    Writes,
    /// `sendMessage` and `typing` frames per WebSocket connection.
    SocketFrames,
}

/// Every per-caller limit, from `RATE_LIMIT_*` (see the README's configuration table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub login_failures: Limit,
    pub login_attempts: Limit,
    pub registrations: Limit,
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
            // A fast typist sends a message a second at most; a flood sends hundreds.
            writes: Limit::per(30, 10),
            socket_frames: Limit::per(30, 10),
            socket_close_after: 30,
        }
    }
}

impl Limits {
    /// Reads the limits through `lookup`; `RATE_LIMIT_MULTIPLIER` raises every per-caller limit
    /// for test suites and benches that create many users from one address.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Limits::default();
        let limit = |name: &'static str, default: Limit| match lookup(name) {
            None => Ok(default),
            Some(raw) => Limit::parse(&raw).ok_or_else(|| ConfigError::Invalid {
                name,
                reason: "must be <max>/<window seconds>, both positive, e.g. 5/60".into(),
            }),
        };
        let multiplier = match lookup("RATE_LIMIT_MULTIPLIER") {
            None => 1,
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|m| *m > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "RATE_LIMIT_MULTIPLIER",
                    reason: "must be a positive whole number".into(),
                })?,
        };
        let raised = |limit: Limit| Limit {
            max: limit.max.saturating_mul(multiplier),
            ..limit
        };
        let close_after =
            match lookup("RATE_LIMIT_SOCKET_CLOSE_AFTER") {
                None => defaults.socket_close_after,
                Some(raw) => raw.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "RATE_LIMIT_SOCKET_CLOSE_AFTER",
                        reason: "must be a positive whole number".into(),
                    }
                })?,
            };
        Ok(Limits {
            login_failures: raised(limit("RATE_LIMIT_LOGIN_FAILURES", defaults.login_failures)?),
            login_attempts: raised(limit("RATE_LIMIT_LOGIN_ATTEMPTS", defaults.login_attempts)?),
            registrations: raised(limit("RATE_LIMIT_REGISTRATIONS", defaults.registrations)?),
            writes: raised(limit("RATE_LIMIT_WRITES", defaults.writes)?),
            socket_frames: raised(limit("RATE_LIMIT_SOCKET_FRAMES", defaults.socket_frames)?),
            socket_close_after: close_after.saturating_mul(multiplier),
        })
    }

    pub fn of(&self, bucket: Bucket) -> Limit {
        match bucket {
            Bucket::LoginFailures => self.login_failures,
            Bucket::LoginAttempts => self.login_attempts,
            Bucket::Registrations => self.registrations,
            Bucket::Writes => self.writes,
            Bucket::SocketFrames => self.socket_frames,
        }
    }
}

/// The window a limit is in now: its counter's key and when it ends.
struct Window {
    key: String,
    ends_at: u64,
    retry_after_secs: u64,
}

impl Window {
    fn now(bucket: Bucket, key: &str, limit: Limit) -> Self {
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

    fn refused(&self) -> Error {
        Error::RateLimited {
            retry_after_secs: self.retry_after_secs,
        }
    }

    /// Old windows go by TTL; a minute's slack keeps a counter for its whole window even
    /// where clocks differ a little.
    fn expires_at(&self) -> u64 {
        self.ends_at + 60
    }
}

/// Counts one event against `bucket` for `key`; 429 when the window is full.
pub async fn take(app: &App, bucket: Bucket, key: &str) -> Result<()> {
    let limit = app.config.limits.of(bucket);
    let window = Window::now(bucket, key, limit);
    match app
        .store
        .take(&window.key, limit.max, window.expires_at())
        .await?
    {
        Taken::Counted => Ok(()),
        Taken::Full => Err(window.refused()),
    }
}

/// 429 when `bucket`'s window for `key` is full already; counts nothing.
pub async fn check(app: &App, bucket: Bucket, key: &str) -> Result<()> {
    let limit = app.config.limits.of(bucket);
    let window = Window::now(bucket, key, limit);
    if app.store.taken(&window.key).await? >= u64::from(limit.max) {
        return Err(window.refused());
    }
    Ok(())
}

/// What a WebSocket frame over its connection's limit leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameVerdict {
    Allowed,
    /// Answered with an `error` event `rate_limited`.
    Refused {
        retry_after_secs: u64,
    },
    /// The connection kept flooding: close it.
    Close,
}

/// Counts a frame of `connection_id`. Unlike [`take`] the count goes on past the limit (one
/// unconditional `ADD` that returns it), so that a connection that keeps flooding is told apart
/// from one that went over once.
pub async fn frame(app: &App, connection_id: &str) -> Result<FrameVerdict> {
    let limits = &app.config.limits;
    let limit = limits.socket_frames;
    let window = Window::now(Bucket::SocketFrames, connection_id, limit);
    let count = app.store.count(&window.key, window.expires_at()).await?;
    let max = u64::from(limit.max);
    Ok(if count <= max {
        FrameVerdict::Allowed
    } else if count <= max + u64::from(limits.socket_close_after) {
        FrameVerdict::Refused {
            retry_after_secs: window.retry_after_secs,
        }
    } else {
        FrameVerdict::Close
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_overrides_and_the_multiplier() {
        assert_eq!(
            Limits::from_lookup(&lookup(&[])).ok(),
            Some(Limits::default())
        );
        let limits = Limits::from_lookup(&lookup(&[
            ("RATE_LIMIT_WRITES", "100/60"),
            ("RATE_LIMIT_MULTIPLIER", "10"),
        ]))
        .ok();
        let limits = limits.as_ref();
        assert_eq!(limits.map(|l| l.writes), Some(Limit::per(1000, 60)));
        assert_eq!(limits.map(|l| l.login_failures), Some(Limit::per(50, 60)));
        for bad in ["5", "0/60", "5/0", "x/60", "5/-1"] {
            let parsed = Limits::from_lookup(&lookup(&[("RATE_LIMIT_WRITES", bad)]));
            assert!(parsed.is_err(), "{bad}");
        }
        assert!(Limits::from_lookup(&lookup(&[("RATE_LIMIT_MULTIPLIER", "0")])).is_err());
    }

    #[test]
    fn windows_name_their_number_and_say_when_to_retry() {
        let window = Window::now(Bucket::LoginFailures, "ada|10.0.0.1", Limit::per(5, 60));
        assert!(window.key.starts_with("login_failures#ada|10.0.0.1#"));
        assert!((1..=60).contains(&window.retry_after_secs));
        assert_eq!(window.ends_at % 60, 0);
    }
}
