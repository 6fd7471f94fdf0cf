//! Set-up that goes behind the API: the functions' own `App` (same tables, same environment as
//! the stack) to create users without paying an Argon2 hash each, and to read or plant items a
//! test must see or shape directly.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use chat_aws::store::users::CreateUser;
use chat_core::users::{Status, StoredSession, User};
use chat_lambda::App;

use crate::{TestUser, unique};

/// The functions' `App`, from the environment `infra/test.sh` exports.
pub async fn app() -> Arc<App> {
    let app = App::from_env_with_s3().await;
    Arc::new(app.expect("run through infra/test.sh: the functions' environment"))
}

/// A user written straight to the users table. Its password hash is never verified: log it in
/// with [`token_for`], not with a password.
pub async fn stored_user(app: &App, prefix: &str) -> User {
    let user = unsaved_user(&unique(prefix).to_lowercase());
    let created = app.store.create_user(&user).await.expect("insert user");
    assert_eq!(created, CreateUser::Created);
    user
}

/// The item of a user named `name` (its username, and its email's local part) with one live
/// session, [`DIRECT_SESSION`], and a password hash that matches no password: for tests and runs
/// that need many users without an Argon2 hash each.
pub fn unsaved_user(name: &str) -> User {
    let now = chat_core::time::now_rfc3339();
    User {
        id: ulid::Ulid::generate().to_string(),
        email: format!("{name}@example.com"),
        display_name: name.to_owned(),
        username: name.to_owned(),
        bio: None,
        avatar_url: None,
        status: Status::Offline,
        last_seen_at: None,
        created_at: now.clone(),
        updated_at: now,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        version: 1,
        chosen_status: None,
        connection_count: 0,
        sessions: [(DIRECT_SESSION.to_owned(), direct_session())].into(),
    }
}

/// The session every [`stored_user`] has, which [`token_for`] tokens name.
pub const DIRECT_SESSION: &str = "direct";

fn direct_session() -> StoredSession {
    StoredSession {
        // No refresh token hashes to this: the session is only ever used by access tokens.
        refresh_hash: String::new(),
        refresh_expires_at: u64::MAX / 2,
        // Logged in as the user is stored: within minutes of it the session may change the
        // email or delete the account without a password (these users have none).
        created_at_ms: chat_core::time::unix_millis(std::time::SystemTime::now()),
    }
}

/// A bearer token for a [`stored_user`].
pub fn token_for(app: &App, user: &User) -> String {
    app.tokens
        .issue(&user.id, DIRECT_SESSION)
        .expect("issue a token")
        .token
}

/// A stored user with a valid bearer token, for calls through the real API.
pub async fn api_user(app: &App, prefix: &str) -> TestUser {
    let user = stored_user(app, prefix).await;
    TestUser {
        token: token_for(app, &user),
        id: user.id,
        username: user.username,
        email: user.email,
        password: String::new(),
        refresh_token: String::new(),
    }
}

/// A DynamoDB client for the stack's tables (`AWS_ENDPOINT_URL_DYNAMODB` from the environment).
pub async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

/// Takes `user_id` out of the chat's member set behind the service's back: its membership
/// item and the membership's version stay, so only a read of the set itself notices.
pub async fn take_out_of_member_set(chat_id: &str, user_id: &str) {
    let table = std::env::var("CHATS_TABLE").expect("CHATS_TABLE (run under infra/test.sh)");
    dynamodb()
        .await
        .update_item()
        .table_name(table)
        .key("pk", AttributeValue::S(format!("CHAT#{chat_id}")))
        .key("sk", AttributeValue::S("META".into()))
        .update_expression("DELETE #members :gone")
        .expression_attribute_names("#members", "members")
        .expression_attribute_values(":gone", AttributeValue::Ss(vec![user_id.to_owned()]))
        .send()
        .await
        .expect("the chat's member set");
}

/// Records a connection of `user` that API Gateway knows nothing of (a lost `$disconnect`):
/// opened at `opened_at`, its lease ending at `lease_expires_at` (Unix milliseconds), under the
/// session of `user`'s token (a record needs a live one, as its `$connect` would). Its id.
pub async fn planted_connection(
    app: &App,
    user: &TestUser,
    opened_at: std::time::SystemTime,
    lease_expires_at: i64,
) -> String {
    use chat_aws::store::connections::{NewConnection, Opened};
    use chat_core::time::format_rfc3339;

    let id = format!("{}=", unique("Gone"));
    let session = crate::token_claims(&user.token)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let opened = app
        .store
        .open_connection(NewConnection {
            connection_id: &id,
            user_id: &user.id,
            connected_at: &format_rfc3339(opened_at),
            lease_expires_at,
            expires_at: 4_102_444_800,
            token_expires_at: 4_102_444_800,
            session_id: &session,
            max_connections: app.config.max_connections_per_user,
        })
        .await
        .unwrap();
    assert_eq!(opened, Opened::Counted);
    id
}

/// `user`'s only connection, recorded an hour ago (long past the 410 grace) with a lease the
/// sweeper would not take yet, the user online through it, and subscribed to the presence of
/// `watching`: the next push to it finds it gone. Its id.
pub async fn gone_connection(app: &App, user: &TestUser, watching: &[String]) -> String {
    use chat_core::time::{now_rfc3339, unix_millis};
    use std::time::{Duration, SystemTime};

    let hour = Duration::from_secs(3600);
    let lease = unix_millis(SystemTime::now() + hour);
    let id = planted_connection(app, user, SystemTime::now() - hour, lease).await;
    let now = now_rfc3339();
    let online = app.store.set_presence(&user.id, "online", true, &now);
    assert!(online.await.unwrap());
    if !watching.is_empty() {
        let record = app.store.connection_record(&id).await.unwrap().unwrap();
        assert!(app.store.replace_watching(&record, watching).await.unwrap());
    }
    id
}
