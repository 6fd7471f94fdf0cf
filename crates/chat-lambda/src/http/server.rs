use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_aws::metrics;
use chat_core::error::Result;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, RequestExt, Response, service_fn};

use super::{ApiRequest, ApiResponse};
use crate::app::App;
use crate::deadline;
use crate::telemetry;

/// Serves a REST endpoint group on the Lambda runtime: `route` answers one request; this
/// converts it from and to the API Gateway payload and writes the one log line per request.
pub async fn run<F, Fut>(app: Arc<App>, route: F) -> std::result::Result<(), lambda_http::Error>
where
    F: Fn(Arc<App>, ApiRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<ApiResponse>> + Send,
{
    telemetry::ready();
    lambda_http::run(service_fn(|req: lambda_http::Request| {
        let budget = deadline::budget(req.lambda_context_ref().map_or(0, |c| c.deadline));
        let request = ApiRequest::from_lambda(req);
        let app = app.clone();
        let started = Instant::now();
        let reply = deadline::scope(
            budget,
            deadline::within(Duration::ZERO, route(app, request.clone())),
        );
        telemetry::invocation(async move {
            let response = reply.await.unwrap_or_else(ApiResponse::from);
            metrics::request(route_of(&request), response.status);
            tracing::info!(
                request_id = %request.request_id,
                method = %request.method,
                path = %format!("/{}", request.segments.join("/")),
                status = response.status,
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request"
            );
            to_lambda(response)
        })
    }))
    .await
}

/// The metrics' route: the method and the endpoint group, never an id from the path.
fn route_of(request: &ApiRequest) -> String {
    let group = request.segments.first().map_or("", String::as_str);
    format!("{} /{group}", request.method)
}

fn to_lambda(response: ApiResponse) -> std::result::Result<Response<Body>, lambda_http::Error> {
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(*name, value);
    }
    // Every answer carries a user's data, a token or an error about them: no cache, shared or
    // the browser's, may keep it, and no browser may guess it is anything but what it says.
    if !response
        .headers
        .iter()
        .any(|(name, _)| *name == "cache-control")
    {
        builder = builder.header("cache-control", "no-store");
    }
    builder = builder.header("x-content-type-options", "nosniff");
    let body = match response.body {
        Some(json) => {
            builder = builder.header(CONTENT_TYPE, "application/json");
            Body::Text(json.to_string())
        }
        None => Body::Empty,
    };
    Ok(builder.body(body)?)
}
