//! The API documentation as a web function: the committed OpenAPI document at `/openapi.json`,
//! Swagger UI at `/docs` and ReDoc at `/redoc`. Every file is compiled into the binary and every
//! URL the pages use is a path on the same origin, so the pages load with no request to any
//! other host, on AWS (default stage) as on the local stack.

use std::borrow::Cow;
use std::sync::Arc;

use lambda_http::http::{self, Method, StatusCode, header};
use lambda_http::{Body, Response};
use utoipa_swagger_ui::Config;

/// The committed document, served as is: it is generated from the code's types elsewhere.
pub const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");
/// ReDoc's standalone bundle (npm `redoc`, pinned and checked by infra/scripts/update-redoc.sh).
pub const REDOC_JS: &str = include_str!("../assets/redoc.standalone.js");
const REDOC_HTML: &str = include_str!("redoc.html");

pub const OPENAPI_PATH: &str = "/openapi.json";
pub const REDOC_JS_PATH: &str = "/redoc/redoc.standalone.js";
const SWAGGER_PREFIX: &str = "/docs/";

/// Pages, the document and Swagger UI's generated configuration change with a deployment:
/// browsers revalidate them. Vendored assets change only with a dependency bump.
const NO_CACHE: &str = "no-cache";
const ASSET_CACHE: &str = "public, max-age=86400";

/// What the docs function serves, built once per cold start.
pub struct Docs {
    swagger: Arc<Config<'static>>,
    swagger_index: String,
    redoc_js: String,
}

/// ReDoc's menu shows Redocly's logo from Redocly's CDN, unconditionally. An empty data URL
/// instead is an image that fails to load, which ReDoc handles by leaving the logo out.
const REDOC_CDN_LOGO: &str = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const NO_IMAGE: &str = "data:,";

impl Docs {
    /// Swagger UI reads the document from the same origin, with the online validator off (it
    /// would send the document to another host) and the token kept across reloads.
    pub fn new() -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let swagger = Arc::new(
            Config::new([OPENAPI_PATH])
                .validator_url("none")
                .persist_authorization(true)
                .display_request_duration(true),
        );
        let index = utoipa_swagger_ui::serve("index.html", swagger.clone())
            .map_err(|e| e.to_string())?
            .ok_or("Swagger UI has no index.html")?;
        // The page links its files relatively (`./swagger-ui.css`, `index.css`): from `/docs`
        // (no slash) they would resolve to `/x`. A base of `/docs/` holds from either form.
        let swagger_index = String::from_utf8(index.bytes.into_owned())?.replacen(
            "<head>",
            &format!("<head>\n    <base href=\"{SWAGGER_PREFIX}\">"),
            1,
        );
        Ok(Docs {
            swagger,
            swagger_index,
            redoc_js: REDOC_JS.replace(REDOC_CDN_LOGO, NO_IMAGE),
        })
    }

    /// The response to `method path`; anything not served is API Gateway's own 404, like the
    /// other route groups.
    pub fn respond(&self, method: &Method, path: &str) -> Result<Response<Body>, http::Error> {
        if method != Method::GET {
            return not_found();
        }
        match path {
            OPENAPI_PATH => ok("application/json", NO_CACHE, OPENAPI_JSON.into()),
            "/docs" | "/docs/" | "/docs/index.html" => page(self.swagger_index.clone().into()),
            "/redoc" | "/redoc/" => page(REDOC_HTML.into()),
            REDOC_JS_PATH => ok(JAVASCRIPT, ASSET_CACHE, self.redoc_js.clone().into()),
            _ => match path.strip_prefix(SWAGGER_PREFIX) {
                Some(file) => self.swagger_file(file),
                None => not_found(),
            },
        }
    }

    fn swagger_file(&self, file: &str) -> Result<Response<Body>, http::Error> {
        match utoipa_swagger_ui::serve(file, self.swagger.clone()) {
            Ok(Some(found)) => {
                // The initializer carries this function's configuration.
                let cache = if file == "swagger-initializer.js" {
                    NO_CACHE
                } else {
                    ASSET_CACHE
                };
                let content_type = with_charset(&found.content_type);
                ok(&content_type, cache, body(found.bytes))
            }
            Ok(None) => not_found(),
            Err(error) => {
                eprintln!("Swagger UI could not serve {file}: {error}");
                Response::builder()
                    .status(StatusCode::INTERNAL_SERVER_ERROR)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(r#"{"error":{"code":"internal","message":"internal error"}}"#.into())
            }
        }
    }
}

const HTML: &str = "text/html; charset=utf-8";
/// The pages may load from this origin only, whatever a future bundle or document asks for:
/// the browser refuses the rest before any request leaves. Inline styles: both UIs inject them.
const PAGE_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
    font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; \
    frame-ancestors 'none'";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// Text goes out as text; images as binary (base64 in the Lambda response).
fn body(bytes: Cow<'static, [u8]>) -> Body {
    match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(text) => Body::Text(text.to_owned()),
            Err(_) => Body::Binary(b.to_vec()),
        },
        Cow::Owned(b) => match String::from_utf8(b) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        },
    }
}

fn with_charset(content_type: &str) -> String {
    let textual = content_type.starts_with("text/")
        || content_type == "application/javascript"
        || content_type == "application/json";
    if textual && !content_type.contains("charset") {
        format!("{content_type}; charset=utf-8")
    } else {
        content_type.to_owned()
    }
}

fn ok(content_type: &str, cache: &str, body: Body) -> Result<Response<Body>, http::Error> {
    builder(content_type, cache).body(body)
}

fn page(body: Body) -> Result<Response<Body>, http::Error> {
    builder(HTML, NO_CACHE)
        .header(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)
        .body(body)
}

fn builder(content_type: &str, cache: &str) -> http::response::Builder {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
}

/// API Gateway's answer when no route matches, byte for byte.
fn not_found() -> Result<Response<Body>, http::Error> {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"message":"Not Found"}"#.into())
}

#[cfg(test)]
mod tests;
