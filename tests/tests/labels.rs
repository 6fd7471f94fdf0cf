//! Labels other users' clients render (display names, chat names, file names) cannot hold a
//! character that makes them render as something else: a bidi override turns
//! `invoice\u{202E}fdp.exe` into what looks like `invoiceexe.pdf`.

use e2e::Api;
use serde_json::json;

const SPOOFED: &str = "invoice\u{202E}fdp.exe";

#[tokio::test]
async fn names_with_control_or_format_characters_are_refused_on_their_field() {
    let api = Api::new();
    let alice = api.user("lbl").await;
    for name in [SPOOFED, "a\u{0}b", "two\nlines"] {
        let reply = api
            .put("/users/me", &alice.token, json!({"display_name": name}))
            .await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "display_name", "{name:?}");

        let reply = api
            .post("/chats", Some(&alice.token), json!({"name": name}))
            .await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "name", "{name:?}");

        let upload = json!({"file_name": name, "content_type": "application/pdf", "size_bytes": 10,
                "checksum_sha256": e2e::files::sha256(b"0123456789")});
        let reply = api.post("/attachments", Some(&alice.token), upload).await;
        reply.expect_error(422, "validation_error");
        assert_eq!(reply.field(), "file_name", "{name:?}");
    }
    // Nothing changed.
    let me = api.get("/users/me", &alice.token).await;
    assert_ne!(me.expect(200)["display_name"], SPOOFED);
}

#[tokio::test]
async fn what_languages_and_emoji_need_is_kept() {
    let api = Api::new();
    let alice = api.user("lbl").await;
    let name = "👩\u{200D}💻 می\u{200C}خواهم";
    let reply = api
        .put("/users/me", &alice.token, json!({"display_name": name}))
        .await;
    assert_eq!(reply.expect(200)["display_name"], name);
    let chat = api
        .post("/chats", Some(&alice.token), json!({"name": name}))
        .await;
    assert_eq!(chat.expect(201)["name"], name);
}
