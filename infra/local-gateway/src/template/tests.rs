//! The template's readers on one template that uses every form they accept.
#![allow(clippy::unwrap_used)]

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

#[test]
fn reads_function_timeouts_with_the_global_and_lambdas_defaults() {
    let secs = std::time::Duration::from_secs;
    let template = Template::parse(TEMPLATE).unwrap();
    let timeouts = template.function_timeouts().unwrap();
    assert_eq!(timeouts["users"], DEFAULT_TIMEOUT);
    let with_global = TEMPLATE.replace(
        "Globals:\n  Function:\n",
        "Globals:\n  Function:\n    Timeout: 10\n",
    );
    let with_own = with_global.replace(
        "    Properties:\n      Environment:\n        Variables:\n          USERS_TABLE",
        "    Properties:\n      Timeout: !Ref Patience\n      Environment:\n        Variables:\n          USERS_TABLE",
    ).replace("Parameters:\n", "Parameters:\n  Patience:\n    Type: Number\n    Default: 60\n");
    let timeouts = Template::parse(&with_own)
        .unwrap()
        .function_timeouts()
        .unwrap();
    assert_eq!(
        (timeouts["users"], timeouts["wsfunction"]),
        (secs(60), secs(10))
    );
    let broken = with_global.replace("Timeout: 10", "Timeout: 901");
    let error = Template::parse(&broken)
        .unwrap()
        .function_timeouts()
        .unwrap_err();
    assert!(error.to_string().contains("Globals"), "{error}");
}
