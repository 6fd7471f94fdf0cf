//! Users: registration, login, profiles, status, deletion.

mod requests;
pub mod sessions;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::error::{Error, Result};
use crate::input::check_len;
use crate::limits::{self, Bucket};
use crate::store::users::{CreateUser, Handle, SaveUser, SearchPage};
use crate::time::now_rfc3339;

use super::messages::is_entity_id;
use super::paging::{Page, PageRequest};
pub use requests::{
    Login, ProfileChange, ProfileUpdated, RefreshRequest, Registration, SearchQuery, Session,
    SessionTokens, StatusChange, TokenType,
};
pub use sessions::{StoredSession, authenticate};

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

fn validate_username(username: &str) -> Result<()> {
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
const MAX_EMAIL_BYTES: usize = 254;

fn validate_email(email: &str) -> Result<()> {
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

fn validate_password(field: &str, password: &str) -> Result<()> {
    check_len(field, password, 8, 128)
}

fn validate_display_name(name: &str) -> Result<()> {
    check_len("display_name", name, 1, 64)?;
    if name.trim().is_empty() {
        return Err(Error::validation(
            "display_name",
            "display_name must not be blank",
        ));
    }
    Ok(())
}

fn validate_avatar_url(url: &str) -> Result<()> {
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
fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Creates an account; a valid request counts against `source_ip`'s registrations.
pub async fn register(app: &App, reg: Registration, source_ip: &str) -> Result<User> {
    validate_username(&reg.username)?;
    validate_email(&reg.email)?;
    validate_password("password", &reg.password)?;
    let display_name = reg.display_name.as_deref().unwrap_or(&reg.username);
    validate_display_name(display_name)?;
    limits::take(app, Bucket::Registrations, source_ip).await?;

    let now = now_rfc3339();
    let user = User {
        id: ulid::Ulid::generate().to_string(),
        username: reg.username.to_owned(),
        email: reg.email.to_owned(),
        display_name: display_name.to_owned(),
        bio: None,
        avatar_url: None,
        status: Status::Offline,
        last_seen_at: None,
        created_at: now.clone(),
        updated_at: now,
        password_hash: app.passwords.hash(reg.password.clone()).await?,
        version: 1,
        chosen_status: None,
        connection_count: 0,
        sessions: BTreeMap::new(),
    };
    match app.store.create_user(&user).await? {
        CreateUser::Created => Ok(user),
        CreateUser::UsernameTaken => Err(Error::UsernameTaken),
        CreateUser::EmailTaken => Err(Error::EmailTaken),
        CreateUser::IdTaken => Err(Error::internal("a new user id exists already")),
    }
}

/// Logs in from `source_ip`. Every attempt counts against the address's limit; failures count
/// against the (account, address) pair's, and a pair over it is refused before its password is
/// even checked, right or wrong, until its window ends.
pub async fn login(app: &App, login: Login, source_ip: &str) -> Result<Session> {
    let identifier = login.identifier()?;
    // No account has a longer name or address, and a longer one would not fit DynamoDB's key.
    if identifier.len() > MAX_EMAIL_BYTES {
        return Err(Error::InvalidCredentials);
    }
    let handle = if identifier.contains('@') {
        Handle::Email(identifier)
    } else {
        Handle::Username(identifier)
    };
    let (attempt, user_id) = tokio::join!(
        limits::take(app, Bucket::LoginAttempts, source_ip),
        app.store.user_id_for(handle),
    );
    attempt?;
    let user_id = user_id?;
    // The account when it exists, else the name tried: unknown names are limited alike.
    let pair = match &user_id {
        Some(id) => format!("{id}|{source_ip}"),
        None => format!("{}|{source_ip}", identifier.to_lowercase()),
    };
    let (pair_check, user) =
        tokio::join!(limits::check(app, Bucket::LoginFailures, &pair), async {
            match &user_id {
                Some(id) => app.store.get_user(id).await,
                None => Ok(None),
            }
        });
    pair_check?;
    let user = user?;
    // Unknown user and wrong password cost one Argon2 verification each and answer alike.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    if !app.passwords.verify(login.password.clone(), stored).await {
        limits::take(app, Bucket::LoginFailures, &pair).await?;
        return Err(Error::InvalidCredentials);
    }
    let user = user.ok_or(Error::InvalidCredentials)?;
    sessions::start(app, &user).await
}

pub async fn get_public(app: &App, id: &str) -> Result<PublicUser> {
    if !is_entity_id(id) {
        return Err(Error::NotFound);
    }
    app.store
        .get_user(id)
        .await?
        .map(|u| u.public())
        .ok_or(Error::NotFound)
}

/// The scope of `GET /users/` cursors: they only ever resume that listing.
const LIST_SCOPE: &str = "users";

pub async fn list(app: &App, page: PageRequest) -> Result<Page<PublicUser>> {
    let start = page.start(app, LIST_SCOPE)?;
    let (users, next) = app.store.list_users(page.limit(), start).await?;
    let users = users.iter().map(User::public).collect();
    Ok(Page::new(app, LIST_SCOPE, users, next))
}

pub async fn search(app: &App, query: &SearchQuery) -> Result<SearchPage> {
    check_len("q", &query.q, 1, 64)?;
    Ok(app.store.search_users(&query.q, query.limit.0).await?)
}

/// How often a profile change is re-applied after losing a race with another change.
const SAVE_ATTEMPTS: usize = 3;

/// Applies `change` to the caller's profile. Validates everything before any write, then
/// re-reads and retries if another request changed the user in between. A new password ends
/// every session of the account, closes its sockets and starts one new session for the caller.
pub async fn update_profile(
    app: &App,
    me: User,
    change: ProfileChange,
) -> Result<(User, Option<SessionTokens>)> {
    if let Some(name) = &change.display_name {
        validate_display_name(name)?;
    }
    if let Some(Some(bio)) = &change.bio {
        check_len("bio", bio, 0, 500)?;
    }
    if let Some(Some(url)) = &change.avatar_url
        && !url.is_empty()
    {
        validate_avatar_url(url)?;
    }
    if let Some(email) = &change.email {
        validate_email(email)?;
    }
    let new_hash = match (&change.password, &change.current_password) {
        (Some(new), Some(current)) => {
            validate_password("password", new)?;
            if !app
                .passwords
                .verify(current.clone(), Some(me.password_hash.clone()))
                .await
            {
                return Err(Error::Forbidden("current_password is incorrect".into()));
            }
            Some(app.passwords.hash(new.clone()).await?)
        }
        (Some(_), None) => {
            return Err(Error::validation(
                "current_password",
                "current_password is required to change the password",
            ));
        }
        (None, _) => None,
    };

    let mut current = me;
    for _ in 0..SAVE_ATTEMPTS {
        let mut next = current.clone();
        if let Some(name) = &change.display_name {
            next.display_name = name.clone();
        }
        if let Some(bio) = &change.bio {
            next.bio = non_empty(bio.as_deref());
        }
        if let Some(url) = &change.avatar_url {
            next.avatar_url = non_empty(url.as_deref());
        }
        let old_email = match change.email.as_deref() {
            Some(email) if email.to_lowercase() != current.email.to_lowercase() => {
                next.email = email.to_owned();
                Some(current.email.as_str())
            }
            Some(email) => {
                next.email = email.to_owned();
                None
            }
            None => None,
        };
        let mut new_session = None;
        if let Some(hash) = &new_hash {
            next.password_hash = hash.clone();
            let session = sessions::issue(app, &next.id, None)?;
            next.sessions = BTreeMap::from([(session.id, session.stored)]);
            new_session = Some(session.tokens);
        }
        next.updated_at = now_rfc3339();
        next.version = current.version + 1;
        match app
            .store
            .save_user(&next, current.version, old_email)
            .await?
        {
            SaveUser::Saved => {
                if new_session.is_some() {
                    sessions::close_sockets(app, &next.id, None).await;
                }
                return Ok((next, new_session));
            }
            SaveUser::EmailTaken => return Err(Error::EmailTaken),
            SaveUser::Stale => {}
        }
        current = app
            .store
            .get_user(&current.id)
            .await?
            .ok_or(Error::Unauthorized)?;
    }
    Err(Error::Conflict(
        "the profile changed concurrently; retry".into(),
    ))
}

/// Sets the status the user chose. Presence follows live connections: with one open, the
/// status shows at once; with none, the request only records the choice (`away`/`busy` show at
/// the next connection, `online` clears it) and the user stays as it is, `offline`. The count
/// decided on is the one the write is conditioned on (every `$connect` and close moves
/// `version`), so a connection opening meanwhile makes the write stale and it is decided again.
pub async fn set_status(app: &App, me: User, status: Status) -> Result<User> {
    let mut current = me;
    for _ in 0..SAVE_ATTEMPTS {
        let mut next = current.clone();
        let now = now_rfc3339();
        if current.connection_count > 0 {
            if status == Status::Offline && current.status != Status::Offline {
                next.last_seen_at = Some(now.clone());
            }
            next.status = status;
        }
        next.chosen_status = matches!(status, Status::Away | Status::Busy).then_some(status);
        next.updated_at = now;
        next.version = current.version + 1;
        match app.store.save_user(&next, current.version, None).await? {
            SaveUser::Saved => return Ok(next),
            SaveUser::EmailTaken => return Err(Error::EmailTaken),
            SaveUser::Stale => {}
        }
        current = app
            .store
            .get_user(&current.id)
            .await?
            .ok_or(Error::Unauthorized)?;
    }
    Err(Error::Conflict(
        "the status changed concurrently; retry".into(),
    ))
}

/// Deletes the account, then closes its WebSocket connections (their `$disconnect` forgets them).
pub async fn delete(app: &App, me: &User) -> Result<()> {
    // Uploads first: a failure here is a 503 the client can retry with its still valid token.
    crate::domain::attachments::delete_owned(app, &me.id).await?;
    // Deleted concurrently by another request of the same user: that one answers 204.
    if !app.store.delete_user(me).await? {
        return Err(Error::Unauthorized);
    }
    sessions::close_sockets(app, &me.id, None).await;
    Ok(())
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
