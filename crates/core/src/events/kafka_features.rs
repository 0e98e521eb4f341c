//! What `kafka` and `msk` share beyond the reference (docs/features.md): provisioned mode
//! (through [`super::provisioned`]), on-failure destinations (section 2), the schema registry
//! (6), the mapping's system logs (8) and the retry and partial-batch controls (11).
//!
//! ```yaml
//! - kafka:
//!     bootstrapServers: [b-1.example.com:9092]
//!     topic: orders
//!     accessConfigurations:
//!       saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf
//!     provisionedPollers: {min: 1, max: 10}
//!     destinations:
//!       onFailure: kafka://orders-failed
//!     logLevel: WARN
//!     maximumRetryAttempts: 3
//! ```
//! Nothing here is emitted, granted or checked when its key is absent, so services written for
//! the reference keep their templates byte for byte.

use super::provisioned::{self, PollerSource};
use super::{prop, prop_span, CompileContext, FunctionTarget, MappingProperties};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::{defs, Schema};
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

pub const KAFKA_DESTINATION_PATTERN: &str = "^kafka://[a-zA-Z0-9._-]+$";
pub const GLUE_REGISTRY_PATTERN: &str =
    r"^arn:[a-z-]+:glue:[a-z0-9-]+:\d{12}:registry/[A-Za-z0-9_$#-]+$";
pub const REGISTRY_URL_PATTERN: &str = r"^https?://[^\s]+$";

/// The settings that work only in provisioned mode (AWS's Kafka pages, docs/features.md).
const PROVISIONED_ONLY: &[(&str, &str)] = &[
    ("schemaRegistry", "a schema registry"),
    ("logLevel", "mapping system logs"),
    ("bisectBatchOnFunctionError", "splitting a batch on error"),
    ("maximumRetryAttempts", "a retry limit"),
    ("maximumRecordAgeInSeconds", "a record age limit"),
    ("functionResponseType", "partial batch responses"),
];

/// `schemaRegistry.accessConfigurations` keys and their `AccessConfigs[].Type`.
const REGISTRY_ACCESS: &[(&str, &str)] = &[
    ("basicAuth", "BASIC_AUTH"),
    ("clientCertificateTlsAuth", "CLIENT_CERTIFICATE_TLS_AUTH"),
    ("serverRootCaCertificate", "SERVER_ROOT_CA_CERTIFICATE"),
];

fn destination_value() -> Schema {
    Schema::any_of(
        "an ARN, kafka://TOPIC or an intrinsic function",
        vec![
            defs::arn_string(),
            Schema::pattern(KAFKA_DESTINATION_PATTERN),
            defs::cf_function(),
        ],
    )
}

fn destinations() -> Schema {
    let object = Schema::object(
        vec![
            ("arn", destination_value()),
            ("type", Schema::Enum(&["sqs", "sns", "s3", "kafka"])),
        ],
        &["arn"],
    );
    Schema::object(
        vec![(
            "onFailure",
            Schema::any_of(
                "an ARN, kafka://TOPIC, or {arn, type}",
                vec![
                    defs::arn_string(),
                    Schema::pattern(KAFKA_DESTINATION_PATTERN),
                    object,
                ],
            ),
        )],
        &["onFailure"],
    )
}

fn schema_registry() -> Schema {
    let secret = || Schema::aws(defs::secrets_manager_arn_string());
    Schema::Closed(Box::new(Schema::Object {
        props: vec![
            (
                "uri",
                Schema::any_of(
                    "a Glue schema registry ARN or a Confluent schema registry URL",
                    vec![
                        Schema::pattern(GLUE_REGISTRY_PATTERN),
                        Schema::Str {
                            pattern: Some(REGISTRY_URL_PATTERN),
                            min_len: Some(1),
                            max_len: Some(10000),
                        },
                    ],
                ),
            ),
            ("eventRecordFormat", Schema::StrEnum(&["JSON", "SOURCE"])),
            (
                "validate",
                Schema::Array {
                    items: Box::new(Schema::Enum(&["KEY", "VALUE"])),
                    min_items: Some(1),
                    max_items: Some(2),
                },
            ),
            (
                "accessConfigurations",
                Schema::Closed(Box::new(Schema::Object {
                    props: REGISTRY_ACCESS
                        .iter()
                        .map(|(key, _)| (*key, secret()))
                        .collect(),
                    required: &[],
                    additional: false,
                    min_props: Some(1),
                })),
            ),
        ],
        required: &["uri", "eventRecordFormat", "validate"],
        additional: false,
        min_props: None,
    }))
}

/// What the editor schema says about the properties of [`with_shared_props`].
pub const DOCS: &[PropertyDoc] = &[
    doc("destinations", "Where Lambda sends the records of a batch it gave up on (provisioned mode).", "`DestinationConfig`", "none"),
    doc("destinations.onFailure", "The destination: an SQS queue, SNS topic or S3 bucket ARN, `kafka://TOPIC`, or `{arn, type}` when the ARN is an intrinsic function.", "`DestinationConfig.OnFailure.Destination`", "none (required in `destinations`)"),
    doc("destinations.onFailure.arn", "The destination's ARN, `kafka://TOPIC`, or an intrinsic function giving an ARN.", "`DestinationConfig.OnFailure.Destination`", "none (required)"),
    doc("destinations.onFailure.type", "What `arn` names, needed when it is an intrinsic function; it decides the permission granted.", "none (the IAM statement)", "read from the ARN")
        .values(&[("sqs", "an SQS queue (sqs:SendMessage)"), ("sns", "an SNS topic (sns:Publish)"), ("s3", "an S3 bucket (s3:PutObject, s3:ListBucket)"), ("kafka", "a topic of the same cluster (`kafka://TOPIC`)")]),
    doc("onFailureDestination", "osls's spelling of `destinations.onFailure` (an ARN or `kafka://TOPIC`); accepted with a deprecation warning.", "`DestinationConfig.OnFailure.Destination`", "none"),
    doc("schemaRegistry", "A schema registry Lambda validates and decodes the records with (provisioned mode).", "`SchemaRegistryConfig` of the Kafka event source config", "none"),
    doc("schemaRegistry.uri", "The registry: a Glue schema registry ARN or a Confluent schema registry URL.", "`SchemaRegistryConfig.SchemaRegistryURI`", "none (required)"),
    doc("schemaRegistry.eventRecordFormat", "How the function receives the records.", "`SchemaRegistryConfig.EventRecordFormat`", "none (required)")
        .values(&[("JSON", "decoded into JSON"), ("SOURCE", "in the registry's format, as written")]),
    doc("schemaRegistry.validate", "Which parts of a record are validated against the registry (`KEY`, `VALUE` or both).", "`SchemaRegistryConfig.SchemaValidationConfigs[].Attribute`", "none (required)")
        .values(&[("KEY", "the record's key"), ("VALUE", "the record's value")]),
    doc("schemaRegistry.accessConfigurations", "The Secrets Manager secrets Lambda reaches the registry with.", "`SchemaRegistryConfig.AccessConfigs`", "none"),
    doc("schemaRegistry.accessConfigurations.basicAuth", "A secret holding the registry's user name and password.", "`AccessConfigs` of `Type: BASIC_AUTH`", "none"),
    doc("schemaRegistry.accessConfigurations.clientCertificateTlsAuth", "A secret holding the client certificate for mutual TLS with the registry.", "`AccessConfigs` of `Type: CLIENT_CERTIFICATE_TLS_AUTH`", "none"),
    doc("schemaRegistry.accessConfigurations.serverRootCaCertificate", "A secret holding the root CA certificate the registry's TLS certificate is checked against.", "`AccessConfigs` of `Type: SERVER_ROOT_CA_CERTIFICATE`", "none"),
    doc("logLevel", "The mapping's system logs in CloudWatch (provisioned mode).", "`LoggingConfig.SystemLogLevel`", "not set: no system logs")
        .values(&[("DEBUG", "everything, for troubleshooting"), ("INFO", "the mapping's progress and errors"), ("WARN", "warnings and errors only")]),
    doc("bisectBatchOnFunctionError", "Split a failed batch in two and retry each half (provisioned mode).", "`BisectBatchOnFunctionError`", "not set: false"),
    doc("maximumRetryAttempts", "How often a failed batch is retried (-1: until the record expires; 0–10000; provisioned mode).", "`MaximumRetryAttempts`", "not set: -1"),
    doc("maximumRecordAgeInSeconds", "Records older than this are skipped (-1: no limit; 60–604800; provisioned mode).", "`MaximumRecordAgeInSeconds`", "not set: -1"),
];

/// The kind's own schema (an object) with the entries both kinds take added after its own.
pub fn with_shared_props(mut schema: Schema) -> Schema {
    if let Schema::Object { props, .. } = &mut schema {
        props.extend(schema_props());
    }
    schema
}

/// The schema entries both kinds take (their own ones stay in their files).
fn schema_props() -> Vec<(&'static str, Schema)> {
    let mut props = provisioned::schema_props(PollerSource::Kafka);
    props.extend([
        ("destinations", destinations()),
        (
            "onFailureDestination",
            Schema::any_of(
                "an ARN or kafka://TOPIC",
                vec![
                    defs::arn_string(),
                    Schema::pattern(KAFKA_DESTINATION_PATTERN),
                ],
            ),
        ),
        ("schemaRegistry", schema_registry()),
        ("logLevel", Schema::StrEnum(&["DEBUG", "INFO", "WARN"])),
        ("bisectBatchOnFunctionError", Schema::Bool),
        (
            "maximumRetryAttempts",
            Schema::aws(Schema::integer(-1.0, 10000.0)),
        ),
        (
            "maximumRecordAgeInSeconds",
            Schema::aws(Schema::any_of(
                "-1 or an integer from 60 to 604800",
                vec![Schema::ConstNumber(-1.0), Schema::integer(60.0, 604_800.0)],
            )),
        ),
        (
            "functionResponseType",
            Schema::Enum(&["ReportBatchItemFailures"]),
        ),
    ]);
    props
}

/// The on-failure destination: `(the node under onFailure or onFailureDestination, its path
/// suffix)`.
fn on_failure(e: &Node) -> Option<(&Node, &'static str)> {
    if let Some(node) = prop(e, "destinations").and_then(|d| prop(d, "onFailure")) {
        return Some((node, "destinations.onFailure"));
    }
    prop(e, "onFailureDestination").map(|n| (n, "onFailureDestination"))
}

/// `(destination value, explicit type)` of an on-failure node.
fn destination_parts(node: &Node) -> (Option<&Node>, Option<&str>) {
    if node.as_map().is_some() {
        (prop(node, "arn"), prop(node, "type").and_then(Node::as_str))
    } else {
        (Some(node), None)
    }
}

/// The destination's type: `type`, else `kafka` for `kafka://…`, else the ARN's service.
fn destination_type(node: &Node) -> Option<String> {
    let (value, explicit) = destination_parts(node);
    if let Some(t) = explicit {
        return Some(t.to_string());
    }
    literal_type(value?.as_str()?)
}

fn literal_type(text: &str) -> Option<String> {
    if text.starts_with("kafka://") {
        return Some("kafka".into());
    }
    text.split(':').nth(2).map(str::to_string)
}

/// The checks of sections 2, 6, 8 and 11 for one event.
pub fn check(service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
    let mut out = provisioned::check(function, event);
    out.extend(provisioned::check_groups(service, function, event));
    let e = &event.value;
    let path = event.path(function);
    out.extend(check_destination(function, event));
    if !provisioned::is_provisioned(e) {
        for (key, what) in PROVISIONED_ONLY {
            if prop(e, key).is_some() {
                out.push(
                    Diagnostic::error(
                        codes::FUNCTION_KAFKA_PROVISIONED_MODE_REQUIRED,
                        format!("The \"{}\" event of function \"{}\" sets \"{key}\", but Lambda offers {what} for Kafka only in provisioned mode.", event.kind, function.key),
                    )
                    .with_path(format!("{path}.{key}"))
                    .at(prop_span(e, key), "needs provisioned mode")
                    .with_help("add `provisionedPollers: {min: 1, max: …}` to the event (provisioned mode is billed per poller)"),
                );
            }
        }
    }
    if let Some(registry) = prop(e, "schemaRegistry") {
        out.extend(check_registry(registry, &format!("{path}.schemaRegistry")));
    }
    if prop(e, "logLevel").is_some()
        && crate::config::roles::custom_execution_role(service, function).is_some()
    {
        out.push(
            Diagnostic::warning(
                codes::FUNCTION_KAFKA_LOG_LEVEL_CUSTOM_ROLE,
                format!("function \"{}\" brings its own role: the mapping's system logs (logLevel) go to the function's log group only if that role allows logs:CreateLogStream and logs:PutLogEvents there", function.key),
            )
            .with_path(format!("{path}.logLevel"))
            .at(prop_span(e, "logLevel"), "written with the function's role")
            .with_help("check that the role grants the function's log permissions"),
        );
    }
    out
}

/// Every way a destination can be wrong: both spellings (and the osls one), no type for an
/// intrinsic, an unsupported service, a type that disagrees, the source topic.
fn check_destination(function: &Function, event: &Event) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let e = &event.value;
    let path = event.path(function);
    let error = |at: String, span, message: String, help: &str| {
        Diagnostic::error_at(
            codes::FUNCTION_KAFKA_DESTINATION_INVALID,
            at,
            span,
            message,
            help,
        )
    };
    if let Some(alias) = prop(e, "onFailureDestination") {
        if prop(e, "destinations").is_some() {
            out.push(error(
                format!("{path}.onFailureDestination"),
                alias.span,
                format!("The \"{}\" event of function \"{}\" sets both \"destinations\" and its deprecated spelling \"onFailureDestination\".", event.kind, function.key),
                "keep destinations.onFailure only",
            ));
            return out;
        }
        out.push(
            Diagnostic::warning(
                codes::EVENT_PROPERTY_DEPRECATED,
                format!("\"onFailureDestination\" (the osls spelling) of function \"{}\" is deprecated; it is read as destinations.onFailure", function.key),
            )
            .with_path(format!("{path}.onFailureDestination"))
            .at(alias.span, "the osls spelling")
            .with_help("write `destinations: {onFailure: …}`"),
        );
    }
    let Some((node, suffix)) = on_failure(e) else {
        return out;
    };
    let at = format!("{path}.{suffix}");
    let (value, explicit) = destination_parts(node);
    let Some(value) = value else {
        return out;
    };
    let literal = value.as_str();
    if literal.is_none() && explicit.is_none() {
        out.push(error(
            format!("{at}.type"),
            value.span,
            format!("The on-failure destination of function \"{}\" is an intrinsic function, so its type cannot be read from it.", function.key),
            "add `type: sqs`, `sns`, `s3` or `kafka` next to the arn",
        ));
        return out;
    }
    let derived = literal.and_then(literal_type);
    if let Some(service) = derived.as_deref() {
        if !["sqs", "sns", "s3", "kafka"].contains(&service) {
            out.push(error(
                at.clone(),
                value.span,
                format!("The on-failure destination {} of function \"{}\" is a {service} resource; a Kafka mapping sends failed records to an SQS queue, an SNS topic, an S3 bucket or a Kafka topic (kafka://TOPIC).", literal.unwrap_or_default(), function.key),
                "use an SQS, SNS or S3 ARN, or kafka://TOPIC",
            ));
            return out;
        }
    }
    if let (Some(t), Some(service)) = (explicit, derived.as_deref()) {
        if t != service {
            out.push(error(
                format!("{at}.type"),
                prop_span(node, "type"),
                format!(
                    "The on-failure destination of function \"{}\" has type {t}, but {} names {}.",
                    function.key,
                    literal.unwrap_or_default(),
                    service_name(service)
                ),
                "remove `type` (it is read from the ARN) or fix the ARN",
            ));
        }
    }
    let source_topic = prop(e, "topic").and_then(Node::as_str);
    if let (Some(dest), Some(topic)) = (
        literal.and_then(|l| l.strip_prefix("kafka://")),
        source_topic,
    ) {
        if dest == topic {
            out.push(error(
                at,
                value.span,
                format!("The on-failure destination of function \"{}\" is its source topic {topic}; Lambda refuses a destination topic equal to the source topic.", function.key),
                "send failed records to another topic of the same cluster (kafka://TOPIC-failed, say)",
            ));
        }
    }
    out
}

/// What a destination type names, for messages.
fn service_name(service: &str) -> &'static str {
    match service {
        "sqs" => "an SQS queue",
        "sns" => "an SNS topic",
        "s3" => "an S3 bucket",
        _ => "a Kafka topic",
    }
}

fn check_registry(registry: &Node, path: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(list) = prop(registry, "validate").and_then(Node::as_seq) {
        for (i, item) in list.iter().enumerate() {
            if list[..i]
                .iter()
                .any(|earlier| earlier.as_str() == item.as_str())
            {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_KAFKA_SCHEMA_REGISTRY_INVALID,
                    format!("{path}.validate[{i}]"),
                    item.span,
                    format!("schemaRegistry.validate lists {} twice; Lambda validates each of KEY and VALUE once.", super::json_text(item)),
                    "list KEY, VALUE or both, once each",
                ));
            }
        }
    }
    let Some(access) = prop(registry, "accessConfigurations").and_then(Node::as_map) else {
        return out;
    };
    let span = prop_span(registry, "accessConfigurations");
    if access.len() > 2 {
        out.push(Diagnostic::error_at(
            codes::FUNCTION_KAFKA_SCHEMA_REGISTRY_INVALID,
            format!("{path}.accessConfigurations"),
            span,
            format!("schemaRegistry.accessConfigurations has {} entries; Lambda takes at most 2 (an authentication and a root CA certificate).", access.len()),
            "keep basicAuth or clientCertificateTlsAuth, and serverRootCaCertificate",
        ));
    }
    let glue = prop(registry, "uri")
        .and_then(Node::as_str)
        .is_some_and(|u| u.starts_with("arn:"));
    if glue {
        out.push(
            Diagnostic::warning(
                codes::FUNCTION_KAFKA_SCHEMA_REGISTRY_ACCESS_UNUSED,
                "schemaRegistry.accessConfigurations is set for a Glue schema registry, which Lambda reaches with the execution role: the secrets are not used".to_string(),
            )
            .with_path(format!("{path}.accessConfigurations"))
            .at(span, "not used with Glue")
            .with_help("remove accessConfigurations (the role gets glue:GetRegistry and glue:GetSchemaVersion)"),
        );
    }
    out
}

/// `SchemaRegistryConfig`, for `…KafkaEventSourceConfig`.
fn schema_registry_config(e: &Node) -> Option<Value> {
    let registry = prop(e, "schemaRegistry")?;
    let mut config = Map::new();
    for (key, from) in [
        ("SchemaRegistryURI", "uri"),
        ("EventRecordFormat", "eventRecordFormat"),
    ] {
        if let Some(value) = prop(registry, from) {
            config.insert(key.into(), value.to_json());
        }
    }
    if let Some(list) = prop(registry, "validate").and_then(Node::as_seq) {
        let items: Vec<Value> = list
            .iter()
            .map(|a| json!({"Attribute": a.to_json()}))
            .collect();
        config.insert("SchemaValidationConfigs".into(), Value::Array(items));
    }
    let access = registry_access(registry);
    if !access.is_empty() {
        let list = access
            .into_iter()
            .map(|(kind, uri)| json!({"Type": kind, "URI": uri}))
            .collect();
        config.insert("AccessConfigs".into(), Value::Array(list));
    }
    Some(Value::Object(config))
}

fn registry_access(registry: &Node) -> Vec<(&'static str, Value)> {
    let Some(access) = prop(registry, "accessConfigurations").and_then(Node::as_map) else {
        return Vec::new();
    };
    access
        .entries
        .iter()
        .filter_map(|entry| {
            let (_, kind) = REGISTRY_ACCESS.iter().find(|(k, _)| *k == entry.key)?;
            (!entry.value.is_null()).then(|| (*kind, entry.value.to_json()))
        })
        .collect()
}

/// `SelfManagedKafkaEventSourceConfig` / `AmazonManagedKafkaEventSourceConfig`: the consumer
/// group (when truthy, as the reference) first, then the schema registry; none when neither.
pub fn kafka_event_source_config(e: &Node) -> Option<Value> {
    let mut config = Map::new();
    if let Some(group) = prop(e, "consumerGroupId").filter(|n| crate::js::truthy(n)) {
        config.insert("ConsumerGroupId".into(), group.to_json());
    }
    if let Some(registry) = schema_registry_config(e) {
        config.insert("SchemaRegistryConfig".into(), registry);
    }
    (!config.is_empty()).then_some(Value::Object(config))
}

/// An MSK topic or group ARN derived from the cluster ARN
/// (`arn:P:kafka:R:A:cluster/NAME/UUID` → `arn:P:kafka:R:A:<kind>/NAME/UUID/<name>`): a string
/// for a literal cluster ARN, `Fn::Join` over `Fn::Split` for an intrinsic one; none for a
/// literal that is not a cluster ARN (a VPC connection's, for one).
pub fn msk_resource_arn(cluster: &Value, kind: &str, name: &Value) -> Option<Value> {
    match cluster {
        Value::String(text) => {
            let (head, rest) = text.split_once(":cluster/")?;
            let mut parts = rest.split('/');
            let (cluster_name, uuid) = (parts.next()?, parts.next()?);
            if cluster_name.is_empty() || uuid.is_empty() || parts.next().is_some() {
                return None;
            }
            match name {
                Value::String(n) => Some(json!(format!("{head}:{kind}/{cluster_name}/{uuid}/{n}"))),
                other => Some(
                    json!({"Fn::Join": ["", [format!("{head}:{kind}/{cluster_name}/{uuid}/"), other]]}),
                ),
            }
        }
        intrinsic => Some(json!({"Fn::Join": ["", [
            {"Fn::Join": [format!(":{kind}/"), {"Fn::Split": [":cluster/", intrinsic]}]},
            "/",
            name
        ]]})),
    }
}

/// Emits the shared features in a fixed order after the kind's own properties, and grants
/// what they need. `cluster` is the MSK cluster ARN (none for self-managed Kafka).
pub fn compile(
    cx: &mut CompileContext<'_>,
    target: &FunctionTarget,
    e: &Node,
    properties: &mut MappingProperties<'_>,
    cluster: Option<&Value>,
) {
    provisioned::emit(properties, e);
    if let Some((node, _)) = on_failure(e) {
        let (value, _) = destination_parts(node);
        let destination = value.map(Node::to_json).unwrap_or(Value::Null);
        let kind = destination_type(node).unwrap_or_default();
        grant_destination(cx, target, &kind, &destination, cluster);
        properties.set(
            "DestinationConfig",
            json!({"OnFailure": {"Destination": destination}}),
        );
    }
    if let Some(level) = prop(e, "logLevel") {
        properties.set("LoggingConfig", json!({"SystemLogLevel": level.to_json()}));
    }
    properties
        .copy("BisectBatchOnFunctionError", "bisectBatchOnFunctionError")
        .copy("MaximumRetryAttempts", "maximumRetryAttempts")
        .copy("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds")
        .copy_as_list("FunctionResponseTypes", "functionResponseType");
    if let Some(registry) = prop(e, "schemaRegistry") {
        grant_registry(cx, target, registry);
    }
}

fn grant_destination(
    cx: &mut CompileContext<'_>,
    target: &FunctionTarget,
    kind: &str,
    destination: &Value,
    cluster: Option<&Value>,
) {
    match kind {
        "sns" => cx.grant(
            target,
            Statement::allow(actions::SNS_DESTINATION, vec![destination.clone()]),
        ),
        "sqs" => cx.grant(
            target,
            Statement::allow(actions::SQS_DESTINATION, vec![destination.clone()]),
        ),
        "s3" => cx.grant_s3_destination(target, destination),
        // A topic of the source cluster: for MSK (IAM access control), connect to the cluster
        // and write to the topic; self-managed Kafka uses the mapping's own authentication.
        "kafka" => {
            let Some(cluster) = cluster else { return };
            let topic = destination
                .as_str()
                .and_then(|d| d.strip_prefix("kafka://"))
                .map(|t| json!(t));
            let topic_arn = topic.and_then(|t| msk_resource_arn(cluster, "topic", &t));
            cx.grant(
                target,
                Statement::allow(actions::MSK_CONNECT, vec![cluster.clone()]),
            );
            if let Some(arn) = topic_arn {
                cx.grant(
                    target,
                    Statement::allow(actions::KAFKA_TOPIC_DESTINATION, vec![arn]),
                );
            }
        }
        _ => {}
    }
}

/// Glue: `glue:GetRegistry` on the registry and `glue:GetSchemaVersion` on its schemas;
/// Confluent: the secrets of its access configurations (root CA included).
fn grant_registry(cx: &mut CompileContext<'_>, target: &FunctionTarget, registry: &Node) {
    let uri = prop(registry, "uri").and_then(Node::as_str).unwrap_or("");
    if let Some((head, name)) = uri.split_once(":registry/") {
        cx.grant(
            target,
            Statement::allow(actions::GLUE_REGISTRY, vec![json!(uri)]),
        );
        cx.grant(
            target,
            Statement::allow(
                actions::GLUE_SCHEMA_VERSION,
                vec![json!(format!("{head}:schema/{name}/*"))],
            ),
        );
        return;
    }
    let secrets: Vec<Value> = registry_access(registry)
        .into_iter()
        .map(|(_, uri)| uri)
        .collect();
    cx.grant(target, Statement::allow(actions::SECRETS, secrets));
}

#[cfg(test)]
mod tests {
    use super::msk_resource_arn;
    use crate::events::test_support::{compile, resource, service, streaming_statements};
    use serde_json::json;

    const CLUSTER: &str = "arn:aws:kafka:us-east-1:1:cluster/payments/abc-1";
    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:1:secret:k-AbCdEf";

    #[test]
    fn topic_and_group_arns_come_from_the_cluster_arn() {
        assert_eq!(
            msk_resource_arn(&json!(CLUSTER), "topic", &json!("clicks")),
            Some(json!(
                "arn:aws:kafka:us-east-1:1:topic/payments/abc-1/clicks"
            ))
        );
        let import = json!({"Fn::ImportValue": "c"});
        assert_eq!(
            msk_resource_arn(&import, "group", &json!("*")),
            Some(
                json!({"Fn::Join": ["", [{"Fn::Join": [":group/", {"Fn::Split": [":cluster/", import]}]}, "/", "*"]]})
            )
        );
        for not_a_cluster in [
            "arn:aws:kafka:us-east-1:1:vpc-connection/2/payments/abc-1",
            "arn:aws:kafka:us-east-1:1:cluster/payments",
            "arn:aws:kafka:us-east-1:1:cluster/payments/abc-1/extra",
        ] {
            assert_eq!(
                msk_resource_arn(&json!(not_a_cluster), "topic", &json!("t")),
                None,
                "{not_a_cluster}"
            );
        }
    }

    #[test]
    fn the_registry_follows_the_consumer_group_and_grants_glue() {
        let t = compile(&service(&format!(
            "      - msk:\n          arn: {CLUSTER}\n          topic: clicks\n          consumerGroupId: g\n          provisionedPollers: {{min: 1}}\n          schemaRegistry: {{uri: 'arn:aws:glue:eu-west-1:210987654321:registry/r', eventRecordFormat: JSON, validate: [KEY]}}\n"
        )))
        .unwrap();
        let p = &resource(&t, "FnEventSourceMappingMSKPaymentsClicks")["Properties"];
        let config = p["AmazonManagedKafkaEventSourceConfig"]
            .as_object()
            .unwrap();
        assert_eq!(
            config.keys().collect::<Vec<_>>(),
            ["ConsumerGroupId", "SchemaRegistryConfig"]
        );
        let statements = streaming_statements(&t);
        assert!(statements.contains(&json!({"Effect": "Allow", "Action": ["glue:GetSchemaVersion"], "Resource": ["arn:aws:glue:eu-west-1:210987654321:schema/r/*"]})), "{statements:?}");
    }

    #[test]
    fn features_that_need_provisioned_mode_and_bad_destinations_are_errors() {
        let err = |extra: &str| {
            compile(&service(&format!(
                "      - kafka:\n          accessConfigurations: {{saslPlainAuth: {SECRET}}}\n          bootstrapServers: [b:1]\n          topic: t1\n{extra}"
            )))
            .unwrap_err()
        };
        assert_eq!(
            err("          logLevel: INFO\n          bisectBatchOnFunctionError: true\n"),
            [
                "FUNCTION_KAFKA_PROVISIONED_MODE_REQUIRED",
                "FUNCTION_KAFKA_PROVISIONED_MODE_REQUIRED"
            ]
        );
        let osls = compile(&service(&format!(
            "      - kafka:\n          accessConfigurations: {{saslPlainAuth: {SECRET}}}\n          bootstrapServers: [b:1]\n          topic: t1\n          provisionedPollerConfig: {{minimumPollers: 1}}\n          logLevel: INFO\n"
        )));
        assert!(
            osls.is_ok(),
            "the osls spelling is provisioned mode too: {osls:?}"
        );
        assert_eq!(
            err("          destinations: {onFailure: kafka://t1}\n"),
            ["FUNCTION_KAFKA_DESTINATION_INVALID"]
        );
        assert_eq!(
            err("          destinations: {onFailure: {arn: !Ref Q}}\n"),
            ["FUNCTION_KAFKA_DESTINATION_INVALID"]
        );
    }

    #[test]
    fn an_s3_destination_gets_the_bucket_and_its_objects() {
        let t = compile(&service(&format!(
            "      - msk:\n          arn: {CLUSTER}\n          topic: clicks\n          destinations: {{onFailure: 'arn:aws:s3:::failed'}}\n"
        )))
        .unwrap();
        let statements = streaming_statements(&t);
        assert!(statements.contains(&json!({"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::failed"]})));
        assert!(statements.contains(&json!({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::failed/*"]})));
        assert!(
            !statements.iter().any(|s| s.to_string().contains("sqs:")),
            "no SQS permission for an S3 ARN"
        );
    }
}
