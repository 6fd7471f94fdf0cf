//! Edge throttling as API Gateway applies its route settings: one token bucket per route key
//! (a route without settings of its own gets a bucket of the stage defaults), shared by every
//! client. A request without a token is refused by the gateway itself, before any function.
//!
//! `RATE_LIMIT_MULTIPLIER` multiplies every rate and burst, so that test suites that create many
//! users from one address do not trip limits sized for a whole user base.

mod bucket;
pub mod settings;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

pub use bucket::{Limit, TokenBucket};
pub use settings::StageThrottle;

use crate::template::TemplateError;

/// The buckets of one API, by route key.
#[derive(Debug, Default)]
pub struct Throttles {
    buckets: HashMap<String, Mutex<TokenBucket>>,
}

impl Throttles {
    /// Buckets for `route_keys` from `stage`'s settings. A `RouteSettings` key that names no
    /// route is an error, as API Gateway refuses such a stage ("Unable to find Route by key").
    pub fn new(
        stage: Option<&StageThrottle>,
        route_keys: &[&str],
        multiplier: f64,
    ) -> Result<Self, TemplateError> {
        let Some(stage) = stage else {
            return Ok(Self::default());
        };
        if let Some(unknown) = stage
            .routes
            .keys()
            .find(|key| !route_keys.contains(&key.as_str()))
        {
            return Err(TemplateError::Invalid {
                resource: stage.owner.clone(),
                problem: format!("RouteSettings name {unknown:?}, which is not a route"),
            });
        }
        let now = Instant::now();
        let buckets = route_keys
            .iter()
            .filter_map(|key| {
                let (rate, burst) = stage.limit(key)?;
                let limit = Limit {
                    rate: rate * multiplier,
                    burst: burst * multiplier,
                };
                Some(((*key).to_owned(), Mutex::new(TokenBucket::full(limit, now))))
            })
            .collect();
        Ok(Self { buckets })
    }

    /// Whether a request to `route_key` may pass now (taking its token).
    pub fn allow(&self, route_key: &str) -> bool {
        self.allow_at(route_key, Instant::now())
    }

    pub fn allow_at(&self, route_key: &str, now: Instant) -> bool {
        match self.buckets.get(route_key) {
            // A panic elsewhere while holding the lock leaves a bucket that is still valid.
            Some(bucket) => bucket
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .try_take(now),
            None => true,
        }
    }

    /// How many routes are throttled.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::settings::RouteThrottle;
    use super::*;

    fn stage() -> StageThrottle {
        StageThrottle {
            owner: "Api".into(),
            default: RouteThrottle {
                burst: Some(2.0),
                rate: Some(1.0),
            },
            routes: BTreeMap::from([(
                "POST /login".to_owned(),
                RouteThrottle {
                    burst: Some(1.0),
                    rate: Some(0.0),
                },
            )]),
        }
    }

    #[test]
    fn each_route_has_its_own_bucket() {
        let throttles = Throttles::new(Some(&stage()), &["POST /login", "GET /me"], 1.0).unwrap();
        let now = Instant::now();
        assert!(throttles.allow_at("POST /login", now));
        assert!(!throttles.allow_at("POST /login", now));
        assert!(throttles.allow_at("GET /me", now));
        assert!(throttles.allow_at("GET /me", now));
        assert!(!throttles.allow_at("GET /me", now));
        assert!(throttles.allow_at("GET /me", now + Duration::from_secs(1)));
        // A route the gateway does not know of is not limited.
        assert!(throttles.allow_at("GET /unknown", now));
    }

    #[test]
    fn the_multiplier_scales_rate_and_burst() {
        let throttles =
            Throttles::new(Some(&stage()), &["POST /login", "GET /me"], 1000.0).unwrap();
        let now = Instant::now();
        assert_eq!(
            (0..5000)
                .filter(|_| throttles.allow_at("GET /me", now))
                .count(),
            2000
        );
        let later = now + Duration::from_millis(500);
        assert_eq!(
            (0..5000)
                .filter(|_| throttles.allow_at("GET /me", later))
                .count(),
            500
        );
    }

    #[test]
    fn settings_for_an_unknown_route_are_refused() {
        let error = Throttles::new(Some(&stage()), &["GET /me"], 1.0).unwrap_err();
        assert!(error.to_string().contains("POST /login"), "{error}");
        assert!(Throttles::new(None, &["GET /me"], 1.0).unwrap().is_empty());
    }
}
