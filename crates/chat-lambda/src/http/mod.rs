//! REST plumbing: the request as the handlers see it, responses, and the one place where domain
//! errors become the contract's error body.

mod request;
mod response;
mod server;

pub use request::{ApiRequest, MAX_BODY_BYTES};
pub use response::{ApiResponse, RouteNotFound};
pub use server::run;
