//! The template's last pass: `null` properties stripped as the reference's last step does,
//! CloudFormation's quotas, and generated resources that met on one logical id (D23); references
//! to nothing are [`super::references`]'. The quotas' early check, before compiling, is
//! [`limits`].

pub mod limits;

use super::{IdCollision, Template};
use crate::config::{Function, Service};
use crate::schema::names::functions_collide;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// CloudFormation's quotas a template must fit to deploy at all.
pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;

/// The plugin that moves resources into nested stacks after packaging: with it listed, the
/// root stack's resource count and size are not what CloudFormation receives.
pub const SPLIT_STACKS_PLUGIN: &str = "serverless-plugin-split-stacks";

/// The exact check of the finished template; [`limits`] refuses, before compiling, a service
/// whose lower bound is over an error's quota already.
pub fn template_limits(template: &Template, service: &Service) -> Vec<Diagnostic> {
    let split = service.plugin_entry(SPLIT_STACKS_PLUGIN);
    let mut out = Vec::new();
    let resources = template.resources().len();
    if resources > MAX_RESOURCES {
        out.push(resources_exceeded(&resources.to_string(), "", &split, ""));
    }
    let outputs = template
        .root
        .get("Outputs")
        .and_then(Value::as_object)
        .map(|o| o.len())
        .unwrap_or(0);
    if outputs > MAX_OUTPUTS {
        out.push(outputs_exceeded(&outputs.to_string(), "", ""));
    }
    let bytes = crate::js::compact_len_of_map(&template.root);
    if bytes > MAX_TEMPLATE_BYTES {
        out.push(split_limit(
            format!("the template is {bytes} bytes without whitespace; CloudFormation accepts at most {MAX_TEMPLATE_BYTES} (uploaded through S3)"),
            &split,
            "split the service into several services (stacks)",
        ));
    }
    out
}

/// The 500-resource quota passed: `count` is the number (or the lower bound), `detail` what it
/// is made of, and `help_note` what follows the help.
pub fn resources_exceeded(
    count: &str,
    detail: &str,
    split: &Option<(String, &Node)>,
    help_note: &str,
) -> Diagnostic {
    split_limit(
        format!("the template has {count} resources{detail}; CloudFormation accepts at most {MAX_RESOURCES} in one stack"),
        split,
        &format!("split the service into several services (stacks), or move functions into nested stacks{help_note}"),
    )
}

/// The 200-output quota passed (an error with the plugin too: the outputs stay in the root
/// stack).
pub fn outputs_exceeded(count: &str, detail: &str, help_note: &str) -> Diagnostic {
    Diagnostic::error(
        codes::TEMPLATE_LIMIT_EXCEEDED,
        format!("the template has {count} outputs{detail}; CloudFormation accepts at most {MAX_OUTPUTS}"),
    )
    .with_help(format!("set `versionFunctions: false` (each versioned function adds an output), or split the service{help_note}"))
}

/// The 500-resource and 1 MB quotas: warnings when the plugin splits the stack.
fn split_limit(message: String, split: &Option<(String, &Node)>, help: &str) -> Diagnostic {
    match split {
        None => Diagnostic::error(codes::TEMPLATE_LIMIT_EXCEEDED, message).with_help(help),
        Some((path, node)) => Diagnostic::warning(
            codes::TEMPLATE_LIMIT_EXCEEDED,
            format!("{message}; {SPLIT_STACKS_PLUGIN} moves resources into nested stacks after packaging"),
        )
        .with_path(path.clone())
        .at(node.span, "splits the stack")
        .with_help("check that every nested stack the plugin writes fits the quota (`serverless package` shows them)"),
    }
}

/// D23 for every generated resource: two that met on one logical id (the 255-character cut, or
/// a function's id that equals another's mapping id), one diagnostic per pair of owners, at the
/// later owner's function with the earlier one shown. Two functions that share their function
/// ids are left to `schema::names`, which reports them before compilation. The service's own
/// `resources.Resources` over a generated id is the reference's override, not a collision.
pub fn id_collisions(template: &Template, service: &Service) -> Vec<Diagnostic> {
    if template.collisions().is_empty() {
        return Vec::new();
    }
    let by_key: HashMap<&str, &Function> = service
        .functions
        .iter()
        .map(|f| (f.key.as_str(), f))
        .collect();
    let function = |key: &Option<String>| key.as_deref().and_then(|k| by_key.get(k).copied());
    let mut seen: HashSet<(Option<&str>, Option<&str>)> = HashSet::new();
    let mut out = Vec::new();
    for collision in template.collisions() {
        if !seen.insert((collision.earlier.as_deref(), collision.later.as_deref())) {
            continue;
        }
        let (earlier, later) = (function(&collision.earlier), function(&collision.later));
        if let (Some(a), Some(b)) = (earlier, later) {
            if a.key != b.key && functions_collide(a, b) {
                continue;
            }
        }
        out.push(collision_diagnostic(collision, earlier, later));
    }
    out
}

fn collision_diagnostic(
    collision: &IdCollision,
    earlier: Option<&Function>,
    later: Option<&Function>,
) -> Diagnostic {
    let id = &collision.logical_id;
    let owner = |f: Option<&Function>| match f {
        Some(f) => format!("function '{}'", f.key),
        None => "the service".to_string(),
    };
    let message = match (earlier, later) {
        (Some(a), Some(b)) if a.key == b.key => format!(
            "two resources of function '{}' get the logical id {id} (logical ids are cut to 255 characters); the template would lose one of them",
            a.key
        ),
        _ => format!(
            "a resource of {} and one of {} both get the logical id {id}; the template would lose one of them",
            owner(earlier),
            owner(later)
        ),
    };
    let mut diagnostic = Diagnostic::error(codes::FUNCTION_LOGICAL_ID_COLLISION, message)
        .with_help("shorten or rename the function (its key under `functions`; `name:` keeps its deployed name), or the event source");
    let primary = later.or(earlier);
    if let Some(f) = primary {
        diagnostic = diagnostic
            .with_path(format!("functions.{}", f.key))
            .at(f.key_span, "this function");
    }
    if let (Some(a), Some(b)) = (earlier, later) {
        if a.key != b.key {
            diagnostic = diagnostic.also(a.key_span, "meets a resource of this earlier function");
        }
    }
    diagnostic
}

/// The reference's last step: `null` properties are removed from every resource's
/// `Properties`, at any depth of mappings (in lists a `null` stays, as JavaScript's `delete` on an
/// array leaves a hole that JSON writes as `null`); a resource whose `Properties` is empty-ish
/// (`null`, `false`, `0`, `""`) loses the key.
pub fn strip_null_properties(template: &mut Template) {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    for resource in template.resources_mut().values_mut() {
        let Value::Object(resource) = resource else {
            continue;
        };
        match resource.get_mut("Properties") {
            Some(properties) if crate::js::value_truthy(properties) => strip(properties),
            Some(_) => {
                resource.remove("Properties");
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_properties_are_stripped_as_the_reference_does() {
        let mut template = Template::new();
        template.add_resource(
            "A",
            json!({"Type": "T", "Properties": {"X": null, "Y": {"Z": null, "W": [null, 1]}, "V": 0}}),
        );
        template.add_resource("B", json!({"Type": "T", "Properties": null}));
        template.add_resource("C", json!({"Type": "T"}));
        strip_null_properties(&mut template);
        assert_eq!(
            template.resources()["A"],
            json!({"Type": "T", "Properties": {"Y": {"W": [null, 1]}, "V": 0}})
        );
        assert_eq!(template.resources()["B"], json!({"Type": "T"}));
        assert_eq!(template.resources()["C"], json!({"Type": "T"}));
    }
}
