//! The pieces every API shares: invoking functions, the live connections, route matching,
//! throttles, CORS, API Gateway's clock formats and ids.

pub mod clock;
pub mod connections;
pub mod cors;
pub mod ids;
pub mod lambda;
pub mod routing;
pub mod throttle;
