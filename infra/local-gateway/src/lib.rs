//! Local emulation of AWS API Gateway (HTTP API, WebSocket API, Management API) and of the
//! DynamoDB table set-up, driven by the project's SAM `template.yaml`.

pub mod cli;
pub mod clock;
pub mod connections;
pub mod cors;
pub mod env;
mod http_api;
mod http_util;
pub mod ids;
pub mod intrinsics;
mod invoke_api;
pub mod lambda;
mod management;
pub mod routing;
pub mod schedule;
pub mod server;
pub mod streams;
pub mod tables;
pub mod template;
pub mod throttle;
pub mod websocket;

pub use server::{Gateway, GatewayConfig, GatewayError, app, serve, shutdown_signal};
pub use template::{Template, TemplateError};
