//! Kinesis enhanced fan-out consumers across the service: AWS registers at most 20 consumers
//! per stream, and refuses (`LimitExceededException`) a consumer while 5 others are being
//! created. More than 20 consumers on one literal stream ARN is an error
//! (`KINESIS_STREAM_CONSUMERS_TOO_MANY`); more than 5 new `AWS::Kinesis::StreamConsumer`
//! resources in one template are chained with `DependsOn` so that at most 5 are created at a
//! time (a template with 5 or fewer is left as it is).
//!
//! ```yaml
//! functions:
//!   f1: {handler: h, events: [{stream: {arn: arn:aws:kinesis:…:stream/clicks, consumer: true}}]}
//!   # … f21 on the same stream: KINESIS_STREAM_CONSUMERS_TOO_MANY at f21's consumer
//! ```

use super::mapping::{prop, prop_span};
use super::stream::{consumer, fields, is_kinesis, stream_name, Consumer};
use crate::config::Service;
use crate::naming;
use crate::template::Template;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Node, Span};

/// Kinesis's limit on consumers registered with one stream.
pub const MAX_CONSUMERS_PER_STREAM: usize = 20;
/// How many consumers AWS lets be in the CREATING state at once.
pub const MAX_CONSUMERS_CREATING: usize = 5;

/// One consumer the service reads a stream through: where it is written and what tells it
/// apart from the stream's other consumers.
struct StreamConsumer {
    stream: String,
    identity: String,
    path: String,
    span: Span,
}

/// Every literal stream ARN with more than 20 distinct consumers in the service (its events'
/// `consumer: true` and consumer ARNs, and `AWS::Kinesis::StreamConsumer` resources of its own),
/// reported once per stream at the 21st, in file order, with the first shown.
pub fn check_consumer_limits(service: &Service) -> Vec<Diagnostic> {
    let consumers = service_consumers(service);
    // Streams in the order their first consumer is written; distinct consumers of each.
    let mut streams: Vec<(&str, Vec<&StreamConsumer>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for c in &consumers {
        let i = *index.entry(&c.stream).or_insert_with(|| {
            streams.push((&c.stream, Vec::new()));
            streams.len() - 1
        });
        if seen.insert((&c.stream, &c.identity)) {
            streams[i].1.push(c);
        }
    }
    streams
        .into_iter()
        .filter(|(_, list)| list.len() > MAX_CONSUMERS_PER_STREAM)
        .map(|(stream, list)| {
            let over = list[MAX_CONSUMERS_PER_STREAM];
            Diagnostic::error(
                codes::KINESIS_STREAM_CONSUMERS_TOO_MANY,
                format!(
                    "the service registers {} enhanced fan-out consumers with the stream {stream}; Kinesis allows at most {MAX_CONSUMERS_PER_STREAM} per stream",
                    list.len()
                ),
            )
            .with_path(over.path.clone())
            .at(over.span, format!("consumer {} of this stream", MAX_CONSUMERS_PER_STREAM + 1))
            .also(list[0].span, "the first")
            .with_help("read the stream without `consumer` (shared throughput) in some functions, or fan out through fewer functions")
        })
        .collect()
}

/// The consumers of literal stream ARNs the service file declares, in file order.
fn service_consumers(service: &Service) -> Vec<StreamConsumer> {
    let mut out = Vec::new();
    for function in &service.functions {
        for event in function.events.iter().filter(|e| e.kind == "stream") {
            let e = fields(event);
            if !is_kinesis(&e) {
                continue;
            }
            let path = format!("{}.consumer", event.path(function));
            let span = prop_span(&e, "consumer");
            let arn = prop(&e, "arn");
            match consumer(&e) {
                Consumer::Create => {
                    let (Some(arn), Some(stream)) = (arn, arn.and_then(Node::as_str)) else {
                        continue;
                    };
                    let name = stream_name(arn).unwrap_or_default();
                    let identity = naming::stream_consumer_name(
                        &function.key,
                        &name,
                        &service.consumer_naming(),
                    );
                    out.push(StreamConsumer {
                        stream: stream.to_string(),
                        identity,
                        path,
                        span,
                    });
                }
                Consumer::Existing(node) => {
                    // arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<name>:<time>
                    let Some((stream, _)) = node.as_str().and_then(|a| a.split_once("/consumer/"))
                    else {
                        continue;
                    };
                    let identity = node.as_str().unwrap_or_default().to_string();
                    out.push(StreamConsumer {
                        stream: stream.to_string(),
                        identity,
                        path,
                        span,
                    });
                }
                Consumer::None => {}
            }
        }
    }
    out.extend(resource_consumers(service));
    out
}

/// The service's own `AWS::Kinesis::StreamConsumer` resources on a literal `StreamARN`.
fn resource_consumers(service: &Service) -> Vec<StreamConsumer> {
    let Some(resources) = service
        .root
        .get("resources")
        .and_then(|r| r.get("Resources"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    resources
        .entries
        .iter()
        .filter(|e| {
            e.value.get("Type").and_then(Node::as_str) == Some("AWS::Kinesis::StreamConsumer")
        })
        .filter_map(|e| {
            let properties = e.value.get("Properties")?;
            let stream = properties.get("StreamARN")?.as_str()?;
            let name = properties
                .get("ConsumerName")
                .and_then(Node::as_str)
                .unwrap_or(&e.key);
            Some(StreamConsumer {
                stream: stream.to_string(),
                identity: name.to_string(),
                path: format!("resources.Resources.{}", e.key),
                span: e.key_span,
            })
        })
        .collect()
}

/// More than 5 new consumers in the template: each from the sixth on waits for the one five
/// before it (template order), so that five chains are created one consumer after the other.
/// New consumers are every `AWS::Kinesis::StreamConsumer` of the template, or in merge mode the
/// ones compiled in this run (the given template's exist already).
pub fn chain_consumer_creation(template: &mut Template, merge_mode: bool) {
    let ids: Vec<String> = template
        .resources()
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::Kinesis::StreamConsumer")
        })
        .map(|(id, _)| id.clone())
        .filter(|id| !merge_mode || template.is_generated(id))
        .collect();
    if ids.len() <= MAX_CONSUMERS_CREATING {
        return;
    }
    for (i, id) in ids.iter().enumerate().skip(MAX_CONSUMERS_CREATING) {
        let before = Value::String(ids[i - MAX_CONSUMERS_CREATING].clone());
        let Some(Value::Object(resource)) = template.resources_mut().get_mut(id) else {
            continue;
        };
        let mut depends = match resource.remove("DependsOn") {
            Some(Value::Array(items)) => items,
            Some(Value::String(one)) => vec![Value::String(one)],
            _ => Vec::new(),
        };
        if !depends.contains(&before) {
            depends.push(before);
        }
        resource.insert("DependsOn".into(), Value::Array(depends));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn consumers(n: usize) -> Template {
        let mut template = Template::new();
        for i in 0..n {
            template.add_resource(
                format!("C{i}"),
                json!({"Type": "AWS::Kinesis::StreamConsumer", "Properties": {"StreamARN": "s", "ConsumerName": format!("c{i}")}}),
            );
            template.add_resource(
                format!("M{i}"),
                json!({"Type": "AWS::Lambda::EventSourceMapping"}),
            );
        }
        template
    }

    #[test]
    fn five_consumers_are_left_as_they_are() {
        let mut template = consumers(5);
        let before = template.clone().into_value();
        chain_consumer_creation(&mut template, false);
        assert_eq!(template.into_value(), before);
    }

    #[test]
    fn from_the_sixth_each_waits_for_the_one_five_before() {
        let mut template = consumers(12);
        chain_consumer_creation(&mut template, false);
        let resources = template.resources();
        for i in 0..12 {
            let depends = resources[&format!("C{i}")].get("DependsOn").cloned();
            if i < 5 {
                assert_eq!(depends, None, "C{i}");
            } else {
                assert_eq!(depends, Some(json!([format!("C{}", i - 5)])), "C{i}");
            }
        }
        // At most five are free to be created at any time: each chain is sequential.
        assert!(resources
            .keys()
            .filter(|k| k.starts_with('M'))
            .all(|k| resources[k].get("DependsOn").is_none()));
    }

    #[test]
    fn an_existing_depends_on_is_kept() {
        let mut template = consumers(6);
        if let Some(Value::Object(r)) = template.resources_mut().get_mut("C5") {
            r.insert("DependsOn".into(), json!("M0"));
        }
        chain_consumer_creation(&mut template, false);
        assert_eq!(template.resources()["C5"]["DependsOn"], json!(["M0", "C0"]));
    }

    #[test]
    fn in_merge_mode_the_given_templates_consumers_are_not_new() {
        let given = json!({"Resources": {
            "Old0": {"Type": "AWS::Kinesis::StreamConsumer"}, "Old1": {"Type": "AWS::Kinesis::StreamConsumer"},
            "Old2": {"Type": "AWS::Kinesis::StreamConsumer"}, "Old3": {"Type": "AWS::Kinesis::StreamConsumer"}}});
        let mut template = Template::from_value(given.as_object().unwrap().clone());
        for i in 0..3 {
            template.add_resource(
                format!("New{i}"),
                json!({"Type": "AWS::Kinesis::StreamConsumer"}),
            );
        }
        let before = template.clone().into_value();
        chain_consumer_creation(&mut template, true);
        assert_eq!(template.into_value(), before);
    }
}
