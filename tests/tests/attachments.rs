//! File attachments end to end (issue 12): uploads straight to the local S3 (s3s-fs, which
//! verifies SigV4 like S3) through presigned URLs, messages that carry them over REST and
//! WebSocket, downloads for participants only, and every refusal: by the storage itself (another
//! size or type, a tampered URL), by the send (never uploaded, someone else's, attached
//! already), by the rules (oversize, over quota, message types), and the cleanup when messages
//! and accounts go.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::types::AttributeValue;
use chat_aws::s3::{UploadBinding, object_key};
use chat_lambda::App;
use e2e::direct::{api_user, app, dynamodb};
use e2e::files::{
    attachments_item, get_bytes, header, plain_http, png, put_with, request_upload, send_files,
    sha256, upload, uploaded, usage_bytes,
};
use e2e::ws::{Socket, about};
use e2e::{Api, TestUser, unique};
use serde_json::{Value, json};

/// The API, the functions' `App`, and two users.
async fn two(prefix: &str) -> (Api, Arc<App>, TestUser, TestUser) {
    let app = app().await;
    let (a_name, b_name) = (format!("{prefix}A"), format!("{prefix}B"));
    let (a, b) = futures::join!(api_user(&app, &a_name), api_user(&app, &b_name));
    (Api::new(), app, a, b)
}

#[tokio::test]
async fn an_image_goes_up_to_storage_and_reaches_the_recipient_byte_for_byte() {
    let (api, app, alice, bob) = two("at").await;
    let mut bob_socket = Socket::connect(&bob.token).await;
    let bytes = png(70_000);

    let ticket = request_upload(
        &api,
        &alice,
        "../holiday/cat photo.png",
        "image/png",
        &bytes,
    )
    .await;
    assert_eq!(ticket["upload_method"], "PUT");
    assert_eq!(
        ticket["expires_in"],
        app.storage
            .as_ref()
            .unwrap()
            .settings
            .upload_url_ttl
            .as_secs()
    );
    let headers = &ticket["upload_headers"];
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["content-length"], bytes.len().to_string());
    assert_eq!(headers["x-amz-checksum-sha256"], sha256(&bytes).as_str());
    upload(&ticket, bytes.clone()).await;
    let attachment_id = ticket["attachment_id"].as_str().unwrap();

    let sent = send_files(&api, &alice, &bob, "image", &[attachment_id]).await;
    let sent = sent.expect(201);
    assert_eq!(sent["message_type"], "image");
    assert_eq!(sent["content"], "");
    let attachment = &sent["attachments"][0];
    assert_eq!(attachment["attachment_id"], attachment_id);
    assert_eq!(
        attachment["file_name"], "cat photo.png",
        "sanitised to its last segment"
    );
    assert_eq!(attachment["content_type"], "image/png");
    assert_eq!(attachment["size_bytes"], bytes.len());
    let message_id = sent["id"].as_str().unwrap();

    // The recipient's socket gets the message with its attachment and a working URL.
    let created = bob_socket
        .expect_where("message.created", about("message.created", message_id))
        .await;
    let pushed = &created["data"]["attachments"][0];
    assert_eq!(pushed["attachment_id"], attachment_id);
    let (status, _, pushed_bytes) = get_bytes(pushed["download_url"].as_str().unwrap()).await;
    assert_eq!((status, pushed_bytes == bytes), (200, true));

    // Read as the recipient, and download through download_url.
    let read = api
        .get(&format!("/messages/{message_id}"), &bob.token)
        .await;
    let url = read.expect(200)["attachments"][0]["download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, headers, downloaded) = get_bytes(&url).await;
    assert_eq!(status, 200);
    assert_eq!(downloaded, bytes, "the same bytes");
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert!(
        header(&headers, "content-disposition")
            .starts_with("attachment; filename=\"cat photo.png\""),
        "{headers:?}"
    );
    // History shows it too.
    let (page, _) = api
        .all_pages(
            &format!("/messages/conversation/{}", alice.id),
            &bob.token,
            50,
        )
        .await;
    assert!(page[0]["attachments"][0]["download_url"].is_string());

    // And through GET /attachments/{id}: a 302 to a fresh URL.
    let response = plain_http()
        .get(format!("{}/attachments/{attachment_id}", e2e::api_url()))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(
        header(response.headers(), "cache-control"),
        "private, no-store"
    );
    let location = header(response.headers(), "location").to_owned();
    let (status, _, redirected) = get_bytes(&location).await;
    assert_eq!((status, redirected == bytes), (200, true));
}

#[tokio::test]
async fn websocket_send_message_takes_attachment_ids() {
    let (api, _, alice, bob) = two("atw").await;
    let chat = api.create_chat(&alice, &[&bob]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let bytes = b"%PDF-1.7 minutes of the meeting".to_vec();
    let id = uploaded(&api, &alice, "minutes.pdf", "application/pdf", &bytes).await;
    let mut alice_socket = Socket::connect(&alice.token).await;
    let mut bob_socket = Socket::connect(&bob.token).await;

    alice_socket
        .send(
            json!({"action": "sendMessage", "chat_id": chat_id, "message_type": "file",
            "content": "the minutes", "attachment_ids": [id], "client_message_id": unique("f")}),
        )
        .await;
    let sent = alice_socket.expect("message.sent").await;
    assert_eq!(sent["data"]["attachments"][0]["attachment_id"], id.as_str());
    let message_id = sent["data"]["id"].as_str().unwrap();
    let created = bob_socket
        .expect_where("message.created", about("message.created", message_id))
        .await;
    let url = created["data"]["attachments"][0]["download_url"]
        .as_str()
        .unwrap();
    let (status, headers, downloaded) = get_bytes(url).await;
    assert_eq!((status, downloaded), (200, bytes));
    assert_eq!(header(&headers, "content-type"), "application/pdf");
}

#[tokio::test]
async fn the_storage_refuses_another_size_or_type_than_declared() {
    let (api, _, alice, bob) = two("ats").await;
    let bytes = png(1000);
    let ticket = request_upload(&api, &alice, "a.png", "image/png", &bytes).await;
    let url = ticket["upload_url"].as_str().unwrap();

    // Declared image/png, sent as HTML: the signed content-type differs.
    let (status, text) = put_with(&ticket, url, bytes.clone(), |name, value| {
        Some(if name == "content-type" {
            "text/html".into()
        } else {
            value.into()
        })
    })
    .await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    // One byte more or less than declared: the signed content-length differs.
    for body in [png(1001), png(999)] {
        let (status, text) = put_with(&ticket, url, body, |_, v| Some(v.into())).await;
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    }
    // Without the checksum header the signature binds: refused as well.
    let (status, _) = put_with(&ticket, url, bytes.clone(), |name, value| {
        (name != "x-amz-checksum-sha256").then(|| value.into())
    })
    .await;
    assert_eq!(status, 403);
    // Other bytes of the declared length: S3 checks them against the signed checksum.
    let mut other = bytes.clone();
    other[500] ^= 1;
    let (status, text) = put_with(&ticket, url, other, |_, v| Some(v.into())).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("BadDigest"), "{text}");

    // Nothing was stored, so nothing can be attached.
    let id = ticket["attachment_id"].as_str().unwrap();
    let refused = send_files(&api, &alice, &bob, "image", &[id]).await;
    refused.expect_error(422, "validation_error");
    assert_eq!(refused.field(), "attachment_ids");
    // The declared upload still works afterwards.
    upload(&ticket, bytes).await;
    send_files(&api, &alice, &bob, "image", &[id])
        .await
        .expect(201);
}

/// Replaces the value of query parameter `name` in `url`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key == name => format!("{key}={value}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn param<'a>(url: &'a str, name: &str) -> &'a str {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
}

#[tokio::test]
async fn tampered_and_expired_urls_are_refused() {
    let (api, app, alice, bob) = two("att").await;
    let bytes = png(500);
    let ticket = request_upload(&api, &alice, "t.png", "image/png", &bytes).await;
    let url = ticket["upload_url"].as_str().unwrap();
    let signature = param(url, "X-Amz-Signature");
    let flipped = format!(
        "{}{}",
        &signature[..signature.len() - 1],
        if signature.ends_with('0') { '1' } else { '0' }
    );
    // An hour ago, with the signature's five-minute life: expired.
    let an_hour_ago = {
        let date = param(url, "X-Amz-Date"); // 20261125T012345Z
        let hour: u32 = date[9..11].parse().unwrap();
        format!("{}{:02}{}", &date[..9], (hour + 23) % 24, &date[11..])
    };
    let tampered = [
        ("signature", with_param(url, "X-Amz-Signature", &flipped)),
        ("longer life", with_param(url, "X-Amz-Expires", "604800")),
        ("older date", with_param(url, "X-Amz-Date", &an_hour_ago)),
        (
            "another key",
            url.replace(
                ticket["attachment_id"].as_str().unwrap(),
                &ulid::Ulid::generate().to_string(),
            ),
        ),
    ];
    for (what, bad) in &tampered {
        let (status, text) = put_with(&ticket, bad, bytes.clone(), |_, v| Some(v.into())).await;
        assert_eq!(status, 403, "{what}: {text}");
    }
    // An expired URL, its signature intact: what the function would have signed an hour ago
    // (the same keys and code; the signature covers the date, so only a signer can make one).
    let storage = app.storage.as_ref().unwrap();
    let checksum = sha256(&bytes);
    let binding = UploadBinding {
        content_type: "image/png",
        size_bytes: bytes.len() as u64,
        disposition: ticket["upload_headers"]["content-disposition"]
            .as_str()
            .unwrap(),
        checksum_sha256: &checksum,
    };
    let expired = storage
        .presign_upload(
            &object_key(&alice.id, ticket["attachment_id"].as_str().unwrap()),
            binding,
            SystemTime::now() - Duration::from_secs(3600),
        )
        .await
        .unwrap()
        .url;
    let (status, text) = put_with(&ticket, &expired, bytes.clone(), |_, v| Some(v.into())).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("expired"), "{text}");
    upload(&ticket, bytes.clone()).await;

    // A download URL whose served type is changed to HTML, or whose disposition is dropped.
    let id = ticket["attachment_id"].as_str().unwrap();
    let sent = send_files(&api, &alice, &bob, "image", &[id]).await;
    let download = sent.expect(201)["attachments"][0]["download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_html = with_param(&download, "response-content-type", "text%2Fhtml");
    let inline = with_param(&download, "response-content-disposition", "inline");
    for bad in [as_html, inline] {
        let (status, _, _) = get_bytes(&bad).await;
        assert_eq!(status, 403, "{bad}");
    }
    assert_eq!(get_bytes(&download).await.0, 200);
}

#[tokio::test]
async fn only_a_pending_upload_of_the_sender_can_be_attached_and_only_once() {
    let (api, _, alice, bob) = two("atp").await;
    let history = format!("/messages/conversation/{}", bob.id);
    let refused = |reply: e2e::Reply| {
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "attachment_ids", "{:#}", reply.body);
    };

    // Asked for, never uploaded.
    let ticket = request_upload(&api, &alice, "n.png", "image/png", &png(100)).await;
    let never = ticket["attachment_id"].as_str().unwrap();
    refused(send_files(&api, &alice, &bob, "image", &[never]).await);
    // Someone else's upload.
    let bobs = uploaded(&api, &bob, "b.png", "image/png", &png(64)).await;
    refused(send_files(&api, &alice, &bob, "image", &[&bobs]).await);
    // No such upload at all, and an id no key can hold.
    let unknown = ulid::Ulid::generate().to_string();
    refused(send_files(&api, &alice, &bob, "image", &[&unknown]).await);
    refused(send_files(&api, &alice, &bob, "image", &["../x"]).await);
    assert!(
        api.all_pages(&history, &alice.token, 50).await.0.is_empty(),
        "nothing was sent"
    );

    // Attached once; a second send of it, alone or with a new upload, is refused and changes
    // nothing (the new upload stays attachable).
    let mine = uploaded(&api, &alice, "a.png", "image/png", &png(64)).await;
    send_files(&api, &alice, &bob, "image", &[&mine])
        .await
        .expect(201);
    refused(send_files(&api, &alice, &bob, "image", &[&mine]).await);
    let fresh = uploaded(&api, &alice, "c.png", "image/png", &png(80)).await;
    refused(send_files(&api, &alice, &bob, "image", &[&fresh, &mine]).await);
    assert_eq!(api.all_pages(&history, &alice.token, 50).await.0.len(), 1);
    send_files(&api, &alice, &bob, "image", &[&fresh])
        .await
        .expect(201);

    // A retry with the same client_message_id gets the first message back, whose files are
    // attached already.
    let retried = uploaded(&api, &alice, "k.png", "image/png", &png(64)).await;
    let keyed = json!({"recipient_id": bob.id, "message_type": "image",
        "attachment_ids": [retried], "client_message_id": unique("k")});
    let first = api
        .post("/messages", Some(&alice.token), keyed.clone())
        .await;
    let again = api.post("/messages", Some(&alice.token), keyed).await;
    assert_eq!(again.expect(200)["id"], first.expect(201)["id"]);
    assert_eq!(
        again.body["attachments"][0]["attachment_id"],
        retried.as_str()
    );

    // Ten sends racing for one upload: exactly one attaches it.
    let contested = uploaded(&api, &alice, "r.png", "image/png", &png(64)).await;
    let contested_ids = [contested.as_str()];
    let sends = (0..10).map(|_| send_files(&api, &alice, &bob, "image", &contested_ids));
    let statuses: Vec<u16> = futures::future::join_all(sends)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 422),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn non_participants_get_no_download_url() {
    let api = Api::new();
    let app = app().await;
    let users: Vec<TestUser> =
        futures::future::join_all(["atnA", "atnB", "atnC", "atnD"].map(|p| api_user(&app, p)))
            .await;
    let (alice, bob, carol, dave) = (&users[0], &users[1], &users[2], &users[3]);
    let id = uploaded(&api, alice, "s.png", "image/png", &png(300)).await;
    let sent = send_files(&api, alice, bob, "image", &[&id]).await;
    let message_id = sent.expect(201)["id"].as_str().unwrap().to_owned();

    api.get(&format!("/messages/{message_id}"), &carol.token)
        .await
        .expect_error(404, "not_found");
    api.get(&format!("/attachments/{id}"), &carol.token)
        .await
        .expect_error(404, "not_found");
    // In a chat: members only, and a member who leaves loses access.
    let chat = api.create_chat(alice, &[dave]).await;
    let chat_id = chat["id"].as_str().unwrap();
    let in_chat = uploaded(&api, alice, "c.png", "image/png", &png(300)).await;
    api.post(
        "/messages",
        Some(&alice.token),
        json!({"chat_id": chat_id, "content": "look", "message_type": "image", "attachment_ids": [in_chat]}),
    )
    .await
    .expect(201);
    let redirect = |who: &TestUser| {
        let url = format!("{}/attachments/{in_chat}", e2e::api_url());
        let token = who.token.clone();
        async move {
            plain_http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(redirect(dave).await, 302);
    assert_eq!(redirect(carol).await, 404);
    api.delete(
        &format!("/chats/{chat_id}/members/{}", dave.id),
        &dave.token,
    )
    .await
    .expect(200);
    assert_eq!(redirect(dave).await, 404);
    // A pending upload is its uploader's alone.
    let pending = request_upload(&api, alice, "p.png", "image/png", &png(10)).await;
    let pending = pending["attachment_id"].as_str().unwrap();
    api.get(&format!("/attachments/{pending}"), &bob.token)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn oversize_unknown_types_and_over_quota_are_422() {
    let (api, app, alice, bob) = two("atq").await;
    let settings = app.storage.as_ref().unwrap().settings.clone();
    let ask = |body: Value| api.post("/attachments", Some(&alice.token), body);
    let checksum = sha256(b"any");

    let cases = [
        (
            json!({"file_name": "big.png", "content_type": "image/png", "size_bytes": settings.max_bytes + 1, "checksum_sha256": checksum}),
            "size_bytes",
        ),
        (
            json!({"file_name": "zero.png", "content_type": "image/png", "size_bytes": 0, "checksum_sha256": checksum}),
            "size_bytes",
        ),
        (
            json!({"file_name": "page.html", "content_type": "text/html", "size_bytes": 10, "checksum_sha256": checksum}),
            "content_type",
        ),
        (
            json!({"file_name": "x.svg", "content_type": "image/svg+xml", "size_bytes": 10, "checksum_sha256": checksum}),
            "content_type",
        ),
        (
            json!({"file_name": "/", "content_type": "image/png", "size_bytes": 10, "checksum_sha256": checksum}),
            "file_name",
        ),
        (
            json!({"file_name": "a.png", "content_type": "image/png", "checksum_sha256": checksum}),
            "size_bytes",
        ),
        (
            json!({"file_name": "a.png", "content_type": "image/png", "size_bytes": 10}),
            "checksum_sha256",
        ),
        (
            json!({"file_name": "a.png", "content_type": "image/png", "size_bytes": 10, "checksum_sha256": "abc="}),
            "checksum_sha256",
        ),
    ];
    for (body, field) in cases {
        let reply = ask(body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "{body}");
    }
    ask(json!({"file_name": "max.png", "content_type": "image/png", "size_bytes": settings.max_bytes, "checksum_sha256": checksum}))
        .await
        .expect(201);

    // Fill alice's usage to 10 bytes below her quota (what attached files and the uploads
    // above would have counted).
    let ddb = dynamodb().await;
    let table = std::env::var("ATTACHMENTS_TABLE").unwrap();
    ddb.put_item()
        .table_name(&table)
        .item(
            "attachment_id",
            AttributeValue::S(format!("usage#{}", alice.id)),
        )
        .item(
            "bytes",
            AttributeValue::N((settings.quota_bytes - 10).to_string()),
        )
        .send()
        .await
        .unwrap();
    let over = ask(
        json!({"file_name": "a.png", "content_type": "image/png", "size_bytes": 11,
        "checksum_sha256": sha256(&png(11))}),
    )
    .await;
    over.expect_error(422, "limit_exceeded");
    // The upload request reserves its bytes: the send adds nothing to the usage.
    let fits = uploaded(&api, &alice, "b.png", "image/png", &png(10)).await;
    assert_eq!(usage_bytes(&alice.id).await, settings.quota_bytes);
    send_files(&api, &alice, &bob, "image", &[&fits])
        .await
        .expect(201);
    assert_eq!(usage_bytes(&alice.id).await, settings.quota_bytes);
}

#[tokio::test]
async fn message_types_and_attachments_must_agree() {
    let (api, _, alice, bob) = two("atm").await;
    let pdf = uploaded(&api, &alice, "d.pdf", "application/pdf", b"%PDF-1.7").await;
    let image = uploaded(&api, &alice, "i.png", "image/png", &png(20)).await;
    let send = |body: Value| api.post("/messages", Some(&alice.token), body);
    let to = |extra: Value| {
        let mut body = json!({"recipient_id": bob.id});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            to(json!({"content": "x", "message_type": "image"})),
            "attachment_ids",
        ),
        (
            to(json!({"content": "x", "message_type": "file"})),
            "attachment_ids",
        ),
        (
            to(json!({"message_type": "image", "attachment_ids": [pdf]})),
            "message_type",
        ),
        (
            to(json!({"message_type": "text", "attachment_ids": [image]})),
            "message_type",
        ),
        (
            to(json!({"message_type": "file", "attachment_ids": []})),
            "attachment_ids",
        ),
        (
            to(json!({"message_type": "file", "attachment_ids": [image, image]})),
            "attachment_ids",
        ),
        (
            to(json!({"message_type": "file", "attachment_ids": vec![image.clone(); 11]})),
            "attachment_ids",
        ),
        (
            to(json!({"content": "", "message_type": "text"})),
            "content",
        ),
    ];
    for (body, field) in cases {
        let reply = send(body.clone()).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), field, "{body}");
    }
    // A file message takes any allowed type, an image as well.
    send(to(
        json!({"message_type": "file", "attachment_ids": [pdf, image], "content": "both"}),
    ))
    .await
    .expect(201);
}

#[tokio::test]
async fn deleting_a_message_deletes_its_objects_and_frees_the_quota() {
    let (api, _, alice, bob) = two("atd").await;
    let id = uploaded(&api, &alice, "gone.png", "image/png", &png(4096)).await;
    let sent = send_files(&api, &alice, &bob, "image", &[&id]).await;
    let sent = sent.expect(201).clone();
    let url = sent["attachments"][0]["download_url"].as_str().unwrap();
    assert_eq!(get_bytes(url).await.0, 200);

    let message_id = sent["id"].as_str().unwrap();
    api.delete(&format!("/messages/{message_id}"), &alice.token)
        .await
        .expect(204);
    assert_eq!(get_bytes(url).await.0, 404, "the object is gone");
    let tombstone = api
        .get(&format!("/messages/{message_id}"), &bob.token)
        .await;
    assert_eq!(tombstone.expect(200)["attachments"], json!([]));
    api.get(&format!("/attachments/{id}"), &bob.token)
        .await
        .expect_error(404, "not_found");
    let usage = attachments_item(&format!("usage#{}", alice.id)).await;
    assert_eq!(usage.unwrap()["bytes"], AttributeValue::N("0".into()));
}

#[tokio::test]
async fn deleting_an_account_deletes_its_uploads() {
    let (api, _, alice, bob) = two("ata").await;
    let attached = uploaded(&api, &alice, "kept.png", "image/png", &png(128)).await;
    let sent = send_files(&api, &alice, &bob, "image", &[&attached]).await;
    let url = sent.expect(201)["attachments"][0]["download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let pending = uploaded(&api, &alice, "pending.png", "image/png", &png(64)).await;
    let redirect = plain_http()
        .get(format!("{}/attachments/{pending}", e2e::api_url()))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    let pending_url = header(redirect.headers(), "location").to_owned();
    assert_eq!(get_bytes(&pending_url).await.0, 200);

    api.delete("/users/me", &alice.token).await.expect(204);
    assert_eq!(get_bytes(&url).await.0, 404);
    assert_eq!(get_bytes(&pending_url).await.0, 404);
    for key in [attached, pending, format!("usage#{}", alice.id)] {
        let item = attachments_item(&key).await;
        assert!(item.is_none(), "{key} is left");
    }
}
