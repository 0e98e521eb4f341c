//! The shape of the service that the schemas do not say: the file is a mapping, the service
//! name, `provider.name`, each function (its name, `handler` or `image`, settings the reference
//! refuses) and its `events` list (a mapping with one known kind per item). Reported with the
//! reference's codes; the model (`config::service`) skips what fails here.

use super::did_you_mean;
use crate::config::service::{ValidationMode, DEFAULT_RUNTIME, KNOWN_EVENT_KINDS};
use crate::js::{describe, truthy};
use streaming_events_diagnostics::{codes, Diagnostic, Severity};
use streaming_events_yaml::{Entry, Node, Value};

/// The service file must hold a mapping; nothing else can be checked when it does not.
pub fn check_root(root: &Node) -> Option<Diagnostic> {
    if root.as_map().is_some() {
        return None;
    }
    {
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
        Some(Diagnostic::error_at(
            code,
            "",
            root.span,
            message,
            "start the file with `service: my-service` and `provider: {name: aws}`",
        ))
    }
}

/// The kinds the reference knows, then any compiled kind it does not.
fn known_event_kinds<'a>(compiled_kinds: &[&'a str]) -> Vec<&'a str> {
    let mut known: Vec<&str> = KNOWN_EVENT_KINDS.to_vec();
    known.extend(
        compiled_kinds
            .iter()
            .filter(|k| !KNOWN_EVENT_KINDS.contains(k)),
    );
    known
}

/// Every shape problem of a service whose root is a mapping (after the list sections are
/// merged).
pub fn check_shape(root: &Node, mode: ValidationMode, compiled_kinds: &[&str]) -> Vec<Diagnostic> {
    let known = known_event_kinds(compiled_kinds);
    let mut diagnostics = Vec::new();
    diagnostics.extend(check_service_name(root));
    diagnostics.extend(check_provider_name(root));
    diagnostics.extend(check_default_runtime(root));
    match root.as_map().and_then(|m| m.get("functions")) {
        None => {}
        Some(node) if node.is_null() => {}
        Some(Node {
            value: Value::Map(map),
            ..
        }) => {
            for entry in &map.entries {
                diagnostics.extend(check_function(entry, root, mode, &known));
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
    diagnostics
}

fn check_service_name(root: &Node) -> Option<Diagnostic> {
    let mut diagnostics = Vec::new();
    match root.get("service") {
        Some(Node {
            value: Value::String(s),
            ..
        }) if !s.is_empty() => {}
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
        }
        None => {
            diagnostics.push(Diagnostic::error_at(
                codes::SERVICE_NAME_MISSING,
                "service",
                root.span,
                "the service has no `service` name",
                "add `service: my-service` at the top of the file",
            ));
        }
    }
    diagnostics.pop()
}

fn check_provider_name(root: &Node) -> Option<Diagnostic> {
    let provider = root.get("provider");
    let provider_span = provider.map(|p| p.span).unwrap_or(root.span);
    match provider.and_then(|p| p.get("name")) {
        Some(n) if n.as_str() == Some("aws") => None,
        Some(n) => Some(Diagnostic::error_at(
            codes::PROVIDER_NAME_INVALID,
            "provider.name",
            n.span,
            format!("provider.name must be aws, got {}", describe(n)),
            "streaming-events compiles AWS services only: set `provider: {name: aws}`",
        )),
        None => Some(Diagnostic::error_at(
            codes::PROVIDER_NAME_MISSING,
            "provider.name",
            provider_span,
            "the service has no provider.name",
            "add `provider:` with `name: aws`",
        )),
    }
}

/// The reference's default runtime, kept so that properties match, is one AWS no longer lets
/// anyone create: a warning for the functions that would get it.
fn check_default_runtime(root: &Node) -> Option<Diagnostic> {
    let provider = root.get("provider");
    if provider.and_then(|p| p.get("runtime")).is_some() {
        return None;
    }
    let functions = root.get("functions").and_then(Node::as_map)?;
    let defaulted: Vec<String> = functions
        .entries
        .iter()
        .filter(|f| {
            f.value.as_map().is_some()
                && f.value.get("runtime").is_none()
                && f.value.get("image").is_none()
        })
        .map(|f| format!("'{}'", f.key))
        .collect();
    if defaulted.is_empty() {
        return None;
    }
    let span = root
        .as_map()
        .and_then(|m| m.entry("provider"))
        .map_or(root.span, |e| e.key_span);
    Some(Diagnostic::warning(
        codes::RUNTIME_DEFAULT_UNSUPPORTED,
        format!(
            "no runtime is set for function(s) {}: they get the Serverless Framework's default, {DEFAULT_RUNTIME}, which AWS no longer lets anyone create, so the deployment will fail",
            defaulted.join(", ")
        ),
    )
    .with_path("provider.runtime")
    .at(span, "no `runtime` here")
    .with_help("set `provider.runtime` (for example nodejs22.x); the default is kept only so that the template matches the Serverless Framework's"))
}

/// One function: its name, `handler` or `image`, the settings the reference refuses, and its
/// events.
fn check_function(
    entry: &Entry,
    root: &Node,
    mode: ValidationMode,
    known: &[&str],
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
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
        return diagnostics;
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
        return diagnostics;
    }
    let node = &entry.value;
    if node.as_map().is_none() {
        diagnostics.push(Diagnostic::error_at(
            codes::NON_OBJECT_FUNCTION_CONFIGURATION_ERROR,
            &path,
            node.span,
            format!("a function must be a mapping, got {}", describe(node)),
            "write `handler: file.export` and its `events` under the function name",
        ));
        return diagnostics;
    }
    diagnostics.extend(check_code(entry, node, &path));
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
        node,
        &path,
        &entry.key,
        root.get("provider").and_then(|p| p.get("vpc")),
    ));
    diagnostics.extend(check_events(node, &path, mode, known));
    diagnostics
}

/// `handler` or `image`, exactly one, and an image given by its pushed URI.
fn check_code(entry: &Entry, node: &Node, path: &str) -> Option<Diagnostic> {
    let has_handler = node.get("handler").is_some();
    let image = node.get("image");
    if !has_handler && image.is_none() {
        Some(Diagnostic::error_at(
            codes::FUNCTION_NEITHER_HANDLER_NOR_IMAGE_DEFINED_ERROR,
            path,
            entry.key_span,
            format!(
                "Either \"handler\" or \"image\" property needs to be set on function \"{}\"",
                entry.key
            ),
            "add `handler: file.export` (or the `image` URI of a container function)",
        ))
    } else if has_handler && image.is_some() {
        Some(Diagnostic::error_at(
            codes::FUNCTION_BOTH_HANDLER_AND_IMAGE_DEFINED_ERROR,
            path,
            entry.key_span,
            format!("Either \"handler\" or \"image\" property (not both) needs to be set on function \"{}\".", entry.key),
            "keep one of the two",
        ))
    } else {
        let name = image
            .and_then(Node::as_str)
            .filter(|i| !i.contains(':') && !i.contains('@'))?;
        Some(Diagnostic::error_at(
            codes::FUNCTION_IMAGE_UNSUPPORTED,
            format!("{path}.image"),
            image.map(|i| i.span).unwrap_or(entry.key_span),
            format!("the image `{name}` is built by the Serverless Framework with Docker; streaming-events needs the pushed image's URI"),
            "give the image URI (…dkr.ecr…amazonaws.com/repo@sha256:…) as `image`",
        ))
    }
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

/// A function's `events`: a list of mappings, each with a known event kind (and nothing next
/// to it).
fn check_events(
    function: &Node,
    function_path: &str,
    mode: ValidationMode,
    known: &[&str],
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Falsy `events` (null, false, 0, '') is no events, as in the reference.
    let Some(events_node) = function.get("events").filter(|e| truthy(e)) else {
        return diagnostics;
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
        return diagnostics;
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
        let Some(first_kind) = map.entries.iter().find(|e| known.contains(&e.key.as_str())) else {
            let entry = &map.entries[0];
            let kind = entry.key.as_str();
            let suggestion = did_you_mean(kind, known.iter().copied());
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
                _ => format!("the event kinds are: {}", known.join(", ")),
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
                    if known.contains(&kind) {
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
        }
    }
    diagnostics
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
