//! The WebSocket API: its routes, each through its integration to a function, and its stages.

use serde_yaml::Value;

use super::intrinsics::{self, Reference};
use super::{
    FUNCTION, Template, TemplateError, V2_API, V2_INTEGRATION, V2_ROUTE, V2_STAGE, invalid,
};

/// The WebSocket API (`AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketApiDef {
    pub logical_id: String,
    pub route_selection_expression: String,
    pub routes: Vec<WebSocketRouteDef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketRouteDef {
    pub route_key: String,
    /// The binary of the function behind the route's Lambda proxy integration.
    pub function: String,
    /// A route with `RouteResponseSelectionExpression`: the function's `body` goes back to the
    /// client.
    pub two_way: bool,
}

impl Template {
    /// Every `AWS::ApiGatewayV2::Stage` of the API `api_id`: logical id and `Properties`.
    pub(crate) fn stages_of(&self, api_id: &str) -> Vec<(&str, Option<&Value>)> {
        self.resources_of(V2_STAGE)
            .filter(|(_, stage)| {
                stage
                    .property("ApiId")
                    .map(intrinsics::references)
                    .is_some_and(|refs| refs.iter().any(|r| r.logical_id == api_id))
            })
            .map(|(id, stage)| (id, stage.properties()))
            .collect()
    }

    /// The WebSocket API and its Lambda-backed routes, if the template has one.
    pub fn websocket_api(&self) -> Result<Option<WebSocketApiDef>, TemplateError> {
        let apis: Vec<&str> = self
            .resources_of(V2_API)
            .filter(|(_, api)| {
                api.property("ProtocolType").and_then(Value::as_str) == Some("WEBSOCKET")
            })
            .map(|(id, _)| id)
            .collect();
        let api_id = match apis.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            several => {
                return Err(TemplateError::SeveralWebSocketApis {
                    count: several.len(),
                    ids: several.join(", "),
                });
            }
        };
        let route_selection_expression = self
            .resources
            .get(api_id)
            .and_then(|api| api.property("RouteSelectionExpression"))
            .and_then(Value::as_str)
            .unwrap_or("$request.body.action")
            .to_owned();

        let mut routes = Vec::new();
        for (route_id, route) in self.resources_of(V2_ROUTE) {
            let belongs = route
                .property("ApiId")
                .map(intrinsics::references)
                .is_some_and(|refs| refs.iter().any(|r| r.logical_id == api_id));
            if !belongs {
                continue;
            }
            let route_key = route
                .property("RouteKey")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(route_id, "has no string RouteKey"))?;
            let target = route.property("Target").ok_or_else(|| {
                invalid(
                    route_id,
                    "has no Target; only Lambda proxy routes run locally",
                )
            })?;
            let integration = self
                .single_reference(target, V2_INTEGRATION)
                .ok_or_else(|| {
                    invalid(
                        route_id,
                        "Target does not name an AWS::ApiGatewayV2::Integration (expected `integrations/<Ref>`)",
                    )
                })?;
            let uri = self
                .resources
                .get(&integration.logical_id)
                .and_then(|resource| resource.property("IntegrationUri"))
                .ok_or_else(|| invalid(&integration.logical_id, "has no IntegrationUri"))?;
            let function = self.single_reference(uri, FUNCTION).ok_or_else(|| {
                invalid(
                    &integration.logical_id,
                    "IntegrationUri does not name an AWS::Serverless::Function (expected ${Function.Arn})",
                )
            })?;
            let two_way = route
                .property("RouteResponseSelectionExpression")
                .is_some_and(|expression| !expression.is_null());
            routes.push(WebSocketRouteDef {
                route_key: route_key.to_owned(),
                function: self.function_binary(&function.logical_id)?,
                two_way,
            });
        }
        Ok(Some(WebSocketApiDef {
            logical_id: api_id.to_owned(),
            route_selection_expression,
            routes,
        }))
    }

    fn single_reference(&self, value: &Value, kind: &str) -> Option<Reference> {
        let mut matching = intrinsics::references(value)
            .into_iter()
            .filter(|reference| self.is(&reference.logical_id, kind));
        let first = matching.next()?;
        // Two different targets would make the choice arbitrary.
        matching
            .all(|other| other.logical_id == first.logical_id)
            .then_some(first)
    }
}
