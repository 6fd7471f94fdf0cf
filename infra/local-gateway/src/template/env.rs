//! The environment file for `cargo lambda watch --env-file`: every function's variables from the
//! template, resolved to local values.
//!
//! One file serves every function, so a variable must have one value across all of them.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::template::intrinsics;
use crate::template::{Template, TemplateError};

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(
        "environment variable {name} ({origin}) is {value}, which cannot be resolved locally; pass --set {name}=VALUE"
    )]
    Unresolvable {
        name: String,
        origin: String,
        value: String,
    },
    #[error(
        "environment variable {name} is {first_value:?} in {first} but {second_value:?} in {second}; one env file serves every function, so pass --set {name}=VALUE"
    )]
    Conflict {
        name: String,
        first: String,
        first_value: String,
        second: String,
        second_value: String,
    },
    #[error(
        "environment variable {name} holds a newline or a single quote, which an env file cannot carry here; pass a simpler --set {name}=VALUE"
    )]
    Unwritable { name: String },
}

/// The union of `Globals.Function.Environment.Variables` and every function's variables
/// (function level wins), with `overrides` (`--set`) applied last and able to add variables.
pub fn resolve(
    template: &Template,
    overrides: &[(String, String)],
) -> Result<BTreeMap<String, String>, EnvError> {
    let overridden = |name: &str| overrides.iter().any(|(key, _)| key == name);

    // name → (function logical id, value), to name both sides of a conflict.
    let mut from_functions: BTreeMap<String, (String, String)> = BTreeMap::new();
    for function in template.functions()? {
        for (name, value) in &function.environment {
            if overridden(name) {
                continue;
            }
            let origin = format!("function {}", function.logical_id);
            let resolved = resolve_value(template, name, &origin, value)?;
            match from_functions.get(name) {
                Some((first, first_value)) if *first_value != resolved => {
                    return Err(EnvError::Conflict {
                        name: name.clone(),
                        first: first.clone(),
                        first_value: first_value.clone(),
                        second: function.logical_id.clone(),
                        second_value: resolved,
                    });
                }
                Some(_) => {}
                None => {
                    from_functions.insert(name.clone(), (function.logical_id.clone(), resolved));
                }
            }
        }
    }

    let mut variables = BTreeMap::new();
    for (name, value) in template.global_environment()? {
        if overridden(&name) || from_functions.contains_key(&name) {
            continue;
        }
        let resolved = resolve_value(template, &name, "Globals", &value)?;
        variables.insert(name, resolved);
    }
    variables.extend(
        from_functions
            .into_iter()
            .map(|(name, (_, value))| (name, value)),
    );
    for (name, value) in overrides {
        variables.insert(name.clone(), value.clone());
    }
    Ok(variables)
}

fn resolve_value(
    template: &Template,
    name: &str,
    origin: &str,
    value: &Value,
) -> Result<String, EnvError> {
    let resolved = match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => intrinsics::ref_target(value).and_then(|target| {
            template
                .table_name(target)
                .or_else(|| template.bucket_name(target))
                .or_else(|| {
                    template
                        .parameter_default(target)
                        .flatten()
                        .and_then(scalar_text)
                })
        }),
    };
    resolved.ok_or_else(|| {
        let mut described = intrinsics::describe(value);
        if let Some(target) = intrinsics::ref_target(value) {
            described.push_str(match template.parameter_default(target) {
                Some(_) => " (a parameter without a Default)",
                None => " (neither a table, a bucket nor a parameter)",
            });
        }
        EnvError::Unresolvable {
            name: name.to_owned(),
            origin: origin.to_owned(),
            value: described,
        }
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `KEY=VALUE` lines. Values outside a conservative character set are single-quoted, the one
/// quoting dotenv parsers agree on (no escapes, no `${}` expansion inside).
pub fn render(variables: &BTreeMap<String, String>) -> Result<String, EnvError> {
    let mut out = String::new();
    for (name, value) in variables {
        let plain = value.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '@' | '+' | '=' | '%')
        });
        if plain {
            out.push_str(&format!("{name}={value}\n"));
        } else if value.contains(['\'', '\n', '\r']) {
            return Err(EnvError::Unwritable { name: name.clone() });
        } else {
            out.push_str(&format!("{name}='{value}'\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  JwtSecret: {Type: String, Default: dev-secret}
  TokenTtl: {Type: Number, Default: 3600}
  Required: {Type: String}
Globals:
  Function:
    Environment:
      Variables:
        RUST_LOG: info
        TOKEN_TTL: !Ref TokenTtl
        SHARED: global
Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: chat-users}
  ConnTable:
    Type: AWS::DynamoDB::Table
  A:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          USERS_TABLE: !Ref UsersTable
          CONN_TABLE: {Ref: ConnTable}
          JWT_SECRET: !Ref JwtSecret
          SHARED: from-a
          WS_ENDPOINT: !Sub "https://${WsApi}.execute-api.${AWS::Region}.amazonaws.com/prod"
  B:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          USERS_TABLE: !Ref UsersTable
          ENABLED: true
"#;

    fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn resolves_refs_and_applies_overrides() {
        let template = Template::parse(TEMPLATE).unwrap();
        let vars = resolve(
            &template,
            &set(&[("WS_ENDPOINT", "http://127.0.0.1:8000/ws"), ("EXTRA", "1")]),
        )
        .unwrap();
        let expected: BTreeMap<String, String> = set(&[
            ("CONN_TABLE", "ConnTable"),
            ("ENABLED", "true"),
            ("EXTRA", "1"),
            ("JWT_SECRET", "dev-secret"),
            ("RUST_LOG", "info"),
            ("SHARED", "from-a"),
            ("TOKEN_TTL", "3600"),
            ("USERS_TABLE", "chat-users"),
            ("WS_ENDPOINT", "http://127.0.0.1:8000/ws"),
        ])
        .into_iter()
        .collect();
        assert_eq!(vars, expected);
    }

    #[test]
    fn names_the_unresolvable_variable() {
        let template = Template::parse(TEMPLATE).unwrap();
        let error = resolve(&template, &[]).unwrap_err();
        assert!(matches!(&error, EnvError::Unresolvable { name, .. } if name == "WS_ENDPOINT"));
        assert!(
            error.to_string().contains("--set WS_ENDPOINT=VALUE"),
            "{error}"
        );
    }

    #[test]
    fn a_parameter_without_default_is_unresolvable() {
        let template =
            Template::parse(&TEMPLATE.replace("!Ref JwtSecret", "!Ref Required")).unwrap();
        let error = resolve(&template, &set(&[("WS_ENDPOINT", "x")])).unwrap_err();
        assert!(matches!(error, EnvError::Unresolvable { name, .. } if name == "JWT_SECRET"));
    }

    #[test]
    fn conflicting_function_values_are_an_error() {
        let template =
            Template::parse(&TEMPLATE.replace("ENABLED: true", "SHARED: from-b")).unwrap();
        let error = resolve(&template, &set(&[("WS_ENDPOINT", "x")])).unwrap_err();
        assert!(matches!(error, EnvError::Conflict { name, .. } if name == "SHARED"));
        assert!(resolve(&template, &set(&[("WS_ENDPOINT", "x"), ("SHARED", "y")])).is_ok());
    }

    #[test]
    fn renders_env_file_lines() {
        let vars: BTreeMap<String, String> = set(&[
            ("A", "http://127.0.0.1:8000/ws"),
            ("B", "has space #and hash"),
            ("C", ""),
        ])
        .into_iter()
        .collect();
        assert_eq!(
            render(&vars).unwrap(),
            "A=http://127.0.0.1:8000/ws\nB='has space #and hash'\nC=\n"
        );
        let bad: BTreeMap<String, String> = set(&[("Q", "it's")]).into_iter().collect();
        assert!(matches!(render(&bad), Err(EnvError::Unwritable { .. })));
    }
}
