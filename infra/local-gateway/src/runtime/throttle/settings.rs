//! The throttling numbers of the template: `DefaultRouteSettings` and `RouteSettings` (keyed by
//! route key) of the SAM `HttpApi` and of the WebSocket API's `AWS::ApiGatewayV2::Stage`.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::template::intrinsics;
use crate::template::{Template, TemplateError};

/// One route's `ThrottlingBurstLimit` and `ThrottlingRateLimit`, either possibly unset.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RouteThrottle {
    pub burst: Option<f64>,
    pub rate: Option<f64>,
}

/// A stage's throttling: its defaults and its per-route settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageThrottle {
    /// The resource the settings come from, for error messages.
    pub owner: String,
    pub default: RouteThrottle,
    pub routes: BTreeMap<String, RouteThrottle>,
}

impl StageThrottle {
    /// The route's numbers, each falling back to the stage default; `None` when either is
    /// unset both ways (only the account-level limits would apply, which are not emulated).
    pub fn limit(&self, route_key: &str) -> Option<(f64, f64)> {
        let route = self.routes.get(route_key).copied().unwrap_or_default();
        Some((
            route.rate.or(self.default.rate)?,
            route.burst.or(self.default.burst)?,
        ))
    }
}

/// The HTTP API's throttling. The gateway serves every `HttpApi` event on one port, so at most
/// one HTTP API may set it (as with CORS).
pub fn http_api(template: &Template) -> Result<Option<StageThrottle>, TemplateError> {
    single(
        template
            .http_apis()
            .into_iter()
            .map(|(id, props)| read_stage(template, id, props))
            .collect::<Result<Vec<_>, _>>()?,
        "HTTP API",
    )
}

/// The throttling of the WebSocket API `api_id`'s stage; the gateway serves one stage.
pub fn websocket_stage(
    template: &Template,
    api_id: &str,
) -> Result<Option<StageThrottle>, TemplateError> {
    single(
        template
            .stages_of(api_id)
            .into_iter()
            .map(|(id, props)| read_stage(template, id, props))
            .collect::<Result<Vec<_>, _>>()?,
        "WebSocket stage",
    )
}

fn single(
    stages: Vec<Option<StageThrottle>>,
    what: &str,
) -> Result<Option<StageThrottle>, TemplateError> {
    let mut set = stages.into_iter().flatten();
    let first = set.next();
    if let (Some(first), Some(other)) = (&first, set.next()) {
        return Err(TemplateError::Invalid {
            resource: other.owner.clone(),
            problem: format!(
                "{} sets throttling too; the local gateway serves one {what}",
                first.owner
            ),
        });
    }
    Ok(first)
}

fn read_stage(
    template: &Template,
    owner: &str,
    properties: Option<&Value>,
) -> Result<Option<StageThrottle>, TemplateError> {
    let default = properties.and_then(|p| p.get("DefaultRouteSettings"));
    let routes = properties.and_then(|p| p.get("RouteSettings"));
    if default.is_none_or(Value::is_null) && routes.is_none_or(Value::is_null) {
        return Ok(None);
    }
    let problem = |what: String| TemplateError::Invalid {
        resource: owner.to_owned(),
        problem: what,
    };
    let mut stage = StageThrottle {
        owner: owner.to_owned(),
        default: route_throttle(template, default, "DefaultRouteSettings").map_err(problem)?,
        routes: BTreeMap::new(),
    };
    match routes {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(routes)) => {
            for (key, settings) in routes {
                let key = key
                    .as_str()
                    .ok_or_else(|| problem(format!("RouteSettings key {key:?} is not a string")))?;
                let settings =
                    route_throttle(template, Some(settings), &format!("RouteSettings {key:?}"))
                        .map_err(problem)?;
                stage.routes.insert(key.to_owned(), settings);
            }
        }
        Some(other) => {
            return Err(problem(format!(
                "RouteSettings is {}, not a map",
                intrinsics::describe(other)
            )));
        }
    }
    Ok(Some(stage))
}

fn route_throttle(
    template: &Template,
    settings: Option<&Value>,
    what: &str,
) -> Result<RouteThrottle, String> {
    let field = |name: &str| -> Result<Option<f64>, String> {
        match settings.and_then(|s| s.get(name)) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => template
                .number(value)
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "{what}: {name} {} is not a non-negative number the gateway can resolve",
                        intrinsics::describe(value)
                    )
                }),
        }
    };
    Ok(RouteThrottle {
        burst: field("ThrottlingBurstLimit")?,
        rate: field("ThrottlingRateLimit")?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  Burst: { Type: Number, Default: 7 }
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: { ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }
      RouteSettings:
        "POST /login": { ThrottlingBurstLimit: !Ref Burst, ThrottlingRateLimit: 0.5 }
        "GET /me": { ThrottlingRateLimit: "3" }
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: { ProtocolType: WEBSOCKET }
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Ws
      RouteSettings:
        sendMessage: { ThrottlingBurstLimit: 4, ThrottlingRateLimit: 2 }
"#;

    #[test]
    fn reads_defaults_routes_and_parameters() {
        let template = Template::parse(TEMPLATE).unwrap();
        let http = http_api(&template).unwrap().unwrap();
        assert_eq!(http.limit("POST /login"), Some((0.5, 7.0)));
        assert_eq!(http.limit("GET /me"), Some((3.0, 20.0)));
        assert_eq!(http.limit("GET /other"), Some((10.0, 20.0)));
        let ws = websocket_stage(&template, "Ws").unwrap().unwrap();
        assert_eq!(ws.owner, "Stage");
        assert_eq!(ws.limit("sendMessage"), Some((2.0, 4.0)));
        // No default on this stage: other routes are not throttled locally.
        assert_eq!(ws.limit("typing"), None);
    }

    #[test]
    fn rejects_what_it_cannot_apply() {
        for (bad, needle) in [
            ("ThrottlingRateLimit: 0.5", "ThrottlingRateLimit: -1"),
            (
                "ThrottlingRateLimit: 0.5",
                "ThrottlingRateLimit: !GetAtt X.Y",
            ),
            ("ThrottlingBurstLimit: 20", "ThrottlingBurstLimit: lots"),
        ] {
            let template = Template::parse(&TEMPLATE.replacen(bad, needle, 1)).unwrap();
            let error = http_api(&template).unwrap_err().to_string();
            assert!(error.contains("Api"), "{error}");
        }
        let two_stages = format!(
            "{TEMPLATE}  Stage2:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties:\n      ApiId: !Ref Ws\n      DefaultRouteSettings: {{ ThrottlingRateLimit: 1 }}\n"
        );
        let template = Template::parse(&two_stages).unwrap();
        assert!(websocket_stage(&template, "Ws").is_err());
    }
}
