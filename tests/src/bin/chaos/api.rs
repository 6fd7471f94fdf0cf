//! The clients' HTTP side: one request per call, never a panic on what the network does; each
//! answer is classified as an [`Outcome`], and [`Api::with_retries`] retries as the contract
//! tells clients to (5xx, 429 after `Retry-After`, timeouts), logging every attempt.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use crate::ledger::{Attempt, Outcome};

/// A client gives up on one attempt after this long: HTTP API's integration timeout (30 s),
/// above the functions' own (10 s), so the gateway always answers first and every answer
/// reaches the client, a crash fault's 500 included (the crash check counts them exactly). A
/// shorter wait gave up on requests a loaded stack was still serving and retried them, which
/// only added load: 8 s on a loaded two-core machine ended in 1,355 timeouts of 2,200 sends.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(31);
/// Attempts of one request before the client gives up on it.
pub const MAX_ATTEMPTS: u32 = 8;
/// No `Retry-After` is followed for longer than this.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Answer {
    pub outcome: Outcome,
    pub body: Value,
    pub retry_after: Option<Duration>,
}

#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    /// The start of the load: attempts are logged relative to it.
    pub epoch: Instant,
}

/// One request: what, where, as whom.
pub struct Call<'a> {
    pub route: &'static str,
    pub method: Method,
    pub path: String,
    pub token: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub body: Option<Value>,
}

impl Api {
    pub fn new(base: String, epoch: Instant) -> Result<Api, String> {
        let http = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .map_err(|e| format!("an HTTP client: {e}"))?;
        Ok(Api { base, http, epoch })
    }

    pub async fn once(&self, call: &Call<'_>) -> Answer {
        let mut request = self
            .http
            .request(call.method.clone(), format!("{}{}", self.base, call.path))
            .bearer_auth(call.token);
        if let Some(key) = call.idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return failed(&e),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Err(e) => return failed(&e),
        };
        Answer {
            outcome: classify(status, &body),
            body,
            retry_after,
        }
    }

    /// The request until it succeeds, is refused for good, or [`MAX_ATTEMPTS`] are spent;
    /// the last answer.
    pub async fn with_retries(&self, call: &Call<'_>, log: &mut Vec<Attempt>) -> Answer {
        let mut attempt = 0;
        loop {
            let at = self.epoch.elapsed();
            let answer = self.once(call).await;
            log.push(Attempt {
                at,
                route: call.route,
                outcome: answer.outcome.clone(),
            });
            attempt += 1;
            match retry_wait(&answer, attempt) {
                Some(wait) if attempt < MAX_ATTEMPTS => tokio::time::sleep(wait).await,
                _ => return answer,
            }
        }
    }
}

fn failed(e: &reqwest::Error) -> Answer {
    Answer {
        outcome: if e.is_timeout() {
            Outcome::Timeout
        } else {
            Outcome::Transport
        },
        body: Value::Null,
        retry_after: None,
    }
}

/// The contract's 500 has the error shape; the gateway's, for a crashed function, is API
/// Gateway's own `{"message": "Internal Server Error"}`.
pub fn classify(status: u16, body: &Value) -> Outcome {
    match status {
        200..=299 => Outcome::Success(status),
        429 => Outcome::RateLimited,
        400..=499 => Outcome::Refused(status),
        503 => Outcome::Unavailable,
        500 if body["message"] == "Internal Server Error" && body.get("error").is_none() => {
            Outcome::InjectedCrash
        }
        _ => Outcome::ServiceError(status),
    }
}

/// How long to wait before the next attempt, or `None` when another cannot help.
pub fn retry_wait(answer: &Answer, attempt: u32) -> Option<Duration> {
    let backoff = || {
        // Full jitter from 250 ms, doubling: retries of many clients spread out.
        let ceiling = 250u64.saturating_mul(1 << attempt.min(5));
        Duration::from_millis(rand::random_range(50..=ceiling))
    };
    let wait = match &answer.outcome {
        Outcome::Success(_) | Outcome::Refused(_) => return None,
        Outcome::RateLimited | Outcome::Unavailable => answer.retry_after.unwrap_or_else(backoff),
        _ => backoff(),
    };
    Some(wait.min(LONGEST_WAIT))
}
