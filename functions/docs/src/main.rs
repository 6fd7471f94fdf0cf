//! The API documentation (/openapi.json, /docs, /redoc) as a Lambda behind the HTTP API.

use std::sync::Arc;

use lambda_http::{Error, Request, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let docs = Arc::new(docs::Docs::new()?);
    lambda_http::run(service_fn(move |request: Request| {
        let docs = docs.clone();
        async move { Ok::<_, Error>(docs.respond(request.method(), request.uri().path())?) }
    }))
    .await
}
