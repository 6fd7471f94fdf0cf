//! The pieces every API shares: invoking functions, the live connections, route matching,
//! throttles, CORS, SigV4 verification, API Gateway's clock formats and ids.

pub mod clock;
pub mod connections;
pub mod cors;
pub mod ids;
pub mod lambda;
pub mod routing;
pub mod sigv4;
pub mod throttle;
