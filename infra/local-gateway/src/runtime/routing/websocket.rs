//! WebSocket route selection: `$request.body.<field>` against the route keys, else `$default`.

use std::collections::HashMap;

use serde_json::Value;

use crate::template::WebSocketApiDef;

#[derive(Debug, thiserror::Error)]
pub enum WsRouteError {
    #[error("RouteSelectionExpression {0:?} is not supported locally; use `$request.body.<field>`")]
    UnsupportedSelection(String),
    #[error("WebSocket route {0} is declared twice")]
    Duplicate(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsRoute {
    pub route_key: String,
    pub function: String,
    pub two_way: bool,
}

#[derive(Debug)]
pub struct WsRoutes {
    /// Field path inside the JSON body, e.g. `["action"]`.
    selection: Vec<String>,
    routes: HashMap<String, WsRoute>,
}

impl WsRoutes {
    pub fn new(api: &WebSocketApiDef) -> Result<Self, WsRouteError> {
        let expression = api.route_selection_expression.trim();
        // API Gateway accepts both `$request.body.x` and `${request.body.x}`.
        let bare = expression
            .strip_prefix("${")
            .and_then(|inner| inner.strip_suffix('}'))
            .or_else(|| expression.strip_prefix('$'))
            .unwrap_or(expression);
        let selection: Vec<String> = bare
            .strip_prefix("request.body.")
            .map(|path| path.split('.').map(str::to_owned).collect())
            .filter(|path: &Vec<String>| path.iter().all(|field| !field.is_empty()))
            .ok_or_else(|| WsRouteError::UnsupportedSelection(expression.to_owned()))?;
        let mut routes = HashMap::new();
        for route in &api.routes {
            let previous = routes.insert(
                route.route_key.clone(),
                WsRoute {
                    route_key: route.route_key.clone(),
                    function: route.function.clone(),
                    two_way: route.two_way,
                },
            );
            if previous.is_some() {
                return Err(WsRouteError::Duplicate(route.route_key.clone()));
            }
        }
        Ok(Self { selection, routes })
    }

    pub fn get(&self, route_key: &str) -> Option<&WsRoute> {
        self.routes.get(route_key)
    }

    /// The route for an incoming frame: the one named by the selection field when the frame is
    /// a JSON object naming a custom route, else `$default` (if there is one).
    pub fn select(&self, frame: Option<&str>) -> Option<&WsRoute> {
        frame
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .and_then(|body| {
                let selected = self
                    .selection
                    .iter()
                    .try_fold(&body, |value, field| value.get(field))?;
                selected.as_str().map(str::to_owned)
            })
            // The `$` keys are lifecycle routes, never selected by content.
            .filter(|key| !key.starts_with('$'))
            .and_then(|key| self.routes.get(&key))
            .or_else(|| self.routes.get("$default"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::template::WebSocketRouteDef;

    fn api(expression: &str, keys: &[&str]) -> WebSocketApiDef {
        WebSocketApiDef {
            logical_id: "Ws".into(),
            route_selection_expression: expression.into(),
            routes: keys
                .iter()
                .map(|key| WebSocketRouteDef {
                    route_key: (*key).into(),
                    function: format!("fn-{key}"),
                    two_way: false,
                })
                .collect(),
        }
    }

    fn selected<'a>(routes: &'a WsRoutes, frame: &str) -> Option<&'a str> {
        routes.select(Some(frame)).map(|r| r.route_key.as_str())
    }

    #[test]
    fn selects_by_action_then_default() {
        let routes = WsRoutes::new(&api(
            "$request.body.action",
            &["$connect", "$default", "sendMessage"],
        ))
        .unwrap();
        assert_eq!(
            selected(&routes, r#"{"action":"sendMessage"}"#),
            Some("sendMessage")
        );
        assert_eq!(selected(&routes, r#"{"action":"nope"}"#), Some("$default"));
        assert_eq!(
            selected(&routes, r#"{"action":"$connect"}"#),
            Some("$default")
        );
        assert_eq!(selected(&routes, r#"{"action":7}"#), Some("$default"));
        assert_eq!(selected(&routes, "not json"), Some("$default"));
        assert_eq!(
            routes.select(None).map(|r| r.route_key.as_str()),
            Some("$default")
        );
    }

    #[test]
    fn without_default_unmatched_frames_have_no_route() {
        let routes = WsRoutes::new(&api("${request.body.meta.kind}", &["ping"])).unwrap();
        assert_eq!(
            selected(&routes, r#"{"meta":{"kind":"ping"}}"#),
            Some("ping")
        );
        assert_eq!(selected(&routes, r#"{"kind":"ping"}"#), None);
    }

    #[test]
    fn rejects_unsupported_expressions_and_duplicates() {
        assert!(WsRoutes::new(&api("$request.header.x", &[])).is_err());
        assert!(WsRoutes::new(&api("$request.body.action", &["a", "a"])).is_err());
    }
}
