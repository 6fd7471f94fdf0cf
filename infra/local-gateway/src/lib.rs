//! Local emulation of AWS API Gateway (HTTP API, WebSocket API, Management API) and of the
//! DynamoDB table set-up, driven by the project's SAM `template.yaml`.
//!
//! [`template`] reads the template; [`gateway`] holds what it becomes (routes, throttles, CORS,
//! schedules, stream sources) and the settings; [`apis`] answers clients, [`sources`] invokes
//! functions on schedules and stream records, both through [`runtime`]; [`server`] wires them
//! onto one port. [`faults`] breaks calls on demand (the DynamoDB proxy, invocations, pushes,
//! stream batches, sockets). [`tables`] creates the template's tables.

pub mod apis;
pub mod cli;
pub mod faults;
pub mod gateway;
pub mod runtime;
pub mod server;
pub mod sources;
pub mod tables;
pub mod template;

pub use gateway::{Gateway, GatewayConfig, GatewayError};
pub use server::{app, serve, shutdown_signal};
pub use template::{Template, TemplateError};
