//! The control port (`serve --control-listen`): `GET /_faults` reads the settings and the counts
//! of faults fired, `PUT /_faults` replaces the settings (counters and windows restart), and
//! `DELETE /_faults` turns every fault off. The answers to `PUT` and `DELETE` carry, as
//! `replaced`, the final report of the settings they replaced. It is a port of its own, on loopback, so that no
//! route of the emulated APIs changes and no client of them can reach it.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::{FaultSettings, Faults};

pub const PATH: &str = "/_faults";

pub fn app(faults: Arc<Faults>) -> Router {
    Router::new()
        .route(PATH, get(read).put(replace).delete(clear))
        .with_state(faults)
}

async fn read(State(faults): State<Arc<Faults>>) -> Response {
    axum::Json(faults.report()).into_response()
}

async fn replace(State(faults): State<Arc<Faults>>, body: Bytes) -> Response {
    match FaultSettings::parse(&body) {
        Ok(settings) => {
            let replaced = faults.set(settings);
            answer(&faults, replaced)
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": error.to_string() })),
        )
            .into_response(),
    }
}

async fn clear(State(faults): State<Arc<Faults>>) -> Response {
    let replaced = faults.set(FaultSettings::default());
    answer(&faults, replaced)
}

fn answer(faults: &Faults, replaced: serde_json::Value) -> Response {
    let mut report = faults.report();
    report["replaced"] = replaced;
    axum::Json(report).into_response()
}
