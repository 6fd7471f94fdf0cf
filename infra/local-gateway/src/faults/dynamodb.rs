//! The proxy between the functions and DynamoDB Local (`serve --dynamodb-proxy-listen`): the
//! functions' `AWS_ENDPOINT_URL_DYNAMODB` names it, so every call they make passes through it.
//! With faults off it forwards each request as it came (headers, signature and body untouched)
//! over a pooled connection; with faults on it delays, throttles, cuts or refuses as
//! [`Faults::dynamodb`] decides.
//!
//! While no database fault is set, a connection is a plain byte pump to DynamoDB Local: it costs
//! what a TCP hop costs, and the stack's timing (the concurrency tests are sensitive to it) stays
//! as it was without the proxy. A connection accepted while a fault is set speaks HTTP/1.1,
//! because a throttling answer must be a well-formed response and a cut must fall between two
//! requests of a keep-alive connection; and when a fault comes on, the pumps are cut (the SDK
//! retries on a new connection), so that every call after the `PUT` meets it. A cut is the
//! service returning an error to hyper, which then closes the connection without writing a
//! byte: the SDK sees the connection end before the response.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

use super::{DbAction, Faults, Throttle};
use crate::runtime::ids;

/// Why the proxy closed a connection without an answer.
#[derive(Debug, thiserror::Error)]
enum Cut {
    #[error("connection cut by a fault ({0})")]
    Fault(&'static str),
    #[error("cannot read the request: {0}")]
    Read(#[from] hyper::Error),
    #[error("DynamoDB Local did not answer: {0}")]
    Upstream(#[from] reqwest::Error),
}

/// Headers of one hop only (RFC 9110, 7.6.1): never forwarded either way.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

#[derive(Debug)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    faults: Arc<Faults>,
}

/// Serves the proxy on `listener` until the task is aborted; `upstream` is DynamoDB Local's
/// base URL.
pub async fn run(
    listener: TcpListener,
    upstream: &str,
    faults: Arc<Faults>,
) -> Result<Infallible, reqwest::Error> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(5))
        // Longer than any attempt the functions' SDK makes (2 s): only a stuck DynamoDB Local
        // gets here, and then the functions have long given up.
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    let upstream = upstream.trim_end_matches('/').to_owned();
    // `http://host:port` → `host:port`, for the byte pumps.
    let address = upstream
        .split_once("://")
        .map_or(upstream.as_str(), |(_, rest)| rest)
        .to_owned();
    let proxy = Arc::new(Proxy {
        upstream,
        http,
        faults,
    });
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: the next accept may work.
                tracing::warn!(%error, "the DynamoDB proxy cannot accept");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        if !proxy.faults.dynamodb_on() {
            tokio::spawn(pump(stream, address.clone(), Arc::clone(&proxy.faults)));
            continue;
        }
        let proxy = Arc::clone(&proxy);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let proxy = Arc::clone(&proxy);
                async move { proxy.handle(request).await }
            });
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "DynamoDB proxy connection ended");
            }
        });
    }
}

/// Copies bytes both ways until either side closes, or until a database fault is set.
async fn pump(mut client: TcpStream, upstream: String, faults: Arc<Faults>) {
    let mut changes = faults.changes();
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        // Dropping the client's connection unanswered is what an unreachable DynamoDB is.
        return;
    };
    let _ = server.set_nodelay(true);
    let fault_set = async {
        // The sender lives as long as `faults`, which this task holds: `changed` ends only
        // with a change.
        while changes.changed().await.is_ok() {
            if faults.dynamodb_on() {
                return;
            }
        }
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        () = fault_set => {}
    }
}

impl Proxy {
    async fn handle(&self, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Cut> {
        let operation = operation(request.headers()).to_owned();
        let (latency, action) = self.faults.dynamodb(&operation);
        if action == DbAction::Outage {
            tracing::info!(target: "local_gateway::faults", fault = "dynamodb_outage", operation, "connection cut");
            return Err(Cut::Fault("outage"));
        }
        if let Some(latency) = latency {
            tokio::time::sleep(latency).await;
        }
        let (parts, body) = request.into_parts();
        let body = body.collect().await?.to_bytes();
        if let DbAction::Throttle(kind) = action {
            tracing::info!(target: "local_gateway::faults", fault = "dynamodb_throttle", operation, error = kind.code(), "request throttled");
            return Ok(throttled(kind));
        }
        let url = format!(
            "{}{}",
            self.upstream,
            parts
                .uri
                .path_and_query()
                .map_or("/", |path_and_query| path_and_query.as_str())
        );
        let answer = self
            .http
            .request(parts.method, url)
            .headers(end_to_end(&parts.headers))
            .body(body)
            .send()
            .await?;
        let status = answer.status();
        let headers = end_to_end(answer.headers());
        let body = answer.bytes().await?;
        if action == DbAction::Drop {
            tracing::info!(target: "local_gateway::faults", fault = "dynamodb_drop", operation, status = status.as_u16(), "answer dropped");
            return Err(Cut::Fault("drop"));
        }
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

/// `DynamoDB_20120810.PutItem` → `PutItem`.
fn operation(headers: &HeaderMap) -> &str {
    headers
        .get("x-amz-target")
        .and_then(|target| target.to_str().ok())
        .and_then(|target| target.rsplit_once('.'))
        .map_or("", |(_, operation)| operation)
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    // The body is whole on both sides: its length is set again from it.
    kept.remove(header::CONTENT_LENGTH);
    kept
}

/// DynamoDB's answer to a throttled request: 400, the error in `__type` and in
/// `x-amzn-ErrorType`, as awsJson1_0 clients read it.
fn throttled(kind: Throttle) -> Response<Full<Bytes>> {
    let body = json!({ "__type": kind.type_name(), "message": kind.message() }).to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    headers.insert("x-amzn-errortype", HeaderValue::from_static(kind.code()));
    if let Ok(id) = HeaderValue::from_str(&ids::request_uuid()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_operation_from_the_target() {
        let mut headers = HeaderMap::new();
        assert_eq!(operation(&headers), "");
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("DynamoDB_20120810.TransactWriteItems"),
        );
        assert_eq!(operation(&headers), "TransactWriteItems");
    }

    #[tokio::test]
    async fn a_throttle_is_a_400_with_the_type_in_body_and_header() {
        let response = throttled(Throttle::RequestLimitExceeded);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "RequestLimitExceeded"
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body["__type"],
            "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded"
        );
    }
}
