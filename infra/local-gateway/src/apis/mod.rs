//! What clients call: the HTTP API, the WebSocket API at `/ws`, the Management API at
//! `/ws/@connections/{id}` and the functions' own Lambda Invoke API.

pub mod http_api;
pub(crate) mod http_util;
pub mod invoke;
pub mod management;
pub(crate) mod signature;
pub mod websocket;
