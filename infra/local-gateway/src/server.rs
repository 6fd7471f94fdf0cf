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

use crate::connections::ConnectionRegistry;
use crate::cors::CorsConfig;
use crate::lambda::{self, ClientError, LambdaClient};
use crate::routing::{RouteTable, RoutingError};
use crate::schedule::{self, Schedule, ScheduleError};
use crate::streams::{self, StreamSettings, StreamSource};
use crate::template::{Template, TemplateError};
use crate::throttle::{self, Throttles};
use crate::websocket::{self, WsRouteError, WsRoutes};
use crate::{http_api, invoke_api, management};

/// Where the WebSocket API lives; the Management API endpoint is this path too.
pub const WS_PATH: &str = "/ws";
const MANAGEMENT_PREFIX: &str = "/ws/@connections/";

/// How long shutdown waits for in-flight requests and `$disconnect` calls.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// `requestContext.stage` of WebSocket events.
    pub stage: String,
    /// Base URL of the Lambda Invoke API (`cargo lambda watch`).
    pub lambda_endpoint: String,
    pub invoke_timeout: Duration,
    /// Invocations of one function in flight at once; match `cargo lambda watch --concurrency`.
    pub lambda_concurrency: Option<usize>,
    /// A message, from a client (in one or more frames) or pushed through the Management API.
    pub ws_max_message_bytes: usize,
    /// One frame a client sends; a bigger one closes the connection with 1009.
    pub ws_max_frame_bytes: usize,
    pub ws_idle_timeout: Duration,
    pub ws_max_connection_duration: Duration,
    /// Ping period used to notice peers that disappeared without closing.
    pub ws_keepalive_interval: Duration,
    /// Runs every `Schedule` event at this period instead of its own (tests want seconds).
    pub schedule_period: Option<Duration>,
    /// `RATE_LIMIT_MULTIPLIER`: every edge rate and burst of the template is multiplied by it.
    pub rate_limit_multiplier: f64,
    /// DynamoDB stream event sources: DynamoDB Local, poll interval, dead-letter files.
    pub streams: StreamSettings,
}

impl Default for GatewayConfig {
    /// API Gateway's own limits: 128 KB messages, 32 KB client frames, 10 minutes idle, 2 hours
    /// per connection.
    fn default() -> Self {
        Self {
            stage: "local".to_owned(),
            lambda_endpoint: "http://127.0.0.1:9000".to_owned(),
            invoke_timeout: lambda::DEFAULT_INVOKE_TIMEOUT,
            lambda_concurrency: None,
            ws_max_message_bytes: 128 * 1024,
            ws_max_frame_bytes: 32 * 1024,
            ws_idle_timeout: Duration::from_secs(10 * 60),
            ws_max_connection_duration: Duration::from_secs(2 * 60 * 60),
            ws_keepalive_interval: Duration::from_secs(30),
            schedule_period: None,
            rate_limit_multiplier: 1.0,
            streams: StreamSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Routing(#[from] RoutingError),
    #[error(transparent)]
    WebSocketRoutes(#[from] WsRouteError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// Everything a request needs, built once from the template.
#[derive(Debug)]
pub struct Gateway {
    pub(crate) config: GatewayConfig,
    pub(crate) http_routes: RouteTable,
    /// The HTTP API's `CorsConfiguration`; `None` when the template has none.
    pub(crate) cors: Option<CorsConfig>,
    pub(crate) websocket: Option<WsRoutes>,
    /// The template's route settings, as token buckets per route key.
    pub(crate) http_throttles: Throttles,
    pub(crate) ws_throttles: Throttles,
    pub(crate) lambda: LambdaClient,
    pub(crate) connections: ConnectionRegistry,
    pub(crate) schedules: Vec<Schedule>,
    /// The template's enabled `Type: DynamoDB` events.
    pub(crate) streams: Vec<StreamSource>,
}

impl Gateway {
    pub fn new(template: &Template, config: GatewayConfig) -> Result<Arc<Self>, GatewayError> {
        let http_defs = template.http_routes()?;
        let http_routes = RouteTable::new(&http_defs)?;
        let cors = CorsConfig::from_template(template)?;
        let multiplier = config.rate_limit_multiplier;
        let http_keys: Vec<&str> = http_defs.iter().map(|r| r.route_key.as_str()).collect();
        let http_throttles = Throttles::new(
            throttle::settings::http_api(template)?.as_ref(),
            &http_keys,
            multiplier,
        )?;
        let ws_api = template.websocket_api()?;
        let websocket = ws_api.as_ref().map(WsRoutes::new).transpose()?;
        let ws_throttles = match &ws_api {
            Some(api) => {
                let keys: Vec<&str> = api.routes.iter().map(|r| r.route_key.as_str()).collect();
                let stage = throttle::settings::websocket_stage(template, &api.logical_id)?;
                Throttles::new(stage.as_ref(), &keys, multiplier)?
            }
            None => Throttles::default(),
        };
        if !(http_throttles.is_empty() && ws_throttles.is_empty()) {
            tracing::info!(
                "edge throttling on {} HTTP and {} WebSocket routes (rates and bursts x{multiplier})",
                http_throttles.len(),
                ws_throttles.len()
            );
        }
        let schedules = schedule::from_template(template, config.schedule_period)?;
        let streams = streams::from_template(template)?;
        let lambda = LambdaClient::new(
            &config.lambda_endpoint,
            config.invoke_timeout,
            config.lambda_concurrency,
        )?;
        Ok(Arc::new(Self {
            config,
            http_routes,
            cors,
            websocket,
            http_throttles,
            ws_throttles,
            lambda,
            connections: ConnectionRegistry::default(),
            schedules,
            streams,
        }))
    }

    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// Number of open WebSocket connections.
    pub fn live_connections(&self) -> usize {
        self.connections.len()
    }
}

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
    if let Some(function) = invoke_api::function_of(path) {
        let function = function.to_owned();
        return invoke_api::handle(&gateway, &function, request).await;
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
    let mut background = streams::start(&gateway)
        .await
        .map_err(std::io::Error::other)?;
    background.extend(schedule::spawn_all(&gateway));
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
