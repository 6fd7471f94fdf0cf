//! Timestamps as the contract writes them: RFC 3339, UTC, milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Current time as `2026-11-24T01:02:03.456Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}

/// The time `age` ago, in the same format (so that string order is time order).
pub fn rfc3339_ago(age: Duration) -> String {
    let now = SystemTime::now();
    format_rfc3339(now.checked_sub(age).unwrap_or(now))
}

pub fn format_rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// Seconds since the Unix epoch (for JWT claims and TTL attributes).
pub fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// Milliseconds since the Unix epoch (session ages, connection leases).
pub fn unix_millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_in_utc() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_482_123_456);
        assert_eq!(format_rfc3339(at), "2026-11-24T01:02:03.456Z");
    }
}
