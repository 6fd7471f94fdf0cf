//! Files are never lost and uploads never linger (issue 25): an upload's state lives in the
//! attachments table and changes only by conditional writes; its bytes count against the quota
//! from the upload request; the uploads sweeper deletes what was never attached once its
//! pending time (seconds on the test stack: `ATTACHMENT_PENDING_SECONDS`) is over; and the
//! upload URL signs the file's SHA-256, so using it again cannot change a sent file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::direct::{api_user, app, dynamodb};
use e2e::files::{
    ask_upload, attachments_item, download, png, put, request_upload, send_files, upload, uploaded,
    usage_bytes,
};
use e2e::{Api, TestUser, unique};
use serde_json::json;

async fn two(prefix: &str) -> (Api, TestUser, TestUser) {
    let app = app().await;
    let (a_name, b_name) = (format!("{prefix}A"), format!("{prefix}B"));
    let (a, b) = futures::join!(api_user(&app, &a_name), api_user(&app, &b_name));
    (Api::new(), a, b)
}

/// The pending time the functions run with.
async fn pending_time() -> Duration {
    app().await.storage.as_ref().unwrap().settings.pending_ttl
}

/// Waits until the sweeper removed `attachment_id`'s record: its pending time, then a few
/// sweeps. Panics if it is still there well after.
async fn until_swept(attachment_id: &str) {
    let deadline = Instant::now() + pending_time().await + Duration::from_secs(30);
    while attachments_item(attachment_id).await.is_some() {
        assert!(
            Instant::now() < deadline,
            "{attachment_id} was not swept after its pending time"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn state(item: &std::collections::HashMap<String, AttributeValue>) -> &str {
    item["state"].as_s().unwrap()
}

#[tokio::test]
async fn ten_racing_sends_of_one_upload_leave_it_attached_and_downloadable() {
    let (api, alice, bob) = two("uxr").await;
    let bytes = png(2048);
    let contested = uploaded(&api, &alice, "race.png", "image/png", &bytes).await;
    // Never attached: the sweeper's work, so the wait below shows that it ran.
    let abandoned = uploaded(&api, &alice, "left.png", "image/png", &png(64)).await;

    // A client retrying its send while the first is in flight: one key, ten requests.
    let body = json!({"recipient_id": bob.id, "content": "", "message_type": "image",
        "attachment_ids": [contested], "client_message_id": unique("race")});
    let sends = (0..10).map(|_| api.post("/messages", Some(&alice.token), body.clone()));
    let replies = futures::future::join_all(sends).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    // The others: the first message again (200), or refused while it was being stored.
    assert!(
        statuses.iter().all(|s| [200, 201, 409, 422].contains(s)),
        "{statuses:?}"
    );

    until_swept(&abandoned).await;
    let item = attachments_item(&contested)
        .await
        .expect("the record stays");
    assert_eq!(state(&item), "attached");
    assert!(!item.contains_key("expires_at"), "left the expiry index");
    let (redirect, object, got) = download(&bob, &contested).await;
    assert_eq!((redirect, object), (302, 200));
    assert_eq!(got, bytes, "the recipient downloads the file as sent");
}

#[tokio::test]
async fn an_upload_url_used_again_after_the_send_changes_nothing_a_reader_sees() {
    let (api, alice, bob) = two("uxp").await;
    let bytes = png(4096);
    let ticket = request_upload(&api, &alice, "once.png", "image/png", &bytes).await;
    upload(&ticket, bytes.clone()).await;
    let id = ticket["attachment_id"].as_str().unwrap();
    send_files(&api, &alice, &bob, "image", &[id])
        .await
        .expect(201);

    // The same URL and headers, other bytes of the same length and type.
    let mut other = bytes.clone();
    other[100..200].fill(0);
    let (status, text) = put(&ticket, other).await;
    assert_ne!(status, 200, "S3 stored other bytes: {text}");

    let (_, object, got) = download(&bob, id).await;
    assert_eq!(object, 200);
    assert_eq!(got, bytes, "the reader sees the file that was sent");
}

#[tokio::test]
async fn an_abandoned_upload_is_deleted_after_its_pending_time_and_frees_the_quota() {
    let (api, alice, bob) = two("uxa").await;
    let bytes = png(3000);
    let id = uploaded(&api, &alice, "late.png", "image/png", &bytes).await;
    assert_eq!(
        usage_bytes(&alice.id).await,
        3000,
        "the request reserved it"
    );
    let (redirect, object, _) = download(&alice, &id).await;
    assert_eq!((redirect, object), (302, 200), "the uploader can fetch it");
    let object_url = {
        let response = e2e::files::plain_http()
            .get(format!("{}/attachments/{id}", e2e::api_url()))
            .bearer_auth(&alice.token)
            .send()
            .await
            .unwrap();
        e2e::files::header(response.headers(), "location").to_owned()
    };

    until_swept(&id).await;
    assert_eq!(
        e2e::files::get_bytes(&object_url).await.0,
        404,
        "the object is gone"
    );
    assert_eq!(usage_bytes(&alice.id).await, 0, "its bytes are back");
    let late = send_files(&api, &alice, &bob, "image", &[&id]).await;
    late.expect_error(422, "validation_error");
    assert_eq!(late.field(), "attachment_ids");
}

#[tokio::test]
async fn pending_uploads_count_against_the_quota() {
    let (api, alice, _) = two("uxq").await;
    let quota = app().await.storage.as_ref().unwrap().settings.quota_bytes;
    // Alice's attached files leave her 100 bytes.
    dynamodb()
        .await
        .put_item()
        .table_name(std::env::var("ATTACHMENTS_TABLE").unwrap())
        .item(
            "attachment_id",
            AttributeValue::S(format!("usage#{}", alice.id)),
        )
        .item("bytes", AttributeValue::N((quota - 100).to_string()))
        .send()
        .await
        .unwrap();
    // Two uploads of 60 bytes asked for, neither sent: the second does not fit.
    ask_upload(&api, &alice, "one.png", "image/png", &png(60))
        .await
        .expect(201);
    let second = ask_upload(&api, &alice, "two.png", "image/png", &png(60)).await;
    second.expect_error(422, "limit_exceeded");
    assert_eq!(usage_bytes(&alice.id).await, quota - 40);
}
