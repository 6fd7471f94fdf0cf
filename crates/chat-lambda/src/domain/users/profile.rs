//! Profile changes (`PUT /users/me`). The fields that could hand the account over need more
//! than a token: a new password the current one, a new email the current one or a recent login
//! (`credentials::reauthenticate`). A new email that is taken answers `email_taken`, which says
//! that somebody registered the address; those answers are rationed per source address.

use std::collections::BTreeMap;

use chat_core::error::{Error, Result};
use chat_core::input::check_len;
use chat_core::ports::Verified;
use chat_core::rate_limits::Bucket;
use chat_core::time::now_rfc3339;
use chat_core::users::sessions::{self as session_rules, CloseSockets, Reauthentication};
use chat_core::users::{
    ProfileChange, SessionTokens, User, non_empty, validate_avatar_url, validate_display_name,
    validate_email, validate_password,
};

use super::{SAVE_ATTEMPTS, credentials, sessions};
use crate::app::App;
use crate::limits;
use chat_aws::store::users::SaveUser;

/// Applies `change` to the caller's profile, the caller presenting `token` from `source_ip`.
/// Validates everything and checks the proof a change needs before any write, then re-reads
/// and retries if another request changed the user in between. A new password ends every
/// session of the account, closes its sockets and starts one new session for the caller.
pub async fn update_profile(
    app: &App,
    me: User,
    token: &Verified,
    change: ProfileChange,
    source_ip: &str,
) -> Result<(User, Option<SessionTokens>)> {
    validate(&change)?;
    let new_email = change.email.as_deref().filter(|email| *email != me.email);
    let needed = if change.password.is_some() {
        Some(Reauthentication::Password)
    } else if new_email.is_some() {
        Some(Reauthentication::PasswordOrRecentLogin)
    } else {
        None
    };
    if let Some(needed) = needed {
        let current = change.current_password.as_deref();
        credentials::reauthenticate(app, &me, token, current, source_ip, needed).await?;
    }
    let new_hash = match &change.password {
        Some(new) => Some(app.passwords.hash(new.clone()).await?),
        None => None,
    };
    // Reserved before the change is tried, so that a refusal is the same whether the address
    // is taken or free; given back unless it was taken.
    let probe = match new_email {
        Some(_) => Some(limits::take(app, Bucket::EmailTaken, source_ip).await?),
        None => None,
    };
    let saved = save(app, me, &change, new_hash.as_deref()).await;
    if let Some(probe) = probe
        && !matches!(saved, Err(Error::EmailTaken))
    {
        limits::give_back(app, probe).await;
    }
    saved
}

fn validate(change: &ProfileChange) -> Result<()> {
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
    if let Some(password) = &change.password {
        validate_password("password", password)?;
    }
    Ok(())
}

/// Writes the change, conditioned on the version read, re-reading after a lost race.
async fn save(
    app: &App,
    me: User,
    change: &ProfileChange,
    new_hash: Option<&str>,
) -> Result<(User, Option<SessionTokens>)> {
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
        if let Some(hash) = new_hash {
            next.password_hash = hash.to_owned();
            let session = session_rules::issue(&app.tokens, &next.id, None)?;
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
                    sessions::close_sockets(app, &CloseSockets::of_user(&next.id)).await;
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
