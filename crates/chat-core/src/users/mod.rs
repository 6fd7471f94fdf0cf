//! Users as stored and as clients see them, and the rules their fields follow.

mod requests;
mod session;
pub mod sessions;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::input::check_len;
use crate::labels::check_label;

pub use requests::{
    AccountDeletion, Login, ProfileChange, ProfileUpdated, RefreshRequest, Registration,
    SearchQuery, Session, SessionTokens, StatusChange, TokenType,
};
pub use session::{Rotated, StoredSession};

/// A user's status; stored under the same lowercase name (`strum`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Status {
    Online,
    Away,
    Busy,
    Offline,
}

/// A user as stored. Never serialised to clients: see [`PublicUser`] and [`PrivateUser`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub password_hash: String,
    /// Optimistic-concurrency counter: every write expects the version it read.
    pub version: u64,
    /// The status the user chose (`away`, `busy`): what its connections show instead of
    /// `online`. Cleared by choosing `online` or `offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_status: Option<Status>,
    /// Open WebSocket connections, counted atomically by `$connect`/`$disconnect`; presence
    /// follows it (see `domain::presence`).
    #[serde(default)]
    pub connection_count: i64,
    /// Live sessions by id (see [`sessions`]); a token whose session is not here is refused.
    #[serde(default)]
    pub sessions: BTreeMap<String, StoredSession>,
}

/// What anybody may see of a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01JDQ3Y6S1W8X5V9K2M4N7P0QR", "username": "ada", "display_name": "Ada Lovelace",
    "bio": null, "avatar_url": null, "status": "online", "last_seen_at": null
}))]
pub struct PublicUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub last_seen_at: Option<String>,
}

/// What only the user itself sees.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PrivateUser {
    #[serde(flatten)]
    pub public: PublicUser,
    pub email: String,
    pub created_at: String,
    pub updated_at: String,
}

impl User {
    pub fn public(&self) -> PublicUser {
        PublicUser {
            id: self.id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            bio: self.bio.clone(),
            avatar_url: self.avatar_url.clone(),
            status: self.status,
            last_seen_at: self.last_seen_at.clone(),
        }
    }

    pub fn private(&self) -> PrivateUser {
        PrivateUser {
            public: self.public(),
            email: self.email.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

pub fn validate_username(username: &str) -> Result<()> {
    check_len("username", username, 3, 32)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(Error::validation(
            "username",
            "username may contain only letters, digits, '_', '.' and '-'",
        ));
    }
    Ok(())
}

/// RFC 5321's limit on an address, in bytes.
pub const MAX_EMAIL_BYTES: usize = 254;

pub fn validate_email(email: &str) -> Result<()> {
    let invalid = || Error::validation("email", "email must be a valid address");
    if email.len() > MAX_EMAIL_BYTES || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty() || local.len() > 64 || !domain_ok {
        return Err(invalid());
    }
    Ok(())
}

pub fn validate_password(field: &str, password: &str) -> Result<()> {
    check_len(field, password, 8, 128)
}

pub fn validate_display_name(name: &str) -> Result<()> {
    check_len("display_name", name, 1, 64)?;
    if name.trim().is_empty() {
        return Err(Error::validation(
            "display_name",
            "display_name must not be blank",
        ));
    }
    check_label("display_name", name)
}

pub fn validate_avatar_url(url: &str) -> Result<()> {
    check_len("avatar_url", url, 1, 2048)?;
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.chars().any(char::is_whitespace) {
        return Err(Error::validation(
            "avatar_url",
            "avatar_url must be an http(s) URL",
        ));
    }
    Ok(())
}

/// Empty strings clear optional text fields.
pub fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(validate_username("alice_01.x-y").is_ok());
        assert!(validate_username("al").is_err());
        assert!(validate_username(&"a".repeat(33)).is_err());
        assert!(validate_username("al ice").is_err());
        assert!(validate_username("alice@x").is_err());
    }

    #[test]
    fn emails() {
        assert!(validate_email("a@b.co").is_ok());
        assert!(validate_email("a@b").is_err());
        assert!(validate_email("@b.co").is_err());
        assert!(validate_email("a b@c.co").is_err());
        assert!(validate_email("a@@b.co").is_err());
        assert!(validate_email("a@b..co").is_err());
    }

    #[test]
    fn private_user_has_email_and_public_does_not() {
        let user = User {
            id: "1".into(),
            username: "alice".into(),
            email: "a@b.co".into(),
            display_name: "Alice".into(),
            bio: None,
            avatar_url: None,
            status: Status::Offline,
            last_seen_at: None,
            created_at: "t".into(),
            updated_at: "t".into(),
            password_hash: "$argon2id$secret".into(),
            version: 1,
            chosen_status: None,
            connection_count: 0,
            sessions: BTreeMap::new(),
        };
        let public = serde_json::to_value(user.public()).unwrap_or_default();
        let private = serde_json::to_value(user.private()).unwrap_or_default();
        assert!(public.get("email").is_none());
        assert_eq!(private["email"], "a@b.co");
        assert_eq!(private["bio"], serde_json::Value::Null);
        for json in [public.to_string(), private.to_string()] {
            assert!(!json.contains("argon2"), "{json}");
            assert!(!json.contains("password"), "{json}");
        }
    }
}
