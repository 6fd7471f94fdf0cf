//! Passwords checked under the login failure limit: logins, and the current password that a
//! change of the account needs (re-authentication).
//!
//! A failure is reserved (the limit's conditional `ADD`) before the password is checked, and
//! given back when the password is right. Counting after the check let concurrent guesses all
//! pass a check of the count before any was counted: twenty at once were twenty guesses in a
//! window of five. A current password is a guess like a login's, with a stolen access token as
//! much as with a login form, so it counts against the same (account, address) pair.

use chat_core::error::{Error, Result};
use chat_core::rate_limits::Bucket;
use std::time::SystemTime;

use chat_core::ports::Verified;
use chat_core::users::sessions::{self as session_rules, Reauthentication};
use chat_core::users::{Login, MAX_EMAIL_BYTES, Session, User};

use crate::app::App;
use crate::limits;
use chat_aws::store::users::Handle;

/// The users table key an unknown name's login reads: never an account's (ids are ULIDs, in
/// capitals), so the read finds nothing, and costs what a registered name's read does.
const NO_ACCOUNT: &str = "no-account";

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
    // An unknown name reads the users table too, a key no account has: both paths make the same
    // requests and the same Argon2 verification, so that neither the answer nor its time tells
    // whether the name is registered.
    let (failure, user) = tokio::join!(
        limits::take(app, Bucket::LoginFailures, &pair),
        app.store.get_user(user_id.as_deref().unwrap_or(NO_ACCOUNT)),
    );
    let failure = failure?;
    let user = user?.filter(|_| user_id.is_some());
    // Unknown user and wrong password answer alike; the reserved failure stays counted.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let right = app.passwords.verify(login.password.clone(), stored).await;
    let user = match user {
        Some(user) if right => user,
        _ => return Err(Error::InvalidCredentials),
    };
    // The new session may push old ones out: `sessions::start` closes their sockets too.
    let ((), session) = tokio::join!(
        limits::give_back(app, failure),
        super::sessions::start(app, &user),
    );
    session
}

/// The failure limit's key: an account (or a name no account has) and a source address.
fn failures_key(account: &str, source_ip: &str) -> String {
    format!("{account}|{source_ip}")
}

/// Lets a change of `me`'s account go ahead if it comes with proof enough: the current password
/// (checked under the failure limit), or, where `needed` allows, a session that logged in
/// recently. 422 on `current_password` when it is missing, 403 when it is wrong, 429 when the
/// pair's failures are used up (before any check).
pub(super) async fn reauthenticate(
    app: &App,
    me: &User,
    token: &Verified,
    current_password: Option<&str>,
    source_ip: &str,
    needed: Reauthentication,
) -> Result<()> {
    let Some(password) = current_password else {
        if needed.needs_password(me, &token.session_id, SystemTime::now()) {
            let why = match needed {
                Reauthentication::Password => "to change the password".to_owned(),
                Reauthentication::PasswordOrRecentLogin => format!(
                    "unless the session logged in within the last {} minutes",
                    session_rules::RECENT_LOGIN.as_secs() / 60
                ),
            };
            return Err(Error::validation(
                "current_password",
                format!("current_password is required {why}"),
            ));
        }
        return Ok(());
    };
    let failure =
        limits::take(app, Bucket::LoginFailures, &failures_key(&me.id, source_ip)).await?;
    let right = app
        .passwords
        .verify(password.to_owned(), Some(me.password_hash.clone()))
        .await;
    if !right {
        return Err(Error::Forbidden("current_password is incorrect".into()));
    }
    limits::give_back(app, failure).await;
    Ok(())
}
