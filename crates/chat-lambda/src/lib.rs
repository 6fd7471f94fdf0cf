//! The chat Lambdas' adapters, on top of the rules (`chat-core`) and their AWS implementations
//! (`chat-aws`): the REST handlers ([`api`]), the WebSocket routes and sweeper ([`ws`]), the
//! sweeper of uploads never attached ([`uploads_sweep`]), the
//! delivery function on the messages table's stream ([`fanout`]), configuration, authentication,
//! and the state each function builds once per cold start ([`app`]). The functions' mains only
//! build that state and hand requests to it.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod deadline;
pub mod domain;
pub mod fanout;
pub mod http;
pub mod limits;
pub mod telemetry;
pub mod uploads_sweep;
pub mod ws;

pub use app::App;
pub use config::Config;
