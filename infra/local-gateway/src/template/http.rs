//! The HTTP API: routes from functions' `HttpApi` events, and the `AWS::Serverless::HttpApi`
//! resources whose settings (CORS, route settings) apply to them.

use serde_yaml::Value;

use super::functions::binary_of;
use super::{HTTP_API, Template, TemplateError, intrinsics, invalid};

/// One `HttpApi` event of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRouteDef {
    /// `GET /users/{user_id}`, `ANY /{proxy+}` or `$default`, as API Gateway names it.
    pub route_key: String,
    /// Upper-case method; `None` for `ANY`.
    pub method: Option<String>,
    /// The path pattern; `None` for the `$default` route.
    pub path: Option<String>,
    pub function: String,
}

impl Template {
    /// Every `HttpApi` event of every function, as a route.
    pub fn http_routes(&self) -> Result<Vec<HttpRouteDef>, TemplateError> {
        self.function_events("HttpApi")
            .map(|(id, resource, name, props)| {
                if props.and_then(|p| p.get("RouteSettings")).is_some() {
                    // One place for the numbers, so the local gateway and the docs agree.
                    return Err(invalid(
                        &format!("{id} event {name}"),
                        "event-level RouteSettings are not read locally; put them in the HttpApi's RouteSettings",
                    ));
                }
                http_route(
                    &format!("{id} event {name}"),
                    props,
                    binary_of(id, resource)?,
                )
            })
            .collect()
    }

    /// The `CorsConfiguration` of the HTTP API, with the API's logical id. The gateway serves
    /// every `HttpApi` event on one port, so at most one API may configure CORS.
    pub fn http_api_cors(&self) -> Result<Option<(String, Value)>, TemplateError> {
        let mut configured = self
            .resources_of(HTTP_API)
            .filter_map(|(id, api)| Some((id, api.property("CorsConfiguration")?)))
            .filter(|(_, cors)| !cors.is_null());
        let Some((id, cors)) = configured.next() else {
            return Ok(None);
        };
        if let Some((other, _)) = configured.next() {
            return Err(invalid(
                other,
                format!("{id} configures CORS too; the local gateway serves one HTTP API"),
            ));
        }
        Ok(Some((id.to_owned(), cors.clone())))
    }

    /// Every `AWS::Serverless::HttpApi`: logical id and `Properties`.
    pub(crate) fn http_apis(&self) -> Vec<(&str, Option<&Value>)> {
        self.resources_of(HTTP_API)
            .map(|(id, api)| (id, api.properties()))
            .collect()
    }
}

fn http_route(
    where_: &str,
    properties: Option<&Value>,
    function: String,
) -> Result<HttpRouteDef, TemplateError> {
    let text = |name: &str| -> Result<Option<&str>, TemplateError> {
        match properties.and_then(|p| p.get(name)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.as_str())),
            Some(other) => Err(invalid(
                where_,
                format!(
                    "{name} must be a plain string, found {}",
                    intrinsics::describe(other)
                ),
            )),
        }
    };
    let path = text("Path")?;
    let method = text("Method")?;
    let path = match path {
        // SAM makes an HttpApi event without Path and Method the `$default` route.
        None | Some("$default") => {
            return Ok(HttpRouteDef {
                route_key: "$default".to_owned(),
                method: None,
                path: None,
                function,
            });
        }
        Some(path) => path,
    };
    if !path.starts_with('/') {
        return Err(invalid(
            where_,
            format!("Path {path:?} does not start with `/`"),
        ));
    }
    let method = method
        .map(str::to_ascii_uppercase)
        .filter(|m| m != "ANY" && m != "X-AMAZON-APIGATEWAY-ANY-METHOD");
    let route_key = format!("{} {path}", method.as_deref().unwrap_or("ANY"));
    Ok(HttpRouteDef {
        route_key,
        method,
        path: Some(path.to_owned()),
        function,
    })
}
