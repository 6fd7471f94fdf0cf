//! The adapters on AWS that implement the rules' ports (`chat_core::ports`): the DynamoDB
//! tables ([`store`]), the attachments' S3 bucket ([`s3`]), pushes to WebSocket connections
//! through the Management API ([`push`]), and the delivery function's invocations of itself
//! ([`invoke`]). Nothing here knows Lambda or HTTP handlers; `chat-lambda` sits on top.

pub mod calls;
pub mod config;
pub mod invoke;
pub mod metrics;
pub mod push;
pub mod s3;
pub mod sdk;
pub mod store;
