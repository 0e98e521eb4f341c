//! What the two Amazon MQ compilers (`activemq`, `rabbitmq`) share: the schema, the checks and
//! the mapping; RabbitMQ adds `virtualHost`.

use super::{
    prop, prop_span, CompileContext, EventCompiler, FunctionTarget, MappingProperties,
    PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::js::truthy;
use crate::schema::defs;
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::Diagnostic;
use streaming_events_yaml::Node;

/// An Amazon MQ compiler: its event kind, whether it has virtual hosts (RabbitMQ), and how its
/// logical ids are named.
pub struct AmazonMqCompiler {
    pub kind: &'static str,
    pub virtual_host: bool,
    pub logical_id: fn(&str, &str) -> String,
    /// What the editor schema says about the kind and its own properties (before [`DOCS`]).
    pub docs: &'static [PropertyDoc],
}

/// What the editor schema says about the properties both Amazon MQ kinds have.
pub const DOCS: &[PropertyDoc] = &[
    doc("basicAuthArn", "The Secrets Manager secret with the broker user's name and password; granted secretsmanager:GetSecretValue.", "`SourceAccessConfigurations` of `Type: BASIC_AUTH`", "none (required)"),
    doc("queue", "The name of the queue to read.", "`Queues` (one item)", "none (required)"),
];

impl EventCompiler for AmazonMqCompiler {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        vec![self.docs, DOCS, super::features::DOCS]
    }

    fn schema(&self) -> Schema {
        schema(self.kind, self.virtual_host)
    }

    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::AmazonMq
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = super::features::check(service, function, event);
        out.extend(check_destinations(function, event));
        out
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        plan(function, event, self.logical_id)
    }

    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        suffix: &str,
    ) {
        compile(
            cx,
            target,
            event,
            crate::naming::with_suffix(&plan.logical_id, suffix),
            self.virtual_host,
        );
    }
}

/// The event schema; `virtual_host` adds RabbitMQ's `virtualHost` (non-empty, D13).
/// Lambda has no on-failure destination for Amazon MQ (`DestinationConfig` is for streams and
/// Kafka): an error, not only the schema's unknown property, so that it is never deployed
/// without the user knowing.
fn check_destinations(function: &Function, event: &Event) -> Option<Diagnostic> {
    let key = ["destinations", "onFailureDestination"]
        .into_iter()
        .find(|key| super::prop(&event.value, key).is_some())?;
    Some(Diagnostic::error_at(
        streaming_events_diagnostics::codes::FUNCTION_MQ_DESTINATION_UNSUPPORTED,
        format!("{}.{key}", event.path(function)),
        super::prop_span(&event.value, key),
        format!("The \"{}\" event of function \"{}\" sets \"{key}\", but Lambda offers no on-failure destination for Amazon MQ.", event.kind, function.key),
        "remove it; to keep failed messages, configure a dead-letter queue on the broker",
    ))
}

fn schema(kind: &str, virtual_host: bool) -> Schema {
    let mut props = vec![
        (
            "arn",
            Schema::any_of(
                "an Amazon MQ broker ARN, Fn::ImportValue or Ref",
                vec![
                    Schema::pattern(defs::MQ_BROKER_ARN_PATTERN),
                    defs::cf_import(),
                    defs::cf_ref(),
                ],
            ),
        ),
        ("basicAuthArn", defs::secret_arn()),
        ("batchSize", defs::batch_size()),
        ("maximumBatchingWindow", defs::maximum_batching_window()),
        ("enabled", Schema::Bool),
        ("queue", Schema::string()),
        ("filterPatterns", defs::filter_patterns()),
        super::features::secrets_kms_schema(),
    ];
    props.extend(super::features::schema_props(kind));
    if virtual_host {
        props.push((
            "virtualHost",
            Schema::Str {
                pattern: None,
                min_len: Some(1),
                max_len: None,
            },
        ));
    }
    Schema::Object {
        props,
        required: &["basicAuthArn", "arn", "queue"],
        additional: false,
        min_props: None,
    }
}

fn plan(
    function: &Function,
    event: &Event,
    logical_id: impl Fn(&str, &str) -> String,
) -> PlannedMapping {
    let e = &event.value;
    let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
    let queue = prop(e, "queue").and_then(Node::as_str).unwrap_or_default();
    let mut identity = Map::new();
    identity.insert("arn".into(), arn.clone());
    identity.insert("queue".into(), json!(queue));
    let broker = arn
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| crate::js::to_js_compact(&arn));
    PlannedMapping {
        event_index: event.index,
        logical_id: logical_id(&function.key, queue),
        source_key: format!("queue {queue} of broker {broker}"),
        identity_json: crate::js::to_js_compact(&Value::Object(identity)),
        source_span: prop_span(e, "arn"),
        source_path: format!("{}.arn", event.path(function)),
    }
}

fn compile(
    cx: &mut CompileContext<'_>,
    target: &FunctionTarget,
    event: &Event,
    logical_id: String,
    virtual_host: bool,
) {
    let e = &event.value;
    let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
    let secret = prop(e, "basicAuthArn")
        .map(Node::to_json)
        .unwrap_or(Value::Null);
    let mut access = vec![json!({"Type": "BASIC_AUTH", "URI": secret})];
    if virtual_host {
        if let Some(host) = prop(e, "virtualHost").filter(|n| truthy(n)) {
            access.push(json!({"Type": "VIRTUAL_HOST", "URI": host.to_json()}));
        }
    }
    let mut properties = MappingProperties::new(e);
    // D7: a batching window of 0 is emitted.
    properties
        .set("FunctionName", target.function_name())
        .set("EventSourceArn", arn.clone())
        .set(
            "Queues",
            json!([prop(e, "queue").map(Node::to_json).unwrap_or(Value::Null)]),
        )
        .set("SourceAccessConfigurations", Value::Array(access))
        .copy_truthy("BatchSize", "batchSize")
        .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow")
        .copy("Enabled", "enabled")
        .filter_criteria();
    super::features::emit(cx, target, e, &mut properties);
    cx.grant(target, Statement::allow(actions::SECRETS, vec![secret]));
    cx.grant(target, Statement::allow(actions::MQ_BROKER, vec![arn]));
    cx.grant(target, Statement::allow_any_resource(actions::VPC));
    super::features::grant_secrets_kms(cx, target, e);
    let resource = super::mapping_resource(target.depends_on(), properties.into_map());
    cx.template.add_resource(logical_id, resource);
}
