//! Attachments from a client's side: asking for an upload, PUTting the bytes to the presigned
//! URL with its headers, sending them in a message, downloading, and the attachments table
//! behind the API.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::direct::dynamodb;
use crate::{Api, Reply, TestUser};

/// A PNG's signature and some bytes: what the stored object must give back.
pub fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len.saturating_sub(8)).map(|i| (i * 7 % 251) as u8));
    bytes
}

/// What a client declares as `checksum_sha256`: the SHA-256 of the bytes, standard base64.
pub fn sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// An item of the attachments table, read behind the API.
pub async fn attachments_item(key: &str) -> Option<HashMap<String, AttributeValue>> {
    dynamodb()
        .await
        .get_item()
        .table_name(std::env::var("ATTACHMENTS_TABLE").unwrap())
        .key("attachment_id", AttributeValue::S(key.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// The bytes `user_id`'s quota counts (attached files and pending uploads).
pub async fn usage_bytes(user_id: &str) -> u64 {
    match attachments_item(&format!("usage#{user_id}")).await {
        Some(item) => item["bytes"].as_n().unwrap().parse().unwrap(),
        None => 0,
    }
}

/// A client that does not follow redirects, as a browser's `fetch(..., {redirect: "manual"})`.
pub fn plain_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `POST /attachments` for `bytes` (their size and checksum), answered 201.
pub async fn request_upload(
    api: &Api,
    who: &TestUser,
    name: &str,
    kind: &str,
    bytes: &[u8],
) -> Value {
    ask_upload(api, who, name, kind, bytes)
        .await
        .expect(201)
        .clone()
}

/// `POST /attachments` for `bytes`, whatever it answers.
pub async fn ask_upload(api: &Api, who: &TestUser, name: &str, kind: &str, bytes: &[u8]) -> Reply {
    api.post(
        "/attachments",
        Some(&who.token),
        json!({"file_name": name, "content_type": kind, "size_bytes": bytes.len(),
            "checksum_sha256": sha256(bytes)}),
    )
    .await
}

/// PUTs `body` to `url` with the ticket's headers, `tweak` changing them first.
pub async fn put_with(
    ticket: &Value,
    url: &str,
    body: Vec<u8>,
    tweak: impl Fn(&str, &str) -> Option<String>,
) -> (u16, String) {
    let mut request = plain_http().put(url);
    for (name, value) in ticket["upload_headers"].as_object().unwrap() {
        // The HTTP client sets content-length from the body.
        if name == "content-length" {
            continue;
        }
        if let Some(value) = tweak(name, value.as_str().unwrap()) {
            request = request.header(name, value);
        }
    }
    let response = request.body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// PUTs `body` with the ticket's URL and headers, as they are; the status and S3's answer.
pub async fn put(ticket: &Value, body: Vec<u8>) -> (u16, String) {
    let url = ticket["upload_url"].as_str().unwrap();
    put_with(ticket, url, body, |_, v| Some(v.to_owned())).await
}

pub async fn upload(ticket: &Value, body: Vec<u8>) {
    let (status, text) = put(ticket, body).await;
    assert_eq!(status, 200, "upload refused: {text}");
}

/// A new upload of `who`, stored in S3.
pub async fn uploaded(api: &Api, who: &TestUser, name: &str, kind: &str, bytes: &[u8]) -> String {
    let ticket = request_upload(api, who, name, kind, bytes).await;
    upload(&ticket, bytes.to_vec()).await;
    ticket["attachment_id"].as_str().unwrap().to_owned()
}

/// A direct message from `from` to `to` carrying the uploads `ids`.
pub async fn send_files(
    api: &Api,
    from: &TestUser,
    to: &TestUser,
    kind: &str,
    ids: &[&str],
) -> Reply {
    api.post(
        "/messages",
        Some(&from.token),
        json!({"recipient_id": to.id, "content": "", "message_type": kind, "attachment_ids": ids}),
    )
    .await
}

pub async fn get_bytes(url: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = plain_http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// The file behind `GET /attachments/{id}` as `who` downloads it: the redirect's status (302
/// when allowed), then the object's status and bytes.
pub async fn download(who: &TestUser, attachment_id: &str) -> (u16, u16, Vec<u8>) {
    let redirect = plain_http()
        .get(format!("{}/attachments/{attachment_id}", crate::api_url()))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap();
    let status = redirect.status().as_u16();
    let location = header(redirect.headers(), "location").to_owned();
    if location.is_empty() {
        return (status, 0, Vec::new());
    }
    let (object_status, _, bytes) = get_bytes(&location).await;
    (status, object_status, bytes)
}

pub fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}
