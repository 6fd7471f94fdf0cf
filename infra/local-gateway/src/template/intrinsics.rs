//! CloudFormation intrinsic functions, in both the short form serde_yaml reads as a tagged value
//! (`!Ref X`) and the long form (`{"Ref": X}`, `{"Fn::Sub": ...}`). The gateway never evaluates
//! them in general; it only needs to know which resources a value points at.

use std::borrow::Cow;

use serde_yaml::Value;

/// One intrinsic function call: its name without `!`/`Fn::` (`Ref`, `Sub`, `GetAtt`, ...) and
/// its argument.
#[derive(Debug, Clone)]
pub struct Intrinsic<'a> {
    pub name: Cow<'a, str>,
    pub argument: &'a Value,
}

/// A pointer to another template entity: `!Ref X` (no attribute) or `!GetAtt X.Arn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub logical_id: String,
    pub attribute: Option<String>,
}

pub fn intrinsic(value: &Value) -> Option<Intrinsic<'_>> {
    match value {
        Value::Tagged(tagged) => {
            let name = tag_name(&tagged.tag);
            Some(Intrinsic {
                name,
                argument: &tagged.value,
            })
        }
        Value::Mapping(map) if map.len() == 1 => {
            let (key, argument) = map.iter().next()?;
            let key = key.as_str()?;
            let name = if key == "Ref" {
                key
            } else {
                key.strip_prefix("Fn::")?
            };
            Some(Intrinsic {
                name: Cow::Borrowed(name),
                argument,
            })
        }
        _ => None,
    }
}

fn tag_name(tag: &serde_yaml::value::Tag) -> Cow<'static, str> {
    // `Tag` only exposes its text through `Display`/`PartialEq`; the set CloudFormation defines
    // is small, so compare against it rather than allocate for the common ones.
    const KNOWN: [&str; 16] = [
        "Ref",
        "Sub",
        "GetAtt",
        "Join",
        "Select",
        "Split",
        "If",
        "Equals",
        "Not",
        "And",
        "Or",
        "FindInMap",
        "ImportValue",
        "Base64",
        "GetAZs",
        "Cidr",
    ];
    match KNOWN.iter().copied().find(|known| tag == known) {
        Some(known) => Cow::Borrowed(known),
        None => {
            let text = tag.to_string();
            Cow::Owned(text.strip_prefix('!').unwrap_or(&text).to_owned())
        }
    }
}

/// `X` when the value is exactly `!Ref X`.
pub fn ref_target(value: &Value) -> Option<&str> {
    intrinsic(value)
        .filter(|call| call.name == "Ref")
        .and_then(|call| call.argument.as_str())
}

/// Every resource or parameter a value mentions, through `Ref`, `GetAtt` and `${...}` inside
/// `Sub`, at any depth (`Join`, `If`, lists and maps are searched through). Pseudo parameters
/// (`AWS::Region`, ...) are left out.
pub fn references(value: &Value) -> Vec<Reference> {
    let mut found = Vec::new();
    collect_references(value, &mut found);
    found
}

fn collect_references(value: &Value, found: &mut Vec<Reference>) {
    if let Some(call) = intrinsic(value) {
        match call.name.as_ref() {
            "Ref" => {
                if let Some(id) = call.argument.as_str() {
                    push_reference(found, id, None);
                }
            }
            "GetAtt" => collect_get_att(call.argument, found),
            "Sub" => collect_sub(call.argument, found),
            _ => collect_references(call.argument, found),
        }
        return;
    }
    match value {
        Value::Sequence(items) => items
            .iter()
            .for_each(|item| collect_references(item, found)),
        Value::Mapping(map) => map
            .values()
            .for_each(|item| collect_references(item, found)),
        _ => {}
    }
}

fn collect_get_att(argument: &Value, found: &mut Vec<Reference>) {
    match argument {
        Value::String(dotted) => match dotted.split_once('.') {
            Some((id, attribute)) => push_reference(found, id, Some(attribute)),
            None => push_reference(found, dotted, None),
        },
        Value::Sequence(parts) => {
            if let Some(id) = parts.first().and_then(Value::as_str) {
                push_reference(found, id, parts.get(1).and_then(Value::as_str));
            }
        }
        _ => {}
    }
}

fn collect_sub(argument: &Value, found: &mut Vec<Reference>) {
    let (text, variables) = match argument {
        Value::String(text) => (text.as_str(), None),
        Value::Sequence(parts) => match (parts.first().and_then(Value::as_str), parts.get(1)) {
            (Some(text), variables) => (text, variables.and_then(Value::as_mapping)),
            (None, _) => return,
        },
        _ => return,
    };
    for name in sub_placeholders(text) {
        match variables.and_then(|vars| vars.get(name)) {
            Some(bound) => collect_references(bound, found),
            None => match name.split_once('.') {
                Some((id, attribute)) => push_reference(found, id, Some(attribute)),
                None => push_reference(found, name, None),
            },
        }
    }
}

/// The names inside `${...}` of a `Sub` string; `${!Literal}` is an escape, not a placeholder.
pub fn sub_placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim();
        if !name.starts_with('!') && !name.is_empty() {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

fn push_reference(found: &mut Vec<Reference>, id: &str, attribute: Option<&str>) {
    if id.starts_with("AWS::") {
        return;
    }
    found.push(Reference {
        logical_id: id.to_owned(),
        attribute: attribute.map(str::to_owned),
    });
}

/// A short human rendering of a value for error messages, e.g. `!Sub "wss://${WsApi}..."`.
pub fn describe(value: &Value) -> String {
    match intrinsic(value) {
        Some(call) => match call.argument.as_str() {
            Some(text) => format!("!{} {text:?}", call.name),
            None => format!("!{}", call.name),
        },
        None => match value {
            Value::Null => "null".to_owned(),
            Value::Sequence(_) => "a list".to_owned(),
            Value::Mapping(_) => "a map".to_owned(),
            other => format!("{other:?}"),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    fn ids(value: &Value) -> Vec<(String, Option<String>)> {
        references(value)
            .into_iter()
            .map(|r| (r.logical_id, r.attribute))
            .collect()
    }

    #[test]
    fn short_and_long_ref_are_the_same() {
        assert_eq!(ref_target(&yaml("!Ref UsersTable")), Some("UsersTable"));
        assert_eq!(ref_target(&yaml("{Ref: UsersTable}")), Some("UsersTable"));
        assert_eq!(ref_target(&yaml("UsersTable")), None);
        assert_eq!(ref_target(&yaml("!Sub UsersTable")), None);
    }

    #[test]
    fn finds_function_in_sub_integration_uri() {
        let uri = yaml(
            "!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WsSendFunction.Arn}/invocations",
        );
        assert_eq!(
            ids(&uri),
            vec![("WsSendFunction".to_owned(), Some("Arn".to_owned()))]
        );
    }

    #[test]
    fn finds_references_through_join_getatt_and_sub_variables() {
        let join = yaml("!Join ['/', ['integrations', !Ref ConnectIntegration]]");
        assert_eq!(ids(&join), vec![("ConnectIntegration".to_owned(), None)]);

        let long = yaml("{'Fn::GetAtt': [SendFunction, Arn]}");
        assert_eq!(
            ids(&long),
            vec![("SendFunction".to_owned(), Some("Arn".to_owned()))]
        );

        let with_vars = yaml("!Sub ['functions/${Fn}/invocations', {Fn: !GetAtt Other.Arn}]");
        assert_eq!(
            ids(&with_vars),
            vec![("Other".to_owned(), Some("Arn".to_owned()))]
        );

        let escaped = yaml("!Sub 'integrations/${!Literal}/${Real}'");
        assert_eq!(ids(&escaped), vec![("Real".to_owned(), None)]);
    }

    #[test]
    fn describes_unresolvable_values() {
        assert_eq!(
            describe(&yaml("!Sub 'wss://${Api}'")),
            "!Sub \"wss://${Api}\""
        );
        assert_eq!(describe(&yaml("!GetAtt [A, Arn]")), "!GetAtt");
    }
}
