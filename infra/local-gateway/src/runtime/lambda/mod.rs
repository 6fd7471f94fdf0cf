//! Client of the Lambda Invoke API that `cargo lambda watch` serves:
//! `POST {endpoint}/2015-03-31/functions/{name}/invocations`, under the per-function
//! concurrency limit ([`limits`]) and the template's function timeouts ([`timeouts`]).

mod limits;
mod timeouts;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;

use super::ids;
use crate::faults::{CrashPoint, Faults, StreamFailure};
use limits::ConcurrencyLimits;
pub use timeouts::Cutoff;
use timeouts::FunctionTimeouts;

/// How long an invocation may take by default. The first call of a function under
/// `cargo lambda watch` compiles it, which can take minutes.
pub const DEFAULT_INVOKE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Longest slice of a failed invocation's body kept in errors and logs.
const ERROR_BODY_LIMIT: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error("the Lambda emulator at {endpoint} is unreachable: {source}")]
    Unreachable {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("invocation of {function} timed out")]
    Timeout { function: String },
    /// The API's integration timeout passed first; the function may still be running.
    #[error("{function} did not answer within the integration timeout ({after:?})")]
    IntegrationTimeout { function: String, after: Duration },
    #[error("{function} failed ({kind}): {body}")]
    FunctionError {
        function: String,
        kind: String,
        body: String,
    },
    #[error("the Lambda emulator answered {status} for {function}: {body}")]
    Status {
        function: String,
        status: u16,
        body: String,
    },
    #[error("invocation of {function} failed: {source}")]
    Transport {
        function: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the invocation of {function} ended without an answer")]
    Lost { function: String },
}

impl InvokeError {
    /// True when the function never ran (emulator down or too slow), as opposed to the function
    /// itself failing: API Gateway answers the two differently.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
    }

    /// API Gateway stopped waiting (its answer differs from a failed function's).
    pub fn is_integration_timeout(&self) -> bool {
        matches!(self, Self::IntegrationTimeout { .. })
    }

    /// Lambda's report of a runtime that died (killed, out of memory, a panic that aborts):
    /// what a crash fault answers instead of the function.
    fn crashed(function: &str) -> Self {
        let body = json!({
            "errorType": "Runtime.ExitError",
            "errorMessage": format!(
                "RequestId: {} Error: Runtime exited with error: signal: killed",
                ids::request_uuid()
            ),
        });
        Self::FunctionError {
            function: function.to_owned(),
            kind: "Unhandled".to_owned(),
            body: body.to_string(),
        }
    }

    /// Lambda's report of a function stopped at its `Timeout`: a function error, which every
    /// caller already answers as it answers the function's own failures.
    fn timed_out(function: &str, after: Duration) -> Self {
        let body = json!({
            "errorType": "Sandbox.Timedout",
            "errorMessage": format!(
                "RequestId: {} Error: Task timed out after {:.2} seconds",
                ids::request_uuid(),
                after.as_secs_f64()
            ),
        });
        Self::FunctionError {
            function: function.to_owned(),
            kind: "Unhandled".to_owned(),
            body: body.to_string(),
        }
    }

    /// Whether the function itself ran and answered (a result or its own error), which is
    /// what marks it started.
    fn function_answered(result: &Result<Bytes, Self>) -> bool {
        matches!(result, Ok(_) | Err(Self::FunctionError { .. }))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client for the Lambda emulator: {0}")]
pub struct ClientError(#[from] reqwest::Error);

/// One pooled HTTP client shared by every invocation.
#[derive(Debug, Clone)]
pub struct LambdaClient {
    http: reqwest::Client,
    endpoint: String,
    limits: Option<Arc<ConcurrencyLimits>>,
    timeouts: Arc<FunctionTimeouts>,
    faults: Arc<Faults>,
}

impl LambdaClient {
    /// `max_concurrency`: invocations of one function in flight at once (`None`: unbounded).
    /// `timeouts`: each function's `Timeout` by binary; `invoke_timeout` bounds everything,
    /// first invocations (builds) included.
    pub fn new(
        endpoint: &str,
        invoke_timeout: Duration,
        max_concurrency: Option<usize>,
        timeouts: BTreeMap<String, Duration>,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(invoke_timeout)
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            // The emulator is local; a developer's HTTP_PROXY must not capture these calls.
            .no_proxy()
            .build()?;
        Ok(Self {
            http,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            limits: max_concurrency.map(|n| Arc::new(ConcurrencyLimits::new(n))),
            timeouts: Arc::new(FunctionTimeouts::new(timeouts)),
            faults: Arc::default(),
        })
    }

    /// Invocations crash as `faults` says (none by default).
    pub fn with_faults(mut self, faults: Arc<Faults>) -> Self {
        self.faults = faults;
        self
    }

    /// The error a stream batch's invocation reports under a stream fault (the function ran):
    /// its own crash, or Lambda's timeout at the function's `Timeout`.
    pub(crate) fn stream_fault(&self, function: &str) -> Option<InvokeError> {
        let failure = self.faults.stream()?;
        tracing::info!(target: "local_gateway::faults", fault = "stream", ?failure, function, "stream batch failed by a fault");
        Some(match failure {
            StreamFailure::Error => InvokeError::crashed(function),
            StreamFailure::Timeout => InvokeError::timed_out(
                function,
                self.timeouts
                    .own(function)
                    .unwrap_or(DEFAULT_INVOKE_TIMEOUT),
            ),
        })
    }

    /// Invokes `function` with `event`, bounded by its `Timeout`; the raw result payload on
    /// success. At the function's concurrency limit it waits for an invocation to finish.
    pub async fn invoke(&self, function: &str, event: &Value) -> Result<Bytes, InvokeError> {
        self.invoke_within(function, event, None).await
    }

    /// [`Self::invoke`] for an API whose own integration timeout may end the wait first.
    pub async fn invoke_within(
        &self,
        function: &str,
        event: &Value,
        integration: Option<Duration>,
    ) -> Result<Bytes, InvokeError> {
        let permit = match &self.limits {
            Some(limits) => limits.acquire(function).await,
            None => None,
        };
        self.bounded(function, event, permit, integration).await
    }

    /// Invokes `function` with `event` now, or not at all: `None` when the function is at its
    /// concurrency limit, where Lambda refuses a synchronous invocation (429).
    pub async fn try_invoke(
        &self,
        function: &str,
        event: &Value,
    ) -> Option<Result<Bytes, InvokeError>> {
        let permit = match &self.limits {
            Some(limits) => Some(limits.try_acquire(function)?),
            None => None,
        };
        Some(self.bounded(function, event, permit, None).await)
    }

    /// Runs the call in a task of its own, so that a call past its cutoff can be left behind:
    /// the caller gets the timeout at once, the late answer is dropped when it comes, and the
    /// call keeps its concurrency place until then, since the watch's instance is still busy
    /// (the emulator cannot stop it as Lambda would).
    async fn bounded(
        &self,
        function: &str,
        event: &Value,
        permit: Option<OwnedSemaphorePermit>,
        integration: Option<Duration>,
    ) -> Result<Bytes, InvokeError> {
        // Every caller (HTTP API, WebSocket routes, the Invoke API, schedules, streams) comes
        // through here, so a crash fault looks the same to each of them as a real crash would.
        let crash = self.faults.crash(function);
        if crash == Some(CrashPoint::Before) {
            tracing::info!(target: "local_gateway::faults", fault = "function_crash", point = "before", function, "invocation crashed before the function ran");
            return Err(InvokeError::crashed(function));
        }
        let result = self.cut_off(function, event, permit, integration).await;
        if crash == Some(CrashPoint::After) {
            tracing::info!(target: "local_gateway::faults", fault = "function_crash", point = "after", function, ran_ok = result.is_ok(), "the function ran; its answer is lost");
            return Err(InvokeError::crashed(function));
        }
        result
    }

    async fn cut_off(
        &self,
        function: &str,
        event: &Value,
        permit: Option<OwnedSemaphorePermit>,
        integration: Option<Duration>,
    ) -> Result<Bytes, InvokeError> {
        let cutoff = self.timeouts.cutoff(function, integration);
        let client = self.clone();
        let name = function.to_owned();
        let body = event.to_string();
        let mut call = tokio::spawn(async move {
            let _permit = permit;
            let result = client.send(&name, body).await;
            if InvokeError::function_answered(&result) {
                client.timeouts.mark_started(&name);
            }
            result
        });
        let lost = || InvokeError::Lost {
            function: function.to_owned(),
        };
        let Some(cutoff) = cutoff else {
            return call.await.unwrap_or_else(|_| Err(lost()));
        };
        match tokio::time::timeout(cutoff.after(), &mut call).await {
            Ok(joined) => joined.unwrap_or_else(|_| Err(lost())),
            Err(_) => {
                tracing::warn!(
                    function,
                    ?cutoff,
                    "invocation cut off; its answer will be dropped"
                );
                Err(match cutoff {
                    Cutoff::Function(after) => InvokeError::timed_out(function, after),
                    Cutoff::Integration(after) => InvokeError::IntegrationTimeout {
                        function: function.to_owned(),
                        after,
                    },
                })
            }
        }
    }

    async fn send(&self, function: &str, body: String) -> Result<Bytes, InvokeError> {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            urlencoding::encode(function)
        );
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|source| self.classify(function, source))?;
        let status = response.status();
        let function_error = response
            .headers()
            .get("x-amz-function-error")
            .map(|kind| String::from_utf8_lossy(kind.as_bytes()).into_owned());
        let body = response
            .bytes()
            .await
            .map_err(|source| self.classify(function, source))?;
        if let Some(kind) = function_error {
            return Err(InvokeError::FunctionError {
                function: function.to_owned(),
                kind,
                body: excerpt(&body),
            });
        }
        if !status.is_success() {
            return Err(InvokeError::Status {
                function: function.to_owned(),
                status: status.as_u16(),
                body: excerpt(&body),
            });
        }
        Ok(body)
    }

    fn classify(&self, function: &str, source: reqwest::Error) -> InvokeError {
        if source.is_timeout() {
            InvokeError::Timeout {
                function: function.to_owned(),
            }
        } else if source.is_connect() {
            InvokeError::Unreachable {
                endpoint: self.endpoint.clone(),
                source,
            }
        } else {
            InvokeError::Transport {
                function: function.to_owned(),
                source,
            }
        }
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(ERROR_BODY_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}
