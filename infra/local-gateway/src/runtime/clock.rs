//! Wall-clock instants rendered in the text forms API Gateway puts into events and responses.

use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    epoch_ms: i64,
}

impl Timestamp {
    pub fn now() -> Self {
        let epoch_ms = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            // A clock set before 1970 is not worth failing a request over.
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Self { epoch_ms }
    }

    pub fn from_epoch_millis(epoch_ms: i64) -> Self {
        Self { epoch_ms }
    }

    pub fn epoch_millis(self) -> i64 {
        self.epoch_ms
    }

    /// `2026-11-24T01:02:03.456Z`: the Management API's `connectedAt`/`lastActiveAt`.
    pub fn iso8601(self) -> String {
        let t = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
        )
    }

    /// `24/Nov/2026:01:02:03 +0000`: `requestContext.time` / `requestTime` in events.
    pub fn clf(self) -> String {
        let t = self.civil();
        let month = MONTHS
            .get(usize::from(t.month).saturating_sub(1))
            .copied()
            .unwrap_or("Jan");
        format!(
            "{:02}/{month}/{:04}:{:02}:{:02}:{:02} +0000",
            t.day, t.year, t.hour, t.minute, t.second
        )
    }

    fn civil(self) -> Civil {
        let days = self.epoch_ms.div_euclid(86_400_000);
        let ms_of_day = self.epoch_ms.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        // Every cast below is of a value already reduced to a small range.
        Civil {
            year,
            month,
            day,
            hour: (ms_of_day / 3_600_000) as u8,
            minute: (ms_of_day / 60_000 % 60) as u8,
            second: (ms_of_day / 1000 % 60) as u8,
            millis: (ms_of_day % 1000) as u16,
        }
    }
}

struct Civil {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    millis: u16,
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_a_known_instant() {
        // 2026-11-24T01:02:03.456Z
        let t = Timestamp::from_epoch_millis(1_795_482_123_456);
        assert_eq!(t.iso8601(), "2026-11-24T01:02:03.456Z");
        assert_eq!(t.clf(), "24/Nov/2026:01:02:03 +0000");
    }

    #[test]
    fn agrees_with_humantime_across_many_days() {
        // Leap years, month ends and century rules all pass through here.
        let mut ms: i64 = 0;
        while ms < 4_102_444_800_000 {
            let ours = Timestamp::from_epoch_millis(ms).iso8601();
            let system = UNIX_EPOCH + Duration::from_millis(ms as u64);
            let theirs = humantime::format_rfc3339_millis(system).to_string();
            assert_eq!(ours, theirs);
            ms += 86_400_000 * 7 + 3_723_001;
        }
    }
}
