//! The per-caller rate limits, from `RATE_LIMIT_*`.

use chat_core::rate_limits::{Limit, Limits};

use super::ConfigError;

/// Reads the limits through `lookup`; `RATE_LIMIT_MULTIPLIER` raises every per-caller limit
/// for test suites and benches that create many users from one address.
pub fn read(lookup: &impl Fn(&str) -> Option<String>) -> Result<Limits, ConfigError> {
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
    let close_after = match lookup("RATE_LIMIT_SOCKET_CLOSE_AFTER") {
        None => defaults.socket_close_after,
        Some(raw) => {
            raw.trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "RATE_LIMIT_SOCKET_CLOSE_AFTER",
                    reason: "must be a positive whole number".into(),
                })?
        }
    };
    Ok(Limits {
        login_failures: raised(limit("RATE_LIMIT_LOGIN_FAILURES", defaults.login_failures)?),
        login_attempts: raised(limit("RATE_LIMIT_LOGIN_ATTEMPTS", defaults.login_attempts)?),
        registrations: raised(limit("RATE_LIMIT_REGISTRATIONS", defaults.registrations)?),
        email_taken: raised(limit("RATE_LIMIT_EMAIL_TAKEN", defaults.email_taken)?),
        writes: raised(limit("RATE_LIMIT_WRITES", defaults.writes)?),
        socket_frames: raised(limit("RATE_LIMIT_SOCKET_FRAMES", defaults.socket_frames)?),
        socket_close_after: close_after.saturating_mul(multiplier),
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
        assert_eq!(read(&lookup(&[])).ok(), Some(Limits::default()));
        let limits = read(&lookup(&[
            ("RATE_LIMIT_WRITES", "100/60"),
            ("RATE_LIMIT_MULTIPLIER", "10"),
        ]))
        .ok();
        let limits = limits.as_ref();
        assert_eq!(limits.map(|l| l.writes), Some(Limit::per(1000, 60)));
        assert_eq!(limits.map(|l| l.login_failures), Some(Limit::per(50, 60)));
        for bad in ["5", "0/60", "5/0", "x/60", "5/-1"] {
            let parsed = read(&lookup(&[("RATE_LIMIT_WRITES", bad)]));
            assert!(parsed.is_err(), "{bad}");
        }
        assert!(read(&lookup(&[("RATE_LIMIT_MULTIPLIER", "0")])).is_err());
    }
}
