//! The cost of a user search does not grow with the number of users: the read capacity one
//! search consumes (ReturnConsumedCapacity from DynamoDB Local) is printed and compared with 100
//! and with 2,000 users stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chat_aws::store::users::CreateUser;
use chat_core::users::{Status, User};
use chat_lambda::App;
use e2e::direct::app;
use futures::StreamExt;

fn user(prefix: &str, i: usize, hash: &str) -> User {
    let name = format!("{prefix}{i:05}");
    User {
        id: ulid::Ulid::generate().to_string(),
        email: format!("{name}@example.com"),
        display_name: format!("{prefix} display {i}"),
        username: name,
        bio: None,
        avatar_url: None,
        status: Status::Offline,
        last_seen_at: None,
        created_at: chat_core::time::now_rfc3339(),
        updated_at: chat_core::time::now_rfc3339(),
        password_hash: hash.to_owned(),
        version: 1,
        chosen_status: None,
        connection_count: 0,
        sessions: Default::default(),
    }
}

async fn fill(app: &Arc<App>, prefix: &str, range: std::ops::Range<usize>, hash: &str) {
    futures::stream::iter(range)
        .map(|i| {
            let app = app.clone();
            let user = user(prefix, i, hash);
            async move {
                let created = app.store.create_user(&user).await.expect("insert user");
                assert_eq!(created, CreateUser::Created);
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

#[tokio::test]
async fn search_capacity_is_the_same_with_100_and_2000_users() {
    let app = app().await;
    let prefix = e2e::unique("cap").to_lowercase();
    // The stored hash is never verified here; hashing 2,000 passwords would only slow the test.
    let hash =
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let limit = 20;

    fill(&app, &prefix, 0..100, hash).await;
    let small = app
        .store
        .search_users(&prefix, limit)
        .await
        .expect("search");
    fill(&app, &prefix, 100..2000, hash).await;
    let large = app
        .store
        .search_users(&prefix, limit)
        .await
        .expect("search");

    println!(
        "user search (limit {limit}): {:.1} RCU with 100 users, {:.1} RCU with 2,000 users",
        small.consumed_rcu, large.consumed_rcu
    );
    assert_eq!(small.users.len(), 20);
    assert_eq!(large.users.len(), 20);
    assert!(
        small.consumed_rcu > 0.0,
        "DynamoDB reported no consumed capacity"
    );
    assert_eq!(small.consumed_rcu, large.consumed_rcu);
}
