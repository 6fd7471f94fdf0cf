//! End-to-end tests: real HTTP and WebSocket clients against an in-process gateway, with a fake
//! Lambda Invoke API recording the events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bodies;
mod cli;
mod cors;
mod dynamodb_local;
mod harness;
mod http_api;
mod invoke;
mod management;
mod schedule;
mod sigv4;
mod streams;
mod tables;
mod throttle;
mod timeouts;
mod websocket;
mod websocket_limits;
