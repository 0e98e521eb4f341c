//! References to nothing in the finished template: a `Ref`, `Fn::GetAtt`, `Fn::Sub` variable,
//! `DependsOn`, or `Condition` name (a resource's or an output's `Condition`, `Fn::If`, a
//! `{Condition: …}` inside `Conditions`) that names no resource, parameter or condition of the
//! template and is not a pseudo parameter (`AWS::…`). CloudFormation rejects such a template
//! as a whole ("Unresolved resource dependencies").
//!
//! Each is reported at the value of the service file that wrote it (the `!GetAtt` of an event's
//! `arn`, a `Ref` under `resources`, a function's `role: MyRole`), found by walking the file's
//! node tree for the same reference. It is an error when the template is complete; a warning
//! when something after us adds resources we cannot see — events of kinds we do not compile,
//! `layers`, a plugin we do not know, a `Transform` (macros, SAM) — since the name may be one
//! of theirs.
//!
//! ```yaml
//! functions:
//!   worker:
//!     events:
//!       - stream: {type: kinesis, arn: !GetAtt ClickStream.Arn}   # TEMPLATE_REFERENCE_UNRESOLVED
//! resources:
//!   Resources:
//!     ClicksStream: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}
//! ```

use super::Template;
use crate::config::{Function, Service};
use crate::naming;
use serde_json::{Map, Value};
use std::collections::HashSet;
use streaming_events_diagnostics::{codes, Diagnostic, Severity};
use streaming_events_yaml::{Node, Span, Value as NodeValue};

/// Plugins whose resources are in our template already (they add none of their own after us).
/// `serverless-plugin-split-stacks` only moves resources into nested stacks and rewrites the
/// references between them, so a name that refers to nothing here refers to nothing there.
const KNOWN_PLUGINS: &[&str] = &[
    "serverless-iam-roles-per-function",
    "serverless-plugin-split-stacks",
    "serverless-streaming-events",
];

/// What a reference is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Ref,
    GetAtt,
    Sub,
    DependsOn,
    Condition,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Ref => "Ref",
            Kind::GetAtt => "Fn::GetAtt",
            Kind::Sub => "a Fn::Sub variable",
            Kind::DependsOn => "DependsOn",
            Kind::Condition => "the condition name",
        }
    }
}

/// One reference to nothing: what refers (`resource X`, `output Y`, …), how, and to which
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    from: String,
    kind: Kind,
    name: String,
}

/// A reference as the walk finds it: how, and to which name, borrowed from the template. The
/// references of one resource (or output, or condition) are checked as soon as they are found,
/// so that only the ones to nothing are kept: a template holds tens of thousands of references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found<'a> {
    kind: Kind,
    name: &'a str,
}

/// Every reference of `template` to nothing, at its place in the service file where one is
/// found; errors unless `partial_reason` says why the template may be completed after us.
pub fn unresolved_references(
    template: &Template,
    service: &Service,
    merge_mode: bool,
) -> Vec<Diagnostic> {
    let section = |name: &str| template.root.get(name).and_then(Value::as_object);
    let empty = Map::new();
    let resources = template.resources();
    let parameters = section("Parameters").unwrap_or(&empty);
    let conditions = section("Conditions").unwrap_or(&empty);
    let defined = |r: &Found| match r.kind {
        Kind::Condition => conditions.contains_key(r.name),
        Kind::DependsOn | Kind::GetAtt => resources.contains_key(r.name),
        Kind::Ref | Kind::Sub => {
            r.name.starts_with("AWS::")
                || resources.contains_key(r.name)
                || parameters.contains_key(r.name)
        }
    };
    // Merge mode: a function the given template lacks is TEMPLATE_INVALID already.
    let reported: HashSet<String> = if merge_mode {
        service
            .functions
            .iter()
            .map(|f| naming::lambda_logical_id(&f.key))
            .collect()
    } else {
        HashSet::new()
    };
    // One diagnostic per missing name and kind, naming every part of the template that uses
    // it: the service file usually writes it once (an event's `arn` reaches the mapping and
    // the role).
    let mut missing: Vec<(Reference, Vec<String>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut keep_missing = |from: &dyn Fn() -> String, found: &mut Vec<Found>| {
        for reference in found
            .drain(..)
            .filter(|r| !defined(r) && !reported.contains(r.name))
        {
            let from = from();
            if !seen.insert((reference.kind, reference.name.to_string(), from.clone())) {
                continue;
            }
            match missing
                .iter_mut()
                .find(|(r, _)| r.kind == reference.kind && r.name == reference.name)
            {
                Some((_, froms)) => froms.push(from),
                None => missing.push((
                    Reference {
                        from: from.clone(),
                        kind: reference.kind,
                        name: reference.name.to_string(),
                    },
                    vec![from],
                )),
            }
        }
    };
    let mut found = Vec::new();
    for (id, resource) in resources {
        collect_resource(resource, &mut found);
        keep_missing(&|| format!("resource {id}"), &mut found);
    }
    for (name, output) in section("Outputs").unwrap_or(&empty) {
        collect_resource(output, &mut found);
        keep_missing(&|| format!("output {name}"), &mut found);
    }
    for (name, condition) in conditions {
        collect_condition(condition, &mut found);
        keep_missing(&|| format!("condition {name}"), &mut found);
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let partial = partial_reason(template, service, merge_mode);
    let index = SourceIndex::new(service);
    missing
        .iter()
        .map(|(r, froms)| diagnostic(r, froms, template, &index, partial.as_deref()))
        .collect()
}

/// Why names the template lacks may still be defined by the time it deploys, if they may.
fn partial_reason(template: &Template, service: &Service, merge_mode: bool) -> Option<String> {
    if !merge_mode && !service.uncompiled_kinds.is_empty() {
        return Some(format!(
            "the service has events streaming-events does not compile ({}), whose resources are not in this template",
            service.uncompiled_kinds.join(", ")
        ));
    }
    if !merge_mode && service.root.get("layers").is_some() {
        return Some("the service has layers, whose resources are not in this template".into());
    }
    let plugins = service.root.get("plugins");
    let list = plugins
        .and_then(|p| p.get("modules"))
        .or(plugins)
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    if let Some(plugin) = list
        .iter()
        .filter_map(Node::as_str)
        .find(|p| !KNOWN_PLUGINS.contains(p))
    {
        return Some(format!("the plugin {plugin} may add resources after us"));
    }
    if template.root.contains_key("Transform") || has_key(&template.root, "Fn::Transform") {
        return Some("the template has a Transform, whose macros may add resources".into());
    }
    None
}

fn has_key(map: &Map<String, Value>, key: &str) -> bool {
    map.iter().any(|(k, v)| k == key || value_has_key(v, key))
}

fn value_has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => has_key(map, key),
        Value::Array(items) => items.iter().any(|v| value_has_key(v, key)),
        _ => false,
    }
}

/// A resource's or an output's references: its `Condition`, its `DependsOn`, and every
/// reference in its other attributes (`Metadata` is free-form and left out).
fn collect_resource<'a>(resource: &'a Value, out: &mut Vec<Found<'a>>) {
    let Some(map) = resource.as_object() else {
        return;
    };
    for (key, value) in map {
        match (key.as_str(), value) {
            ("Condition", Value::String(name)) => out.push(Found {
                kind: Kind::Condition,
                name,
            }),
            ("DependsOn", Value::String(name)) => out.push(Found {
                kind: Kind::DependsOn,
                name,
            }),
            ("DependsOn", Value::Array(names)) => {
                out.extend(names.iter().filter_map(Value::as_str).map(|name| Found {
                    kind: Kind::DependsOn,
                    name,
                }));
            }
            ("Metadata" | "Type" | "DeletionPolicy" | "UpdateReplacePolicy", _) => {}
            _ => collect_value(value, out),
        }
    }
}

/// A condition's expression: `{Condition: name}` names another condition; the rest as values.
fn collect_condition<'a>(value: &'a Value, out: &mut Vec<Found<'a>>) {
    match value {
        Value::Object(map) if map.len() == 1 => {
            if let Some(Value::String(name)) = map.get("Condition") {
                out.push(Found {
                    kind: Kind::Condition,
                    name,
                });
                return;
            }
            if map.contains_key("Ref") {
                return collect_value(value, out);
            }
            for v in map.values() {
                collect_condition(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_condition(v, out)),
        other => collect_value(other, out),
    }
}

/// The references of one value (intrinsic functions at any depth).
fn collect_value<'a>(value: &'a Value, out: &mut Vec<Found<'a>>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                intrinsic_references(map, out);
            }
            for v in map.values() {
                collect_value(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_value(v, out)),
        _ => {}
    }
}

/// The names one intrinsic function (a one-key mapping) refers to itself, added to `out`; what
/// it holds is walked by the caller.
fn intrinsic_references<'a>(map: &'a Map<String, Value>, out: &mut Vec<Found<'a>>) {
    let Some((key, value)) = map.iter().next() else {
        return;
    };
    let (kind, name) = match key.as_str() {
        "Ref" => (Kind::Ref, value.as_str()),
        "Fn::GetAtt" => (Kind::GetAtt, get_att_target(value)),
        "Fn::Sub" => {
            let names = sub_variables(value);
            out.extend(names.into_iter().map(|name| Found {
                kind: Kind::Sub,
                name,
            }));
            return;
        }
        "Fn::If" => (
            Kind::Condition,
            value
                .as_array()
                .and_then(|items| items.first())
                .and_then(Value::as_str),
        ),
        _ => return,
    };
    if let Some(name) = name {
        out.push(Found { kind, name });
    }
}

/// The resource of `Fn::GetAtt`: `[Resource, Attribute]` or `"Resource.Attribute"`.
fn get_att_target(value: &Value) -> Option<&str> {
    match value {
        Value::Array(parts) => parts.first()?.as_str(),
        Value::String(text) => text.split('.').next(),
        _ => None,
    }
}

/// The names a `Fn::Sub` refers to: its `${Name}` and `${Name.Attribute}` variables, less
/// `${!literal}`s and the variables its own map defines.
fn sub_variables(value: &Value) -> Vec<&str> {
    let (text, local) = match value {
        Value::String(text) => (text.as_str(), None),
        Value::Array(parts) => match (parts.first(), parts.get(1)) {
            (Some(Value::String(text)), local) => (text.as_str(), local.and_then(Value::as_object)),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        if rest.starts_with('!') {
            continue;
        }
        let Some(end) = rest.find('}') else {
            break;
        };
        let variable = rest[..end].trim();
        rest = &rest[end + 1..];
        if local.is_some_and(|m| m.contains_key(variable)) {
            continue;
        }
        let name = variable.split('.').next().unwrap_or(variable);
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

/// Where the service file writes each reference, for positions: the first node of the file
/// (outside `custom`, which never reaches the template) that refers to a name the same way, or
/// a `role` equal to it (a function's `role: MyRole`).
struct SourceIndex<'a> {
    /// Every node with its config path and the key it stands under (a list's items stand under
    /// the list's key).
    nodes: Vec<(String, &'a str, &'a Node)>,
}

impl<'a> SourceIndex<'a> {
    fn new(service: &'a Service) -> SourceIndex<'a> {
        let mut nodes = Vec::new();
        if let Some(map) = service.root.as_map() {
            for entry in map.entries.iter().filter(|e| e.key != "custom") {
                if entry.key == "functions" {
                    // The model owns the functions' nodes (moved out of the tree).
                    for function in &service.functions {
                        walk_function(function, &mut nodes);
                    }
                    continue;
                }
                walk(entry.key.clone(), &entry.key, &entry.value, &mut nodes);
            }
        }
        SourceIndex { nodes }
    }

    /// The config paths and spans of the values that write `reference`, in file order.
    fn find(&self, reference: &Reference) -> Vec<(&str, Span)> {
        let written: Vec<(&str, Span)> = self
            .nodes
            .iter()
            .filter(|(_, key, node)| writes(key, node, reference))
            .map(|(path, _, node)| (path.as_str(), node.span))
            .collect();
        if !written.is_empty() {
            return written;
        }
        // A role named by its logical id becomes `Fn::GetAtt [Role, Arn]` in our template.
        self.nodes
            .iter()
            .filter(|(_, key, node)| {
                *key == "role" && node.as_str() == Some(reference.name.as_str())
            })
            .map(|(path, _, node)| (path.as_str(), node.span))
            .collect()
    }
}

fn walk<'a>(
    path: String,
    key: &'a str,
    node: &'a Node,
    out: &mut Vec<(String, &'a str, &'a Node)>,
) {
    match &node.value {
        NodeValue::Map(map) => {
            out.push((path.clone(), key, node));
            for entry in &map.entries {
                walk(
                    format!("{path}.{}", entry.key),
                    &entry.key,
                    &entry.value,
                    out,
                );
            }
        }
        NodeValue::Seq(items) => {
            out.push((path.clone(), key, node));
            for (i, item) in items.iter().enumerate() {
                walk(format!("{path}[{i}]"), key, item, out);
            }
        }
        _ => out.push((path, key, node)),
    }
}

/// [`walk`] over a function: its compiled events are read where the model moved them
/// ([`crate::config::Function::events`]), in their place in the walk. Those are the validated
/// values (a one-item list of a scalar unwrapped, a number coerced to a string): what
/// [`SourceIndex::find`] matches (one-key intrinsic maps, `Condition`, `DependsOn` and `role`
/// strings) is never coerced, so it finds what the file says.
fn walk_function<'a>(function: &'a Function, out: &mut Vec<(String, &'a str, &'a Node)>) {
    let path = format!("functions.{}", function.key);
    let Some(map) = function.node.as_map() else {
        walk(path, &function.key, &function.node, out);
        return;
    };
    out.push((path.clone(), &function.key, &function.node));
    for entry in &map.entries {
        let entry_path = format!("{path}.{}", entry.key);
        let ("events", Some(items)) = (entry.key.as_str(), entry.value.as_seq()) else {
            walk(entry_path, &entry.key, &entry.value, out);
            continue;
        };
        out.push((entry_path.clone(), &entry.key, &entry.value));
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{entry_path}[{index}]");
            let NodeValue::Map(kinds) = &item.value else {
                walk(item_path, &entry.key, item, out);
                continue;
            };
            out.push((item_path.clone(), &entry.key, item));
            for kind in &kinds.entries {
                let moved = function
                    .events
                    .iter()
                    .find(|e| e.index == index && e.kind == kind.key)
                    .filter(|_| kind.value.is_null());
                let value = moved.map_or(&kind.value, |event| &event.value);
                walk(format!("{item_path}.{}", kind.key), &kind.key, value, out);
            }
        }
    }
}

/// Whether `node` (of the service file, under `key`) is a reference of the same kind to the
/// same name.
fn writes(key: &str, node: &Node, reference: &Reference) -> bool {
    let name = reference.name.as_str();
    match (&node.value, reference.kind) {
        (NodeValue::String(text), Kind::Condition) => key == "Condition" && text == name,
        (NodeValue::String(text), Kind::DependsOn) => key == "DependsOn" && text == name,
        (NodeValue::Map(map), _) if map.len() == 1 => {
            let entry = &map.entries[0];
            if !matches!(
                entry.key.as_str(),
                "Ref" | "Fn::GetAtt" | "Fn::Sub" | "Fn::If"
            ) {
                return false;
            }
            let json = node.to_json();
            let mut found = Vec::new();
            if let Some(map) = json.as_object() {
                intrinsic_references(map, &mut found);
            }
            found
                .iter()
                .any(|f| f.kind == reference.kind && f.name == name)
        }
        _ => false,
    }
}

/// How many further places of the service file a diagnostic shows.
const MAX_SECONDARY: usize = 4;

fn diagnostic(
    reference: &Reference,
    froms: &[String],
    template: &Template,
    index: &SourceIndex,
    partial: Option<&str>,
) -> Diagnostic {
    let what = match reference.kind {
        Kind::Condition => "a condition",
        Kind::DependsOn | Kind::GetAtt => "a resource",
        Kind::Ref | Kind::Sub => "a resource, a parameter or a pseudo parameter",
    };
    let (from, verb) = match froms {
        [] => ("the template".to_string(), "refers"),
        [one] => (one.clone(), "refers"),
        [a, b] => (format!("{a} and {b}"), "refer"),
        [a, b, rest @ ..] => (format!("{a}, {b} and {} more", rest.len()), "refer"),
    };
    let mut message = format!(
        "{from} {verb} to {} with {}, which is not {what} of the template; CloudFormation will reject the template",
        reference.name,
        reference.kind.describe()
    );
    let mut diagnostic = Diagnostic::error(codes::TEMPLATE_REFERENCE_UNRESOLVED, String::new());
    let places = index.find(reference);
    if let Some((path, span)) = places.first() {
        diagnostic = diagnostic.with_path(*path).at(*span, "refers to nothing");
    }
    for (_, span) in places.iter().skip(1).take(MAX_SECONDARY) {
        diagnostic = diagnostic.also(*span, "and so does this");
    }
    let section = if reference.kind == Kind::Condition {
        "resources.Conditions"
    } else {
        "resources.Resources"
    };
    let mut help = match closest(reference, template) {
        Some(near) => format!(
            "did you mean {near}? Otherwise define {} under {section}",
            reference.name
        ),
        None => format!(
            "define {} under {section}, or refer to an existing resource by its ARN",
            reference.name
        ),
    };
    if let Some(reason) = partial {
        diagnostic.severity = Severity::Warning;
        message.push_str(&format!(
            " unless it is defined after streaming-events ({reason})"
        ));
        help.push_str("; this is a warning because ");
        help.push_str(reason);
    }
    diagnostic.message = message;
    diagnostic.with_help(help)
}

/// A defined name of the right kind close to the missing one (a typo), if there is one.
fn closest(reference: &Reference, template: &Template) -> Option<String> {
    let section = |name: &str| template.root.get(name).and_then(Value::as_object);
    let names: Vec<&String> = match reference.kind {
        Kind::Condition => section("Conditions")
            .into_iter()
            .flat_map(Map::keys)
            .collect(),
        Kind::DependsOn | Kind::GetAtt => template.resources().keys().collect(),
        Kind::Ref | Kind::Sub => template
            .resources()
            .keys()
            .chain(section("Parameters").into_iter().flat_map(Map::keys))
            .collect(),
    };
    let limit = (reference.name.chars().count() / 4).clamp(1, 3);
    names
        .into_iter()
        .map(|name| (edit_distance(name, &reference.name), name))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name.clone())
}

/// Levenshtein distance over characters (names are at most 255 characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(value: Value) -> Vec<String> {
        sub_variables(&value)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn sub_variables_leave_out_literals_and_local_variables() {
        assert_eq!(
            names(json!(
                "arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Queue.Arn}"
            )),
            ["AWS::Partition", "Bucket", "Queue"]
        );
        assert_eq!(
            names(json!(["${Local}-${Other}", {"Local": {"Ref": "X"}}])),
            ["Other"]
        );
        assert_eq!(
            names(json!("no variables, ${ unterminated")),
            Vec::<String>::new()
        );
        assert_eq!(names(json!({"Ref": "X"})), Vec::<String>::new());
    }

    #[test]
    fn get_att_in_both_forms() {
        assert_eq!(get_att_target(&json!(["Queue", "Arn"])), Some("Queue"));
        assert_eq!(get_att_target(&json!("Queue.Arn")), Some("Queue"));
        assert_eq!(get_att_target(&json!(1)), None);
    }

    #[test]
    fn references_of_resources_outputs_and_conditions() {
        let resource = json!({"Type": "T", "Condition": "C1", "DependsOn": ["D"], "Metadata": {"Ref": "M"},
                    "Properties": {"A": {"Fn::If": ["C2", {"Ref": "P"}, {"Fn::GetAtt": "G.Arn"}]}}});
        let condition =
            json!({"Fn::And": [{"Condition": "C3"}, {"Fn::Equals": [{"Ref": "P2"}, "x"]}]});
        let mut found = Vec::new();
        collect_resource(&resource, &mut found);
        collect_condition(&condition, &mut found);
        let got: Vec<(Kind, &str)> = found.iter().map(|r| (r.kind, r.name)).collect();
        assert_eq!(
            got,
            [
                (Kind::Condition, "C1"),
                (Kind::DependsOn, "D"),
                (Kind::Condition, "C2"),
                (Kind::Ref, "P"),
                (Kind::GetAtt, "G"),
                (Kind::Condition, "C3"),
                (Kind::Ref, "P2"),
            ]
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("ClickStream", "ClicksStream"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
