//! Sessions. A login starts one: an access token (a JWT naming the session) and a refresh
//! token, long-lived and single-use, stored only as a hash. The sessions live on the user item,
//! which every authenticated request reads anyway, so checking that a token's session still
//! exists costs nothing: logout removes one, a password change replaces them all, and
//! presenting a refresh token that was already used removes its whole session (its "family":
//! every access and refresh token descended from that login).
//!
//! A session that ends leaves sockets open with its tokens: the rules say which must close
//! ([`CloseSockets`]) and the adapter closes them, after the session is removed. Every way a
//! session ends says so: logout, a reused or expired refresh token, a login that pushes out the
//! oldest (and expired) sessions, a password change and account deletion (those two close every
//! socket of the user).

mod refresh_token;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::{Rotated, Session, SessionTokens, StoredSession, TokenType, User};
use crate::error::{Error, Result};
use crate::ports::{SessionStore, TokenIssuer, Verified};
use crate::time::{unix_millis, unix_seconds};
use refresh_token::RefreshToken;

/// Sessions one account keeps at once (devices, browsers); a login beyond it ends the oldest.
/// It bounds the user item, which carries them.
pub const MAX_SESSIONS: usize = 10;

/// How long after its login a session may change the account's email or delete the account
/// without the current password. A stolen access token must not be enough to take an account
/// over or to end it; a user who has just typed the password need not type it again. A refresh
/// proves only that its holder has a token, so it does not count as a login.
pub const RECENT_LOGIN: Duration = Duration::from_secs(5 * 60);

/// What a change of the account needs besides a valid token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reauthentication {
    /// The current password, always (a new password).
    Password,
    /// The current password, unless the token's session logged in within [`RECENT_LOGIN`] (a
    /// new email, the account's deletion).
    PasswordOrRecentLogin,
}

impl Reauthentication {
    /// Whether the current password must come with the change, for `user`'s session
    /// `session_id` at `now`.
    pub fn needs_password(self, user: &User, session_id: &str, now: SystemTime) -> bool {
        match self {
            Reauthentication::Password => true,
            Reauthentication::PasswordOrRecentLogin => {
                let window = i64::try_from(RECENT_LOGIN.as_millis()).unwrap_or(i64::MAX);
                let since = unix_millis(now).saturating_sub(window);
                user.sessions
                    .get(session_id)
                    .is_none_or(|session| session.created_at_ms <= since)
            }
        }
    }
}

/// The sockets to close because the sessions that opened them ended: some sessions', or every
/// socket of the user when all its sessions ended at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseSockets {
    pub user_id: String,
    /// The ended sessions; `None`: every session of the user.
    pub session_ids: Option<Vec<String>>,
}

impl CloseSockets {
    pub fn of_session(user_id: &str, session_id: &str) -> Self {
        Self::of_sessions(user_id, &[session_id.to_owned()])
    }

    pub fn of_sessions(user_id: &str, session_ids: &[String]) -> Self {
        CloseSockets {
            user_id: user_id.to_owned(),
            session_ids: Some(session_ids.to_vec()),
        }
    }

    pub fn of_user(user_id: &str) -> Self {
        CloseSockets {
            user_id: user_id.to_owned(),
            session_ids: None,
        }
    }

    /// Whether a socket opened by `session_id` must close.
    pub fn includes(&self, session_id: Option<&str>) -> bool {
        match &self.session_ids {
            None => true,
            Some(ids) => session_id.is_some_and(|sid| ids.iter().any(|id| id == sid)),
        }
    }
}

/// A login's session, and the sockets of the sessions it pushed out.
#[derive(Debug)]
pub struct Started {
    pub session: Session,
    /// `None` when no session was pushed out.
    pub closing: Option<CloseSockets>,
}

/// How a refresh ended.
#[derive(Debug)]
pub enum Refreshed {
    /// The session's next tokens (boxed: far larger than the other outcome).
    Renewed(Box<Session>),
    /// The token was expired or used before: its session is removed, its sockets must close
    /// and the client hears 401.
    Ended(CloseSockets),
}

/// A session about to be stored, with the tokens its client gets.
pub struct NewSession {
    pub id: String,
    pub stored: StoredSession,
    pub tokens: SessionTokens,
}

/// Issues a session's tokens: a new session when `session_id` is `None`, else the next pair of
/// an existing one.
pub fn issue(
    tokens: &impl TokenIssuer,
    user_id: &str,
    session_id: Option<&str>,
) -> Result<NewSession> {
    let id = session_id.map_or_else(|| ulid::Ulid::generate().to_string(), str::to_owned);
    let now = SystemTime::now();
    let refresh = RefreshToken::new(user_id, &id);
    let access = tokens.issue(user_id, &id)?;
    let refresh_ttl = tokens.refresh_ttl();
    Ok(NewSession {
        stored: StoredSession {
            refresh_hash: refresh.hash(),
            refresh_expires_at: unix_seconds(now + refresh_ttl),
            created_at_ms: unix_millis(now),
        },
        tokens: SessionTokens {
            access_token: access.token,
            token_type: TokenType::Bearer,
            expires_in: access.expires_in,
            refresh_token: refresh.encode(),
            refresh_expires_in: refresh_ttl.as_secs(),
        },
        id,
    })
}

/// The sessions a new one pushes out: expired ones, and the oldest beyond [`MAX_SESSIONS`].
fn evicted(sessions: &BTreeMap<String, StoredSession>) -> Vec<String> {
    let now = unix_seconds(SystemTime::now());
    let (expired, mut live): (Vec<_>, Vec<_>) = sessions
        .iter()
        .partition(|(_, s)| s.refresh_expires_at <= now);
    live.sort_by_key(|(_, s)| s.created_at_ms);
    let excess = (live.len() + 1).saturating_sub(MAX_SESSIONS);
    expired
        .into_iter()
        .chain(live.into_iter().take(excess))
        .map(|(id, _)| id.clone())
        .collect()
}

/// Starts a session for `user`, who just proved its password. The sessions it pushes out end
/// like any other, sockets included.
pub async fn start(
    store: &impl SessionStore,
    tokens: &impl TokenIssuer,
    user: &User,
) -> Result<Started> {
    let session = issue(tokens, &user.id, None)?;
    let evict = evicted(&user.sessions);
    if !store
        .add_session(&user.id, &session.id, &session.stored, &evict)
        .await?
    {
        // Deleted since the password check.
        return Err(Error::InvalidCredentials);
    }
    Ok(Started {
        session: Session {
            tokens: session.tokens,
            user: user.private(),
        },
        closing: (!evict.is_empty()).then(|| CloseSockets::of_sessions(&user.id, &evict)),
    })
}

/// Swaps a refresh token for a new access and refresh pair. A token that was already used ends
/// its session: whoever holds the newer one (the client, or a thief) must log in again.
pub async fn refresh(
    store: &impl SessionStore,
    tokens: &impl TokenIssuer,
    raw: &str,
) -> Result<Refreshed> {
    let presented = RefreshToken::parse(raw).ok_or(Error::Unauthorized)?;
    let user = store
        .account(&presented.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let sid = presented.session_id.as_str();
    let stored = user.sessions.get(sid).ok_or(Error::Unauthorized)?;
    if stored.refresh_expires_at <= unix_seconds(SystemTime::now()) {
        return Ok(Refreshed::Ended(end(store, &user.id, sid).await?));
    }
    let presented_hash = presented.hash();
    if presented_hash != stored.refresh_hash {
        tracing::warn!(user_id = %user.id, session_id = sid, "a used refresh token came back; ending its session");
        return Ok(Refreshed::Ended(end(store, &user.id, sid).await?));
    }
    let next = issue(tokens, &user.id, Some(sid))?;
    match store
        .rotate_session(&user.id, sid, &presented_hash, &next.stored)
        .await?
    {
        Rotated::Done => Ok(Refreshed::Renewed(Box::new(Session {
            tokens: next.tokens,
            user: user.private(),
        }))),
        // Another request used the same token first: one of the two is a copy.
        Rotated::Lost => {
            tracing::warn!(user_id = %user.id, session_id = sid, "a refresh token was used twice at once; ending its session");
            Ok(Refreshed::Ended(end(store, &user.id, sid).await?))
        }
    }
}

/// Ends the session of the token the caller presented: its tokens stop working and the sockets
/// opened with them must close.
pub async fn logout(
    store: &impl SessionStore,
    user: &User,
    token: &Verified,
) -> Result<CloseSockets> {
    end(store, &user.id, &token.session_id).await
}

async fn end(store: &impl SessionStore, user_id: &str, session_id: &str) -> Result<CloseSockets> {
    store.end_session(user_id, session_id).await?;
    Ok(CloseSockets::of_session(user_id, session_id))
}

/// The user a token names, with what the token says, if the token is valid, its account exists
/// and its session was not ended.
pub async fn authenticate(
    store: &impl SessionStore,
    tokens: &impl TokenIssuer,
    token: &str,
) -> Result<(User, Verified)> {
    let verified = tokens.verify(token)?;
    let user = session_user(store, &verified).await?;
    Ok((user, verified))
}

/// The user of a verified token, if its account exists and its session was not ended.
pub async fn session_user(store: &impl SessionStore, token: &Verified) -> Result<User> {
    let user = store
        .account(&token.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    if !user.sessions.contains_key(&token.session_id) {
        return Err(Error::Unauthorized);
    }
    Ok(user)
}
