//! An in-process gateway wired to a fake Lambda Invoke API that records every event.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::{SinkExt, StreamExt};
use local_gateway::runtime::sigv4::{self, Verifier};
use local_gateway::{Gateway, GatewayConfig, Template};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(5);

/// The keys the harness's gateway accepts (the local stack's are `local`/`local`).
pub const ACCESS_KEY: &str = "lg-test-key";
pub const SECRET_KEY: &str = "lg-test-secret";
pub const REGION: &str = "us-east-1";

/// How a test signs a request: the harness's keys, the service the path belongs to (`lambda`
/// for the Invoke API, `execute-api` for the Management API) and the current time, unless a
/// test says otherwise.
#[derive(Debug, Clone)]
pub struct Signing {
    pub access_key: &'static str,
    pub secret_key: &'static str,
    pub region: &'static str,
    pub service: Option<&'static str>,
    pub time: Option<SystemTime>,
}

impl Default for Signing {
    fn default() -> Self {
        Self {
            access_key: ACCESS_KEY,
            secret_key: SECRET_KEY,
            region: REGION,
            service: None,
            time: None,
        }
    }
}

/// The headers SigV4 adds to a request to `url` (absolute; its authority is the `host`
/// signed), as the AWS SDKs and `chat-aws` sign: every header given, in the headers, over the body.
pub fn signature_headers(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    signing: &Signing,
) -> Vec<(String, String)> {
    let service = signing.service.unwrap_or_else(|| {
        if url.contains("/2015-03-31/functions/") {
            "lambda"
        } else {
            "execute-api"
        }
    });
    let identity =
        Credentials::new(signing.access_key, signing.secret_key, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name(service)
        .time(signing.time.unwrap_or_else(SystemTime::now))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
        .unwrap()
        .into_parts();
    instructions
        .headers()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Signs a built request in place.
pub fn sign(request: &mut reqwest::Request, signing: &Signing) {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    let body = request
        .body()
        .and_then(|body| body.as_bytes())
        .unwrap_or_default()
        .to_vec();
    let added = signature_headers(
        request.method().as_str(),
        request.url().as_str(),
        &headers,
        &body,
        signing,
    );
    for (name, value) in added {
        request.headers_mut().insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
}

/// What the fake Lambda answers for one function.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this JSON as the result.
    Json(Value),
    /// 200 with `X-Amz-Function-Error: Unhandled`, as a panicking function gives.
    FunctionError(Value),
    /// The emulator itself answering a non-2xx status.
    Status(u16),
    Delayed(Duration, Box<Reply>),
}

/// Chooses the reply from the event (and whatever state it keeps).
pub type Responder = Arc<dyn Fn(&Value) -> Reply + Send + Sync>;

#[derive(Default)]
struct Recorder {
    invocations: Mutex<Vec<(String, Value)>>,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    replies: Mutex<HashMap<String, Reply>>,
    responders: Mutex<HashMap<String, Responder>>,
    changed: Notify,
}

#[derive(Clone)]
pub struct FakeLambda {
    pub addr: SocketAddr,
    recorder: Arc<Recorder>,
}

impl FakeLambda {
    pub async fn start() -> Self {
        let recorder = Arc::new(Recorder::default());
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            // The gateway forwards up to 10 MB bodies, base64 makes them larger still.
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(Arc::clone(&recorder));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, recorder }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn reply(&self, function: &str, reply: Reply) {
        self.recorder
            .replies
            .lock()
            .unwrap()
            .insert(function.to_owned(), reply);
    }

    /// Replies to `function` with what `responder` makes of each event (before `reply`'s).
    pub fn respond_with(
        &self,
        function: &str,
        responder: impl Fn(&Value) -> Reply + Send + Sync + 'static,
    ) {
        self.recorder
            .responders
            .lock()
            .unwrap()
            .insert(function.to_owned(), Arc::new(responder));
    }

    pub fn events(&self, function: &str) -> Vec<Value> {
        self.recorder
            .invocations
            .lock()
            .unwrap()
            .iter()
            .filter(|(name, _)| name == function)
            .map(|(_, event)| event.clone())
            .collect()
    }

    /// The most invocations that were ever running at once.
    pub fn peak_in_flight(&self) -> usize {
        self.recorder.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Waits until `function` has been invoked at least `count` times; its events.
    pub async fn wait_for(&self, function: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let changed = self.recorder.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let events = self.events(function);
            if events.len() >= count {
                return events;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!(
                    "{function} invoked {} times, expected {count}",
                    self.events(function).len()
                );
            }
        }
    }

    /// The connection id the gateway gave the `n`-th socket opened with `?n=<n>`.
    pub async fn connection_id(&self, n: usize) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self
                .events("ws-connect")
                .into_iter()
                .find(|event| event["queryStringParameters"]["n"] == Value::String(n.to_string()));
            if let Some(event) = found {
                return event["requestContext"]["connectionId"]
                    .as_str()
                    .unwrap()
                    .to_owned();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no $connect for n={n}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn invoke(
    State(recorder): State<Arc<Recorder>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let event: Value = serde_json::from_slice(&body).unwrap();
    let responder = recorder.responders.lock().unwrap().get(&name).cloned();
    let reply = match responder {
        Some(responder) => Some(responder(&event)),
        None => recorder.replies.lock().unwrap().get(&name).cloned(),
    };
    recorder
        .invocations
        .lock()
        .unwrap()
        .push((name.clone(), event.clone()));
    recorder.changed.notify_waiters();
    let reply = reply.unwrap_or_else(|| {
        // By default say which function and route ran, so routing is visible to the client.
        Reply::Json(json!({
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json!({"function": name, "routeKey": event["routeKey"]}).to_string(),
        }))
    });
    let running = recorder.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    recorder.peak_in_flight.fetch_max(running, Ordering::SeqCst);
    let response = respond(reply).await;
    recorder.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn respond(mut reply: Reply) -> Response {
    loop {
        return match reply {
            Reply::Json(value) => (StatusCode::OK, value.to_string()).into_response(),
            Reply::FunctionError(value) => (
                StatusCode::OK,
                [("x-amz-function-error", "Unhandled")],
                value.to_string(),
            )
                .into_response(),
            Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
                continue;
            }
        };
    }
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub struct Harness {
    pub addr: SocketAddr,
    pub lambda: FakeLambda,
    pub gateway: Arc<Gateway>,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl Harness {
    pub async fn start(template: &str) -> Self {
        Self::start_with(template, |_| {}).await
    }

    pub async fn start_with(template: &str, tweak: impl FnOnce(&mut GatewayConfig)) -> Self {
        let lambda = FakeLambda::start().await;
        let mut config = GatewayConfig {
            lambda_endpoint: lambda.endpoint(),
            sigv4: Verifier::new(
                Some(sigv4::Credentials::new(ACCESS_KEY, SECRET_KEY, None)),
                Some(REGION.to_owned()),
            ),
            ..GatewayConfig::default()
        };
        tweak(&mut config);
        let template = Template::load(&fixture(template)).unwrap();
        let gateway = Gateway::new(&template, config).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(local_gateway::serve(
            listener,
            Arc::clone(&gateway),
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            addr,
            lambda,
            gateway,
            http: reqwest::Client::new(),
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A bodiless request to the gateway.
    pub async fn send(&self, method: &str, path: &str) -> reqwest::Response {
        self.http
            .request(method.parse().unwrap(), self.url(path))
            .send()
            .await
            .unwrap()
    }

    /// Sends `request` signed with the harness's keys, as the SDKs and the functions send.
    pub async fn signed(&self, request: reqwest::RequestBuilder) -> reqwest::Response {
        self.signed_with(request, &Signing::default()).await
    }

    /// Sends `request` signed as `signing` says.
    pub async fn signed_with(
        &self,
        request: reqwest::RequestBuilder,
        signing: &Signing,
    ) -> reqwest::Response {
        let mut request = request.build().unwrap();
        sign(&mut request, signing);
        self.http.execute(request).await.unwrap()
    }

    pub fn management_url(&self, connection_id: &str) -> String {
        self.url(&format!(
            "/ws/@connections/{}",
            urlencoding::encode(connection_id)
        ))
    }

    /// Opens `/ws?n=<n>` and returns the socket with the connection id the gateway gave it.
    pub async fn connect(&self, n: usize) -> (Socket, String) {
        let (socket, _) = self.try_connect(&format!("/ws?n={n}"), &[]).await.unwrap();
        let id = self.lambda.connection_id(n).await;
        (socket, id)
    }

    pub async fn try_connect(
        &self,
        path_and_query: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<
        (
            Socket,
            tokio_tungstenite::tungstenite::handshake::client::Response,
        ),
        tokio_tungstenite::tungstenite::Error,
    > {
        let mut request = format!("ws://{}{path_and_query}", self.addr)
            .into_client_request()
            .unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        tokio_tungstenite::connect_async(request).await
    }

    /// Stops the server and waits for it, `$disconnect`s included.
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(15), server)
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        }
    }
}

/// The next data or close frame, skipping pings; panics after [`WAIT`].
pub async fn next_frame(socket: &mut Socket) -> Message {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("no frame in time")
            .expect("socket ended")
            .expect("socket error");
        match message {
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return other,
        }
    }
}

pub async fn next_text(socket: &mut Socket) -> String {
    match next_frame(socket).await {
        Message::Text(text) => text.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

/// Asserts nothing but keepalives arrives for `quiet`.
pub async fn assert_silent(socket: &mut Socket, quiet: Duration) {
    let result = tokio::time::timeout(quiet, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => return other,
            }
        }
    })
    .await;
    assert!(result.is_err(), "unexpected frame: {result:?}");
}

pub async fn send_text(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.unwrap();
}

/// A close frame's code, waiting for it.
pub async fn close_code(socket: &mut Socket) -> u16 {
    match next_frame(socket).await {
        Message::Close(Some(frame)) => u16::from(frame.code),
        other => panic!("expected a close frame, got {other:?}"),
    }
}
