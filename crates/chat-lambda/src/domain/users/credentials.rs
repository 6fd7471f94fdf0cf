//! Passwords checked under the login failure limit.
//!
//! A failure is reserved (the limit's conditional `ADD`) before the password is checked, and
//! given back when the password is right. Counting after the check let concurrent guesses all
//! pass a check of the count before any was counted: twenty at once were twenty guesses in a
//! window of five.

use chat_core::error::{Error, Result};
use chat_core::rate_limits::Bucket;
use chat_core::users::sessions as session_rules;
use chat_core::users::{Login, MAX_EMAIL_BYTES, Session};

use crate::app::App;
use crate::limits;
use chat_aws::store::users::Handle;

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
        Some(id) => failures_key(id, source_ip),
        None => failures_key(&identifier.to_lowercase(), source_ip),
    };
    let (failure, user) = tokio::join!(limits::take(app, Bucket::LoginFailures, &pair), async {
        match &user_id {
            Some(id) => app.store.get_user(id).await,
            None => Ok(None),
        }
    });
    let failure = failure?;
    let user = user?;
    // Unknown user and wrong password cost one Argon2 verification each and answer alike; the
    // reserved failure stays counted.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let right = app.passwords.verify(login.password.clone(), stored).await;
    let user = match user {
        Some(user) if right => user,
        _ => return Err(Error::InvalidCredentials),
    };
    let ((), session) = tokio::join!(
        limits::give_back(app, failure),
        session_rules::start(&app.store, &app.tokens, &user),
    );
    session
}

/// The failure limit's key: an account (or a name no account has) and a source address.
fn failures_key(account: &str, source_ip: &str) -> String {
    format!("{account}|{source_ip}")
}
