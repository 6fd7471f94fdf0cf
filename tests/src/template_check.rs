//! Does `template.yaml` match the code and the contract? Every function crate under
//! `functions/` has its `AWS::Serverless::Function` (and no resource names a crate that does not
//! exist), every REST route of the contract has its `HttpApi` route (and no other route
//! exists), and every WebSocket route the contract names has its `AWS::ApiGatewayV2::Route`.

use std::collections::BTreeSet;

use serde_yaml::Value;

/// Routes as `METHOD /path/{}`: parameters unnamed, no trailing slash (the contract writes
/// `/users/`, the template `/users`; both work).
fn normalise(method: &str, path: &str) -> String {
    let path: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect();
    format!("{} /{}", method.to_uppercase(), path.join("/"))
}

/// The REST routes of the contract: the first cell of its endpoint tables.
pub fn contract_routes(contract: &str) -> BTreeSet<String> {
    contract
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(route, _)| route))
        .filter_map(|route| route.split_once(' '))
        .filter(|(method, _)| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method))
        .map(|(method, path)| normalise(method, path))
        .collect()
}

/// The WebSocket actions the contract names (`{"action": "sendMessage", ...}`).
pub fn contract_actions(contract: &str) -> BTreeSet<String> {
    contract
        .split("{\"action\": \"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(action, _)| action.to_owned()))
        .collect()
}

fn resources(template: &Value) -> impl Iterator<Item = (&str, &Value)> {
    template["Resources"]
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(name, res)| Some((name.as_str()?, res)))
}

pub fn template_functions(template: &Value) -> BTreeSet<String> {
    resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .filter_map(|(_, r)| {
            r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

pub fn template_routes(template: &Value) -> BTreeSet<String> {
    resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .flat_map(|(_, r)| r["Properties"]["Events"].as_mapping().into_iter().flatten())
        .filter(|(_, event)| event["Type"] == "HttpApi")
        .filter_map(|(_, event)| {
            let props = &event["Properties"];
            Some(normalise(
                props["Method"].as_str()?,
                props["Path"].as_str()?,
            ))
        })
        .collect()
}

pub fn template_ws_routes(template: &Value) -> BTreeSet<String> {
    resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::ApiGatewayV2::Route")
        .filter_map(|(_, r)| r["Properties"]["RouteKey"].as_str().map(str::to_owned))
        .collect()
}

/// Everything that does not match, one sentence each; empty when all is well.
pub fn problems(
    template_yaml: &str,
    contract: &str,
    function_crates: &BTreeSet<String>,
) -> Vec<String> {
    let template: Value = match serde_yaml::from_str(template_yaml) {
        Ok(t) => t,
        Err(e) => return vec![format!("template.yaml does not parse: {e}")],
    };
    let mut problems = Vec::new();
    let functions = template_functions(&template);
    for missing in function_crates.difference(&functions) {
        problems.push(format!(
            "function crate {missing} has no resource in template.yaml"
        ));
    }
    for extra in functions.difference(function_crates) {
        problems.push(format!(
            "template.yaml builds {extra}, which is not a crate under functions/"
        ));
    }
    let (wanted, declared) = (contract_routes(contract), template_routes(&template));
    for missing in wanted.difference(&declared) {
        problems.push(format!(
            "contract route {missing} has no route in template.yaml"
        ));
    }
    for extra in declared.difference(&wanted) {
        problems.push(format!(
            "template.yaml route {extra} is not in the contract"
        ));
    }
    let ws = template_ws_routes(&template);
    let needed = contract_actions(contract)
        .into_iter()
        .chain(["$connect", "$disconnect", "$default"].map(String::from));
    for route in needed {
        if !ws.contains(&route) {
            problems.push(format!(
                "WebSocket route {route} has no route in template.yaml"
            ));
        }
    }
    problems
}
