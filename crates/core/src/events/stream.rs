//! `stream`: DynamoDB Streams and Kinesis Data Streams, including Kinesis enhanced fan-out
//! consumers.
//!
//! ```yaml
//! functions:
//!   worker:
//!     handler: handler.worker
//!     events:
//!       - stream: arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-15T10:20:30.123
//!       - stream:
//!           arn: arn:aws:kinesis:us-east-1:123456789012:stream/clickstream
//!           consumer: true
//!           batchSize: 100
//!           startingPosition: LATEST
//! ```
//! gives `WorkerEventSourceMappingDynamodbOrders`, `WorkerEventSourceMappingKinesisClickstream`
//! and the consumer `WorkerclickstreamConsumerStreamConsumer`.

use super::{
    missing_timestamp, prop, prop_span, CompileContext, EventCompiler, FunctionTarget,
    MappingProperties, PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::js::truthy;
use crate::naming;
use crate::schema::defs;
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

pub struct StreamCompiler;

/// `onFailure` as an object: `{arn, type}`.
fn on_failure_object() -> Schema {
    Schema::Object {
        props: vec![
            ("arn", defs::arn()),
            ("type", Schema::Enum(&["sns", "sqs", "s3"])),
        ],
        required: &["arn"],
        additional: false,
        min_props: None,
    }
}

fn event_object() -> Schema {
    Schema::Object {
        props: vec![
            ("arn", defs::arn()),
            ("type", Schema::Enum(&["dynamodb", "kinesis"])),
            ("batchSize", defs::batch_size()),
            (
                "parallelizationFactor",
                Schema::aws(Schema::integer(1.0, 10.0)),
            ),
            ("startingPosition", defs::starting_position()),
            (
                "startingPositionTimestamp",
                Schema::Number {
                    min: None,
                    max: None,
                },
            ),
            ("enabled", Schema::Bool),
            (
                "consumer",
                Schema::any_of(
                    "true or a consumer ARN",
                    vec![Schema::ConstTrue, defs::arn()],
                ),
            ),
            ("batchWindow", defs::maximum_batching_window()),
            (
                "maximumRetryAttempts",
                Schema::aws(Schema::integer(-1.0, 10000.0)),
            ),
            ("bisectBatchOnFunctionError", Schema::Bool),
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
            (
                "destinations",
                Schema::Object {
                    props: vec![(
                        "onFailure",
                        Schema::any_of(
                            "an ARN string or {arn, type}",
                            vec![defs::arn_string(), on_failure_object()],
                        ),
                    )],
                    required: &["onFailure"],
                    additional: false,
                    min_props: None,
                },
            ),
            (
                "tumblingWindowInSeconds",
                Schema::aws(Schema::integer(0.0, 900.0)),
            ),
            ("filterPatterns", defs::filter_patterns()),
        ]
        .into_iter()
        .chain(super::features::schema_props("stream"))
        .collect(),
        required: &["arn"],
        additional: false,
        min_props: None,
    }
}

/// What the editor schema says about a `stream` event and its properties.
const DOCS: &[PropertyDoc] = &[
    doc("", "A DynamoDB or Kinesis stream the function reads: a stream ARN, or its configuration.", "an `AWS::Lambda::EventSourceMapping`", ""),
    doc("arn", "The stream: a DynamoDB table's stream ARN or a Kinesis stream ARN (or an intrinsic function giving one).", "`EventSourceArn` (a consumer's ARN when `consumer` is set)", "none (required)"),
    doc("type", "Which kind of stream `arn` is, where an intrinsic function hides it; the permissions granted follow it.", "none (the IAM statement's actions)", "read from the ARN")
        .values(&[("dynamodb", "a DynamoDB stream (dynamodb:GetRecords, GetShardIterator, DescribeStream, ListStreams)"), ("kinesis", "a Kinesis data stream (kinesis:GetRecords, GetShardIterator, DescribeStream, DescribeStreamSummary, ListShards, ListStreams)")]),
    doc("batchSize", "How many records Lambda reads from a shard per invocation at most (1–10000).", "`BatchSize`", "10"),
    doc("parallelizationFactor", "How many batches of one shard Lambda processes at once (1–10).", "`ParallelizationFactor`", "not set: 1"),
    doc("startingPosition", "Where a new mapping starts reading each shard.", "`StartingPosition`", "TRIM_HORIZON")
        .values(defs::STARTING_POSITION_DOCS),
    doc("enabled", "Whether the mapping polls the stream; `false` creates it paused.", "`Enabled`", "true"),
    doc("consumer", "Kinesis enhanced fan-out: `true` creates a stream consumer for the function (an `AWS::Kinesis::StreamConsumer`), or give an existing consumer's ARN.", "`EventSourceArn` becomes the consumer's ARN", "no consumer (shared throughput)"),
    doc("batchWindow", "How long, in seconds, Lambda gathers records before invoking (0–300).", "`MaximumBatchingWindowInSeconds`", "not set: 0"),
    doc("maximumRetryAttempts", "How often a failed batch is retried (-1: until the record expires; 0–10000).", "`MaximumRetryAttempts`", "not set: -1"),
    doc("bisectBatchOnFunctionError", "Split a failed batch in two and retry each half.", "`BisectBatchOnFunctionError`", "not set: false"),
    doc("maximumRecordAgeInSeconds", "Records older than this are skipped (-1: no limit; 60–604800).", "`MaximumRecordAgeInSeconds`", "not set: -1"),
    doc("destinations", "Where Lambda sends the description of a batch it gave up on.", "`DestinationConfig`", "none"),
    doc("destinations.onFailure", "The SNS topic, SQS queue or S3 bucket for discarded batches: an ARN, or `{arn, type}` when the ARN is an intrinsic function.", "`DestinationConfig.OnFailure.Destination`", "none (required in `destinations`)"),
    doc("destinations.onFailure.arn", "The SNS topic's, SQS queue's or S3 bucket's ARN (or an intrinsic function).", "`DestinationConfig.OnFailure.Destination`", "none (required)"),
    doc("destinations.onFailure.type", "What `arn` names, needed when it is an intrinsic function: it decides the permission granted (sns:Publish, sqs:SendMessage, or s3:ListBucket and s3:PutObject).", "none (the IAM statement)", "read from the ARN")
        .values(&[("sns", "an SNS topic (sns:Publish)"), ("sqs", "an SQS queue (sqs:SendMessage)"), ("s3", "an S3 bucket (s3:ListBucket on it, s3:PutObject on its objects)")]),
    doc("tumblingWindowInSeconds", "Aggregate state across invocations over windows of this many seconds (0–900).", "`TumblingWindowInSeconds`", "not set: no windows"),
];

/// The event value as an object (the string form is `{arn}`).
pub(super) fn fields(event: &Event) -> std::borrow::Cow<'_, Node> {
    match &event.value.value {
        streaming_events_yaml::Value::String(_) => {
            let mut map = streaming_events_yaml::Mapping::default();
            map.insert("arn".into(), event.value.span, event.value.clone());
            std::borrow::Cow::Owned(Node::new(
                streaming_events_yaml::Value::Map(map),
                event.value.span,
            ))
        }
        _ => std::borrow::Cow::Borrowed(&event.value),
    }
}

/// The service named by a literal ARN (`arn:aws:kinesis:…` → `kinesis`).
fn arn_service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}

/// The stream type: `type`, else the service of a literal ARN.
fn stream_type(event: &Node) -> Option<String> {
    if let Some(t) = prop(event, "type").and_then(Node::as_str) {
        return Some(t.to_string());
    }
    prop(event, "arn")
        .and_then(Node::as_str)
        .and_then(arn_service)
        .map(str::to_string)
}

/// The stream name used in ids and consumer names (reference rules, D17 additions).
pub(super) fn stream_name(arn: &Node) -> Option<String> {
    if let Some(s) = arn.as_str() {
        return s.split('/').nth(1).map(str::to_string);
    }
    let map = arn.as_map()?;
    if let Some(get_att) = map.get("Fn::GetAtt") {
        return match &get_att.value {
            streaming_events_yaml::Value::Seq(items) => {
                items.first().and_then(Node::as_str).map(str::to_string)
            }
            streaming_events_yaml::Value::String(s) => s.split('.').next().map(str::to_string),
            _ => None,
        };
    }
    if let Some(import) = map.get("Fn::ImportValue") {
        if let Some(name) = import.as_str() {
            return Some(name.to_string());
        }
        return import
            .as_map()
            .and_then(|m| m.get("Fn::Sub"))
            .and_then(sub_template)
            .map(str::to_string);
    }
    if let Some(name) = map.get("Ref").and_then(Node::as_str) {
        return Some(name.to_string());
    }
    if let Some(join) = map.get("Fn::Join").and_then(Node::as_seq) {
        let last = join.get(1)?.as_seq()?.last()?;
        if let Some(text) = last.as_str() {
            return text.split('/').next_back().map(str::to_string);
        }
        let inner = last.as_map()?;
        if let Some(name) = inner.get("Ref").and_then(Node::as_str) {
            return Some(name.to_string());
        }
        return inner
            .get("Fn::GetAtt")
            .and_then(Node::as_seq)
            .and_then(|a| a.first())
            .and_then(Node::as_str)
            .map(str::to_string);
    }
    if let Some(sub) = map.get("Fn::Sub") {
        return sub_template(sub)?.split('/').nth(1).map(str::to_string);
    }
    None
}

/// The template string of `Fn::Sub` (string form or `[string, variables]`).
fn sub_template(sub: &Node) -> Option<&str> {
    sub.as_str()
        .or_else(|| sub.as_seq().and_then(|s| s.first()).and_then(Node::as_str))
}

pub(super) fn is_kinesis(event: &Node) -> bool {
    stream_type(event).as_deref() == Some("kinesis")
}

/// `consumer` as the reference reads it: `true`, an ARN, or nothing (false/absent).
pub(super) enum Consumer<'a> {
    None,
    Create,
    Existing(&'a Node),
}

pub(super) fn consumer(event: &Node) -> Consumer<'_> {
    match prop(event, "consumer") {
        Some(node) if node.as_bool() == Some(true) => Consumer::Create,
        Some(node) if truthy(node) && node.as_bool().is_none() => Consumer::Existing(node),
        _ => Consumer::None,
    }
}

/// A literal stream ARN names a DynamoDB or Kinesis stream (matching `type`); an intrinsic one
/// must let the stream name be taken from it.
fn check_arn_value(
    arn: &Node,
    e: &Node,
    explicit_type: Option<&str>,
    path: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(literal) = arn.as_str() {
        let service = arn_service(literal).unwrap_or("");
        if let Some(t) = explicit_type {
            if t != service {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_STREAM_TYPE_MISMATCH,
                    format!("{path}.type"),
                    prop_span(e, "type"),
                    format!(
                        "The stream type is {t} but its arn {literal} names a {service} stream."
                    ),
                    "remove `type` (it is taken from the ARN) or fix the ARN",
                ));
            }
        } else if service != "dynamodb" && service != "kinesis" {
            out.push(Diagnostic::error_at(
                codes::FUNCTION_STREAM_ARN_INVALID,
                format!("{path}.arn"),
                arn.span,
                format!("The stream arn {literal} is neither a DynamoDB nor a Kinesis stream ARN."),
                "use arn:aws:dynamodb:…:table/NAME/stream/LABEL or arn:aws:kinesis:…:stream/NAME",
            ));
        }
        if !literal.contains('/') {
            out.push(Diagnostic::error_at(
                codes::FUNCTION_STREAM_ARN_INVALID,
                format!("{path}.arn"),
                arn.span,
                format!("The stream arn {literal} has no '/', so no stream name can be taken from it."),
                "use the full stream ARN (…:stream/NAME for Kinesis, …:table/NAME/stream/LABEL for DynamoDB)",
            ));
        }
    } else if stream_name(arn).is_none() {
        out.push(Diagnostic::error_at(
            codes::FUNCTION_STREAM_ARN_INVALID,
            format!("{path}.arn"),
            arn.span,
            "No stream name can be taken from this arn: use a literal ARN, Fn::GetAtt, Ref, Fn::ImportValue, Fn::Sub, or Fn::Join ending in a string, Ref or Fn::GetAtt.".to_string(),
            "the stream name becomes part of the mapping's logical id",
        ));
    }
    out
}

/// A literal on-failure ARN without `type` must name an SQS queue, an SNS topic or an S3 bucket,
/// the destinations AWS supports for streams (the reference granted `sqs:SendMessage` on any
/// other ARN, which delivers nothing).
fn check_destination_service(destination: &Node, path: &str) -> Option<Diagnostic> {
    let literal = match destination.as_str() {
        Some(text) => text,
        None if prop(destination, "type").is_none() => prop(destination, "arn")?.as_str()?,
        None => return None,
    };
    let service = arn_service(literal).unwrap_or("");
    if matches!(service, "sqs" | "sns" | "s3") {
        return None;
    }
    let at = if destination.as_str().is_some() {
        destination.span
    } else {
        prop_span(destination, "arn")
    };
    Some(Diagnostic::error_at(
        codes::FUNCTION_STREAM_DESTINATION_UNSUPPORTED,
        format!("{path}.destinations.onFailure"),
        at,
        format!("The on-failure destination {literal} is not an SQS queue, an SNS topic or an S3 bucket, the destinations a stream mapping supports."),
        "send failed batches to an SQS queue, an SNS topic or an S3 bucket (arn:aws:sqs:…, arn:aws:sns:… or arn:aws:s3:::…)",
    ))
}

/// `destinations.onFailure`: an intrinsic ARN needs its `type`, and a literal one must be of it.
fn check_destination(e: &Node, path: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(destination) = prop(e, "destinations").and_then(|d| prop(d, "onFailure")) {
        out.extend(check_destination_service(destination, path));
        let destination_arn = prop(destination, "arn");
        if destination_arn.is_some_and(|a| a.as_map().is_some())
            && prop(destination, "type").is_none()
        {
            out.push(Diagnostic::error_at(
                codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                format!("{path}.destinations.onFailure.type"),
                destination_arn.map(|a| a.span).unwrap_or(destination.span),
                format!("at {path}.destinations.onFailure: must have required property 'type' when arn is an intrinsic function"),
                "add `type: sns`, `type: sqs` or `type: s3` next to the arn",
            ));
        }
        if let (Some(t), Some(literal)) = (
            prop(destination, "type").and_then(Node::as_str),
            prop(destination, "arn").and_then(Node::as_str),
        ) {
            let service = arn_service(literal).unwrap_or("");
            if t != service {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_STREAM_TYPE_MISMATCH,
                    format!("{path}.destinations.onFailure.type"),
                    prop_span(destination, "type"),
                    format!(
                        "The destinations.onFailure.type is {t} but its arn {literal} names {}.",
                        if service == "sqs" {
                            "an SQS queue".to_string()
                        } else if service == "sns" {
                            "an SNS topic".to_string()
                        } else if service == "s3" {
                            "an S3 bucket".to_string()
                        } else {
                            format!("a {service} resource")
                        }
                    ),
                    "remove `type` (it is taken from the ARN) or fix the ARN",
                ));
            }
        }
    }
    out
}

impl EventCompiler for StreamCompiler {
    fn kind(&self) -> &'static str {
        "stream"
    }

    fn intrinsic_help(&self) -> &'static str {
        "write `arn: !GetAtt …` and `type: dynamodb` (or kinesis) under `stream:`"
    }

    fn check_settled(
        &self,
        service: &Service,
        function: &Function,
        event: &Event,
        logical_suffix: &str,
    ) -> Option<Diagnostic> {
        check_consumer_name(service, function, event, logical_suffix)
    }

    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        vec![DOCS, super::features::DOCS]
    }

    fn schema(&self) -> Schema {
        Schema::any_of(
            "a stream ARN or a stream configuration object",
            vec![defs::arn_string(), event_object()],
        )
    }

    fn filter_source(&self, event: &Node) -> FilterSource {
        let object = match &event.value {
            streaming_events_yaml::Value::Map(_) => event,
            _ => return FilterSource::DynamoDb,
        };
        if is_kinesis(object) {
            FilterSource::Kinesis
        } else {
            FilterSource::DynamoDb
        }
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = super::features::check(service, function, event);
        let path = event.path(function);
        let e = fields(event);
        let Some(arn) = prop(&e, "arn") else {
            return out;
        };
        let explicit_type = prop(&e, "type").and_then(Node::as_str);
        if arn.as_map().is_some() && explicit_type.is_none() {
            out.push(Diagnostic::error_at(
                codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                format!("{path}.type"),
                arn.span,
                format!("at {path}: must have required property 'type' when arn is an intrinsic function"),
                "add `type: dynamodb` or `type: kinesis`",
            ));
            return out;
        }
        out.extend(check_arn_value(arn, &e, explicit_type, &path));
        let kinesis = is_kinesis(&e);
        out.extend(check_destination(&e, &path));
        match consumer(&e) {
            Consumer::None => {}
            _ if !kinesis => out.push(Diagnostic::error_at(
                codes::FUNCTION_STREAM_CONSUMER_UNSUPPORTED,
                format!("{path}.consumer"),
                prop_span(&e, "consumer"),
                format!("A consumer (enhanced fan-out) exists only for Kinesis streams, but function '{}' sets it on a DynamoDB stream.", function.key),
                "remove `consumer`",
            )),
            _ => {}
        }
        if prop(&e, "startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP") {
            if !kinesis {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_STREAM_STARTING_POSITION_UNSUPPORTED,
                    format!("{path}.startingPosition"),
                    prop_span(&e, "startingPosition"),
                    format!("DynamoDB streams do not support startingPosition AT_TIMESTAMP (function: {}).", function.key),
                    "use LATEST or TRIM_HORIZON",
                ));
            } else if prop(&e, "startingPositionTimestamp").is_none() {
                out.push(missing_timestamp(
                    codes::FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID,
                    function,
                    event,
                    false,
                ));
            }
        }
        out
    }

    fn plan(&self, service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        let e = fields(event);
        let path = event.path(function);
        let arn = prop(&e, "arn")
            .cloned()
            .unwrap_or_else(|| Node::null(e.span));
        let stream_type = stream_type(&e).unwrap_or_default();
        let name = stream_name(&arn).unwrap_or_default();
        let logical_id = naming::stream_logical_id(&function.key, &stream_type, &name);
        let source_key = match consumer(&e) {
            Consumer::Create if stream_type == "kinesis" => format!(
                "the consumer {} of stream {}",
                naming::stream_consumer_name(&function.key, &name, &service.consumer_naming()),
                super::json_text(&arn)
            ),
            Consumer::Existing(consumer) if stream_type == "kinesis" => {
                format!("the consumer {}", super::json_text(consumer))
            }
            _ => format!(
                "the stream arn {}",
                arn.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| super::json_text(&arn))
            ),
        };
        let mut identity = Map::new();
        identity.insert("arn".into(), arn.to_json());
        PlannedMapping {
            event_index: event.index,
            logical_id,
            source_key,
            identity_json: crate::js::to_js_compact(&Value::Object(identity)),
            source_span: arn.span,
            source_path: format!("{path}.arn"),
        }
    }

    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        suffix: &str,
    ) {
        let e = fields(event);
        let arn = prop(&e, "arn").map(Node::to_json).unwrap_or(Value::Null);
        let arn_node = prop(&e, "arn")
            .cloned()
            .unwrap_or_else(|| Node::null(e.span));
        let stream_type = stream_type(&e).unwrap_or_default();
        let kinesis = stream_type == "kinesis";
        let logical_id = naming::with_suffix(&plan.logical_id, suffix);

        let mut depends_on = target.depends_on();
        let mut properties = MappingProperties::new(&e);
        properties
            .copy_truthy_or("BatchSize", "batchSize", json!(10))
            .copy_or("Enabled", "enabled", json!(true))
            .set("EventSourceArn", arn.clone())
            .set("FunctionName", target.function_name())
            .copy_truthy("ParallelizationFactor", "parallelizationFactor")
            .set("StartingPosition", super::starting_position(&e));
        let consumer_kind = consumer(&e);
        let actions = if !kinesis {
            actions::DYNAMODB_STREAM
        } else if matches!(consumer_kind, Consumer::None) {
            actions::KINESIS_STREAM
        } else {
            actions::KINESIS_STREAM_WITH_CONSUMER
        };
        cx.grant(target, Statement::allow(actions, vec![arn.clone()]));
        properties
            .copy("MaximumBatchingWindowInSeconds", "batchWindow")
            .copy("MaximumRetryAttempts", "maximumRetryAttempts")
            .copy("BisectBatchOnFunctionError", "bisectBatchOnFunctionError")
            .copy_as_list("FunctionResponseTypes", "functionResponseType")
            .copy_truthy("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds")
            .copy("TumblingWindowInSeconds", "tumblingWindowInSeconds");
        add_destination(cx, target, &e, &mut properties);
        properties.filter_criteria();
        let consumer_resource = if kinesis {
            add_consumer(
                cx,
                target,
                &e,
                &arn_node,
                consumer_kind,
                suffix,
                &mut properties,
                &mut depends_on,
            )
        } else {
            None
        };
        super::features::emit(cx, target, &e, &mut properties);
        let properties = properties.into_map();
        let resource = super::mapping_resource(depends_on, properties);
        cx.template.add_resource(logical_id, resource);
        if let Some((id, resource)) = consumer_resource {
            cx.template.add_resource(id, resource);
        }
    }
}

/// `destinations.onFailure`: the destination and the permission to send to it.
fn add_destination(
    cx: &mut CompileContext<'_>,
    target: &FunctionTarget,
    e: &Node,
    properties: &mut MappingProperties<'_>,
) {
    if let Some(on_failure) = prop(e, "destinations").and_then(|d| prop(d, "onFailure")) {
        let destination = if on_failure.as_map().is_some() {
            prop(on_failure, "arn")
                .cloned()
                .unwrap_or_else(|| Node::null(on_failure.span))
        } else {
            on_failure.clone()
        };
        let destination_type = prop(on_failure, "type")
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                destination
                    .as_str()
                    .and_then(arn_service)
                    .map(str::to_string)
            });
        match destination_type.as_deref() {
            Some("s3") => cx.grant_s3_destination(target, &destination.to_json()),
            Some("sns") => cx.grant(
                target,
                Statement::allow(actions::SNS_DESTINATION, vec![destination.to_json()]),
            ),
            _ => cx.grant(
                target,
                Statement::allow(actions::SQS_DESTINATION, vec![destination.to_json()]),
            ),
        }
        properties.set(
            "DestinationConfig",
            json!({"OnFailure": {"Destination": destination.to_json()}}),
        );
    }
}

/// A Kinesis mapping through an enhanced fan-out consumer (created here, or an existing one):
/// its `EventSourceArn`, permission and `DependsOn`; returns the consumer resource to add.
#[allow(clippy::too_many_arguments)]
fn add_consumer(
    cx: &mut CompileContext<'_>,
    target: &FunctionTarget,
    e: &Node,
    arn_node: &Node,
    consumer_kind: Consumer<'_>,
    suffix: &str,
    properties: &mut MappingProperties<'_>,
    depends_on: &mut Vec<Value>,
) -> Option<(String, Value)> {
    let arn = arn_node.to_json();
    let mut return_value = None;
    match consumer_kind {
        Consumer::Create => {
            let name = stream_name(arn_node).unwrap_or_default();
            let consumer_name = format!(
                "{}{suffix}",
                naming::stream_consumer_name(
                    &target.function_key,
                    &name,
                    &cx.service.consumer_naming()
                )
            );
            let consumer_id = if suffix.is_empty() {
                naming::stream_consumer_logical_id(&consumer_name)
            } else {
                let base = naming::stream_consumer_logical_id(&naming::stream_consumer_name(
                    &target.function_key,
                    &name,
                    &cx.service.consumer_naming(),
                ));
                naming::with_suffix(&base, suffix)
            };
            depends_on.push(Value::String(consumer_id.clone()));
            let reference = json!({"Ref": consumer_id});
            properties.set("EventSourceArn", reference.clone());
            cx.grant(
                target,
                Statement::allow(actions::KINESIS_CONSUMER, vec![reference]),
            );
            return_value = Some((
                consumer_id,
                json!({"Type": "AWS::Kinesis::StreamConsumer", "Properties": {"StreamARN": arn, "ConsumerName": consumer_name}}),
            ));
        }
        Consumer::Existing(consumer_arn) => {
            properties.set("EventSourceArn", consumer_arn.to_json());
            cx.grant(
                target,
                Statement::allow(actions::KINESIS_CONSUMER, vec![consumer_arn.to_json()]),
            );
        }
        Consumer::None => {}
    }
    // As the reference, a consumer mapping carries any timestamp given; D4: a plain
    // Kinesis mapping carries it for AT_TIMESTAMP too (the reference drops it there);
    // D6: 0 is a timestamp.
    let at_timestamp = prop(e, "startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP");
    let with_consumer = !matches!(consumer(e), Consumer::None);
    if let Some(timestamp) =
        prop(e, "startingPositionTimestamp").filter(|_| with_consumer || at_timestamp)
    {
        properties.set("StartingPositionTimestamp", timestamp.to_json());
    }
    return_value
}

/// The D16 consumer-name check, run after planning so that the suffix is known.
fn check_consumer_name(
    service: &Service,
    function: &Function,
    event: &Event,
    suffix: &str,
) -> Option<Diagnostic> {
    let e = fields(event);
    if !is_kinesis(&e) || !matches!(consumer(&e), Consumer::Create) {
        return None;
    }
    let name = stream_name(prop(&e, "arn")?)?;
    let consumer_name = format!(
        "{}{suffix}",
        naming::stream_consumer_name(&function.key, &name, &service.consumer_naming())
    );
    if naming::is_valid_consumer_name(&consumer_name) {
        return None;
    }
    Some(Diagnostic::error_at(
        codes::FUNCTION_STREAM_CONSUMER_NAME_INVALID,
        format!("{}.consumer", event.path(function)),
        prop_span(&e, "consumer"),
        format!(
            "The Kinesis consumer name {consumer_name} is not valid: Kinesis accepts at most {} characters from [a-zA-Z0-9_.-].",
            naming::MAX_CONSUMER_NAME
        ),
        "shorten the function name, or create the consumer yourself and give its ARN as `consumer:`",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_yaml::load;

    fn name_of(yaml: &str) -> Option<String> {
        stream_name(&load(yaml, 0).unwrap())
    }

    #[test]
    fn stream_names_per_arn_shape() {
        assert_eq!(
            name_of("arn:aws:kinesis:us-east-1:1:stream/clicks").as_deref(),
            Some("clicks")
        );
        assert_eq!(
            name_of("arn:aws:dynamodb:us-east-1:1:table/Orders/stream/2024").as_deref(),
            Some("Orders")
        );
        assert_eq!(name_of("!GetAtt Stream.Arn").as_deref(), Some("Stream"));
        assert_eq!(name_of("!Ref StreamParam").as_deref(), Some("StreamParam"));
        assert_eq!(
            name_of("!ImportValue exported-stream").as_deref(),
            Some("exported-stream")
        );
        assert_eq!(
            name_of("{Fn::ImportValue: !Sub '${AWS::StackName}-Arn'}").as_deref(),
            Some("${AWS::StackName}-Arn")
        );
        assert_eq!(
            name_of("!Join [':', [arn, aws, 'stream/clicks']]").as_deref(),
            Some("clicks")
        );
        assert_eq!(name_of("!Join ['', [a, !Ref S]]").as_deref(), Some("S"));
        assert_eq!(
            name_of("!Join ['', [a, !GetAtt T.StreamArn]]").as_deref(),
            Some("T")
        );
        assert_eq!(
            name_of("!Sub 'arn:aws:kinesis:${AWS::Region}:1:stream/clicks'").as_deref(),
            Some("clicks")
        );
        assert_eq!(name_of("arn:aws:kinesis:us-east-1:1:clicks"), None);
        assert_eq!(name_of("{Fn::If: [c, a, b]}"), None);
    }
}

#[cfg(test)]
mod compile_tests {
    use crate::events::test_support::{compile, defining, resource, service, streaming_statements};
    use serde_json::json;

    const KINESIS: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

    #[test]
    fn string_form_gets_the_defaults() {
        let t = compile(&service(
            "      - stream: arn:aws:dynamodb:us-east-1:1:table/T/stream/L\n",
        ))
        .unwrap();
        let m = resource(&t, "FnEventSourceMappingDynamodbT");
        assert_eq!(m["DependsOn"], json!(["IamRoleLambdaExecution"]));
        assert_eq!(
            m["Properties"],
            json!({"BatchSize": 10, "Enabled": true, "EventSourceArn": "arn:aws:dynamodb:us-east-1:1:table/T/stream/L", "FunctionName": {"Fn::GetAtt": ["FnLambdaFunction", "Arn"]}, "StartingPosition": "TRIM_HORIZON"})
        );
        assert_eq!(
            streaming_statements(&t)[0]["Action"][0],
            "dynamodb:GetRecords"
        );
    }

    #[test]
    fn zero_and_false_are_emitted_where_the_reference_emits_them() {
        let t = compile(&service(&format!(
            "      - stream:\n          arn: {KINESIS}\n          batchWindow: 0\n          maximumRetryAttempts: 0\n          bisectBatchOnFunctionError: false\n          tumblingWindowInSeconds: 0\n          maximumRecordAgeInSeconds: -1\n          enabled: false\n"
        )))
        .unwrap();
        let p = &resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"];
        assert_eq!(p["MaximumBatchingWindowInSeconds"], 0);
        assert_eq!(p["MaximumRetryAttempts"], 0);
        assert_eq!(p["BisectBatchOnFunctionError"], false);
        assert_eq!(p["TumblingWindowInSeconds"], 0);
        assert_eq!(p["MaximumRecordAgeInSeconds"], -1);
        assert_eq!(p["Enabled"], false);
    }

    #[test]
    fn consumer_true_creates_the_consumer_and_grants_subscribe() {
        let t = compile(&service(&format!("      - stream:\n          arn: {KINESIS}\n          consumer: true\n          startingPosition: AT_TIMESTAMP\n          startingPositionTimestamp: 0\n"))).unwrap();
        let m = resource(&t, "FnEventSourceMappingKinesisClicks");
        assert_eq!(
            m["DependsOn"],
            json!(["IamRoleLambdaExecution", "FnclicksConsumerStreamConsumer"])
        );
        assert_eq!(
            m["Properties"]["EventSourceArn"],
            json!({"Ref": "FnclicksConsumerStreamConsumer"})
        );
        assert_eq!(
            m["Properties"]["StartingPositionTimestamp"], 0,
            "D6: 0 is a timestamp"
        );
        assert_eq!(
            resource(&t, "FnclicksConsumerStreamConsumer")["Properties"],
            json!({"StreamARN": KINESIS, "ConsumerName": "fnclicksConsumer"})
        );
        let statements = streaming_statements(&t);
        assert!(statements
            .iter()
            .any(|s| s["Action"] == json!(["kinesis:SubscribeToShard"])
                && s["Resource"] == json!([{"Ref": "FnclicksConsumerStreamConsumer"}])));
    }

    #[test]
    fn timestamps_follow_the_reference_and_d4() {
        let with = |extra: &str| {
            let t = compile(&service(&format!("      - stream:\n          arn: {KINESIS}\n          startingPositionTimestamp: 5\n{extra}"))).unwrap();
            resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"]
                .get("StartingPositionTimestamp")
                .cloned()
        };
        assert_eq!(
            with("          startingPosition: LATEST\n"),
            None,
            "dropped without consumer, as the reference"
        );
        assert_eq!(
            with("          startingPosition: AT_TIMESTAMP\n"),
            Some(json!(5)),
            "D4"
        );
        assert_eq!(
            with("          startingPosition: LATEST\n          consumer: true\n"),
            Some(json!(5)),
            "consumer mappings keep it"
        );
    }

    #[test]
    fn destinations_choose_sns_or_sqs() {
        let t = compile(&defining(&service(&format!("      - stream:\n          arn: {KINESIS}\n          destinations:\n            onFailure:\n              arn: !Ref Topic\n              type: sns\n")), "Resources", "Topic", "AWS::SNS::Topic")).unwrap();
        let p = &resource(&t, "FnEventSourceMappingKinesisClicks")["Properties"];
        assert_eq!(
            p["DestinationConfig"],
            json!({"OnFailure": {"Destination": {"Ref": "Topic"}}})
        );
        assert!(streaming_statements(&t)
            .iter()
            .any(|s| s["Action"] == json!(["sns:Publish"])));
    }

    #[test]
    fn deviations_are_errors() {
        let err = |events: &str| compile(&service(events)).unwrap_err();
        assert_eq!(err("      - stream: {arn: 'arn:aws:dynamodb:us-east-1:1:table/T/stream/L', startingPosition: AT_TIMESTAMP, startingPositionTimestamp: 1}\n"), ["FUNCTION_STREAM_STARTING_POSITION_UNSUPPORTED"]);
        assert_eq!(
            err(&format!(
                "      - stream: {{arn: '{KINESIS}', startingPosition: AT_TIMESTAMP}}\n"
            )),
            ["FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID"]
        );
        assert_eq!(
            err(&format!(
                "      - stream: {{arn: '{KINESIS}', type: dynamodb}}\n"
            )),
            ["FUNCTION_STREAM_TYPE_MISMATCH"]
        );
        assert_eq!(err("      - stream: {arn: 'arn:aws:dynamodb:us-east-1:1:table/T/stream/L', consumer: true}\n"), ["FUNCTION_STREAM_CONSUMER_UNSUPPORTED"]);
        assert_eq!(
            err("      - stream: arn:aws:kinesis:us-east-1:1:clicks\n"),
            ["FUNCTION_STREAM_ARN_INVALID"]
        );
        assert_eq!(
            err(&format!(
                "      - stream: {KINESIS}\n      - stream: {KINESIS}\n"
            )),
            ["FUNCTION_EVENT_SOURCE_DUPLICATE"]
        );
    }

    #[test]
    fn colliding_ids_get_the_d14_suffix() {
        let t = compile(&service(&format!("      - stream: {KINESIS}\n      - stream:\n          arn: {KINESIS}\n          consumer: true\n"))).unwrap();
        assert!(t["Resources"]
            .get("FnEventSourceMappingKinesisClicks")
            .is_some());
        let suffix = crate::naming::disambiguation_suffix(&format!("{{\"arn\":\"{KINESIS}\"}}"));
        assert!(t["Resources"]
            .get(format!("FnEventSourceMappingKinesisClicks{suffix}"))
            .is_some());
    }
}
