//! The WebSocket API's Lambdas: `$connect`, `$disconnect` and the message routes. Each reads
//! API Gateway's WebSocket event, calls the same domain code as the REST API, and pushes what
//! the client must see through the Management API.

pub mod connect;
pub mod disconnect;
pub mod docs;
pub mod send;
pub mod sweep;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_aws::metrics;
use chat_core::error::{Error, Result};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use lambda_http::aws_lambda_events::encodings::Body;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

use crate::app::App;
use crate::deadline;
use crate::http::ApiResponse;
use crate::telemetry;

pub type WsRequest = ApiGatewayWebsocketProxyRequest;
pub type WsResponse = ApiGatewayProxyResponse;

/// Serves one WebSocket route handler on the Lambda runtime, one log line per event.
pub async fn run<F, Fut>(
    app: Arc<App>,
    handler: F,
) -> std::result::Result<(), lambda_runtime::Error>
where
    F: Fn(Arc<App>, WsRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<WsResponse>> + Send,
{
    telemetry::ready();
    lambda_runtime::run(service_fn(|event: LambdaEvent<WsRequest>| {
        let started = Instant::now();
        let ctx = &event.payload.request_context;
        let request_id = event.context.request_id.clone();
        let route = ctx.route_key.clone().unwrap_or_default();
        let connection_id = ctx.connection_id.clone().unwrap_or_default();
        let budget = deadline::budget(event.context.deadline);
        let reply = deadline::scope(
            budget,
            deadline::within(Duration::ZERO, handler(app.clone(), event.payload)),
        );
        telemetry::invocation(async move {
            let response = reply.await.unwrap_or_else(response_for);
            let status = u16::try_from(response.status_code).unwrap_or(500);
            metrics::request(route.clone(), status);
            tracing::info!(
                request_id = %request_id,
                route = %route,
                connection_id = %connection_id,
                status = response.status_code,
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                "websocket event"
            );
            Ok::<_, lambda_runtime::Error>(response)
        })
    }))
    .await
}

pub fn ok() -> WsResponse {
    let mut response = WsResponse::default();
    response.status_code = 200;
    response
}

/// A domain error as the integration response (a non-2xx `$connect` answer refuses the
/// handshake with that status).
pub fn response_for(err: Error) -> WsResponse {
    let api = ApiResponse::from(err);
    let mut response = WsResponse::default();
    response.status_code = i64::from(api.status);
    response.body = api.body.map(|b| Body::Text(b.to_string()));
    response
}

pub(crate) fn connection_id(req: &WsRequest) -> Result<&str> {
    req.request_context
        .connection_id
        .as_deref()
        .ok_or_else(|| Error::BadRequest("event has no connectionId".into()))
}
