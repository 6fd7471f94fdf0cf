//! Configuration, read from the environment once per cold start.

mod limits;

use std::time::Duration;

use chat_core::connections::DEFAULT_MAX_CONNECTIONS_PER_USER;
use chat_core::rate_limits::Limits;

pub use chat_aws::config::{ConfigError, Tables};
use chat_aws::s3::AttachmentSettings;

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub tables: Tables,
    pub token_ttl: Duration,
    /// How long a refresh token lasts unless used (`REFRESH_TOKEN_TTL_SECONDS`); every refresh
    /// starts it again.
    pub refresh_token_ttl: Duration,
    /// Per-caller rate limits (`RATE_LIMIT_*`).
    pub limits: Limits,
    /// The WebSocket API's Management API endpoint; without it nothing is pushed (events are
    /// only logged), which suits tools and tests that run without a WebSocket API.
    pub websocket_endpoint: Option<String>,
    /// How long a WebSocket connection lives without a client frame (`CONNECTION_LEASE_SECONDS`):
    /// presence heals within this plus the sweeper's period.
    pub connection_lease: Duration,
    /// Live WebSocket connections one user may hold (`MAX_CONNECTIONS_PER_USER`); the next
    /// `$connect` is refused.
    pub max_connections_per_user: u32,
    /// File attachments on S3; `None` without `ATTACHMENTS_BUCKET`.
    pub attachments: Option<AttachmentSettings>,
}

/// HS256 keys shorter than the hash output weaken the MAC; refuse them rather than warn.
const MIN_SECRET_BYTES: usize = 32;
const DEFAULT_TOKEN_TTL_SECS: u64 = 3600;
const DEFAULT_REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
/// Three of the 60 s ping intervals the contract asks clients for: two lost pings are not a
/// lost connection.
const DEFAULT_CONNECTION_LEASE_SECS: u64 = 180;

impl Secret {
    /// The token signing secret, for the functions that sign or verify tokens (the API and
    /// WebSocket functions; not the sweeper or the delivery function). From `JWT_SECRET`, or,
    /// where that is not set and `JWT_SECRET_PARAMETER` names an SSM Parameter Store
    /// SecureString, from there: once, on the cold start, so it never sits in the function's
    /// configuration.
    pub async fn jwt_from_env(sdk_config: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        // Recorded whichever the source: the grant is for the read on AWS (the local stack
        // passes `JWT_SECRET`).
        chat_aws::calls::record("ssm:GetParameter", chat_aws::calls::Resource::Parameter);
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (None, Some(parameter)) = (env("JWT_SECRET"), env("JWT_SECRET_PARAMETER")) else {
            return Self::jwt_from_lookup(env);
        };
        let secret = aws_sdk_ssm::Client::new(sdk_config)
            .get_parameter()
            .name(&parameter)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| ConfigError::Secret {
                parameter: parameter.clone(),
                reason: aws_sdk_ssm::error::DisplayErrorContext(e).to_string(),
            })?
            .parameter
            .and_then(|p| p.value)
            .ok_or_else(|| ConfigError::Secret {
                parameter,
                reason: "the parameter has no value".into(),
            })?;
        Self::jwt_from_lookup(|_| Some(secret.clone()))
    }

    /// `JWT_SECRET` through `lookup`, refused when missing or too short.
    pub fn jwt_from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let secret = lookup("JWT_SECRET")
            .filter(|v| !v.is_empty())
            .ok_or(ConfigError::Missing("JWT_SECRET"))?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: format!("must be at least {MIN_SECRET_BYTES} bytes"),
            });
        }
        Ok(Secret(secret.into_bytes()))
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let seconds = |name: &'static str, default: u64| match lookup(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|secs| *secs > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name,
                    reason: "must be a positive number of seconds".into(),
                }),
        };
        let token_ttl = seconds("TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECS)?;
        let refresh_token_ttl =
            seconds("REFRESH_TOKEN_TTL_SECONDS", DEFAULT_REFRESH_TOKEN_TTL_SECS)?;
        let connection_lease = seconds("CONNECTION_LEASE_SECONDS", DEFAULT_CONNECTION_LEASE_SECS)?;
        let max_connections_per_user = match lookup("MAX_CONNECTIONS_PER_USER") {
            None => DEFAULT_MAX_CONNECTIONS_PER_USER,
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|max| *max > 0)
                .ok_or(ConfigError::Invalid {
                    name: "MAX_CONNECTIONS_PER_USER",
                    reason: "must be a positive whole number".into(),
                })?,
        };
        let attachments = AttachmentSettings::from_lookup(&lookup)?;
        Ok(Config {
            attachments,
            tables: Tables {
                users: required("USERS_TABLE")?,
                user_handles: required("USER_HANDLES_TABLE")?,
                chats: required("CHATS_TABLE")?,
                messages: required("MESSAGES_TABLE")?,
                conversations: required("CONVERSATIONS_TABLE")?,
                inbox: required("INBOX_TABLE")?,
                connections: required("CONNECTIONS_TABLE")?,
                rate_limits: required("RATE_LIMITS_TABLE")?,
                attachments: lookup("ATTACHMENTS_TABLE").filter(|v| !v.is_empty()),
            },
            limits: limits::read(&lookup)?,
            websocket_endpoint: lookup("WEBSOCKET_ENDPOINT").filter(|v| !v.is_empty()),
            token_ttl: Duration::from_secs(token_ttl),
            refresh_token_ttl: Duration::from_secs(refresh_token_ttl),
            connection_lease: Duration::from_secs(connection_lease),
            max_connections_per_user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn refuses_to_start_without_a_secret() {
        let err = Secret::jwt_from_lookup(env(&[("USERS_TABLE", "u")]))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("environment variable JWT_SECRET is required")
        );
    }

    #[test]
    fn refuses_a_short_secret() {
        let secret = Secret::jwt_from_lookup(env(&[("JWT_SECRET", "short")]));
        assert!(matches!(
            secret,
            Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                ..
            })
        ));
    }

    #[test]
    fn requires_the_chat_tables() {
        let err = Config::from_lookup(env(&[
            ("USERS_TABLE", "u"),
            ("USER_HANDLES_TABLE", "h"),
            ("CHATS_TABLE", "c"),
            ("MESSAGES_TABLE", "m"),
            ("CONVERSATIONS_TABLE", "v"),
        ]))
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("environment variable INBOX_TABLE is required")
        );
    }

    #[test]
    fn reads_tables_and_ttls() {
        let cfg = Config::from_lookup(env(&[
            ("USERS_TABLE", "u"),
            ("USER_HANDLES_TABLE", "h"),
            ("CHATS_TABLE", "c"),
            ("MESSAGES_TABLE", "m"),
            ("CONVERSATIONS_TABLE", "v"),
            ("INBOX_TABLE", "i"),
            ("CONNECTIONS_TABLE", "w"),
            ("RATE_LIMITS_TABLE", "r"),
            ("WEBSOCKET_ENDPOINT", "http://127.0.0.1:8000/ws"),
            ("TOKEN_TTL_SECONDS", "60"),
            ("CONNECTION_LEASE_SECONDS", "5"),
            ("MAX_CONNECTIONS_PER_USER", "3"),
        ]))
        .ok();
        let cfg = cfg.as_ref();
        assert_eq!(cfg.map(|c| c.tables.users.as_str()), Some("u"));
        assert_eq!(cfg.map(|c| c.tables.chats.as_str()), Some("c"));
        assert_eq!(cfg.map(|c| c.tables.messages.as_str()), Some("m"));
        assert_eq!(cfg.map(|c| c.tables.inbox.as_str()), Some("i"));
        assert_eq!(cfg.map(|c| c.tables.connections.as_str()), Some("w"));
        assert_eq!(
            cfg.and_then(|c| c.websocket_endpoint.as_deref()),
            Some("http://127.0.0.1:8000/ws")
        );
        assert_eq!(cfg.map(|c| c.token_ttl), Some(Duration::from_secs(60)));
        assert_eq!(
            cfg.map(|c| c.connection_lease),
            Some(Duration::from_secs(5))
        );
        assert_eq!(cfg.map(|c| c.max_connections_per_user), Some(3));
    }

    #[test]
    fn never_shows_the_secret() {
        let secret = Secret::jwt_from_lookup(env(&[("JWT_SECRET", SECRET)]));
        assert!(secret.is_ok());
        assert!(!format!("{secret:?}").contains(SECRET));
    }
}
