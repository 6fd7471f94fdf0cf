//! What the adapters are configured with: the tables' names (and the attachments' settings,
//! in [`crate::s3`]), and the error a bad value in the environment gives.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("the secret in parameter {parameter} could not be read: {reason}")]
    Secret { parameter: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct Tables {
    pub users: String,
    pub user_handles: String,
    pub chats: String,
    pub messages: String,
    /// Per conversation: its sequence number, message count and last activity.
    pub conversations: String,
    pub inbox: String,
    pub connections: String,
    pub rate_limits: String,
    /// Uploads and per-user usage; required with `ATTACHMENTS_BUCKET`.
    pub attachments: Option<String>,
}
