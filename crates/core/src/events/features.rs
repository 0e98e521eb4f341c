//! The mapping features every kind shares (issue 15; docs/features.md): `metrics`
//! (`MetricsConfig`), `kmsKeyArn` (the key that encrypts the filter criteria), `tags` with the
//! `inheritTags` opt-in, and, for the kinds that read a secret, `secretsManagerKmsKeyId`
//! (`kms:Decrypt` on the key that encrypts it).
//!
//! ```yaml
//! - kafka:
//!     topic: orders
//!     bootstrapServers: [b-1.example.com:9092]
//!     metrics: [EventCount, ErrorCount]
//!     kmsKeyArn: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
//!     filterPatterns:
//!       - value: {kind: [order]}
//!     tags: {team: payments}
//!     inheritTags: true   # provider.tags and the function's tags too
//! ```
//!
//! Each kind adds [`schema_props`] to its event object, calls [`emit`] after its own properties
//! and [`check`] from its own check. Nothing is emitted when the keys are absent.

use super::{prop, prop_span, CompileContext, FunctionTarget, MappingProperties};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::{defs, Schema};
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// The metrics each kind may ask for (the Lambda API reference: `ErrorCount` and
/// `KafkaMetrics` are for Amazon MSK and self-managed Kafka only).
fn metric_names(kind: &str) -> &'static [&'static str] {
    match kind {
        "kafka" | "msk" => &["EventCount", "ErrorCount", "KafkaMetrics"],
        _ => &["EventCount"],
    }
}

/// What the editor schema says about the shared properties (docs/features.md §7, 9, 10, 12).
#[rustfmt::skip]
pub const DOCS: &[PropertyDoc] = &[
    doc("metrics", "The mapping's CloudWatch metrics: `EventCount` on every kind, `ErrorCount` and `KafkaMetrics` on kafka and msk; each at most once.", "`MetricsConfig.Metrics`", "no metrics")
        .values(&[("EventCount", "events polled, filtered out, invoked, failed, dropped"), ("ErrorCount", "errors while processing (kafka and msk)"), ("KafkaMetrics", "consumer lag and throughput (kafka and msk)")]),
    doc("kmsKeyArn", "The customer-managed KMS key Lambda encrypts the mapping's filter criteria with (not inherited from the function's `kmsKeyArn`, which encrypts its environment); its key policy must let lambda.amazonaws.com decrypt.", "`KmsKeyArn`", "not set: Lambda's own encryption"),
    doc("tags", "Tags of the event source mapping (keys 1–128 characters, not starting with `aws:`; values up to 256), sorted by key.", "`Tags`", "no tags"),
    doc("inheritTags", "`true`: the mapping also gets `provider.tags` and the function's `tags` (the event's win, then the function's).", "`Tags`", "false: only the event's `tags`"),
    doc("secretsManagerKmsKeyId", "The KMS key (id or ARN) that encrypts the event's Secrets Manager secrets: the role is allowed kms:Decrypt on it.", "none (the IAM statement)", "not set: no kms:Decrypt"),
];

/// Lambda's limit of tags on one resource.
pub const MAX_TAGS: usize = 50;

/// `metrics`: a list of the kind's metric names (each at most once: [`check`]).
fn metrics_schema(kind: &str) -> Schema {
    let names = metric_names(kind);
    // An empty list is allowed, as AWS allows it (metrics turned off on an update).
    Schema::aws(Schema::Array {
        items: Box::new(Schema::Enum(names)),
        min_items: None,
        max_items: Some(names.len()),
    })
}

/// `tags`: SF's `awsResourceTags` (keys of 1 to 128 characters of `[\w./=+:\- ]`, values of at
/// most 256); keys starting with `aws:` (reserved by AWS) are refused by [`check`].
fn tags_schema() -> Schema {
    Schema::Map {
        keys: r"^[\w./=+:\- ]{1,128}$",
        values: Box::new(Schema::Str {
            pattern: None,
            min_len: None,
            max_len: Some(256),
        }),
    }
}

/// The properties every kind accepts, for its event object (`documentDb` has no `kmsKeyArn`:
/// Lambda does not filter DocumentDB streams, so there are no filter criteria to encrypt).
pub fn schema_props(kind: &str) -> Vec<(&'static str, Schema)> {
    let mut props = vec![("metrics", metrics_schema(kind))];
    if kind != "documentDb" {
        props.push(("kmsKeyArn", defs::kms_arn()));
    }
    props.push(("tags", tags_schema()));
    props.push(("inheritTags", Schema::Bool));
    props
}

/// `secretsManagerKmsKeyId` (kafka, msk, activemq, rabbitmq, documentDb): a key id, a key ARN
/// or an intrinsic function.
pub fn secrets_kms_schema() -> (&'static str, Schema) {
    (
        "secretsManagerKmsKeyId",
        Schema::any_of(
            "a KMS key id, a KMS key ARN or an intrinsic function",
            vec![
                Schema::aws(Schema::pattern(
                    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/)?(mrk-)?[a-zA-Z0-9-]{1,128}$",
                )),
                defs::cf_function(),
            ],
        ),
    )
}

/// `KmsKeyArn`, `MetricsConfig` and `Tags`, in that order, each only when asked for.
pub fn emit(
    cx: &CompileContext<'_>,
    target: &FunctionTarget,
    e: &Node,
    p: &mut MappingProperties<'_>,
) {
    p.copy("KmsKeyArn", "kmsKeyArn");
    if let Some(metrics) = prop(e, "metrics") {
        p.set("MetricsConfig", json!({"Metrics": metrics.to_json()}));
    }
    // The function is looked up only for `inheritTags`: a search per event would make a large
    // service quadratic.
    let tags = mapping_tags(cx.service, e, || {
        cx.service
            .functions
            .iter()
            .find(|f| f.key == target.function_key)
    });
    if !tags.is_empty() {
        let list: Vec<Value> = tags
            .into_iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect();
        p.set("Tags", Value::Array(list));
    }
}

/// The mapping's tags sorted by key: with `inheritTags: true`, `provider.tags`, then the
/// function's `tags`, then the event's (a later one wins); else the event's only.
fn mapping_tags<'a>(
    service: &'a Service,
    e: &'a Node,
    function: impl FnOnce() -> Option<&'a Function>,
) -> Map<String, Value> {
    let mut sources: Vec<&Node> = Vec::new();
    if prop(e, "inheritTags").and_then(Node::as_bool) == Some(true) {
        let function = function();
        sources.extend(service.root.get("provider").and_then(|p| p.get("tags")));
        sources.extend(function.and_then(|f| f.get("tags")));
    }
    sources.extend(prop(e, "tags"));
    let mut merged: std::collections::BTreeMap<String, Value> = Default::default();
    for source in sources {
        for entry in source.as_map().map(|m| m.entries.as_slice()).unwrap_or(&[]) {
            // A tag value is text; YAML numbers and booleans are written as text (as the
            // schema coerces them for the event's own tags).
            let value = match entry.value.to_json() {
                Value::String(s) => Value::String(s),
                Value::Null => Value::String(String::new()),
                other => Value::String(other.to_string()),
            };
            merged.insert(entry.key.clone(), value);
        }
    }
    merged.into_iter().collect()
}

/// `kms:Decrypt` on the key that encrypts the event's secrets, when `secretsManagerKmsKeyId`
/// is set: a key ARN as written, a key id (or `Ref` to a key, which yields its id) as
/// `arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/<id>`, another intrinsic
/// function as written (it must yield the key ARN).
pub fn grant_secrets_kms(cx: &mut CompileContext<'_>, target: &FunctionTarget, e: &Node) {
    let Some(key) = prop(e, "secretsManagerKmsKeyId") else {
        return;
    };
    const PREFIX: &str = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/";
    let resource = match key.as_str() {
        Some(text) if text.starts_with("arn:") => json!(text),
        Some(id) => json!({"Fn::Sub": format!("{PREFIX}{id}")}),
        None => match key.get("Ref").and_then(Node::as_str) {
            Some(name) => json!({"Fn::Sub": format!("{PREFIX}${{{name}}}")}),
            None => key.to_json(),
        },
    };
    cx.grant(
        target,
        Statement::allow(actions::KMS_DECRYPT, vec![resource]),
    );
}

/// The checks of the shared features: the metrics a kind may not document, a filter key with no
/// filters to encrypt, a same-template key whose policy does not let Lambda use it, too many
/// tags.
pub fn check(service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
    let e = &event.value;
    let path = event.path(function);
    let mut out = Vec::new();
    if matches!(event.kind.as_str(), "activemq" | "rabbitmq" | "documentDb") {
        if let Some(metrics) = prop(e, "metrics") {
            out.push(
                Diagnostic::warning(
                    codes::FUNCTION_EVENT_METRICS_UNDOCUMENTED,
                    format!(
                        "AWS documents event source mapping metrics for {} mappings nowhere; Lambda may refuse MetricsConfig or publish nothing",
                        event.kind
                    ),
                )
                .with_path(format!("{path}.metrics"))
                .at(metrics.span, "")
                .with_help("check the mapping's metrics in CloudWatch after deploying, or remove `metrics`"),
            );
        }
    }
    if let Some(key) = prop(e, "kmsKeyArn") {
        if prop(e, "filterPatterns").is_none() {
            out.push(
                Diagnostic::warning(
                    codes::FUNCTION_EVENT_KMS_KEY_UNUSED,
                    "kmsKeyArn encrypts the mapping's filter criteria, and this event has no filterPatterns: the key is not used",
                )
                .with_path(format!("{path}.kmsKeyArn"))
                .at(key.span, "")
                .with_help("add filterPatterns, or remove kmsKeyArn"),
            );
        }
        out.extend(check_key_policy(service, key, &format!("{path}.kmsKeyArn")));
    }
    out.extend(check_metrics_once(function, event));
    out.extend(check_reserved_tag_keys(function, event));
    out.extend(check_tag_count(service, function, event));
    out
}

/// Each metric at most once (Lambda refuses a list with one twice).
fn check_metrics_once(function: &Function, event: &Event) -> Option<Diagnostic> {
    let items = prop(&event.value, "metrics")?.as_seq()?;
    let (i, item) = items.iter().enumerate().find(|(i, item)| {
        items[..*i]
            .iter()
            .any(|earlier| earlier.to_json() == item.to_json())
    })?;
    Some(Diagnostic::error_at(
        codes::FUNCTION_EVENT_METRICS_DUPLICATE,
        format!("{}.metrics[{i}]", event.path(function)),
        item.span,
        format!("metrics lists {} twice", super::json_text(item)),
        "list each metric once",
    ))
}

/// Tag keys starting with `aws:` are AWS's own; CloudFormation refuses them.
fn check_reserved_tag_keys(function: &Function, event: &Event) -> Option<Diagnostic> {
    let tags = prop(&event.value, "tags")?.as_map()?;
    let entry = tags
        .entries
        .iter()
        .find(|e| e.key.to_ascii_lowercase().starts_with("aws:"))?;
    Some(Diagnostic::error_at(
        codes::FUNCTION_EVENT_TAG_KEY_RESERVED,
        format!("{}.tags.{}", event.path(function), entry.key),
        entry.key_span,
        format!(
            "the tag key {} starts with aws:, a prefix AWS keeps for itself",
            entry.key
        ),
        "rename the tag",
    ))
}

/// The `AWS::KMS::Key` of this template a `kmsKeyArn` names (`Fn::GetAtt [Key, Arn]`), if any.
fn same_template_key<'a>(service: &'a Service, key: &Node) -> Option<(String, &'a Node)> {
    let get_att = key.get("Fn::GetAtt")?;
    let id = match get_att.as_seq() {
        Some(items) => items.first()?.as_str()?.to_string(),
        None => get_att.as_str()?.split('.').next()?.to_string(),
    };
    let resource = service.root.get("resources")?.get("Resources")?.get(&id)?;
    (resource.get("Type")?.as_str()? == "AWS::KMS::Key").then_some((id, resource))
}

/// A key of this template must let `lambda.amazonaws.com` (or a principal of the account)
/// decrypt with it, or Lambda cannot read the filters it encrypted.
fn check_key_policy(service: &Service, key: &Node, path: &str) -> Option<Diagnostic> {
    let (id, resource) = same_template_key(service, key)?;
    let policy = resource.get("Properties").and_then(|p| p.get("KeyPolicy"));
    if policy.is_some_and(|p| !matches!(p.value, streaming_events_yaml::Value::Map(_))) {
        return None; // an intrinsic or a string: nothing we can read
    }
    let statements: Vec<&Node> = match policy.and_then(|p| p.get("Statement")) {
        Some(list) if list.as_seq().is_some() => list.as_seq().unwrap_or_default().iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    if statements.iter().any(|s| allows_lambda_decrypt(s)) {
        return None;
    }
    Some(
        Diagnostic::warning(
            codes::FUNCTION_EVENT_KMS_KEY_POLICY,
            format!("the key policy of {id} has no statement that allows lambda.amazonaws.com kms:Decrypt; Lambda cannot encrypt or read the filter criteria with it"),
        )
        .with_path(path)
        .at(key.span, "")
        .with_help(format!("add to {id}'s KeyPolicy a statement with Effect Allow, Principal {{Service: lambda.amazonaws.com}} and Action kms:Decrypt")),
    )
}

fn as_texts(node: Option<&Node>) -> Vec<String> {
    match node {
        None => Vec::new(),
        Some(n) => match n.as_seq() {
            Some(items) => items
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect(),
            None => n.as_str().map(str::to_string).into_iter().collect(),
        },
    }
}

fn allows_lambda_decrypt(statement: &Node) -> bool {
    if statement.get("Effect").and_then(Node::as_str) != Some("Allow") {
        return false;
    }
    let actions = as_texts(statement.get("Action"));
    let decrypts = actions.iter().any(|a| {
        matches!(
            a.to_ascii_lowercase().as_str(),
            "kms:decrypt" | "kms:*" | "*"
        )
    });
    let principal = statement.get("Principal");
    let lambda = principal
        .map(|p| {
            as_texts(p.get("Service"))
                .iter()
                .any(|s| s == "lambda.amazonaws.com")
        })
        .unwrap_or(false);
    let everyone = principal.and_then(Node::as_str) == Some("*")
        || principal.is_some_and(|p| as_texts(p.get("AWS")).iter().any(|a| a == "*"));
    decrypts && (lambda || everyone)
}

fn check_tag_count(service: &Service, function: &Function, event: &Event) -> Option<Diagnostic> {
    let e = &event.value;
    let count = mapping_tags(service, e, || Some(function)).len();
    if count <= MAX_TAGS {
        return None;
    }
    let path = event.path(function);
    let at = if prop(e, "tags").is_some() {
        "tags"
    } else {
        "inheritTags"
    };
    Some(Diagnostic::error_at(
        codes::FUNCTION_EVENT_TAGS_TOO_MANY,
        format!("{path}.{at}"),
        prop_span(e, at),
        format!("the mapping would carry {count} tags; Lambda accepts at most {MAX_TAGS} on one resource"),
        "remove tags, or drop inheritTags",
    ))
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, resource, service, streaming_statements};
    use serde_json::json;

    const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

    #[test]
    fn nothing_is_emitted_without_the_keys() {
        let t = compile(&service(&format!("      - stream: {STREAM}\n"))).unwrap();
        let p = &resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"];
        for key in ["KmsKeyArn", "MetricsConfig", "Tags"] {
            assert!(p.get(key).is_none(), "{key}");
        }
    }

    #[test]
    fn tags_are_sorted_and_inherited_only_on_request() {
        let yaml = |inherit: &str| {
            format!("service: svc\nprovider:\n  name: aws\n  tags: {{team: core, cost: a}}\nfunctions:\n  fn:\n    handler: h\n    tags: {{cost: b}}\n    events:\n      - stream:\n          arn: {STREAM}\n          tags: {{zone: '1', app: clicks}}\n{inherit}")
        };
        let t = compile(&yaml("")).unwrap();
        assert_eq!(
            resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"]["Tags"],
            json!([{"Key": "app", "Value": "clicks"}, {"Key": "zone", "Value": "1"}])
        );
        let t = compile(&yaml("          inheritTags: true\n")).unwrap();
        assert_eq!(
            resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"]["Tags"],
            json!([{"Key": "app", "Value": "clicks"}, {"Key": "cost", "Value": "b"}, {"Key": "team", "Value": "core"}, {"Key": "zone", "Value": "1"}])
        );
    }

    #[test]
    fn reserved_and_excess_tags_are_errors() {
        let reserved = service(&format!(
            "      - stream:\n          arn: {STREAM}\n          tags: {{'aws:x': y}}\n"
        ));
        assert_eq!(
            compile(&reserved).unwrap_err(),
            ["FUNCTION_EVENT_TAG_KEY_RESERVED"]
        );
        let many: String = (0..51).map(|i| format!("t{i}: v, ")).collect();
        let excess = service(&format!(
            "      - stream:\n          arn: {STREAM}\n          tags: {{{many}}}\n"
        ));
        assert_eq!(
            compile(&excess).unwrap_err(),
            ["FUNCTION_EVENT_TAGS_TOO_MANY"]
        );
    }

    #[test]
    fn metrics_follow_the_kind() {
        let t = compile(&service("      - kafka:\n          topic: t1\n          bootstrapServers: [b:9092]\n          accessConfigurations: {saslScram512Auth: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf'}\n          metrics: [KafkaMetrics, EventCount]\n")).unwrap();
        assert_eq!(
            resource(&t, "FnEventSourceMappingKafkaT1")["Properties"]["MetricsConfig"],
            json!({"Metrics": ["KafkaMetrics", "EventCount"]})
        );
        let stream = service(&format!(
            "      - stream:\n          arn: {STREAM}\n          metrics: [ErrorCount]\n"
        ));
        assert_eq!(
            compile(&stream).unwrap_err(),
            ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"]
        );
        let twice = service("      - kafka:\n          topic: t1\n          bootstrapServers: [b:9092]\n          accessConfigurations: {saslScram512Auth: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf'}\n          metrics: [ErrorCount, ErrorCount]\n");
        assert_eq!(
            compile(&twice).unwrap_err(),
            ["FUNCTION_EVENT_METRICS_DUPLICATE"]
        );
    }

    #[test]
    fn secret_keys_are_granted_decrypt() {
        let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf";
        let t = compile(&service(&format!("      - kafka:\n          topic: t1\n          bootstrapServers: [b:9092]\n          accessConfigurations: {{saslScram512Auth: {secret}}}\n          secretsManagerKmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab\n"))).unwrap();
        let statements = streaming_statements(&t);
        assert!(statements.contains(&json!({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]})), "{statements:?}");
    }
}
