//! Client of the Lambda Invoke API that `cargo lambda watch` serves:
//! `POST {endpoint}/2015-03-31/functions/{name}/invocations`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::Value;
use tokio::sync::Semaphore;

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
}

impl InvokeError {
    /// True when the function never ran (emulator down or too slow), as opposed to the function
    /// itself failing: API Gateway answers the two differently.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Timeout { .. })
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
}

/// At most `per_function` invocations of one function in flight, as a function's reserved
/// concurrency would allow on AWS. `cargo lambda watch` runs a fixed number of instances per
/// function; handing it more concurrent invocations than that made it stop answering every
/// function (seen when 200 sockets dropped at once), so extra invocations wait here instead.
#[derive(Debug)]
struct ConcurrencyLimits {
    per_function: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl ConcurrencyLimits {
    fn of(&self, function: &str) -> Arc<Semaphore> {
        // A poisoned lock only means another invocation panicked while inserting; the map
        // itself is still whole.
        let mut semaphores = self
            .semaphores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            semaphores
                .entry(function.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_function))),
        )
    }
}

impl LambdaClient {
    /// `max_concurrency`: invocations of one function in flight at once (`None`: unbounded).
    pub fn new(
        endpoint: &str,
        invoke_timeout: Duration,
        max_concurrency: Option<usize>,
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
            limits: max_concurrency.map(|per_function| {
                Arc::new(ConcurrencyLimits {
                    per_function,
                    semaphores: Mutex::default(),
                })
            }),
        })
    }

    /// Invokes `function` with `event`; the raw result payload on success. At the function's
    /// concurrency limit it waits for an invocation to finish.
    pub async fn invoke(&self, function: &str, event: &Value) -> Result<Bytes, InvokeError> {
        let semaphore = self.limits.as_ref().map(|limits| limits.of(function));
        // The semaphores are never closed, so acquiring only ever waits.
        let _permit = match &semaphore {
            Some(semaphore) => semaphore.acquire().await.ok(),
            None => None,
        };
        self.send(function, event).await
    }

    /// Invokes `function` with `event` now, or not at all: `None` when the function is at its
    /// concurrency limit, where Lambda refuses a synchronous invocation (429).
    pub async fn try_invoke(
        &self,
        function: &str,
        event: &Value,
    ) -> Option<Result<Bytes, InvokeError>> {
        let semaphore = self.limits.as_ref().map(|limits| limits.of(function));
        let _permit = match &semaphore {
            Some(semaphore) => Some(semaphore.try_acquire().ok()?),
            None => None,
        };
        Some(self.send(function, event).await)
    }

    async fn send(&self, function: &str, event: &Value) -> Result<Bytes, InvokeError> {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            urlencoding::encode(function)
        );
        let response = self
            .http
            .post(url)
            .json(event)
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
