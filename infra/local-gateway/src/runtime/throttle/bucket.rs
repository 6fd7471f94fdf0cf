//! One token bucket, as API Gateway describes its throttling: a token per request, the bucket
//! holds at most `burst` tokens and refills at `rate` tokens a second.
//!
//! Written out rather than taken from a rate-limiting crate: API Gateway's numbers include
//! fractional rates (`ThrottlingRateLimit` is a double) and zero (a route that refuses
//! everything), which integer-per-second quotas cannot express.

use std::time::Instant;

/// A route's limits, already multiplied by `RATE_LIMIT_MULTIPLIER`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Steady-state requests a second.
    pub rate: f64,
    /// The bucket's size: how many requests may arrive at once after a quiet spell.
    pub burst: f64,
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    limit: Limit,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A bucket starts full, as a freshly deployed stage accepts its whole burst.
    pub fn full(limit: Limit, now: Instant) -> Self {
        Self {
            limit,
            tokens: limit.burst,
            updated: now,
        }
    }

    /// Takes a token if one is there; `false` means the request is throttled.
    pub fn try_take(&mut self, now: Instant) -> bool {
        // Callers race for the lock, so `now` may be a hair older than `updated`.
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limit.rate).min(self.limit.burst);
        self.updated = self.updated.max(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn bucket(rate: f64, burst: f64, at: Instant) -> TokenBucket {
        TokenBucket::full(Limit { rate, burst }, at)
    }

    fn taken(bucket: &mut TokenBucket, at: Instant, tries: usize) -> usize {
        (0..tries).filter(|_| bucket.try_take(at)).count()
    }

    #[test]
    fn the_burst_passes_at_once_then_the_rate() {
        let start = Instant::now();
        let mut bucket = bucket(10.0, 5.0, start);
        assert_eq!(taken(&mut bucket, start, 20), 5);
        // 0.35 s at 10 a second: 3.5 tokens, so 3 requests and half a token left.
        let later = start + Duration::from_millis(350);
        assert_eq!(taken(&mut bucket, later, 20), 3);
        assert_eq!(taken(&mut bucket, later + Duration::from_millis(50), 20), 1);
        // A quiet minute refills no more than the burst.
        assert_eq!(taken(&mut bucket, later + Duration::from_secs(60), 20), 5);
    }

    #[test]
    fn fractional_and_zero_limits() {
        let start = Instant::now();
        let mut slow = bucket(0.5, 1.0, start);
        assert!(slow.try_take(start));
        assert!(!slow.try_take(start + Duration::from_millis(1900)));
        assert!(slow.try_take(start + Duration::from_millis(2000)));

        let mut closed = bucket(0.0, 0.0, start);
        assert!(!closed.try_take(start + Duration::from_secs(3600)));
    }

    #[test]
    fn an_earlier_instant_than_the_last_is_no_refill() {
        let start = Instant::now();
        let mut bucket = bucket(1.0, 1.0, start + Duration::from_secs(1));
        assert!(bucket.try_take(start + Duration::from_secs(1)));
        assert!(!bucket.try_take(start));
    }
}
