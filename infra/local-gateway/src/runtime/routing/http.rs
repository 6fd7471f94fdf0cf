//! HTTP API route selection, as API Gateway HTTP APIs do it: the most specific path wins
//! (literal segment over `{param}` over `{proxy+}`, compared left to right), an exact method
//! beats `ANY`, and `$default` catches the rest.
//!
//! The request path is matched as sent, like API Gateway does: no trailing-slash normalisation.
//! A route cannot end in `/`, so `/users/` (segments `users` and an empty one) matches no
//! literal or `{param}` route; only a greedy variable takes the empty last segment
//! (`/users/{proxy+}` with `proxy` = ``), else `$default`, else 404. The root `/` is the
//! exception: `/{proxy+}` does not catch it (a route `/` or `$default` must).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::template::HttpRouteDef;

#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error("route {route_key}: {problem}")]
    InvalidPath { route_key: String, problem: String },
    #[error("routes {first} and {second} overlap: API Gateway rejects such a pair")]
    Conflict { first: String, second: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

impl Segment {
    /// Higher is more specific.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 2,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpRoute {
    pub route_key: String,
    pub function: String,
    method: Option<String>,
    segments: Vec<Segment>,
}

#[derive(Debug)]
pub struct RouteMatch<'a> {
    pub route: &'a HttpRoute,
    /// Decoded values of `{param}` and `{proxy+}` segments.
    pub path_parameters: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<HttpRoute>,
    default: Option<HttpRoute>,
}

impl RouteTable {
    pub fn new(definitions: &[HttpRouteDef]) -> Result<Self, RoutingError> {
        let mut table = Self::default();
        for definition in definitions {
            let route = HttpRoute {
                route_key: definition.route_key.clone(),
                function: definition.function.clone(),
                method: definition.method.clone(),
                segments: Vec::new(),
            };
            let Some(path) = &definition.path else {
                if let Some(existing) = &table.default {
                    return Err(RoutingError::Conflict {
                        first: existing.route_key.clone(),
                        second: route.route_key,
                    });
                }
                table.default = Some(route);
                continue;
            };
            let route = HttpRoute {
                segments: parse_pattern(&definition.route_key, path)?,
                ..route
            };
            if let Some(existing) = table.routes.iter().find(|other| same_shape(other, &route)) {
                return Err(RoutingError::Conflict {
                    first: existing.route_key.clone(),
                    second: route.route_key,
                });
            }
            table.routes.push(route);
        }
        Ok(table)
    }

    /// The route for a request; `path` is the raw (still percent-encoded) request path.
    pub fn find(&self, method: &str, path: &str) -> Option<RouteMatch<'_>> {
        let segments: Vec<String> = split(path).map(decode).collect();
        let mut best: Option<(Vec<u8>, bool, RouteMatch<'_>)> = None;
        for route in &self.routes {
            let exact_method = match &route.method {
                Some(wanted) if wanted.eq_ignore_ascii_case(method) => true,
                Some(_) => continue,
                None => false,
            };
            let Some((rank, path_parameters)) = match_segments(&route.segments, &segments) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((best_rank, best_exact, _)) => match rank.cmp(best_rank) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal => exact_method && !best_exact,
                },
            };
            if better {
                best = Some((
                    rank,
                    exact_method,
                    RouteMatch {
                        route,
                        path_parameters,
                    },
                ));
            }
        }
        best.map(|(_, _, found)| found).or_else(|| {
            self.default.as_ref().map(|route| RouteMatch {
                route,
                path_parameters: BTreeMap::new(),
            })
        })
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

fn decode(segment: &str) -> String {
    match urlencoding::decode(segment) {
        Ok(decoded) => decoded.into_owned(),
        // Not valid UTF-8 once decoded: match on the text as sent rather than reject.
        Err(_) => segment.to_owned(),
    }
}

fn parse_pattern(route_key: &str, path: &str) -> Result<Vec<Segment>, RoutingError> {
    let invalid = |problem: &str| RoutingError::InvalidPath {
        route_key: route_key.to_owned(),
        problem: problem.to_owned(),
    };
    if path.len() > 1 && path.ends_with('/') {
        return Err(invalid("a route path cannot end in `/`"));
    }
    let parts: Vec<&str> = split(path).collect();
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                if part.contains(['{', '}']) {
                    return Err(invalid("a path variable must be a whole segment"));
                }
                return Ok(Segment::Literal(decode(part)));
            };
            match name.strip_suffix('+') {
                Some(_) if index != last => {
                    Err(invalid("a greedy variable must be the last segment"))
                }
                Some("") => Err(invalid("empty path variable name")),
                Some(greedy) => Ok(Segment::Greedy(greedy.to_owned())),
                None if name.is_empty() => Err(invalid("empty path variable name")),
                None => Ok(Segment::Param(name.to_owned())),
            }
        })
        .collect()
}

fn same_shape(a: &HttpRoute, b: &HttpRoute) -> bool {
    a.method == b.method
        && a.segments.len() == b.segments.len()
        && a.segments.iter().zip(&b.segments).all(|pair| match pair {
            (Segment::Literal(x), Segment::Literal(y)) => x == y,
            (x, y) => x.rank() == y.rank(),
        })
}

fn match_segments(
    pattern: &[Segment],
    request: &[String],
) -> Option<(Vec<u8>, BTreeMap<String, String>)> {
    let mut rank = Vec::with_capacity(pattern.len());
    let mut parameters = BTreeMap::new();
    for (index, segment) in pattern.iter().enumerate() {
        rank.push(segment.rank());
        match segment {
            Segment::Literal(literal) => {
                if request.get(index)? != literal {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = request.get(index).filter(|value| !value.is_empty())?;
                parameters.insert(name.clone(), value.clone());
            }
            Segment::Greedy(name) => {
                // At least one segment, which may be the empty one after a trailing slash;
                // but the root `/` alone is not a child of `/{proxy+}`.
                let rest = request.get(index..).filter(|rest| !rest.is_empty())?;
                let rest = rest.join("/");
                if index == 0 && rest.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), rest);
                return Some((rank, parameters));
            }
        }
    }
    (request.len() == pattern.len()).then_some((rank, parameters))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn def(route_key: &str) -> HttpRouteDef {
        let (method, path) = match route_key.split_once(' ') {
            Some((method, path)) => (
                (method != "ANY").then(|| method.to_owned()),
                Some(path.to_owned()),
            ),
            None => (None, None),
        };
        HttpRouteDef {
            route_key: route_key.to_owned(),
            method,
            path,
            function: route_key.to_owned(),
        }
    }

    fn table(keys: &[&str]) -> RouteTable {
        RouteTable::new(&keys.iter().map(|k| def(k)).collect::<Vec<_>>()).unwrap()
    }

    fn key<'a>(table: &'a RouteTable, method: &str, path: &str) -> Option<&'a str> {
        table.find(method, path).map(|m| m.route.route_key.as_str())
    }

    #[test]
    fn most_specific_path_wins() {
        let t = table(&[
            "GET /users/{user_id}",
            "GET /users/me",
            "GET /users/{proxy+}",
            "ANY /{proxy+}",
            "GET /users",
        ]);
        assert_eq!(key(&t, "GET", "/users/me"), Some("GET /users/me"));
        assert_eq!(key(&t, "GET", "/users/abc"), Some("GET /users/{user_id}"));
        assert_eq!(key(&t, "GET", "/users/a/b"), Some("GET /users/{proxy+}"));
        assert_eq!(key(&t, "GET", "/users"), Some("GET /users"));
        assert_eq!(key(&t, "POST", "/users/abc"), Some("ANY /{proxy+}"));
        assert_eq!(key(&t, "GET", "/"), None);
    }

    #[test]
    fn exact_method_beats_any() {
        let t = table(&["ANY /chats/{id}", "DELETE /chats/{id}"]);
        assert_eq!(key(&t, "DELETE", "/chats/1"), Some("DELETE /chats/{id}"));
        assert_eq!(key(&t, "GET", "/chats/1"), Some("ANY /chats/{id}"));
        assert_eq!(key(&t, "delete", "/chats/1"), Some("DELETE /chats/{id}"));
    }

    #[test]
    fn a_trailing_slash_is_part_of_the_path() {
        let t = table(&["GET /users", "GET /users/{user_id}", "GET /users/search"]);
        for path in ["/users/", "/users/abc/", "/users/search/", "/users//"] {
            assert_eq!(key(&t, "GET", path), None, "{path}");
        }
        let t = table(&["GET /users", "ANY /users/{proxy+}", "ANY /{proxy+}"]);
        assert_eq!(key(&t, "GET", "/users/"), Some("ANY /users/{proxy+}"));
        assert_eq!(
            t.find("GET", "/users/").unwrap().path_parameters["proxy"],
            ""
        );
        assert_eq!(key(&t, "GET", "/users/abc/"), Some("ANY /users/{proxy+}"));
        assert_eq!(key(&t, "GET", "/chats/"), Some("ANY /{proxy+}"));
        assert_eq!(key(&t, "GET", "/"), None);
    }

    #[test]
    fn a_route_cannot_end_in_a_slash() {
        let error = RouteTable::new(&[def("GET /users/")]);
        assert!(matches!(error, Err(RoutingError::InvalidPath { .. })));
        assert!(RouteTable::new(&[def("GET /")]).is_ok());
    }

    #[test]
    fn parameters_are_decoded_and_greedy_needs_a_child_segment() {
        let t = table(&["GET /files/{proxy+}", "GET /users/{user_id}"]);
        let found = t.find("GET", "/users/a%20b%3D").unwrap();
        assert_eq!(found.path_parameters["user_id"], "a b=");
        let found = t.find("GET", "/files/a/b.txt").unwrap();
        assert_eq!(found.path_parameters["proxy"], "a/b.txt");
        assert_eq!(key(&t, "GET", "/files"), None);
        assert_eq!(key(&t, "GET", "/files/"), Some("GET /files/{proxy+}"));
    }

    #[test]
    fn default_route_is_last() {
        let t = table(&["$default", "GET /users"]);
        assert_eq!(key(&t, "GET", "/users"), Some("GET /users"));
        assert_eq!(key(&t, "POST", "/anything"), Some("$default"));
    }

    #[test]
    fn rejects_overlapping_and_malformed_routes() {
        let overlap = RouteTable::new(&[def("GET /a/{x}"), def("GET /a/{y}")]);
        assert!(matches!(overlap, Err(RoutingError::Conflict { .. })));
        let greedy = RouteTable::new(&[def("GET /{proxy+}/x")]);
        assert!(matches!(greedy, Err(RoutingError::InvalidPath { .. })));
        assert!(RouteTable::new(&[def("GET /a/{x}"), def("POST /a/{y}")]).is_ok());
    }
}
