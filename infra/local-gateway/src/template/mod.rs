//! The subset of an AWS SAM template the local stack runs from: functions (binary names and
//! environment), DynamoDB tables, HTTP API routes and the WebSocket API's routes.
//!
//! The template is parsed once; route and environment extraction are separate calls so that a
//! problem in, say, a WebSocket route does not stop `tables` or `env` from working.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

pub mod env;
pub mod intrinsics;

use intrinsics::Reference;

const FUNCTION: &str = "AWS::Serverless::Function";
const TABLE: &str = "AWS::DynamoDB::Table";
const BUCKET: &str = "AWS::S3::Bucket";
const V2_API: &str = "AWS::ApiGatewayV2::Api";
const HTTP_API: &str = "AWS::Serverless::HttpApi";
const V2_ROUTE: &str = "AWS::ApiGatewayV2::Route";
const V2_INTEGRATION: &str = "AWS::ApiGatewayV2::Integration";
const V2_STAGE: &str = "AWS::ApiGatewayV2::Stage";

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template has no `Resources` map")]
    NoResources,
    #[error("resource {resource}: {problem}")]
    Invalid { resource: String, problem: String },
    #[error(
        "the template declares {count} WebSocket APIs ({ids}); the local gateway serves exactly one at /ws"
    )]
    SeveralWebSocketApis { count: usize, ids: String },
}

fn invalid(resource: &str, problem: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        resource: resource.to_owned(),
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
struct Resource {
    kind: String,
    body: Mapping,
}

impl Resource {
    fn properties(&self) -> Option<&Value> {
        self.body.get("Properties")
    }

    fn property(&self, name: &str) -> Option<&Value> {
        self.properties().and_then(|props| props.get(name))
    }
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    resources: BTreeMap<String, Resource>,
    parameters: Mapping,
    global_environment: Mapping,
}

/// An `AWS::Serverless::Function`.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub logical_id: String,
    /// The name `cargo lambda watch` serves the function under.
    pub binary: String,
    pub environment: BTreeMap<String, Value>,
}

/// An `AWS::DynamoDB::Table`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub logical_id: String,
    /// `TableName` when it is a plain string, else the logical id.
    pub name: String,
    pub properties: Value,
}

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

/// One `Schedule` event of a function, as written (the expression is read by
/// [`crate::sources::schedule`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleEventDef {
    /// `<function logical id><event name>`, the rule name SAM derives.
    pub rule: String,
    pub function: String,
    /// `rate(...)` or `cron(...)`.
    pub expression: String,
    pub enabled: bool,
    /// `Input`: the JSON text EventBridge sends instead of the scheduled event.
    pub input: Option<String>,
}

/// One event of a function, of any type, with its `Properties` (`Null` when absent).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionEvent {
    pub function_id: String,
    pub binary: String,
    pub name: String,
    pub properties: Value,
}

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
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let document: Value = serde_yaml::from_str(text)?;
        let resources_map = document
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or(TemplateError::NoResources)?;
        let mut resources = BTreeMap::new();
        for (id, body) in resources_map {
            let id = id
                .as_str()
                .ok_or_else(|| invalid(&format!("{id:?}"), "logical id is not a string"))?;
            let body = body
                .as_mapping()
                .ok_or_else(|| invalid(id, "definition is not a map"))?;
            let kind = body
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(id, "has no `Type`"))?;
            resources.insert(
                id.to_owned(),
                Resource {
                    kind: kind.to_owned(),
                    body: body.clone(),
                },
            );
        }
        let parameters = document
            .get("Parameters")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        let global_environment = document
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("Environment"))
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        Ok(Self {
            resources,
            parameters,
            global_environment,
        })
    }

    fn resources_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Resource)> {
        self.resources
            .iter()
            .filter(move |(_, resource)| resource.kind == kind)
            .map(|(id, resource)| (id.as_str(), resource))
    }

    fn is(&self, logical_id: &str, kind: &str) -> bool {
        self.resources
            .get(logical_id)
            .is_some_and(|resource| resource.kind == kind)
    }

    /// `Globals.Function.Environment.Variables`.
    pub fn global_environment(&self) -> Result<BTreeMap<String, Value>, TemplateError> {
        variables(&self.global_environment, "Globals")
    }

    /// The `Default` of a template parameter; `Some(None)` for a parameter without one.
    pub fn parameter_default(&self, name: &str) -> Option<Option<&Value>> {
        self.parameters
            .get(name)
            .map(|parameter| parameter.get("Default"))
    }

    pub fn functions(&self) -> Result<Vec<Function>, TemplateError> {
        self.resources_of(FUNCTION)
            .map(|(id, resource)| {
                let environment = match resource
                    .property("Environment")
                    .and_then(|env| env.get("Variables"))
                {
                    None | Some(Value::Null) => BTreeMap::new(),
                    Some(Value::Mapping(vars)) => variables(vars, id)?,
                    Some(_) => return Err(invalid(id, "Environment.Variables is not a map")),
                };
                Ok(Function {
                    logical_id: id.to_owned(),
                    binary: binary_of(id, resource)?,
                    environment,
                })
            })
            .collect()
    }

    fn function_binary(&self, logical_id: &str) -> Result<String, TemplateError> {
        match self.resources.get(logical_id) {
            Some(resource) if resource.kind == FUNCTION => binary_of(logical_id, resource),
            _ => Err(invalid(logical_id, "is not an AWS::Serverless::Function")),
        }
    }

    pub fn tables(&self) -> Vec<Table> {
        self.resources_of(TABLE)
            .map(|(id, resource)| Table {
                logical_id: id.to_owned(),
                name: table_name(id, resource),
                properties: resource.properties().cloned().unwrap_or(Value::Null),
            })
            .collect()
    }

    /// The local name of a table resource, when `logical_id` is one.
    pub fn table_name(&self, logical_id: &str) -> Option<String> {
        self.resources
            .get(logical_id)
            .filter(|resource| resource.kind == TABLE)
            .map(|resource| table_name(logical_id, resource))
    }

    /// The local name of a bucket resource, when `logical_id` is one: its `BucketName`, else
    /// the logical id in lower case (S3 bucket names are lower case).
    pub fn bucket_name(&self, logical_id: &str) -> Option<String> {
        self.resources
            .get(logical_id)
            .filter(|resource| resource.kind == BUCKET)
            .map(|resource| match resource.property("BucketName") {
                Some(Value::String(name)) if !name.is_empty() => name.clone(),
                _ => logical_id.to_ascii_lowercase(),
            })
    }

    /// The local names of every bucket of the template.
    pub fn bucket_names(&self) -> Vec<String> {
        self.resources_of(BUCKET)
            .filter_map(|(id, _)| self.bucket_name(id))
            .collect()
    }

    /// Every event of type `kind` of every function: (function id, function, event name, the
    /// event's `Properties`).
    fn function_events<'a>(
        &'a self,
        kind: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Resource, &'a str, Option<&'a Value>)> {
        self.resources_of(FUNCTION).flat_map(move |(id, resource)| {
            resource
                .property("Events")
                .and_then(Value::as_mapping)
                .into_iter()
                .flatten()
                .filter(move |(_, event)| event.get("Type").and_then(Value::as_str) == Some(kind))
                .map(move |(name, event)| {
                    let name = name.as_str().unwrap_or("?");
                    (id, resource, name, event.get("Properties"))
                })
        })
    }

    /// Every event of type `kind` of every function, as written; the caller reads the
    /// properties (the DynamoDB stream sources in [`crate::sources::streams`]).
    pub(crate) fn events_of(&self, kind: &str) -> Result<Vec<FunctionEvent>, TemplateError> {
        self.function_events(kind)
            .map(|(id, resource, name, props)| {
                Ok(FunctionEvent {
                    function_id: id.to_owned(),
                    binary: binary_of(id, resource)?,
                    name: name.to_owned(),
                    properties: props.cloned().unwrap_or(Value::Null),
                })
            })
            .collect()
    }

    /// The `Type` of a resource, when `logical_id` is one.
    pub(crate) fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .get(logical_id)
            .map(|resource| resource.kind.as_str())
    }

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

    /// Every `Schedule` event of every function.
    pub fn schedule_events(&self) -> Result<Vec<ScheduleEventDef>, TemplateError> {
        self.function_events("Schedule")
            .map(|(id, resource, name, props)| {
                let text = |key: &str| props.and_then(|p| p.get(key)).and_then(Value::as_str);
                let expression = text("Schedule").ok_or_else(|| {
                    invalid(
                        &format!("{id} event {name}"),
                        "Schedule must be a plain string",
                    )
                })?;
                let enabled = props
                    .and_then(|p| p.get("Enabled"))
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
                    && text("State") != Some("DISABLED");
                Ok(ScheduleEventDef {
                    rule: format!("{id}{name}"),
                    function: binary_of(id, resource)?,
                    expression: expression.to_owned(),
                    enabled,
                    input: text("Input").map(str::to_owned),
                })
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

fn binary_of(id: &str, resource: &Resource) -> Result<String, TemplateError> {
    match resource
        .body
        .get("Metadata")
        .and_then(|m| m.get("BuildProperties"))
        .and_then(|b| b.get("Binary"))
    {
        None | Some(Value::Null) => Ok(id.to_lowercase()),
        Some(Value::String(binary)) if !binary.is_empty() => Ok(binary.clone()),
        Some(_) => Err(invalid(
            id,
            "Metadata.BuildProperties.Binary is not a non-empty string",
        )),
    }
}

fn table_name(id: &str, resource: &Resource) -> String {
    match resource.property("TableName") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => id.to_owned(),
    }
}

fn variables(map: &Mapping, owner: &str) -> Result<BTreeMap<String, Value>, TemplateError> {
    map.iter()
        .map(|(key, value)| match key.as_str() {
            Some(key) => Ok((key.to_owned(), value.clone())),
            None => Err(invalid(
                owner,
                format!("environment variable name {key:?} is not a string"),
            )),
        })
        .collect()
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  JwtSecret:
    Type: String
    Default: dev-secret
  NoDefault:
    Type: String
Globals:
  Function:
    Environment:
      Variables:
        RUST_LOG: info
Resources:
  FilesBucket:
    Type: AWS::S3::Bucket
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: chat-users
  MessagesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-messages"
  UsersFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: users
    Properties:
      Environment:
        Variables:
          USERS_TABLE: !Ref UsersTable
      Events:
        Register:
          Type: HttpApi
          Properties:
            Path: /users/register
            Method: post
        Any:
          Type: HttpApi
          Properties:
            Path: /users/{proxy+}
            Method: ANY
        Default:
          Type: HttpApi
        Queue:
          Type: SQS
  WsFunction:
    Type: AWS::Serverless::Function
  WsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: "$request.body.action"
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WsApi
      RouteKey: $connect
      Target: !Join ['/', ['integrations', !Ref WsIntegration]]
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: {Ref: WsApi}
      RouteKey: sendMessage
      RouteResponseSelectionExpression: $default
      Target: !Sub integrations/${WsIntegration}
  WsIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WsFunction.Arn}/invocations
"#;

    #[test]
    fn reads_tables_with_local_names() {
        let template = Template::parse(TEMPLATE).unwrap();
        let names: Vec<_> = template.tables().into_iter().map(|t| t.name).collect();
        assert_eq!(names, vec!["MessagesTable", "chat-users"]);
        assert_eq!(
            template.table_name("UsersTable").as_deref(),
            Some("chat-users")
        );
        assert_eq!(template.table_name("UsersFunction"), None);
    }

    #[test]
    fn buckets_have_lower_case_local_names() {
        let template = Template::parse(TEMPLATE).unwrap();
        assert_eq!(template.bucket_names(), vec!["filesbucket"]);
        assert_eq!(template.bucket_name("UsersTable"), None);
    }

    #[test]
    fn reads_functions_and_http_routes() {
        let template = Template::parse(TEMPLATE).unwrap();
        let functions = template.functions().unwrap();
        assert_eq!(functions[0].binary, "users");
        assert_eq!(functions[1].binary, "wsfunction");
        let routes = template.http_routes().unwrap();
        let keys: Vec<_> = routes.iter().map(|r| r.route_key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["POST /users/register", "ANY /users/{proxy+}", "$default"]
        );
        assert_eq!(routes[0].method.as_deref(), Some("POST"));
        assert_eq!(routes[1].method, None);
        assert_eq!(
            template
                .parameter_default("JwtSecret")
                .flatten()
                .and_then(Value::as_str),
            Some("dev-secret")
        );
        assert_eq!(template.parameter_default("NoDefault"), Some(None));
    }

    #[test]
    fn reads_websocket_routes_through_integrations() {
        let template = Template::parse(TEMPLATE).unwrap();
        let api = template.websocket_api().unwrap().unwrap();
        assert_eq!(api.logical_id, "WsApi");
        assert_eq!(
            api.routes,
            vec![
                WebSocketRouteDef {
                    route_key: "$connect".into(),
                    function: "wsfunction".into(),
                    two_way: false
                },
                WebSocketRouteDef {
                    route_key: "sendMessage".into(),
                    function: "wsfunction".into(),
                    two_way: true
                },
            ]
        );
    }

    #[test]
    fn rejects_a_route_without_a_lambda_target() {
        let broken = TEMPLATE.replace(
            "Target: !Sub integrations/${WsIntegration}",
            "Target: integrations/abc123",
        );
        let template = Template::parse(&broken).unwrap();
        let error = template.websocket_api().unwrap_err().to_string();
        assert!(error.contains("SendRoute"), "{error}");
        // The other commands still work on the same template.
        assert_eq!(template.tables().len(), 2);
    }

    #[test]
    fn rejects_templates_without_resources() {
        assert!(matches!(
            Template::parse("Globals: {}"),
            Err(TemplateError::NoResources)
        ));
    }
}
