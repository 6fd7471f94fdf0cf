//! The OpenAPI document of the REST API, generated from the handlers' `#[utoipa::path]`
//! attributes and the request and response types. `cargo run -p e2e --bin openapi` writes it to
//! `docs/openapi.json`; a test fails when the committed file differs.

use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

// The documentation routes are served by `functions/docs`, which shares no code with the API;
// they are declared here so that the document lists every route of the template.

/// This document, OpenAPI 3.1.
#[utoipa::path(get, path = "/openapi.json", tag = "docs",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
#[allow(dead_code)]
fn openapi_document() {}

/// Swagger UI: browse the API and try it out with a token from `POST /users/login`.
#[utoipa::path(get, path = "/docs", tag = "docs",
    responses((status = 200, description = "Swagger UI", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn swagger_ui() {}

/// ReDoc: the API as one readable page.
#[utoipa::path(get, path = "/redoc", tag = "docs",
    responses((status = 200, description = "ReDoc", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn redoc() {}

/// The bearer scheme, and `servers: [/]` so that "Try it out" calls the host that serves the
/// document, locally and on AWS alike.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `access_token` of `POST /users/login` or `POST /users/refresh`.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chat API",
        description = "Users, direct messages, chat rooms, reactions, read receipts and presence. \
            Real-time events come over the WebSocket API (see `docs/asyncapi.yaml`). Unknown \
            fields in request bodies are ignored.\n\n\
            **Sessions.** `POST /users/login` answers an `access_token` (valid `expires_in` \
            seconds) and a single-use `refresh_token`. Before the access token expires, swap the \
            refresh token at `POST /users/refresh` for a new pair, and reconnect the WebSocket \
            with the new access token: a socket closes at its first frame or push after the \
            token it was opened with expired. A refresh token used twice ends its session; \
            `POST /users/logout` ends it too; a password change ends them all.\n\n\
            **Limits.** Per-caller limits answer 429 `rate_limited` with `Retry-After` (seconds): \
            logins per address and per (account, address), registrations per address, writes \
            per user. API Gateway's own throttling at the edge answers 429 with its own body \
            `{\"message\":\"Too Many Requests\"}` and no `Retry-After`.",
        license(name = "MIT"),
    ),
    servers((url = "/", description = "The host serving this document")),
    modifiers(&Security),
    tags(
        (name = "users", description = "Accounts, sessions, profiles and status"),
        (name = "chats", description = "Chat rooms and their members"),
        (name = "messages", description = "Direct and chat messages, reactions, read receipts and the inbox"),
        (name = "attachments", description = "Files for messages: presigned uploads straight to S3, and download links"),
        (name = "docs", description = "This documentation: the document, Swagger UI and ReDoc"),
    ),
    paths(
        super::users::register,
        super::users::login,
        super::users::refresh,
        super::users::logout,
        super::users::get_me,
        super::users::update_me,
        super::users::delete_me,
        super::users::set_status,
        super::users::search,
        super::users::list,
        super::users::get_user,
        super::chats::create,
        super::chats::list,
        super::chats::get,
        super::chats::add_member,
        super::chats::remove_member,
        super::messages::send,
        super::messages::inbox,
        super::messages::direct_history,
        super::messages::chat_history,
        super::messages::get,
        super::messages::edit,
        super::messages::delete,
        super::messages::add_reaction,
        super::messages::remove_reaction,
        super::messages::mark_read,
        super::attachments::request_upload,
        super::attachments::download,
        openapi_document,
        swagger_ui,
        redoc,
    )
)]
pub struct ApiDoc;

/// The document as committed in `docs/openapi.json`: pretty JSON with a final newline.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    let mut document = serde_json::to_value(ApiDoc::openapi())?;
    optional_bodies_are_objects(&mut document);
    serde_json::to_string_pretty(&document).map(|json| json + "\n")
}

/// utoipa writes an optional body (`Option<T>`) as `T` or `null`, but a body, when sent, must
/// be an object: no body is what makes it optional (`required: false`), and a `null` body is
/// refused as not an object. So the `null` alternative goes.
fn optional_bodies_are_objects(document: &mut Value) {
    let operations = document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    // `get_mut`, not indexing: indexing a missing key of a mutable object inserts it.
    let schemas = operations
        .filter_map(|operation| operation.get_mut("requestBody")?.get_mut("content"))
        .filter_map(Value::as_object_mut)
        .flat_map(|content| content.values_mut())
        .filter_map(|media| media.get_mut("schema"));
    for schema in schemas {
        if let Some([object, Value::Object(null)]) = schema
            .get("oneOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            && null.get("type") == Some(&Value::from("null"))
        {
            *schema = object.clone();
        }
    }
}
