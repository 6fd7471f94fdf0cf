//! The gateway's shared state: the template read once into routes, throttles, CORS, schedules
//! and stream sources, with the settings and clients every API handler and background task uses.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::faults::{FaultSettings, Faults};
use crate::runtime::connections::ConnectionRegistry;
use crate::runtime::cors::CorsConfig;
use crate::runtime::lambda::{self, ClientError, LambdaClient};
use crate::runtime::routing::{RouteTable, RoutingError, WsRouteError, WsRoutes};
use crate::runtime::sigv4::Verifier;
use crate::runtime::throttle::{self, Throttles};
use crate::sources::schedule::{self, Schedule, ScheduleError};
use crate::sources::streams::{self, StreamSettings, StreamSource};
use crate::template::{Template, TemplateError};

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// `requestContext.stage` of WebSocket events.
    pub stage: String,
    /// Base URL of the Lambda Invoke API (`cargo lambda watch`).
    pub lambda_endpoint: String,
    /// Bounds every invocation, a function's first (which may build it) included; once it has
    /// answered, its template `Timeout` applies.
    pub invoke_timeout: Duration,
    /// How long the HTTP API waits for a function (API Gateway's 30 s; the function's own
    /// `Timeout` may end it sooner).
    pub http_integration_timeout: Duration,
    /// The same for WebSocket routes (API Gateway's 29 s).
    pub ws_integration_timeout: Duration,
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
    /// The keys the Management and Invoke APIs take SigV4 signatures from (`serve` reads
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`); by default none, which refuses every
    /// request to those two APIs.
    pub sigv4: Verifier,
    /// Where the DynamoDB proxy listens (`None`: no proxy); it forwards to `streams.endpoint`.
    pub dynamodb_proxy: Option<SocketAddr>,
    /// Where the fault control API (`/_faults`) listens (`None`: nowhere).
    pub control: Option<SocketAddr>,
    /// The faults in force at start (`LOCAL_FAULTS`); none by default.
    pub faults: FaultSettings,
}

impl Default for GatewayConfig {
    /// API Gateway's own limits: 128 KB messages, 32 KB client frames, 10 minutes idle, 2 hours
    /// per connection.
    fn default() -> Self {
        Self {
            stage: "local".to_owned(),
            lambda_endpoint: "http://127.0.0.1:9000".to_owned(),
            invoke_timeout: lambda::DEFAULT_INVOKE_TIMEOUT,
            http_integration_timeout: Duration::from_secs(30),
            ws_integration_timeout: Duration::from_secs(29),
            lambda_concurrency: None,
            ws_max_message_bytes: 128 * 1024,
            ws_max_frame_bytes: 32 * 1024,
            ws_idle_timeout: Duration::from_secs(10 * 60),
            ws_max_connection_duration: Duration::from_secs(2 * 60 * 60),
            ws_keepalive_interval: Duration::from_secs(30),
            schedule_period: None,
            rate_limit_multiplier: 1.0,
            streams: StreamSettings::default(),
            sigv4: Verifier::default(),
            dynamodb_proxy: None,
            control: None,
            faults: FaultSettings::default(),
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
    /// The faults in force, asked by every part that can break a call.
    pub(crate) faults: Arc<Faults>,
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
        let faults = Arc::new(Faults::new(config.faults.clone()));
        let lambda = LambdaClient::new(
            &config.lambda_endpoint,
            config.invoke_timeout,
            config.lambda_concurrency,
            template.function_timeouts()?,
        )?
        .with_faults(Arc::clone(&faults));
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
            faults,
        }))
    }

    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// The faults in force; tests set them here as the control port does.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    /// Number of open WebSocket connections.
    pub fn live_connections(&self) -> usize {
        self.connections.len()
    }
}
