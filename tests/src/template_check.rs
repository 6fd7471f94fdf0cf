//! Does `template.yaml` match the code and the contract? Every function crate under
//! `functions/` has its `AWS::Serverless::Function` (and no resource names a crate that does not
//! exist), every REST route of the contract has its `HttpApi` route (and no other route
//! exists), the trailing-slash form of each is caught by a greedy `/<group>/{proxy+}` route
//! (`ANY`, or the route's own method) of the same function (API Gateway routes cannot end in
//! `/`; a file's path such as `/openapi.json` has no slash form), and every WebSocket route the
//! contract names has its `AWS::ApiGatewayV2::Route`.

use std::collections::BTreeSet;

use serde_yaml::Value;

/// Routes as `METHOD /path/{}`: parameters unnamed, a greedy variable `**`, no trailing slash
/// (the contract writes `/users/`, the template `/users` and a greedy route for the slash form).
pub fn normalise(method: &str, path: &str) -> String {
    let path: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('{') {
            Some(rest) if rest.ends_with("+}") => "**",
            Some(_) => "{}",
            None => s,
        })
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

/// One `HttpApi` event: its route as [`normalise`] writes it, and the function behind it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HttpEvent {
    pub route: String,
    pub function: String,
}

impl HttpEvent {
    fn method(&self) -> &str {
        self.route.split_once(' ').map_or("", |(method, _)| method)
    }

    /// `/users` for `ANY /users/{proxy+}` (or `GET /docs/{proxy+}`): the greedy route under
    /// that prefix.
    fn greedy_prefix(&self) -> Option<&str> {
        self.route.split_once(' ')?.1.strip_suffix("/**")
    }

    /// Whether this route is a catch-all rather than one of the contract's routes.
    fn is_catch_all(&self) -> bool {
        self.method() == "ANY" || self.greedy_prefix().is_some()
    }

    /// Whether a request with `method` can reach this route.
    fn takes(&self, method: &str) -> bool {
        self.method() == "ANY" || self.method() == method
    }
}

/// A path whose last segment names a file (`/openapi.json`): it has no trailing-slash form.
fn is_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

pub fn template_http_events(template: &Value) -> Vec<HttpEvent> {
    resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .flat_map(|(name, r)| {
            r["Properties"]["Events"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(move |(_, event)| (name, event))
        })
        .filter(|(_, event)| event["Type"] == "HttpApi")
        .filter_map(|(function, event)| {
            let props = &event["Properties"];
            Some(HttpEvent {
                route: normalise(props["Method"].as_str()?, props["Path"].as_str()?),
                function: function.to_owned(),
            })
        })
        .collect()
}

/// The explicit routes: one method, no greedy variable.
pub fn template_routes(template: &Value) -> BTreeSet<String> {
    template_http_events(template)
        .into_iter()
        .filter(|event| !event.is_catch_all())
        .map(|event| event.route)
        .collect()
}

/// What is wrong with the catch-all routes: each contract route's trailing-slash form must reach
/// the function of its explicit route through a greedy route, and no other catch-all may exist.
fn catch_all_problems(events: &[HttpEvent], wanted: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let path_of = |route: &str| route.split_once(' ').map(|(_, path)| path.to_owned());
    for event in events.iter().filter(|e| wanted.contains(&e.route)) {
        let Some(path) = path_of(&event.route).filter(|path| !is_file(path)) else {
            continue;
        };
        // The longest greedy prefix wins, as in API Gateway.
        let catcher = events
            .iter()
            .filter(|e| e.takes(event.method()))
            .filter_map(|e| Some((e.greedy_prefix()?, e)))
            .filter(|(prefix, _)| path == *prefix || path.starts_with(&format!("{prefix}/")))
            .max_by_key(|(prefix, _)| prefix.len());
        match catcher {
            None => problems.push(format!(
                "contract route {} has no greedy route for its trailing-slash form",
                event.route
            )),
            Some((_, greedy)) if greedy.function != event.function => problems.push(format!(
                "the trailing-slash form of {} reaches {} instead of {}",
                event.route, greedy.function, event.function
            )),
            Some(_) => {}
        }
    }
    for event in events.iter().filter(|e| e.is_catch_all()) {
        let prefix = event.greedy_prefix().map(str::to_owned);
        let prefix = prefix.or_else(|| path_of(&event.route)).unwrap_or_default();
        let serves_group = events.iter().any(|other| {
            other.function == event.function
                && wanted.contains(&other.route)
                && path_of(&other.route)
                    .is_some_and(|path| path == prefix || path.starts_with(&format!("{prefix}/")))
        });
        if !serves_group {
            problems.push(format!(
                "template.yaml route {} is not a catch-all of its function's contract routes",
                event.route
            ));
        }
    }
    problems
}

pub fn template_ws_routes(template: &Value) -> BTreeSet<String> {
    resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::ApiGatewayV2::Route")
        .filter_map(|(_, r)| r["Properties"]["RouteKey"].as_str().map(str::to_owned))
        .collect()
}

/// What is wrong with the edge throttling: each route setting must name a route and give both
/// numbers, and every WebSocket route a client can call needs its own (`$disconnect` is not a
/// request a gateway can refuse).
fn throttling_problems(template: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let http_keys: BTreeSet<String> = resources(template)
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .flat_map(|(_, r)| r["Properties"]["Events"].as_mapping().into_iter().flatten())
        .filter(|(_, event)| event["Type"] == "HttpApi")
        .filter_map(|(_, event)| {
            let props = &event["Properties"];
            let method = props["Method"].as_str()?.to_ascii_uppercase();
            Some(format!("{method} {}", props["Path"].as_str()?))
        })
        .collect();
    let ws_keys = template_ws_routes(template);
    for (owner, resource) in resources(template) {
        let (keys, required): (&BTreeSet<String>, Vec<&String>) = match resource["Type"].as_str() {
            Some("AWS::Serverless::HttpApi") => (&http_keys, Vec::new()),
            Some("AWS::ApiGatewayV2::Stage") => (
                &ws_keys,
                ws_keys.iter().filter(|k| *k != "$disconnect").collect(),
            ),
            _ => continue,
        };
        let settings = &resource["Properties"]["RouteSettings"];
        for (key, value) in settings.as_mapping().into_iter().flatten() {
            let key = key.as_str().unwrap_or_default();
            if !keys.contains(key) {
                problems.push(format!("{owner} RouteSettings {key:?} names no route"));
            }
            let burst = value["ThrottlingBurstLimit"].as_f64();
            let rate = value["ThrottlingRateLimit"].as_f64();
            if !burst.is_some_and(|b| b >= 1.0) || !rate.is_some_and(|r| r > 0.0) {
                problems.push(format!(
                    "{owner} RouteSettings {key:?} needs a burst of at least 1 and a positive rate"
                ));
            }
        }
        for key in required {
            if settings.get(key.as_str()).is_none() {
                problems.push(format!("{owner} has no RouteSettings for route {key}"));
            }
        }
    }
    problems
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
    problems.extend(catch_all_problems(
        &template_http_events(&template),
        &wanted,
    ));
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
    problems.extend(throttling_problems(&template));
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
