//! The service model: what the compilers read, taken from the resolved and validated node
//! tree. Checks of its shape are `schema::shape`'s; this module only leaves out what cannot be
//! modelled.

use crate::js::describe;
use crate::js::{merge_nodes, truthy};
use crate::naming::ConsumerNaming;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Mapping, Node, Span, Value};

/// The reference's default runtime (v3.40), used when neither the function nor the provider
/// sets one.
pub const DEFAULT_RUNTIME: &str = "nodejs16.x";

/// Every event kind the reference knows; others are errors, as in the reference (the kinds
/// the registry compiles are known too).
pub const KNOWN_EVENT_KINDS: &[&str] = &[
    "http",
    "httpApi",
    "websocket",
    "s3",
    "schedule",
    "sns",
    "sqs",
    "stream",
    "kafka",
    "msk",
    "activemq",
    "rabbitmq",
    "alb",
    "alexaSkill",
    "alexaSmartHome",
    "iot",
    "iotFleetProvisioning",
    "cloudwatchEvent",
    "cloudwatchLog",
    "cognitoUserPool",
    "eventBridge",
    "cloudFront",
];

/// `configValidationMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationMode {
    Warn,
    Error,
    Off,
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub node: Node,
    pub runtime: Option<Node>,
    pub memory_size: Option<Node>,
    pub timeout: Option<Node>,
    pub environment: Option<Node>,
    pub tags: Option<Node>,
    pub deployment_bucket: Option<Node>,
    /// `provider.iam.role` (string, intrinsic or object).
    pub iam_role: Option<Node>,
    /// The legacy `provider.role`.
    pub role: Option<Node>,
    pub iam_role_statements: Option<Node>,
    pub iam_managed_policies: Option<Node>,
    pub consumer_naming_mode: Option<String>,
    pub vpc: Option<Node>,
    pub version_functions: bool,
}

/// One event of a function.
#[derive(Debug, Clone)]
pub struct Event {
    pub index: usize,
    pub kind: String,
    /// The value under the kind key (`- kafka: {…}` → the mapping).
    pub value: Node,
    /// The kind key (`kafka` in `- kafka:`).
    pub key_span: Span,
}

impl Event {
    /// `functions.<name>.events[<i>].<kind>`.
    pub fn path(&self, function: &Function) -> String {
        format!(
            "functions.{}.events[{}].{}",
            function.key, self.index, self.kind
        )
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    /// The key under `functions`.
    pub key: String,
    pub key_span: Span,
    /// The function as written, except its compiled events: each is a null (with the event's
    /// span) in its place here, and lives in [`Function::events`] (`sqs` events are in both).
    /// Mind that [`Node::get`] reads a null as absent.
    pub node: Node,
    /// The deployed function name (`name`, or `<service>-<stage>-<key>`).
    pub name: String,
    pub has_custom_name: bool,
    pub role: Option<Node>,
    /// The compiled events (moved out of [`Function::node`]), validated in place.
    pub events: Vec<Event>,
}

impl Function {
    /// Puts an event that is left out of compilation back into [`Function::node`], in the
    /// place the model moved it from, as validation left it (an `sqs` event, copied rather
    /// than moved, is dropped).
    pub fn put_back(&mut self, event: Event) {
        let slot = self
            .node
            .as_map_mut()
            .and_then(|m| m.get_mut("events"))
            .and_then(Node::as_seq_mut)
            .and_then(|items| items.get_mut(event.index))
            .and_then(Node::as_map_mut)
            .and_then(|m| m.get_mut(&event.kind))
            .filter(|slot| slot.is_null());
        if let Some(slot) = slot {
            *slot = event.value;
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key)
    }

    pub fn is_truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(truthy)
    }
}

#[derive(Debug, Clone)]
pub struct Service {
    /// The service file's tree, except the bodies of the functions modelled in `functions`:
    /// those are moved there (each leaves a `null` at its key), so no function is held twice.
    pub root: Node,
    pub name: String,
    pub stage: String,
    pub region: String,
    pub provider: Provider,
    pub functions: Vec<Function>,
    pub validation_mode: ValidationMode,
    /// Event kinds present that this tool does not compile (reported on one stderr line).
    pub uncompiled_kinds: Vec<String>,
}

impl Service {
    /// Whether the service lists `plugin` under `plugins` (a list, or `{modules: [...]}`).
    pub fn lists_plugin(&self, plugin: &str) -> bool {
        self.plugin_entry(plugin).is_some()
    }

    /// Where the service lists `plugin`: its config path (`plugins[1]`,
    /// `plugins.modules[0]`) and its node.
    pub fn plugin_entry(&self, plugin: &str) -> Option<(String, &Node)> {
        let plugins = self.root.get("plugins");
        let (path, list) = match plugins.and_then(|p| p.get("modules")) {
            Some(modules) => ("plugins.modules", modules),
            None => ("plugins", plugins?),
        };
        let items = list.as_seq()?;
        let index = items
            .iter()
            .position(|item| item.as_str() == Some(plugin))?;
        Some((format!("{path}[{index}]"), &items[index]))
    }

    /// A setting of a plugin the service lists: `custom.<plugin>.<key>`.
    pub fn plugin_setting(&self, plugin: &str, key: &str) -> Option<&Node> {
        if !self.lists_plugin(plugin) {
            return None;
        }
        self.root.get("custom")?.get(plugin)?.get(key)
    }

    pub fn consumer_naming(&self) -> ConsumerNaming {
        match self.provider.consumer_naming_mode.as_deref() {
            Some(mode) if !mode.is_empty() => ConsumerNaming::ServiceSpecific {
                service: self.name.clone(),
                stage: self.stage.clone(),
            },
            _ => ConsumerNaming::Default,
        }
    }
}

/// `configValidationMode`, or `error` with `--strict`.
pub fn validation_mode(root: &Node, strict: bool) -> ValidationMode {
    if strict {
        return ValidationMode::Error;
    }
    match root.get("configValidationMode").and_then(Node::as_str) {
        Some("error") => ValidationMode::Error,
        Some("off") => ValidationMode::Off,
        _ => ValidationMode::Warn,
    }
}

/// Builds the model from the resolved, merged and validated tree: what the compilers read.
/// Leaves out what `schema::shape` reports (a function with an invalid name, no value or not a
/// mapping; events that are not a mapping with a known kind); `None` when the file is not a
/// mapping. `compiled_kinds` are the event kinds the registry compiles.
/// Takes the tree by value: the service keeps it, and each function's body moves into its
/// [`Function`], without a copy.
pub fn build_service(
    mut root: Node,
    cli_stage: Option<&str>,
    cli_region: Option<&str>,
    validation_mode: ValidationMode,
    compiled_kinds: &[&str],
) -> Option<Service> {
    root.as_map()?;
    let name = match root.get("service").and_then(Node::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => String::new(),
    };
    let provider_node = root
        .get("provider")
        .cloned()
        .unwrap_or_else(|| Node::new(Value::Map(Default::default()), root.span));
    let literal_string = |key: &str| {
        provider_node
            .get(key)
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let stage = cli_stage
        .map(str::to_string)
        .or_else(|| literal_string("stage"))
        .unwrap_or_else(|| "dev".to_string());
    let region = cli_region
        .map(str::to_string)
        .or_else(|| literal_string("region"))
        .unwrap_or_else(|| "us-east-1".to_string());
    let provider = read_provider(provider_node);
    let mut uncompiled = Vec::new();
    let mut functions = Vec::new();
    let functions_node = root.as_map_mut().and_then(|m| m.get_mut("functions"));
    if let Some(map) = functions_node.and_then(Node::as_map_mut) {
        for entry in &mut map.entries {
            let valid_name = !entry.key.is_empty()
                && entry
                    .key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_name || entry.value.as_map().is_none() {
                continue;
            }
            let span = entry.value.span;
            let mut node = std::mem::replace(&mut entry.value, Node::null(span));
            // A falsy name is no name, as in the reference.
            let custom_name = node
                .get("name")
                .and_then(Node::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_string);
            let events = read_events(&mut node, compiled_kinds, &mut uncompiled);
            functions.push(Function {
                key: entry.key.clone(),
                key_span: entry.key_span,
                name: custom_name
                    .clone()
                    .unwrap_or_else(|| format!("{name}-{stage}-{}", entry.key)),
                has_custom_name: custom_name.is_some(),
                role: node
                    .as_map()
                    .and_then(|m| m.get("role"))
                    .filter(|r| !r.is_null())
                    .cloned(),
                events,
                node,
            });
        }
    }
    uncompiled.sort();
    uncompiled.dedup();
    Some(Service {
        root,
        name,
        stage,
        region,
        provider,
        functions,
        validation_mode,
        uncompiled_kinds: uncompiled,
    })
}

fn read_provider(provider_node: Node) -> Provider {
    let iam = provider_node.get("iam");
    Provider {
        runtime: provider_node.get("runtime").cloned(),
        memory_size: provider_node.get("memorySize").cloned(),
        timeout: provider_node.get("timeout").cloned(),
        environment: provider_node.get("environment").cloned(),
        tags: provider_node.get("tags").cloned(),
        deployment_bucket: provider_node.get("deploymentBucket").cloned(),
        iam_role: iam.and_then(|i| i.get("role")).cloned(),
        role: provider_node.as_map().and_then(|m| m.get("role")).cloned(),
        iam_role_statements: provider_node.get("iamRoleStatements").cloned(),
        iam_managed_policies: provider_node.get("iamManagedPolicies").cloned(),
        consumer_naming_mode: provider_node
            .get("kinesis")
            .and_then(|k| k.get("consumerNamingMode"))
            .and_then(Node::as_str)
            .map(str::to_string),
        vpc: provider_node.get("vpc").cloned(),
        version_functions: provider_node
            .get("versionFunctions")
            .map(truthy)
            .unwrap_or(true),
        node: provider_node,
    }
}

/// The kinds whose events also stay in the function's node as written: the IAM of the
/// reference's other events reads `sqs` events there (`iam::other_permissions`).
const KINDS_KEPT_IN_NODE: &[&str] = &["sqs"];

/// The events of the compiled kinds, in order; the kinds known but not compiled are noted in
/// `uncompiled`. Items that are not a mapping with a known kind are `schema::shape`'s to report.
/// The events are moved out of the function's node: each leaves a null (with its span) in its
/// place, so a service's events are held once, not twice (see [`Function::events`]); those of
/// [`KINDS_KEPT_IN_NODE`] are copied.
fn read_events(
    function: &mut Node,
    compiled_kinds: &[&str],
    uncompiled: &mut Vec<String>,
) -> Vec<Event> {
    let mut events = Vec::new();
    // Falsy `events` (null, false, 0, '') is no events, as in the reference.
    let Some(items) = function
        .as_map_mut()
        .and_then(|m| m.get_mut("events"))
        .filter(|e| truthy(e))
        .and_then(Node::as_seq_mut)
    else {
        return events;
    };
    for (index, item) in items.iter_mut().enumerate() {
        let Some(map) = item.as_map_mut() else {
            continue;
        };
        // The reference compiles every known kind of an item (its schema warns about the rest).
        for entry in &mut map.entries {
            let kind = entry.key.as_str();
            if !compiled_kinds.contains(&kind) {
                if !KNOWN_EVENT_KINDS.contains(&kind) {
                    continue;
                }
                uncompiled.push(kind.to_string());
                continue;
            }
            let value = if KINDS_KEPT_IN_NODE.contains(&kind) {
                entry.value.clone()
            } else {
                let span = entry.value.span;
                std::mem::replace(&mut entry.value, Node::null(span))
            };
            events.push(Event {
                index,
                kind: kind.to_string(),
                value,
                key_span: entry.key_span,
            });
        }
    }
    // Grown by doubling: five events would keep room for eight, in every function.
    events.shrink_to_fit();
    events
}

/// `functions` and `resources` may be written as lists of mappings: the reference merges the
/// items, in order, into one mapping (lodash `_.merge`, empty items skipped) before it validates
/// or compiles anything, and so do we. An item that is not a mapping is an error.
pub fn merge_list_sections(root: &mut Node) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Some(map) = root.as_map_mut() else {
        return diagnostics;
    };
    for key in ["resources", "functions"] {
        let Some(node) = map.get_mut(key) else {
            continue;
        };
        let Value::Seq(items) = &node.value else {
            continue;
        };
        let mut merged = Node::new(Value::Map(Mapping::default()), node.span);
        for (index, item) in items.iter().enumerate() {
            if item.as_map().is_some() {
                merge_nodes(&mut merged, item.clone());
            } else if truthy(item) {
                diagnostics.push(Diagnostic::error_at(
                    codes::LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT,
                    format!("{key}[{index}]"),
                    item.span,
                    format!(
                        "an item of the {key} list must be a mapping, got {}",
                        describe(item)
                    ),
                    "each item of the list is merged into one mapping: write it as `name: {…}`",
                ));
            }
        }
        *node = merged;
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_yaml::load;

    #[test]
    fn compiled_events_move_out_of_the_function_and_can_be_put_back() {
        let yaml = "service: s\nfunctions:\n  a:\n    handler: h.a\n    events:\n      - stream: {arn: x, batchSize: 5}\n      - sqs: q\n      - schedule: rate(1 minute)\n";
        let root = load(yaml, 0).unwrap();
        let kinds = ["stream", "sqs"];
        let mut service = build_service(root, None, None, ValidationMode::Warn, &kinds).unwrap();
        let function = &mut service.functions[0];
        assert_eq!(function.events.len(), 2);
        let slot = |f: &Function, i: usize, kind: &str| {
            let items = f.node.get("events").and_then(|e| e.as_seq()).unwrap();
            items[i]
                .as_map()
                .and_then(|m| m.get(kind))
                .cloned()
                .unwrap()
        };
        // The stream event lives in `events` only; its place holds a null with its span.
        let stream = slot(function, 0, "stream");
        assert!(stream.is_null());
        assert_eq!(stream.span, function.events[0].value.span);
        assert_eq!(
            function.events[0].value.get("batchSize").unwrap().to_json(),
            5
        );
        // `sqs` stays where it is written too; other kinds are not touched.
        assert_eq!(slot(function, 1, "sqs").as_str(), Some("q"));
        assert_eq!(
            slot(function, 2, "schedule").as_str(),
            Some("rate(1 minute)")
        );
        let event = function.events.remove(0);
        function.put_back(event);
        assert_eq!(
            slot(function, 0, "stream")
                .get("arn")
                .and_then(Node::as_str),
            Some("x")
        );
        let sqs = function.events.remove(0);
        function.put_back(sqs);
        assert_eq!(slot(function, 1, "sqs").as_str(), Some("q"));
    }

    #[test]
    fn lists_of_functions_and_resources_merge_item_after_item() {
        let mut root = load(
            "functions:\n  - a: {handler: h.a, events: [x, y]}\n  - null\n  - a: {timeout: 3, events: [z]}\n    b: {handler: h.b}\nresources:\n  - Resources: {Q: {Type: T}}\n  - Resources: {Q: null}\n",
            0,
        )
        .unwrap();
        assert!(merge_list_sections(&mut root).is_empty());
        let json = root.to_json();
        assert_eq!(
            json["functions"],
            serde_json::json!({"a": {"handler": "h.a", "events": ["z", "y"], "timeout": 3}, "b": {"handler": "h.b"}})
        );
        assert_eq!(
            json["resources"],
            serde_json::json!({"Resources": {"Q": null}})
        );
        // The key of a merged function keeps its first position.
        let functions = root.get("functions").and_then(Node::as_map).unwrap();
        assert_eq!(functions.entries[0].key_span.start.line, 2);
    }

    #[test]
    fn a_list_item_that_is_not_a_mapping_is_an_error() {
        let mut root = load("functions:\n  - a: {handler: h}\n  - worker\n", 0).unwrap();
        let diagnostics = merge_list_sections(&mut root);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].code,
            codes::LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT
        );
        assert_eq!(diagnostics[0].path.as_deref(), Some("functions[1]"));
    }
}
