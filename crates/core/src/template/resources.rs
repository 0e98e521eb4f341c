//! The service's own `resources`, merged in as the reference does after the events are
//! compiled, and `resources.extensions`.

use super::Template;
use crate::config::Service;
use serde_json::{Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic, Severity};
use streaming_events_yaml::Node;

/// `resources` merged in as the reference does, after the events are compiled: the whole
/// object (`Resources`, `Outputs`, `Conditions`, `Description`, …) is deep-merged over the
/// template (lodash `_.merge`), then `resources.extensions` extends generated resources
/// (`Properties` and `Metadata` assigned key by key, `DependsOn` appended, `Condition`,
/// `CreationPolicy`, `DeletionPolicy`, `UpdatePolicy`, `UpdateReplacePolicy` set).
pub fn merge_user_resources(template: &mut Template, service: &Service) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Some(resources) = service.root.get("resources") else {
        return diagnostics;
    };
    let Some(map) = resources.as_map() else {
        return diagnostics;
    };
    let mut user = Map::new();
    for entry in &map.entries {
        if entry.key != "extensions" {
            user.insert(entry.key.clone(), entry.value.to_json());
        }
    }
    let mut root = Value::Object(std::mem::take(&mut template.root));
    crate::js::merge_values(&mut root, Value::Object(user));
    if let Value::Object(root) = root {
        template.root = root;
    }
    let Some(extensions) = map.get("extensions").and_then(Node::as_map) else {
        return diagnostics;
    };
    // Resources of events and settings this tool does not compile (API Gateway, layers, …)
    // are not in our template: extending one of them is only a warning then.
    let partial = !service.uncompiled_kinds.is_empty() || service.root.get("layers").is_some();
    for extension in &extensions.entries {
        let path = format!("resources.extensions.{}", extension.key);
        let Some(attributes) = extension.value.as_map() else {
            continue;
        };
        if attributes.is_empty() {
            continue;
        }
        let Some(Value::Object(resource)) = template.resources_mut().get_mut(&extension.key) else {
            let mut d = Diagnostic::error_at(
                codes::RESOURCE_EXTENSION_NOT_EXISTING,
                &path,
                extension.key_span,
                format!(
                    "Cannot extend \"{}\" resource, as it's not found in generated stack",
                    extension.key
                ),
                "name a resource of the generated template (for example `<Function>LambdaFunction` or `<Function>LogGroup`)",
            );
            if partial {
                d.severity = Severity::Warning;
                d.message.push_str(" (streaming-events leaves out the resources of the events it does not compile; the extension is skipped)");
            }
            diagnostics.push(d);
            continue;
        };
        for attribute in &attributes.entries {
            let value = attribute.value.to_json();
            match attribute.key.as_str() {
                "Condition" | "CreationPolicy" | "DeletionPolicy" | "UpdatePolicy"
                | "UpdateReplacePolicy" => {
                    resource.insert(attribute.key.clone(), value);
                }
                "Properties" | "Metadata" => {
                    let target = resource
                        .entry(attribute.key.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let (Value::Object(target), Value::Object(value)) = (target, value) {
                        for (key, item) in value {
                            target.insert(key, item);
                        }
                    }
                }
                "DependsOn" => {
                    let mut depends_on = match resource.remove("DependsOn") {
                        Some(Value::Array(items)) => items,
                        Some(Value::String(one)) => vec![Value::String(one)],
                        _ => Vec::new(),
                    };
                    match value {
                        Value::Array(items) => depends_on.extend(items),
                        other => depends_on.push(other),
                    }
                    resource.insert("DependsOn".into(), Value::Array(depends_on));
                }
                other => diagnostics.push(Diagnostic::error_at(
                    codes::RESOURCE_EXTENSION_UNSUPPORTED_ATTRIBUTE,
                    format!("{path}.{other}"),
                    attribute.key_span,
                    format!("Cannot extend \"{}\" resource, as extending the \"{other}\" attribute is not supported", extension.key),
                    "extend Properties, Metadata, DependsOn, Condition, CreationPolicy, DeletionPolicy, UpdatePolicy or UpdateReplacePolicy",
                )),
            }
        }
    }
    diagnostics
}

/// The template as the Framework will finish it: the template compiled so far with the
/// service's `resources` merged in, which the Framework does after the plugin's step. The
/// checks of the whole template (references, quotas) look at this one; the output does not
/// include the merge, which stays the Framework's to do.
pub fn with_user_resources(template: &Template, service: &Service) -> Template {
    let mut finished = template.clone();
    let _ = merge_user_resources(&mut finished, service);
    finished
}
