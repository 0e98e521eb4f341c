//! `sqs`: Amazon SQS queues. Not a stream, but its mapping is an
//! `AWS::Lambda::EventSourceMapping` like the others, so a service's mappings are all compiled
//! and a switch from the reference replaces none of them. (Its IAM statement is added with the
//! other non-streaming permissions, in `template::other_permissions`, exactly as the reference
//! adds it.)
//!
//! ```yaml
//! functions:
//!   jobs:
//!     handler: handler.jobs
//!     events:
//!       - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
//!       - sqs:
//!           arn: !GetAtt Priority.Arn
//!           batchSize: 5
//!           maximumConcurrency: 10
//! ```
//! gives `JobsEventSourceMappingSQSJobs` and `JobsEventSourceMappingSQSPriority`.

use super::provisioned::{self, PollerSource};
use super::{
    prop, CompileContext, EventCompiler, FunctionTarget, MappingProperties, PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::naming;
use crate::schema::defs;
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

pub struct SqsCompiler;

fn arn_of(event: &Node) -> Option<&Node> {
    match &event.value {
        streaming_events_yaml::Value::String(_) => Some(event),
        _ => prop(event, "arn"),
    }
}

/// The queue part of the logical id (the reference's rules; `Ref` and a `Fn::Join` ending in
/// `Ref`/`Fn::GetAtt` named as for streams).
fn queue_name(arn: &Node) -> Option<String> {
    if let Some(text) = arn.as_str() {
        return text.rsplit(':').next().map(str::to_string);
    }
    let map = arn.as_map()?;
    if let Some(get_att) = map.get("Fn::GetAtt") {
        return get_att
            .as_seq()
            .and_then(|s| s.first())
            .and_then(Node::as_str)
            .or_else(|| get_att.as_str().and_then(|s| s.split('.').next()))
            .map(str::to_string);
    }
    if let Some(name) = map.get("Fn::ImportValue").and_then(Node::as_str) {
        return Some(name.to_string());
    }
    if let Some(name) = map.get("Ref").and_then(Node::as_str) {
        return Some(name.to_string());
    }
    let last = map.get("Fn::Join")?.as_seq()?.get(1)?.as_seq()?.last()?;
    if let Some(text) = last.as_str() {
        return Some(text.to_string());
    }
    let inner = last.as_map()?;
    inner
        .get("Ref")
        .and_then(Node::as_str)
        .or_else(|| {
            inner
                .get("Fn::GetAtt")
                .and_then(Node::as_seq)
                .and_then(|s| s.first())
                .and_then(Node::as_str)
        })
        .map(str::to_string)
}

/// A queue name must be readable from the arn (it is part of the logical id).
fn check_queue(function: &Function, event: &Event) -> Vec<Diagnostic> {
    match arn_of(&event.value) {
        Some(arn) if queue_name(arn).is_none() => vec![Diagnostic::error_at(
            codes::FUNCTION_EVENT_INVALID,
            format!("{}.arn", event.path(function)),
            arn.span,
            "No queue name can be taken from this arn: use a literal ARN, Fn::GetAtt, Ref, Fn::ImportValue, or Fn::Join ending in a string, Ref or Fn::GetAtt.".to_string(),
            "the queue name becomes part of the mapping's logical id",
        )],
        _ => Vec::new(),
    }
}

/// What the editor schema says about an `sqs` event and its properties.
const DOCS: &[PropertyDoc] = &[
    doc("", "An SQS queue the function reads: a queue ARN, or its configuration.", "an `AWS::Lambda::EventSourceMapping`", ""),
    doc("arn", "The queue's ARN (or an intrinsic function giving it).", "`EventSourceArn`", "none (required)"),
    doc("batchSize", "How many messages Lambda reads per invocation at most (1–10000; above 10 needs `maximumBatchingWindow`).", "`BatchSize`", "10"),
    doc("maximumConcurrency", "How many function instances this queue may keep busy at once (2–1000).", "`ScalingConfig.MaximumConcurrency`", "not set: no limit"),
];

impl EventCompiler for SqsCompiler {
    fn kind(&self) -> &'static str {
        "sqs"
    }

    fn settles_collisions(&self) -> bool {
        false
    }

    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        vec![DOCS, provisioned::DOCS, super::features::DOCS]
    }

    fn schema(&self) -> Schema {
        Schema::any_of(
            "a queue ARN or a queue configuration object",
            vec![
                defs::arn_string(),
                Schema::Object {
                    props: [
                        ("arn", defs::arn()),
                        ("batchSize", defs::batch_size()),
                        ("enabled", Schema::Bool),
                        ("maximumBatchingWindow", defs::maximum_batching_window()),
                        (
                            "functionResponseType",
                            Schema::Enum(&["ReportBatchItemFailures"]),
                        ),
                        ("filterPatterns", defs::filter_patterns()),
                        (
                            "maximumConcurrency",
                            Schema::aws(Schema::integer(2.0, 1000.0)),
                        ),
                    ]
                    .into_iter()
                    .chain(provisioned::schema_props(PollerSource::Sqs))
                    .chain(super::features::schema_props("sqs"))
                    .collect(),
                    required: &["arn"],
                    additional: false,
                    min_props: None,
                },
            ],
        )
    }

    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::Sqs
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = provisioned::check(function, event);
        out.extend(super::features::check(service, function, event));
        out.extend(check_queue(function, event));
        out
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        let arn = arn_of(&event.value)
            .cloned()
            .unwrap_or_else(|| Node::null(event.value.span));
        let name = queue_name(&arn).unwrap_or_default();
        let mut identity = Map::new();
        identity.insert("arn".into(), arn.to_json());
        PlannedMapping {
            event_index: event.index,
            logical_id: naming::sqs_event_logical_id(&function.key, &name),
            source_key: format!(
                "the queue {}",
                arn.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| super::json_text(&arn))
            ),
            identity_json: crate::js::to_js_compact(&Value::Object(identity)),
            source_span: arn.span,
            source_path: format!("{}.arn", event.path(function)),
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
        let e = &event.value;
        let arn = arn_of(e).map(Node::to_json).unwrap_or(Value::Null);
        // The reference grants the queue's permissions on the role itself
        // (`iam::other_permissions`, with the core template); without the core template (merge
        // mode) they are granted here. A function with its own role is told what it needs (D2).
        let queue = Statement::allow(actions::SQS_QUEUE, vec![arn.clone()]);
        if cx.merge_mode {
            cx.grant(target, queue);
        } else {
            cx.note_custom_role_need(target, queue);
        }
        // The short form (`- sqs: <arn>`) has no other properties.
        let mut properties = MappingProperties::new(e);
        properties
            .copy_truthy_or("BatchSize", "batchSize", json!(10))
            .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow")
            .set("EventSourceArn", arn)
            .set("FunctionName", target.function_name())
            .copy_or("Enabled", "enabled", json!(true))
            .copy_as_list("FunctionResponseTypes", "functionResponseType")
            .filter_criteria()
            .copy_truthy_as("ScalingConfig", "maximumConcurrency", "MaximumConcurrency");
        provisioned::emit(&mut properties, e);
        super::features::emit(cx, target, e, &mut properties);
        let resource = super::mapping_resource(target.depends_on(), properties.into_map());
        let id = naming::with_suffix(&plan.logical_id, suffix);
        // Two events of one function on queues of the same name share one id; the reference
        // deep-merges them (lodash `_.merge`), and so do we; an id of another function's
        // resource is a collision (D23).
        let mine = cx.template.generated_by_owner(&id);
        match cx.template.resources_mut().get_mut(&id).filter(|_| mine) {
            Some(existing) => crate::js::merge_values(existing, resource),
            None => cx.template.add_resource(id, resource),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, defining, resource, service};
    use serde_json::json;

    #[test]
    fn string_and_object_forms() {
        let t = compile(&defining(
            &service(
            "      - sqs: arn:aws:sqs:us-east-1:1:jobs\n      - sqs:\n          arn: !GetAtt Priority.Arn\n          batchSize: 5\n          maximumBatchingWindow: 0\n          maximumConcurrency: 10\n          functionResponseType: ReportBatchItemFailures\n",
            ),
            "Resources",
            "Priority",
            "AWS::SQS::Queue",
        ))
        .unwrap();
        assert_eq!(
            resource(&t, "FnEventSourceMappingSQSJobs")["Properties"],
            json!({"BatchSize": 10, "EventSourceArn": "arn:aws:sqs:us-east-1:1:jobs", "FunctionName": {"Fn::GetAtt": ["FnLambdaFunction", "Arn"]}, "Enabled": true})
        );
        let p = &resource(&t, "FnEventSourceMappingSQSPriority")["Properties"];
        assert_eq!(p["MaximumBatchingWindowInSeconds"], 0);
        assert_eq!(p["ScalingConfig"], json!({"MaximumConcurrency": 10}));
        assert_eq!(
            p["FunctionResponseTypes"],
            json!(["ReportBatchItemFailures"])
        );
        let statements = t["Resources"]["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
            ["PolicyDocument"]["Statement"]
            .to_string();
        assert!(statements.contains("sqs:ReceiveMessage"));
    }
}
