//! The service model: what the compilers read, taken from the resolved node tree, with the
//! checks on the service's overall shape (service name, provider, functions, events lists).

use crate::js::{merge_nodes, truthy};
use crate::naming::ConsumerNaming;
use crate::schema::describe;
use streaming_events_diagnostics::{codes, Diagnostic, Severity};
use streaming_events_yaml::{Mapping, Node, Span, Value};

/// Every event kind the reference knows; others are errors, as in the reference.
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

/// The event kinds this tool compiles: the five streaming kinds in the reference's order, and
/// `sqs`, the other kind compiled into an event source mapping.
pub const STREAMING_EVENT_KINDS: &[&str] =
    &["stream", "kafka", "activemq", "rabbitmq", "msk", "sqs"];

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
    /// The whole list item.
    pub span: Span,
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
    pub node: Node,
    /// The deployed function name (`name`, or `<service>-<stage>-<key>`).
    pub name: String,
    pub has_custom_name: bool,
    pub role: Option<Node>,
    pub events: Vec<Event>,
}

impl Function {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key)
    }

    pub fn is_truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(truthy)
    }
}

#[derive(Debug, Clone)]
pub struct Service {
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

/// Builds the model from the resolved tree. Returns `None` when the service is too broken to
/// compile; every problem found is in the diagnostics.
pub fn build_service(
    root: &Node,
    cli_stage: Option<&str>,
    cli_region: Option<&str>,
    strict: bool,
) -> (Option<Service>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if root.as_map().is_none() {
        let message = if root.is_null() {
            "the service file holds no configuration".to_string()
        } else {
            format!("the service file must be a mapping, got {}", describe(root))
        };
        let code = if root.is_null() {
            codes::CONFIG_FILE_EMPTY
        } else {
            codes::CONFIG_NOT_A_MAPPING
        };
        diagnostics.push(Diagnostic::error_at(
            code,
            "",
            root.span,
            message,
            "start the file with `service: my-service` and `provider: {name: aws}`",
        ));
        return (None, diagnostics);
    };
    let mut merged = root.clone();
    diagnostics.extend(merge_list_sections(&mut merged));

    let validation_mode = if strict {
        ValidationMode::Error
    } else {
        match merged.get("configValidationMode").and_then(Node::as_str) {
            Some("error") => ValidationMode::Error,
            Some("off") => ValidationMode::Off,
            _ => ValidationMode::Warn,
        }
    };
    diagnostics.extend(crate::schema::service::validate_service(
        &mut merged,
        validation_mode,
    ));
    let root = &merged;

    let name = match root.get("service") {
        Some(Node {
            value: Value::String(s),
            ..
        }) if !s.is_empty() => s.clone(),
        Some(
            node @ Node {
                value: Value::Map(_),
                ..
            },
        ) => {
            diagnostics.push(Diagnostic::error_at(
                codes::SERVICE_OBJECT_NOTATION,
                "service",
                node.span,
                "service must be a string; the object form (service.name) is no longer supported",
                "write `service: my-service`",
            ));
            String::new()
        }
        Some(node) => {
            let code = if node.is_null() || node.as_str() == Some("") {
                codes::SERVICE_NAME_MISSING
            } else {
                codes::SERVICE_NAME_INVALID
            };
            diagnostics.push(Diagnostic::error_at(
                code,
                "service",
                node.span,
                format!("service must be a non-empty string, got {}", describe(node)),
                "write `service: my-service`",
            ));
            String::new()
        }
        None => {
            diagnostics.push(Diagnostic::error_at(
                codes::SERVICE_NAME_MISSING,
                "service",
                root.span,
                "the service has no `service` name",
                "add `service: my-service` at the top of the file",
            ));
            String::new()
        }
    };

    let provider_node = root.get("provider").cloned();
    let provider_span = provider_node.as_ref().map(|p| p.span).unwrap_or(root.span);
    match provider_node.as_ref().and_then(|p| p.get("name")) {
        Some(n) if n.as_str() == Some("aws") => {}
        Some(n) => diagnostics.push(Diagnostic::error_at(
            codes::PROVIDER_NAME_INVALID,
            "provider.name",
            n.span,
            format!("provider.name must be aws, got {}", describe(n)),
            "streaming-events compiles AWS services only: set `provider: {name: aws}`",
        )),
        None => diagnostics.push(Diagnostic::error_at(
            codes::PROVIDER_NAME_MISSING,
            "provider.name",
            provider_span,
            "the service has no provider.name",
            "add `provider:` with `name: aws`",
        )),
    }
    let provider_node =
        provider_node.unwrap_or_else(|| Node::new(Value::Map(Default::default()), root.span));
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
    let iam = provider_node.get("iam");
    let provider = Provider {
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
        node: provider_node.clone(),
    };

    let mut functions = Vec::new();
    let mut uncompiled = Vec::new();
    match root.as_map().and_then(|m| m.get("functions")) {
        None => {}
        Some(node) if node.is_null() => {}
        Some(Node {
            value: Value::Map(map),
            ..
        }) => {
            for entry in &map.entries {
                let path = format!("functions.{}", entry.key);
                if !entry
                    .key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    || entry.key.is_empty()
                {
                    diagnostics.push(Diagnostic::error_at(
                        codes::FUNCTIONS_INVALID,
                        &path,
                        entry.key_span,
                        format!(
                            "the function name `{}` may only hold letters, digits, `-` and `_`",
                            entry.key
                        ),
                        "rename the function; its name becomes part of CloudFormation logical ids",
                    ));
                    continue;
                }
                if entry.value.is_null() {
                    // The reference drops a function without configuration.
                    let mut d = Diagnostic::error_at(
                        codes::FUNCTION_EMPTY,
                        &path,
                        entry.key_span,
                        format!("function '{}' has no configuration and is left out, as the Serverless Framework does", entry.key),
                        "give it a `handler` (and its `events`), or remove it",
                    );
                    d.severity = Severity::Warning;
                    diagnostics.push(d);
                    continue;
                }
                let node = entry.value.clone();
                if node.as_map().is_none() {
                    diagnostics.push(Diagnostic::error_at(
                        codes::NON_OBJECT_FUNCTION_CONFIGURATION_ERROR,
                        &path,
                        node.span,
                        format!("a function must be a mapping, got {}", describe(&node)),
                        "write `handler: file.export` and its `events` under the function name",
                    ));
                    continue;
                }
                let has_handler = node.get("handler").is_some();
                let image = node.get("image");
                if !has_handler && image.is_none() {
                    diagnostics.push(Diagnostic::error_at(
                        codes::FUNCTION_NEITHER_HANDLER_NOR_IMAGE_DEFINED_ERROR,
                        &path,
                        entry.key_span,
                        format!("Either \"handler\" or \"image\" property needs to be set on function \"{}\"", entry.key),
                        "add `handler: file.export` (or the `image` URI of a container function)",
                    ));
                } else if has_handler && image.is_some() {
                    diagnostics.push(Diagnostic::error_at(
                        codes::FUNCTION_BOTH_HANDLER_AND_IMAGE_DEFINED_ERROR,
                        &path,
                        entry.key_span,
                        format!("Either \"handler\" or \"image\" property (not both) needs to be set on function \"{}\".", entry.key),
                        "keep one of the two",
                    ));
                } else if let Some(name) = image
                    .and_then(Node::as_str)
                    .filter(|i| !i.contains(':') && !i.contains('@'))
                {
                    diagnostics.push(Diagnostic::error_at(
                        codes::FUNCTION_IMAGE_UNSUPPORTED,
                        format!("{path}.image"),
                        image.map(|i| i.span).unwrap_or(entry.key_span),
                        format!("the image `{name}` is built by the Serverless Framework with Docker; streaming-events needs the pushed image's URI"),
                        "give the image URI (…dkr.ecr…amazonaws.com/repo@sha256:…) as `image`",
                    ));
                }
                if node.get("provisionedConcurrency").is_some_and(truthy)
                    && node.get("snapStart").is_some_and(truthy)
                {
                    diagnostics.push(Diagnostic::error_at(
                        codes::FUNCTION_BOTH_PROVISIONED_CONCURRENCY_AND_SNAPSTART_ENABLED_ERROR,
                        format!("{path}.snapStart"),
                        node.as_map().and_then(|m| m.entry("snapStart")).map_or(entry.key_span, |e| e.key_span),
                        format!("Functions with enabled SnapStart does not support provisioned concurrency. Please remove at least one of the settings on function \"{}\".", entry.key),
                        "Lambda refuses provisioned concurrency on a SnapStart function: keep one of the two",
                    ));
                }
                diagnostics.extend(function_setting_errors(
                    &node,
                    &path,
                    &entry.key,
                    root.get("provider").and_then(|p| p.get("vpc")),
                ));
                // A falsy name is no name, as in the reference.
                let custom_name = node
                    .get("name")
                    .and_then(Node::as_str)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string);
                let events = read_events(
                    &node,
                    &path,
                    &mut diagnostics,
                    &mut uncompiled,
                    validation_mode,
                );
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
        Some(node) => diagnostics.push(Diagnostic::error_at(
            codes::NON_OBJECT_FUNCTIONS_CONFIGURATION,
            "functions",
            node.span,
            format!(
                "functions must be a mapping of function names to functions, got {}",
                describe(node)
            ),
            "write `functions:` followed by `name:` entries",
        )),
    }

    uncompiled.sort();
    uncompiled.dedup();
    let fatal = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let service = Service {
        root: root.clone(),
        name,
        stage,
        region,
        provider,
        functions,
        validation_mode,
        uncompiled_kinds: uncompiled,
    };
    (if fatal { None } else { Some(service) }, diagnostics)
}

/// The reference's errors about function settings it compiles itself: `fileSystemConfig`
/// without a VPC, and an async-invocation destination whose kind cannot be told.
fn function_setting_errors(
    function: &Node,
    path: &str,
    name: &str,
    provider_vpc: Option<&Node>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(config) = function.get("fileSystemConfig").filter(|c| truthy(c)) {
        let has_vpc = function.get("vpc").or(provider_vpc).is_some_and(truthy);
        if !has_vpc {
            diagnostics.push(Diagnostic::error_at(
                codes::LAMBDA_FILE_SYSTEM_CONFIG_MISSING_VPC,
                format!("{path}.fileSystemConfig"),
                config.span,
                format!("Function \"{name}\": when using fileSystemConfig, ensure that function has vpc configured on function or provider level"),
                "add `vpc: {securityGroupIds: […], subnetIds: […]}` to the function or the provider",
            ));
        }
    }
    for key in ["onSuccess", "onFailure"] {
        let Some(target) = function
            .get("destinations")
            .and_then(|d| d.get(key))
            .filter(|t| !t.is_null())
        else {
            continue;
        };
        let known = match &target.value {
            Value::Map(_) => matches!(
                target.get("type").and_then(Node::as_str),
                Some("function" | "sqs" | "sns" | "eventBus")
            ),
            Value::String(text) => {
                !text.starts_with("arn:")
                    || [":function:", ":sqs:", ":sns:", ":event-bus/"]
                        .iter()
                        .any(|k| text.contains(k))
            }
            _ => false,
        };
        if !known {
            diagnostics.push(Diagnostic::error_at(
                codes::UNSUPPORTED_DESTINATION_TARGET,
                format!("{path}.destinations.{key}"),
                target.span,
                format!("Unsupported destination target {}", describe(target)),
                "give a function name, or the ARN of a function, an SQS queue, an SNS topic or an event bus; with an intrinsic function, write `{type: sqs|sns|function|eventBus, arn: …}`",
            ));
        }
    }
    diagnostics
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

fn read_events(
    function: &Node,
    function_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
    uncompiled: &mut Vec<String>,
    mode: ValidationMode,
) -> Vec<Event> {
    let mut events = Vec::new();
    // Falsy `events` (null, false, 0, '') is no events, as in the reference.
    let Some(events_node) = function.get("events").filter(|e| truthy(e)) else {
        return events;
    };
    let path = format!("{function_path}.events");
    let Some(items) = events_node.as_seq() else {
        diagnostics.push(Diagnostic::error_at(
            codes::FUNCTION_EVENTS_INVALID,
            &path,
            events_node.span,
            format!("events must be a list, got {}", describe(events_node)),
            "write each event as a list item: `- stream: …`",
        ));
        return events;
    };
    for (index, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{index}]");
        let map = match &item.value {
            Value::Map(map) if !map.is_empty() => map,
            _ => {
                diagnostics.push(Diagnostic::error_at(
                    codes::FUNCTION_EVENT_INVALID,
                    &item_path,
                    item.span,
                    format!(
                        "an event must be a mapping with one event kind (`- kafka: {{…}}`), got {}",
                        describe(item)
                    ),
                    "write the event as `- <kind>: <configuration>`",
                ));
                continue;
            }
        };
        // One kind per item; the reference compiles every known kind of an item (and its
        // schema warns about the rest), so do we.
        let Some(first_kind) = map
            .entries
            .iter()
            .find(|e| KNOWN_EVENT_KINDS.contains(&e.key.as_str()))
        else {
            let entry = &map.entries[0];
            let kind = entry.key.as_str();
            let suggestion = crate::schema::did_you_mean(kind, KNOWN_EVENT_KINDS.iter().copied());
            let mut d = Diagnostic::error_at(
                codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                &item_path,
                entry.key_span,
                format!("at {item_path}: unsupported function event `{kind}`"),
                "",
            );
            d.help = Some(match (kind, suggestion) {
                ("kinesis" | "dynamodb", _) => {
                    "Kinesis and DynamoDB streams are written `- stream: {arn: …}`".to_string()
                }
                (_, Some(s)) => format!("did you mean `{s}`?"),
                _ => format!("the event kinds are: {}", KNOWN_EVENT_KINDS.join(", ")),
            });
            if mode == ValidationMode::Off {
                continue;
            }
            if mode == ValidationMode::Warn && !is_streaming_lookalike(kind) {
                d.severity = Severity::Warning;
            }
            diagnostics.push(d);
            continue;
        };
        for entry in &map.entries {
            let kind = entry.key.as_str();
            if !std::ptr::eq(entry, first_kind) && mode != ValidationMode::Off {
                let mut d = Diagnostic::error_at(
                    codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                    format!("{item_path}.{kind}"),
                    entry.key_span,
                    format!(
                        "at {item_path}: unrecognized property '{kind}' next to `{}`",
                        first_kind.key
                    ),
                    if KNOWN_EVENT_KINDS.contains(&kind) {
                        format!("write each event as its own list item (`- {kind}: …`)")
                    } else {
                        "indent the property under the event kind".to_string()
                    },
                );
                if mode == ValidationMode::Warn {
                    d.severity = Severity::Warning;
                }
                diagnostics.push(d);
            }
            if !KNOWN_EVENT_KINDS.contains(&kind) {
                continue;
            }
            if !STREAMING_EVENT_KINDS.contains(&kind) {
                uncompiled.push(kind.to_string());
                continue;
            }
            events.push(Event {
                index,
                kind: kind.to_string(),
                value: entry.value.clone(),
                span: item.span,
                key_span: entry.key_span,
            });
        }
    }
    events
}

/// Unknown kinds that look like a streaming source are errors even in `warn` mode: the user
/// meant a mapping that would otherwise silently not exist.
fn is_streaming_lookalike(kind: &str) -> bool {
    let lower = kind.to_lowercase();
    [
        "kinesis", "dynamodb", "stream", "kafka", "msk", "mq", "rabbit", "amq",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_yaml::load;

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
