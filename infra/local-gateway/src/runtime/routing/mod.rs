//! Route selection: HTTP API routes by method and path ([`http`]), WebSocket routes by the
//! frame's selection field ([`websocket`]).

pub mod http;
pub mod websocket;

pub use http::{HttpRoute, RouteMatch, RouteTable, RoutingError};
pub use websocket::{WsRoute, WsRouteError, WsRoutes};
