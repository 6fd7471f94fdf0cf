//! Users: registration, login, profiles, status, deletion.

mod credentials;
mod profile;
pub mod sessions;

pub use credentials::login;
pub use profile::update_profile;

use std::collections::BTreeMap;

use chat_core::error::{Error, Result};
use chat_core::ids::UserId;
use chat_core::input::check_len;
use chat_core::ports::Verified;
use chat_core::rate_limits::Bucket;
use chat_core::time::now_rfc3339;
use chat_core::users::sessions::{CloseSockets, Reauthentication};
use chat_core::users::{
    AccountDeletion, PublicUser, Registration, SearchQuery, Status, User, validate_display_name,
    validate_email, validate_password, validate_username,
};

use crate::app::App;
use crate::limits;
use chat_aws::store::users::{CreateUser, SaveUser, SearchPage};
use chat_core::paging::{Page, PageRequest};

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

pub async fn get_public(app: &App, id: &str) -> Result<PublicUser> {
    let Some(id) = UserId::parse(id) else {
        return Err(Error::NotFound);
    };
    app.store
        .get_user(&id)
        .await?
        .map(|u| u.public())
        .ok_or(Error::NotFound)
}

/// The scope of `GET /users/` cursors: they only ever resume that listing.
const LIST_SCOPE: &str = "users";

pub async fn list(app: &App, page: PageRequest) -> Result<Page<PublicUser>> {
    let start = page.start(&app.cursors, LIST_SCOPE)?;
    let (users, next) = app.store.list_users(page.limit(), start).await?;
    let users = users.iter().map(User::public).collect();
    Ok(Page::new(&app.cursors, LIST_SCOPE, users, next))
}

pub async fn search(app: &App, query: &SearchQuery) -> Result<SearchPage> {
    check_len("q", &query.q, 1, 64)?;
    Ok(app.store.search_users(&query.q, query.limit.0).await?)
}

/// How often a profile or status change is re-applied after losing a race with another change.
const SAVE_ATTEMPTS: usize = 3;

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

/// Deletes the account, with proof enough (the current password, or a session that logged in
/// recently), then closes its WebSocket connections (their `$disconnect` forgets them).
pub async fn delete(
    app: &App,
    me: &User,
    token: &Verified,
    deletion: &AccountDeletion,
    source_ip: &str,
) -> Result<()> {
    credentials::reauthenticate(
        app,
        me,
        token,
        deletion.current_password.as_deref(),
        source_ip,
        Reauthentication::PasswordOrRecentLogin,
    )
    .await?;
    // Uploads first: a failure here is a 503 the client can retry with its still valid token.
    crate::domain::attachments::delete_owned(app, &me.id).await?;
    // Deleted concurrently by another request of the same user: that one answers 204.
    if !app.store.delete_user(me).await? {
        return Err(Error::Unauthorized);
    }
    sessions::close_sockets(app, &CloseSockets::of_user(&me.id)).await;
    Ok(())
}
