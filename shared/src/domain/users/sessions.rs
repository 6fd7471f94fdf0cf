//! Sessions. A login starts one: an access token (a JWT naming the session) and a refresh
//! token, long-lived and single-use, stored only as a hash. The sessions live on the user item,
//! which every authenticated request reads anyway, so checking that a token's session still
//! exists costs nothing: logout removes one, a password change replaces them all, and
//! presenting a refresh token that was already used removes its whole session (its "family":
//! every access and refresh token descended from that login).

use std::collections::BTreeMap;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chat_core::error::{Error, Result};
use chat_core::time::unix_seconds;
use chat_core::users::{Session, SessionTokens, StoredSession, TokenType, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::token::Verified;
use crate::domain::presence::unix_millis;
use crate::store::sessions::Rotated;

/// Sessions one account keeps at once (devices, browsers); a login beyond it ends the oldest.
/// It bounds the user item, which carries them.
pub const MAX_SESSIONS: usize = 10;

/// `<user id>.<session id>.<secret>`: the ids say where the session is stored; only the
/// secret's hash is kept.
struct RefreshToken {
    user_id: String,
    session_id: String,
    secret: String,
}

impl RefreshToken {
    fn new(user_id: &str, session_id: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        RefreshToken {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (user_id, session_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = |s: &str| !s.is_empty() && s.len() <= 64;
        if parts.next().is_some() || ![user_id, session_id, secret].into_iter().all(well_formed) {
            return None;
        }
        Some(RefreshToken {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    fn hash(&self) -> String {
        Sha256::digest(self.secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn encode(&self) -> String {
        format!("{}.{}.{}", self.user_id, self.session_id, self.secret)
    }
}

/// A session about to be stored, with the tokens its client gets.
pub(super) struct NewSession {
    pub id: String,
    pub stored: StoredSession,
    pub tokens: SessionTokens,
}

/// Issues a session's tokens: a new session when `session_id` is `None`, else the next pair of
/// an existing one.
pub(super) fn issue(app: &App, user_id: &str, session_id: Option<&str>) -> Result<NewSession> {
    let id = session_id.map_or_else(|| ulid::Ulid::generate().to_string(), str::to_owned);
    let now = SystemTime::now();
    let refresh = RefreshToken::new(user_id, &id);
    let access = app.tokens.issue(user_id, &id)?;
    let refresh_ttl = app.config.refresh_token_ttl;
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

/// Starts a session for `user`, who just proved its password.
pub async fn start(app: &App, user: &User) -> Result<Session> {
    let session = issue(app, &user.id, None)?;
    let stored = app
        .store
        .add_session(
            &user.id,
            &session.id,
            &session.stored,
            &evicted(&user.sessions),
        )
        .await?;
    if !stored {
        // Deleted since the password check.
        return Err(Error::InvalidCredentials);
    }
    Ok(Session {
        tokens: session.tokens,
        user: user.private(),
    })
}

/// Swaps a refresh token for a new access and refresh pair. A token that was already used ends
/// its session: whoever holds the newer one (the client, or a thief) must log in again.
pub async fn refresh(app: &App, raw: &str) -> Result<Session> {
    let presented = RefreshToken::parse(raw).ok_or(Error::Unauthorized)?;
    let user = app
        .store
        .get_user(&presented.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let sid = presented.session_id.as_str();
    let stored = user.sessions.get(sid).ok_or(Error::Unauthorized)?;
    if stored.refresh_expires_at <= unix_seconds(SystemTime::now()) {
        end(app, &user.id, sid).await?;
        return Err(Error::Unauthorized);
    }
    let presented_hash = presented.hash();
    if presented_hash != stored.refresh_hash {
        tracing::warn!(user_id = %user.id, session_id = sid, "a used refresh token came back; ending its session");
        end(app, &user.id, sid).await?;
        return Err(Error::Unauthorized);
    }
    let next = issue(app, &user.id, Some(sid))?;
    match app
        .store
        .rotate_session(&user.id, sid, &presented_hash, &next.stored)
        .await?
    {
        Rotated::Done => Ok(Session {
            tokens: next.tokens,
            user: user.private(),
        }),
        // Another request used the same token first: one of the two is a copy.
        Rotated::Lost => {
            tracing::warn!(user_id = %user.id, session_id = sid, "a refresh token was used twice at once; ending its session");
            end(app, &user.id, sid).await?;
            Err(Error::Unauthorized)
        }
    }
}

/// Ends the session of the token the caller presented: its tokens stop working and the sockets
/// opened with them close.
pub async fn logout(app: &App, user: &User, token: &Verified) -> Result<()> {
    end(app, &user.id, &token.session_id).await
}

async fn end(app: &App, user_id: &str, session_id: &str) -> Result<()> {
    app.store.end_session(user_id, session_id).await?;
    close_sockets(app, user_id, Some(session_id)).await;
    Ok(())
}

/// Closes the user's sockets: those of one session, or all of them. The session is ended
/// already, so a socket left open by a failure here still closes at its next frame or push.
pub(super) async fn close_sockets(app: &App, user_id: &str, session: Option<&str>) {
    let Some(delivery) = &app.delivery else {
        return;
    };
    let sockets = match app.store.sockets_of_user(user_id).await {
        Ok(sockets) => sockets,
        Err(err) => {
            tracing::warn!(error = %err, user_id, "sockets of an ended session not closed");
            return;
        }
    };
    let closing = sockets
        .iter()
        .filter(|s| session.is_none() || s.session_id.as_deref() == session);
    futures::future::join_all(closing.map(|s| delivery.close(&s.connection_id))).await;
}

/// The user a token names, with what the token says, if the token is valid, its account exists
/// and its session was not ended.
pub async fn authenticate(app: &App, token: &str) -> Result<(User, Verified)> {
    let verified = app.tokens.verify(token)?;
    let user = session_user(app, &verified).await?;
    Ok((user, verified))
}

/// The user of a verified token, if its account exists and its session was not ended.
pub async fn session_user(app: &App, token: &Verified) -> Result<User> {
    let user = app
        .store
        .get_user(&token.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    if !user.sessions.contains_key(&token.session_id) {
        return Err(Error::Unauthorized);
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_at_ms: i64, refresh_expires_at: u64) -> StoredSession {
        StoredSession {
            refresh_hash: String::new(),
            refresh_expires_at,
            created_at_ms,
        }
    }

    #[test]
    fn refresh_tokens_round_trip_and_reject_junk() {
        let token = RefreshToken::new("01USER", "01SESSION");
        let parsed = RefreshToken::parse(&token.encode());
        assert_eq!(parsed.as_ref().map(|t| t.hash()), Some(token.hash()));
        assert_eq!(parsed.map(|t| t.session_id), Some("01SESSION".to_owned()));
        for junk in ["", "a.b", "a.b.c.d", "..", "a..c", &"x".repeat(300)] {
            assert!(RefreshToken::parse(junk).is_none(), "{junk}");
        }
        assert_ne!(
            RefreshToken::new("u", "s").hash(),
            RefreshToken::new("u", "s").hash()
        );
    }

    #[test]
    fn a_new_session_pushes_out_expired_and_the_oldest_beyond_the_cap() {
        let later = unix_seconds(SystemTime::now()) + 3600;
        let mut sessions: BTreeMap<String, StoredSession> = (0..MAX_SESSIONS as i64)
            .map(|i| (format!("s{i:02}"), session(100 + i, later)))
            .collect();
        assert_eq!(evicted(&sessions), vec!["s00".to_owned()]);
        sessions.insert("old-but-expired".into(), session(1_000, 1));
        assert_eq!(
            evicted(&sessions),
            vec!["old-but-expired".to_owned(), "s00".to_owned()]
        );
        sessions.clear();
        assert!(evicted(&sessions).is_empty());
    }
}
