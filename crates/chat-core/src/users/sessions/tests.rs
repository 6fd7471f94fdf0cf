use std::time::Duration;

use futures::executor::block_on;

use super::*;
use crate::memory::{MemoryStore, PlainTokens};
use crate::test_users::ADA;

fn stored(created_at_ms: i64, refresh_expires_at: u64) -> StoredSession {
    StoredSession {
        refresh_hash: String::new(),
        refresh_expires_at,
        created_at_ms,
    }
}

fn ada(store: &MemoryStore) -> User {
    let user = block_on(store.account(ADA)).ok().flatten();
    user.expect("an account")
}

fn session_ids(store: &MemoryStore) -> Vec<String> {
    ada(store).sessions.into_keys().collect()
}

fn login(store: &MemoryStore, tokens: &PlainTokens) -> SessionTokens {
    block_on(start(store, tokens, &ada(store)))
        .expect("a session")
        .session
        .tokens
}

fn renewed(refreshed: Result<Refreshed>) -> SessionTokens {
    match refreshed {
        Ok(Refreshed::Renewed(session)) => session.tokens,
        other => panic!("not renewed: {other:?}"),
    }
}

fn session_of(tokens: &PlainTokens, access_token: &str) -> String {
    let verified = tokens.verify(access_token).expect("a valid token");
    verified.session_id
}

fn authenticated(store: &MemoryStore, tokens: &PlainTokens, access_token: &str) -> bool {
    block_on(authenticate(store, tokens, access_token)).is_ok()
}

#[test]
fn a_login_stores_a_session_that_its_tokens_name() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let started = block_on(start(&store, &tokens, &ada(&store))).expect("a session");
    assert_eq!(started.closing, None, "no session was pushed out");
    let issued = started.session.tokens;
    let sid = session_of(&tokens, &issued.access_token);
    assert_eq!(session_ids(&store), std::slice::from_ref(&sid));
    assert!(issued.refresh_token.starts_with(&format!("{ADA}.{sid}.")));
    assert_eq!(issued.refresh_expires_in, tokens.refresh_ttl.as_secs());
    let (user, verified) =
        block_on(authenticate(&store, &tokens, &issued.access_token)).expect("authenticated");
    assert_eq!((user.id.as_str(), verified.session_id), (ADA, sid));
    // Only the secret's hash is kept.
    let kept = &ada(&store).sessions[&session_of(&tokens, &issued.access_token)];
    assert!(!issued.refresh_token.contains(&kept.refresh_hash));
}

#[test]
fn a_login_of_an_account_deleted_meanwhile_is_refused() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let user = ada(&store);
    store.delete_account(ADA).expect("deleted");
    let refused = block_on(start(&store, &tokens, &user)).err();
    assert!(
        matches!(refused, Some(Error::InvalidCredentials)),
        "{refused:?}"
    );
}

#[test]
fn a_new_session_pushes_out_expired_and_the_oldest_beyond_the_cap() {
    let later = unix_seconds(SystemTime::now()) + 3600;
    let mut sessions: BTreeMap<String, StoredSession> = (0..MAX_SESSIONS as i64)
        .map(|i| (format!("s{i:02}"), stored(100 + i, later)))
        .collect();
    assert_eq!(evicted(&sessions), vec!["s00".to_owned()]);
    sessions.insert("old-but-expired".into(), stored(1_000, 1));
    assert_eq!(
        evicted(&sessions),
        vec!["old-but-expired".to_owned(), "s00".to_owned()]
    );
    sessions.clear();
    assert!(evicted(&sessions).is_empty());
}

#[test]
fn a_login_at_the_cap_ends_the_oldest_session_and_expired_ones() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let later = unix_seconds(SystemTime::now()) + 3600;
    // Started in reverse order of their ids: age decides, not the id.
    let mut sessions: BTreeMap<String, StoredSession> = (0..MAX_SESSIONS as i64 - 1)
        .map(|i| (format!("s{i:02}"), stored(200 - i, later)))
        .collect();
    sessions.insert("expired".into(), stored(300, 1));
    store.set_sessions(ADA, sessions).expect("sessions");

    let first = block_on(start(&store, &tokens, &ada(&store))).expect("a session");
    let ids = session_ids(&store);
    assert_eq!(ids.len(), MAX_SESSIONS);
    assert!(!ids.contains(&"expired".to_owned()));
    assert!(ids.contains(&"s08".to_owned()));
    // An expired session's sockets close like an evicted one's.
    assert_eq!(
        first.closing,
        Some(CloseSockets::of_session(ADA, "expired"))
    );

    let second = block_on(start(&store, &tokens, &ada(&store))).expect("a session");
    let ids = session_ids(&store);
    assert_eq!(ids.len(), MAX_SESSIONS);
    assert!(!ids.contains(&"s08".to_owned()), "the oldest goes first");
    assert!(ids.contains(&"s07".to_owned()));
    let closing = second.closing.expect("the oldest session's sockets close");
    assert_eq!(closing, CloseSockets::of_session(ADA, "s08"));
    assert!(closing.includes(Some("s08")));
    assert!(!closing.includes(Some("s07")) && !closing.includes(None));
    for issued in [first.session.tokens, second.session.tokens] {
        assert!(authenticated(&store, &tokens, &issued.access_token));
    }
}

#[test]
fn a_refresh_rotates_the_refresh_token_within_the_session() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let first = login(&store, &tokens);
    let sid = session_of(&tokens, &first.access_token);
    let before = ada(&store).sessions[&sid].clone();

    let second = renewed(block_on(refresh(&store, &tokens, &first.refresh_token)));
    assert_eq!(session_of(&tokens, &second.access_token), sid);
    assert_ne!(second.refresh_token, first.refresh_token);
    let after = ada(&store).sessions[&sid].clone();
    assert_ne!(after.refresh_hash, before.refresh_hash);
    assert_eq!(after.created_at_ms, before.created_at_ms);
    assert_eq!(session_ids(&store), [sid]);

    let third = renewed(block_on(refresh(&store, &tokens, &second.refresh_token)));
    assert!(authenticated(&store, &tokens, &third.access_token));
}

#[test]
fn a_used_refresh_token_that_comes_back_ends_its_session() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let other = login(&store, &tokens);
    let first = login(&store, &tokens);
    let sid = session_of(&tokens, &first.access_token);
    let second = renewed(block_on(refresh(&store, &tokens, &first.refresh_token)));

    let reused = block_on(refresh(&store, &tokens, &first.refresh_token));
    assert!(
        matches!(&reused, Ok(Refreshed::Ended(close)) if *close == CloseSockets::of_session(ADA, &sid)),
        "{reused:?}"
    );
    // The whole family is gone: the newer pair too.
    assert!(!authenticated(&store, &tokens, &second.access_token));
    let later = block_on(refresh(&store, &tokens, &second.refresh_token));
    assert!(matches!(later, Err(Error::Unauthorized)), "{later:?}");
    // Other sessions go on.
    assert!(authenticated(&store, &tokens, &other.access_token));
}

#[test]
fn an_expired_refresh_token_ends_its_session() {
    let store = MemoryStore::with_accounts([ADA]);
    let tokens = PlainTokens {
        refresh_ttl: Duration::ZERO,
        ..PlainTokens::default()
    };
    let issued = login(&store, &tokens);
    let sid = session_of(&tokens, &issued.access_token);
    let expired = block_on(refresh(&store, &tokens, &issued.refresh_token));
    assert!(
        matches!(&expired, Ok(Refreshed::Ended(close)) if *close == CloseSockets::of_session(ADA, &sid)),
        "{expired:?}"
    );
    assert!(session_ids(&store).is_empty());
}

#[test]
fn junk_and_unknown_refresh_tokens_are_refused_and_end_nothing() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let issued = login(&store, &tokens);
    let sid = session_of(&tokens, &issued.access_token);
    for presented in [
        "junk".to_owned(),
        format!("NOBODY.{sid}.secret"),
        format!("{ADA}.NOSESSION.secret"),
    ] {
        let refused = block_on(refresh(&store, &tokens, &presented));
        assert!(matches!(refused, Err(Error::Unauthorized)), "{presented}");
    }
    assert_eq!(session_ids(&store), [sid]);
}

#[test]
fn logout_ends_the_callers_session_alone() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let phone = login(&store, &tokens);
    let laptop = login(&store, &tokens);
    let (user, token) =
        block_on(authenticate(&store, &tokens, &phone.access_token)).expect("authenticated");

    let closing = block_on(logout(&store, &user, &token)).expect("logged out");
    assert_eq!(closing, CloseSockets::of_session(ADA, &token.session_id));
    assert!(closing.includes(Some(&token.session_id)));
    assert!(!closing.includes(Some("another")));
    assert!(!authenticated(&store, &tokens, &phone.access_token));
    let refused = block_on(refresh(&store, &tokens, &phone.refresh_token));
    assert!(matches!(refused, Err(Error::Unauthorized)), "{refused:?}");
    assert!(authenticated(&store, &tokens, &laptop.access_token));
    // Logging out twice changes nothing more.
    assert_eq!(block_on(logout(&store, &user, &token)).ok(), Some(closing));
}

#[test]
fn tokens_of_an_unknown_account_and_malformed_ones_are_refused() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let stranger = tokens.issue("NOBODY", "s").expect("issued").token;
    for token in [stranger.as_str(), "not a token at all"] {
        let refused = block_on(authenticate(&store, &tokens, token)).err();
        assert!(matches!(refused, Some(Error::Unauthorized)), "{token}");
    }
}

#[test]
fn only_a_session_that_logged_in_recently_may_skip_the_password() {
    let (store, tokens) = (MemoryStore::with_accounts([ADA]), PlainTokens::default());
    let issued = login(&store, &tokens);
    let sid = session_of(&tokens, &issued.access_token);
    let user = ada(&store);
    let logged_in = SystemTime::UNIX_EPOCH
        + Duration::from_millis(u64::try_from(user.sessions[&sid].created_at_ms).unwrap_or(0));
    let lenient = Reauthentication::PasswordOrRecentLogin;
    let just_inside = logged_in + RECENT_LOGIN - Duration::from_secs(1);
    assert!(!lenient.needs_password(&user, &sid, just_inside));
    assert!(lenient.needs_password(&user, &sid, logged_in + RECENT_LOGIN));
    assert!(lenient.needs_password(&user, "another session", logged_in));
    // A new password always needs the current one.
    assert!(Reauthentication::Password.needs_password(&user, &sid, logged_in));

    // A refresh keeps the login's time: it proves a token, not the password.
    let renewed = renewed(block_on(refresh(&store, &tokens, &issued.refresh_token)));
    assert_eq!(session_of(&tokens, &renewed.access_token), sid);
    let user = ada(&store);
    assert!(lenient.needs_password(&user, &sid, logged_in + RECENT_LOGIN));
}
