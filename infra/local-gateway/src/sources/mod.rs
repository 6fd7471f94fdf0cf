//! What invokes functions without a client: the template's schedules (EventBridge rules on AWS)
//! and DynamoDB stream event sources.

pub mod schedule;
pub mod streams;
