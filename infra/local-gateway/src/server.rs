//! The gateway as one axum service: HTTP API, WebSocket API at `/ws`, Management API at
//! `/ws/@connections/{id}` and the functions' own Lambda Invoke API at
//! `/2015-03-31/functions/{name}/invocations`, on one port.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::apis::{http_api, invoke, management, websocket};
use crate::faults::{control, dynamodb};
use crate::gateway::Gateway;
use crate::sources::{schedule, streams};

/// Where the WebSocket API lives; the Management API endpoint is this path too.
pub const WS_PATH: &str = "/ws";
const MANAGEMENT_PREFIX: &str = "/ws/@connections/";

/// How long shutdown waits for in-flight requests and `$disconnect` calls.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The service; serve it with `into_make_service_with_connect_info::<SocketAddr>()` so events
/// carry the client's address.
pub fn app(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .fallback(dispatch)
        .layer(middleware::from_fn(log_request))
        .with_state(gateway)
}

async fn dispatch(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let path = request.uri().path();
    if path == WS_PATH || path == "/ws/" {
        return websocket::handle_upgrade(gateway, peer, request).await;
    }
    if let Some(raw_id) = path.strip_prefix(MANAGEMENT_PREFIX) {
        let raw_id = raw_id.to_owned();
        return management::handle(&gateway, &raw_id, request).await;
    }
    if let Some(function) = invoke::function_of(path) {
        let function = function.to_owned();
        return invoke::handle(&gateway, &function, request).await;
    }
    http_api::handle(&gateway, peer, request).await
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // The path only: query strings carry tokens (`/ws?token=<JWT>`).
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "local_gateway::access",
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Serves (and runs the template's schedules and stream event sources) until `shutdown`
/// resolves, then closes every WebSocket (each gets its `$disconnect`) and waits a bounded time
/// for in-flight work. The stream sources are set up before the first request is answered, so a
/// write made after the gateway answers reaches `StartingPosition: LATEST` sources; a source
/// whose table or stream cannot be read fails `serve`.
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|stream| {
        // Small frames and JSON bodies: Nagle would only add latency.
        let _ = stream.set_nodelay(true);
    });
    let mut background = streams::start(&gateway.streams, &gateway.config.streams, &gateway.lambda)
        .await
        .map_err(std::io::Error::other)?;
    background.extend(schedule::spawn_all(&gateway.schedules, &gateway.lambda));
    background.extend(start_fault_ports(&gateway).await?);
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal_gateway = Arc::clone(&gateway);
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down");
        signal_gateway.connections.close_all();
        let _ = stopping_tx.send(());
    };
    let server = axum::serve(
        listener,
        app(Arc::clone(&gateway)).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .into_future();
    let deadline = async {
        // A dropped sender means the server ended on its own; the select then has its result.
        if stopping_rx.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let served = tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("in-flight requests still running; stopping anyway");
            Ok(())
        }
    };
    for task in background {
        task.abort();
    }
    served?;
    if tokio::time::timeout(SHUTDOWN_GRACE, gateway.connections.wait_idle())
        .await
        .is_err()
    {
        tracing::warn!("some $disconnect invocations did not finish");
    }
    Ok(())
}

/// The DynamoDB proxy and the fault control API, each on its own port when configured. Both are
/// bound before the first request is answered, so the functions never find the proxy missing.
async fn start_fault_ports(
    gateway: &Arc<Gateway>,
) -> std::io::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut tasks = Vec::new();
    if let Some(address) = gateway.config.dynamodb_proxy {
        let listener = TcpListener::bind(address).await?;
        let upstream = gateway.config.streams.endpoint.clone();
        let faults = Arc::clone(&gateway.faults);
        tracing::info!("DynamoDB proxy on http://{address}, forwarding to {upstream}");
        tasks.push(tokio::spawn(async move {
            // It only returns when its HTTP client cannot be built.
            let Err(error) = dynamodb::run(listener, &upstream, faults).await;
            tracing::error!(%error, "the DynamoDB proxy cannot start");
        }));
    }
    if let Some(address) = gateway.config.control {
        let listener = TcpListener::bind(address).await?;
        let app = control::app(Arc::clone(&gateway.faults));
        tracing::info!("fault control on http://{address}{}", control::PATH);
        tasks.push(tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the fault control port stopped");
            }
        }));
    }
    Ok(tasks)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
