//! A local Lambda Runtime API (the `2018-06-01` endpoints `lambda_runtime` speaks) that hands
//! out exactly one invocation and reports, with timestamps, what the function sends back.
//!
//! It also stands in for the API Gateway Management API (`{WEBSOCKET_ENDPOINT}/@connections/
//! {id}`), answering pushes at once, so a WebSocket function's push costs what a fast push
//! costs instead of a refused connection and the SDK's retries.
//!
//! One server per measured process, on its own port: a killed process may leave a `/next`
//! long-poll behind that the server only notices later, and with a shared server that stale
//! poll could take the next process's event. Separate servers make that impossible.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, watch};

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const RESPONSE: &str = "/2018-06-01/runtime/invocation/{id}/response";
const ERROR: &str = "/2018-06-01/runtime/invocation/{id}/error";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
/// Where `WEBSOCKET_ENDPOINT` points: `{base}/ws` + the SDK's `/@connections/{id}`.
pub const MANAGEMENT_PREFIX: &str = "/ws";
const CONNECTION: &str = "/ws/@connections/{id}";
const ERROR_TYPE: &str = "lambda-runtime-function-error-type";

/// The one event the server hands out, with what Lambda sends alongside it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub function_arn: String,
    pub event: Value,
    /// The function's timeout: the deadline header is now + this when the event is taken.
    pub timeout: Duration,
}

/// What the function did; successes are stamped with the instant the server had the whole
/// request, failures need no timing.
#[derive(Debug)]
pub enum Report {
    /// A poll for an event; the first one ends the function's init phase.
    Next { at: Instant },
    Response {
        request_id: String,
        at: Instant,
        body: Bytes,
    },
    Error {
        request_id: String,
        error_type: Option<String>,
        body: Bytes,
    },
    InitError {
        error_type: Option<String>,
        body: Bytes,
    },
    /// A Management API call: a `PostToConnection` with its frame, or a `DeleteConnection`
    /// (`None`), which closes the socket.
    Push { frame: Option<Bytes> },
}

struct Shared {
    /// Taken by the first `/next`; later polls wait, as a frozen Lambda instance would.
    pending: Mutex<Option<Invocation>>,
    reports: mpsc::UnboundedSender<Report>,
    shutdown: watch::Receiver<bool>,
}

/// A running server; dropping it stops the server and ends any poll still waiting.
pub struct RuntimeApi {
    address: SocketAddr,
    reports: mpsc::UnboundedReceiver<Report>,
    shutdown: watch::Sender<bool>,
}

impl RuntimeApi {
    /// Binds an ephemeral port on 127.0.0.1 and serves `invocation` to the first poll.
    pub async fn start(invocation: Invocation) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let (report_tx, reports) = mpsc::unbounded_channel();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            pending: Mutex::new(Some(invocation)),
            reports: report_tx,
            shutdown: shutdown_rx.clone(),
        });
        let app = Router::new()
            .route(NEXT, get(next))
            .route(RESPONSE, post(response))
            .route(ERROR, post(error))
            .route(INIT_ERROR, post(init_error))
            .route(CONNECTION, post(push).delete(close))
            .with_state(shared);
        let mut stop = shutdown_rx;
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // An error means the sender is gone, which is a shutdown too.
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            if let Err(error) = served {
                eprintln!("coldstart: the runtime API server on {address} failed: {error}");
            }
        });
        Ok(RuntimeApi {
            address,
            reports,
            shutdown,
        })
    }

    /// `host:port`, the form `AWS_LAMBDA_RUNTIME_API` takes.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The next thing the function did; `None` only once the server is gone.
    pub async fn next_report(&mut self) -> Option<Report> {
        self.reports.recv().await
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        // Nobody listening any more is fine: then the server is already gone.
        let _ = self.shutdown.send(true);
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    // A send error means nobody reads reports any more; the poll itself can still be answered.
    let _ = shared.reports.send(Report::Next { at: Instant::now() });
    let taken = shared.pending.lock().await.take();
    match taken {
        Some(invocation) => deliver(&invocation),
        None => {
            let mut shutdown = shared.shutdown.clone();
            let _ = shutdown.wait_for(|stopped| *stopped).await;
            (StatusCode::GONE, "the measurement is over").into_response()
        }
    }
}

fn deliver(invocation: &Invocation) -> Response {
    let deadline_ms = SystemTime::now()
        .checked_add(invocation.timeout)
        .and_then(|deadline| deadline.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since_epoch| since_epoch.as_millis());
    let headers = [
        (
            "lambda-runtime-aws-request-id",
            invocation.request_id.clone(),
        ),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            invocation.function_arn.clone(),
        ),
        ("lambda-runtime-trace-id", trace_id()),
        (header::CONTENT_TYPE.as_str(), "application/json".to_owned()),
    ];
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        match HeaderValue::try_from(value) {
            Ok(value) => {
                map.insert(HeaderName::from_static(name), value);
            }
            Err(_) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("coldstart: {name} is not a valid header value"),
                )
                    .into_response();
            }
        }
    }
    (map, invocation.event.to_string()).into_response()
}

/// An X-Ray trace header of the shape Lambda sends (`Root=1-<epoch hex>-<96 bits>`).
fn trace_id() -> String {
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let random = format!("{:032x}", ulid::Ulid::generate().0);
    format!(
        "Root=1-{epoch:08x}-{};Parent={};Sampled=0",
        &random[8..],
        &random[..16]
    )
}

fn error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(ERROR_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let at = Instant::now();
    let _ = shared.reports.send(Report::Response {
        request_id,
        at,
        body,
    });
    StatusCode::ACCEPTED
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let _ = shared.reports.send(Report::Error {
        request_id,
        error_type: error_type(&headers),
        body,
    });
    StatusCode::ACCEPTED
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let _ = shared.reports.send(Report::InitError {
        error_type: error_type(&headers),
        body,
    });
    StatusCode::ACCEPTED
}

async fn push(State(shared): State<Arc<Shared>>, frame: Bytes) -> StatusCode {
    let _ = shared.reports.send(Report::Push { frame: Some(frame) });
    StatusCode::OK
}

async fn close(State(shared): State<Arc<Shared>>) -> StatusCode {
    let _ = shared.reports.send(Report::Push { frame: None });
    StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invocation() -> Invocation {
        Invocation {
            request_id: "req-1".into(),
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:users".into(),
            event: json!({"hello": "world"}),
            timeout: Duration::from_secs(10),
        }
    }

    fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// A fake function speaking the protocol: poll, answer, and poll again.
    #[tokio::test]
    async fn serves_one_event_and_reports_the_response() -> Result<(), Box<dyn std::error::Error>> {
        let mut api = RuntimeApi::start(invocation()).await?;
        let base = format!("http://{}", api.address());
        let client = reqwest::Client::new();

        let event = client.get(format!("{base}{NEXT}")).send().await?;
        assert_eq!(event.status(), 200);
        assert_eq!(
            header(&event, "lambda-runtime-aws-request-id"),
            Some("req-1")
        );
        assert_eq!(
            header(&event, "lambda-runtime-invoked-function-arn"),
            Some("arn:aws:lambda:us-east-1:123456789012:function:users")
        );
        assert!(
            header(&event, "lambda-runtime-trace-id").is_some_and(|t| t.starts_with("Root=1-"))
        );
        let deadline: u128 = header(&event, "lambda-runtime-deadline-ms")
            .and_then(|d| d.parse().ok())
            .unwrap_or_default();
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
        assert!(deadline > now && deadline <= now + 10_000);
        assert_eq!(event.json::<Value>().await?, json!({"hello": "world"}));

        let posted = client
            .post(format!(
                "{base}/2018-06-01/runtime/invocation/req-1/response"
            ))
            .body(r#"{"statusCode":401}"#)
            .send()
            .await?;
        assert_eq!(posted.status(), 202);

        assert!(matches!(api.next_report().await, Some(Report::Next { .. })));
        match api.next_report().await {
            Some(Report::Response {
                request_id, body, ..
            }) => {
                assert_eq!(request_id, "req-1");
                assert_eq!(&body[..], br#"{"statusCode":401}"#);
            }
            other => panic!("expected the response, got {other:?}"),
        }

        // The second poll waits (a frozen instance) until the server is dropped.
        let second = tokio::spawn({
            let client = client.clone();
            async move { client.get(format!("{base}{NEXT}")).send().await }
        });
        assert!(matches!(api.next_report().await, Some(Report::Next { .. })));
        assert!(!second.is_finished());
        drop(api);
        assert_eq!(second.await??.status(), 410);
        Ok(())
    }

    #[tokio::test]
    async fn reports_invocation_and_init_errors() -> Result<(), Box<dyn std::error::Error>> {
        let mut api = RuntimeApi::start(invocation()).await?;
        let base = format!("http://{}", api.address());
        let client = reqwest::Client::new();

        client
            .post(format!("{base}/2018-06-01/runtime/invocation/req-1/error"))
            .header(ERROR_TYPE, "Runtime.Boom")
            .body("{}")
            .send()
            .await?;
        client
            .post(format!("{base}{INIT_ERROR}"))
            .header(ERROR_TYPE, "Runtime.InitBoom")
            .send()
            .await?;
        let pushed = client
            .post(format!("{base}{MANAGEMENT_PREFIX}/@connections/abc%3D"))
            .body("{}")
            .send()
            .await?;
        assert_eq!(pushed.status(), 200);

        assert!(matches!(
            api.next_report().await,
            Some(Report::Error { request_id, error_type: Some(t), .. })
                if request_id == "req-1" && t == "Runtime.Boom"
        ));
        assert!(matches!(
            api.next_report().await,
            Some(Report::InitError { error_type: Some(t), .. }) if t == "Runtime.InitBoom"
        ));
        let closed = client
            .delete(format!("{base}{MANAGEMENT_PREFIX}/@connections/abc%3D"))
            .send()
            .await?;
        assert_eq!(closed.status(), 200);

        assert!(matches!(
            api.next_report().await,
            Some(Report::Push { frame: Some(frame) }) if &frame[..] == b"{}"
        ));
        assert!(matches!(
            api.next_report().await,
            Some(Report::Push { frame: None })
        ));
        Ok(())
    }
}
