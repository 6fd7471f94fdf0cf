//! `/users/...`: the users endpoint group.

use std::sync::Arc;

use lambda_http::http::Method;
use serde_json::json;

use super::{caller, page_request, unrouted};
use crate::app::App;
use crate::domain::contacts;
use crate::domain::users::{self, Login, PasswordChange, ProfileChange, Registration, Status};
use crate::error::{Error, Result};
use crate::http::{ApiRequest, ApiResponse};
use crate::input::{Body, parse_limit};

const SEARCH_DEFAULT_LIMIT: &str = "20";

pub async fn route(app: Arc<App>, req: ApiRequest) -> Result<ApiResponse> {
    let app = app.as_ref();
    match (&req.method, req.segments().as_slice()) {
        (&Method::POST, ["users", "register"]) => register(app, &req).await,
        (&Method::POST, ["users", "login"]) => login(app, &req).await,
        (&Method::GET, ["users", "me"]) => Ok(ApiResponse::ok(&caller(app, &req).await?.private())),
        (&Method::PUT, ["users", "me"]) => update_me(app, &req).await,
        (&Method::DELETE, ["users", "me"]) => delete_me(app, &req).await,
        (&Method::PATCH, ["users", "me", "status"]) => set_status(app, &req).await,
        (&Method::GET, ["users", "search"]) => search(app, &req).await,
        (&Method::GET, ["users"]) => list(app, &req).await,
        (&Method::GET, ["users", user_id]) => {
            caller(app, &req).await?;
            Ok(ApiResponse::ok(&users::get_public(app, user_id).await?))
        }
        (_, path) => unrouted(serves(path)),
    }
}

/// The paths of the group's routes, whatever the method.
fn serves(path: &[&str]) -> bool {
    matches!(path, ["users"] | ["users", _] | ["users", "me", "status"])
}

async fn register(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let body = req.json()?;
    let user = users::register(
        app,
        Registration {
            username: body.str("username")?,
            email: body.str("email")?,
            password: body.str("password")?,
            display_name: body.opt_str("display_name")?,
        },
    )
    .await?;
    Ok(ApiResponse::created(&user.private()))
}

async fn login(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let body = req.json()?;
    let identifier = match (body.opt_str("username")?, body.opt_str("email")?) {
        (Some(name), _) => name,
        (None, Some(email)) => email,
        (None, None) => {
            return Err(Error::validation(
                "username",
                "username or email is required",
            ));
        }
    };
    let result = users::login(
        app,
        Login {
            identifier,
            password: body.str("password")?,
        },
    )
    .await?;
    Ok(ApiResponse::ok(&json!({
        "access_token": result.access_token,
        "token_type": "bearer",
        "expires_in": result.expires_in,
        "user": result.user.private(),
    })))
}

/// Present-and-null or empty clears an optional field; absent leaves it alone.
fn clearable<'a>(body: &'a Body, field: &str) -> Result<Option<Option<&'a str>>> {
    let value = body.opt_str(field)?;
    Ok(if value.is_some() || body.is_null(field) {
        Some(value)
    } else {
        None
    })
}

async fn update_me(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let body = req.json()?;
    let password = match (body.opt_str("password")?, body.opt_str("current_password")?) {
        (Some(new), Some(current)) => Some(PasswordChange { new, current }),
        (Some(_), None) => {
            return Err(Error::validation(
                "current_password",
                "current_password is required to change the password",
            ));
        }
        (None, _) => None,
    };
    let change = ProfileChange {
        display_name: body.opt_str("display_name")?,
        bio: clearable(&body, "bio")?,
        avatar_url: clearable(&body, "avatar_url")?,
        email: body.opt_str("email")?,
        password,
    };
    let user = users::update_profile(app, me, change).await?;
    Ok(ApiResponse::ok(&user.private()))
}

async fn delete_me(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    users::delete(app, &me).await?;
    Ok(ApiResponse::no_content())
}

async fn set_status(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    let me = caller(app, req).await?;
    let status = Status::parse(req.json()?.str("status")?)?;
    let user = users::set_status(app, me, status).await?;
    // With no open connection the choice is only recorded: nothing changed that anyone sees.
    if user.connection_count <= 0 {
        return Ok(ApiResponse::ok(&user.private()));
    }
    // The status is stored; failing to reach the contacts must not turn that into an error.
    match contacts::presence_notifications(app, &user).await {
        Ok(notifications) if !notifications.is_empty() => app.notifier.notify(notifications).await,
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "presence not announced"),
    }
    Ok(ApiResponse::ok(&user.private()))
}

async fn search(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    caller(app, req).await?;
    let query = req
        .query("q")
        .ok_or_else(|| Error::validation("q", "q is required"))?;
    let limit = parse_limit(Some(req.query("limit").unwrap_or(SEARCH_DEFAULT_LIMIT)))?;
    let page = users::search(app, query, limit).await?;
    tracing::debug!(consumed_rcu = page.consumed_rcu, "user search");
    Ok(ApiResponse::page(&page.users, None))
}

async fn list(app: &App, req: &ApiRequest) -> Result<ApiResponse> {
    caller(app, req).await?;
    let page = users::list(app, page_request(req)?).await?;
    Ok(ApiResponse::page(&page.items, page.next_cursor))
}
