//! Everything the chat Lambdas share: the domain rules, DynamoDB storage, authentication and the
//! HTTP plumbing. Function crates only build an [`App`] once per cold start and hand requests to it.

pub mod api;
pub mod app;
pub mod auth;
pub mod aws;
pub mod config;
pub mod cursor;
pub mod delivery;
pub mod domain;
pub mod http;
pub mod invoke;
pub mod limits;
pub mod signed;
pub mod storage;
pub mod store;
pub mod stream;
pub mod telemetry;
pub mod ws;

pub use app::App;
pub use config::Config;
