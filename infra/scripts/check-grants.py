#!/usr/bin/env python3
"""Holds each function's IAM grants in template.yaml to the AWS calls its code makes.

usage: check-grants.py TEMPLATE FUNCTIONS_ENV CALLS_FILE

CALLS_FILE is what the functions' AWS clients recorded while the end-to-end suite ran against
the local stack (`AWS_CALL_RECORD` in `crates/chat-aws/src/calls.rs`): one JSON line per
distinct call a process made, `{"function", "action", "resource"}`, with the resource as the
client saw it (a table's name, an index, the bucket's objects, the connections of the
WebSocket API, the delivery function, the token secret's parameter). FUNCTIONS_ENV is the
stack's env file, which names the tables the template's logical ids became.

Besides the code's calls, a function needs what its event sources need from its role: a
DynamoDB stream source's reads of the stream (SAM grants those itself) and its on-failure
destination (`sqs:SendMessage`, which the template grants). Those are derived from the
function's `Events`, not listed here.

Fails (exit 1) when a call has no grant (a permission missing on AWS, where DynamoDB Local
and the local S3 let everything through) or a grant matches no call (a permission the code
does not use, and a compromised function could). Both lists name the function, the action
and the resource.
"""

import json
import sys
from collections import defaultdict

import yaml


class Tag:
    def __init__(self, name, value):
        self.name, self.value = name, value


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tag(suffix, value)


class TemplateLoader(yaml.SafeLoader):
    pass


TemplateLoader.add_multi_constructor("!", _tagged)


def load_template(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=TemplateLoader)


# What an event source of a function needs from its role, by event type (beyond SAM's own).
def event_source_calls(events):
    calls = set()
    for event in (events or {}).values():
        if event.get("Type") != "DynamoDB":
            continue
        destination = (
            event.get("Properties", {}).get("DestinationConfig", {}).get("OnFailure", {})
        )
        target = destination.get("Destination")
        if destination.get("Type") == "SQS" and isinstance(target, Tag):
            calls.add(("sqs:SendMessage", ("queue", target.value.split(".")[0])))
    return calls


def resource_key(resource, logical_types):
    """A grant's resource as (kind, logical id[, detail]), the form the calls are mapped to."""
    if isinstance(resource, Tag) and resource.name == "GetAtt":
        target = resource.value if isinstance(resource.value, str) else ".".join(resource.value)
        logical, attribute = target.split(".", 1)
        kind = logical_types.get(logical, "")
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            return ("table", logical)
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return ("bucket", logical)
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return ("queue", logical)
        raise ValueError(f"a grant on {target}: add its kind to check-grants.py")
    if isinstance(resource, Tag) and resource.name == "Sub":
        text = resource.value if isinstance(resource.value, str) else resource.value[0]
        if text.startswith("${") and ".Arn}" in text:
            logical, rest = text[2:].split(".Arn}", 1)
            if rest.startswith("/index/"):
                return ("index", logical, rest[len("/index/"):])
            if rest.startswith("/") and logical_types.get(logical) == "AWS::S3::Bucket":
                return ("objects", logical, rest[1:])
        if ":ssm:" in text and ":parameter" in text:
            return ("parameter", "token secret")
        if ":execute-api:" in text and "/@connections/" in text:
            return ("connections", text.split("/")[-3])
        if text.startswith("${AWS::StackName}-"):
            return ("function", text[len("${AWS::StackName}-"):])
    raise ValueError(f"a grant on {resource.name if isinstance(resource, Tag) else resource!r}")


def statements_of(policy, resources):
    """The statements a function's `Policies` entry grants."""
    if isinstance(policy, Tag) and policy.name == "Ref":
        return resources[policy.value]["Properties"]["PolicyDocument"]["Statement"]
    if isinstance(policy, dict) and "Statement" in policy:
        return policy["Statement"]
    if isinstance(policy, dict) and list(policy) == ["LambdaInvokePolicy"]:
        # SAM's policy template: InvokeFunction on the named function (and its versions).
        name = policy["LambdaInvokePolicy"]["FunctionName"]
        return [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": name}]
    raise ValueError(f"a policy of a form check-grants.py does not know: {policy!r}")


def as_list(value):
    return value if isinstance(value, list) else [value]


def grants_of(function, resources, logical_types):
    grants = set()
    for policy in function["Properties"].get("Policies", []):
        for statement in statements_of(policy, resources):
            if statement.get("Effect") != "Allow":
                continue
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    key = resource_key(resource, logical_types)
                    if key[0] == "connections":
                        # POST and DELETE are two ARNs of one action.
                        key = ("connections", "WebSocketApi")
                    grants.add((action, key))
    return grants


def call_key(resource, names):
    """A recorded call's resource as the key its grant would have."""
    kind = resource["kind"]
    if kind in ("table", "index"):
        logical = names.get(resource["table"])
        if logical is None:
            raise ValueError(f"a call on table {resource['table']}, which the env file does not name")
        return ("table", logical) if kind == "table" else ("index", logical, resource["index"])
    if kind == "objects":
        return ("objects", "AttachmentsBucket", resource["prefix"])
    if kind == "bucket":
        return ("bucket", "AttachmentsBucket")
    if kind == "connections":
        return ("connections", "WebSocketApi")
    if kind == "function":
        return ("function", resource["name"])
    if kind == "parameter":
        return ("parameter", "token secret")
    raise ValueError(f"a call on a resource of kind {kind}")


def table_names(template, env_path):
    """Table name -> logical id, through the Globals' `*_TABLE: !Ref X` and the env file."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    by_variable = {
        name: value.value
        for name, value in variables.items()
        if isinstance(value, Tag) and value.name == "Ref"
    }
    names = {}
    with open(env_path, encoding="utf-8") as handle:
        for line in handle:
            name, _, value = line.strip().partition("=")
            if name in by_variable:
                names[value] = by_variable[name]
    return names


def show(key):
    return ":".join(key)


def main(template_path, env_path, calls_path):
    template = load_template(template_path)
    resources = template["Resources"]
    logical_types = {name: r["Type"] for name, r in resources.items()}
    names = table_names(template, env_path)

    calls = defaultdict(set)
    with open(calls_path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                call = json.loads(line)
                calls[call["function"]].add((call["action"], call_key(call["resource"], names)))

    problems = []
    checked = 0
    for logical, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        binary = resource["Metadata"]["BuildProperties"]["Binary"]
        checked += 1
        granted = grants_of(resource, resources, logical_types)
        made = calls.get(binary, set()) | event_source_calls(resource["Properties"].get("Events"))
        if granted and not calls.get(binary):
            problems.append(f"{logical} ({binary}): no call recorded at all; did the suite run it?")
        for action, key in sorted(made - granted):
            problems.append(f"{logical} ({binary}): calls {action} on {show(key)} with no grant")
        for action, key in sorted(granted - made):
            problems.append(f"{logical} ({binary}): grants {action} on {show(key)}, never called")

    for problem in problems:
        print(problem)
    if problems:
        print(f"grants: {len(problems)} difference(s) between the template and the calls")
        return 1
    print(f"grants: each of {checked} functions is granted exactly the calls it made")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
