//! `/attachments/...`: presigned uploads and download links. Only URLs pass through here.

use std::sync::Arc;

use chat_core::attachments::{UploadRequest, UploadTicket};
use chat_core::error::ErrorBody;
use chat_core::error::Result;
use lambda_http::http::Method;

use super::failures::{AuthFailures, BodyFailures, Failures};
use super::{caller, unrouted, writer};
use crate::app::App;
use crate::domain::attachments;
use crate::http::{ApiRequest, ApiResponse};

pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["attachments"]) => request_upload(app, &req).await,
        (&Method::GET, ["attachments", id]) => download(app, &req, id).await,
        (_, path) => unrouted(allowed(path)),
    }
}

/// The methods the group serves at `path`, as an `Allow` header lists them.
fn allowed(path: &[&str]) -> &'static str {
    match path {
        ["attachments"] => "POST",
        ["attachments", _] => "GET",
        _ => "",
    }
}

/// Ask for an upload: the answer is a presigned S3 `PUT` that takes exactly the declared type
/// and size (send `upload_headers` with it), valid for `expires_in` seconds. Refer to
/// `attachment_id` in `POST /messages`; an upload no message refers to is removed after a day.
#[utoipa::path(post, path = "/attachments", tag = "attachments", security(("bearer" = [])),
    request_body = UploadRequest,
    responses(
        (status = 201, description = "Where and how to upload the bytes", body = UploadTicket),
        AuthFailures, BodyFailures, Failures,
    ))]
pub(super) async fn request_upload(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = writer(app, req).await?;
    let request: UploadRequest = req.body()?;
    let ticket = attachments::request_upload(app, &me.id, &request).await?;
    Ok(ApiResponse::created(&ticket))
}

/// Download an attachment: a redirect to a fresh presigned `GET` that serves the file as a
/// download (`Content-Disposition: attachment`) of its stored type. For the participants of
/// its message's conversation, and for its uploader before it is attached.
#[utoipa::path(get, path = "/attachments/{attachment_id}", tag = "attachments",
    security(("bearer" = [])),
    params(("attachment_id" = String, Path, description = "An attachment id")),
    responses(
        (status = 302, description = "To a presigned download URL, valid for a few minutes",
            headers(("Location" = String, description = "The presigned URL"))),
        (status = 404, description = "No such attachment, or the caller may not see it (`not_found`)", body = ErrorBody),
        AuthFailures, Failures,
    ))]
pub(super) async fn download(app: &App, req: &ApiRequest, id: &str) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let url = attachments::download_url(app, &me.id, id).await?;
    Ok(ApiResponse::redirect(url))
}
