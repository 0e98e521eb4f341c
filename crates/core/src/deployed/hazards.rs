//! What the next deploy does to the deployed mappings and consumers, judged from the deployed
//! template and the one built now (see docs/previous.md for the facts behind each rule):
//!
//! - a property CloudFormation changes by replacement (`EventSourceArn`, `StartingPosition`,
//!   `StartingPositionTimestamp`, `SelfManagedEventSource`; a consumer's `ConsumerName`,
//!   `StreamARN`, `Tags`): CloudFormation creates the new resource before deleting the old.
//!   When the new one meets the old (the same function and source, the same consumer group,
//!   the same consumer name on the same stream), Lambda or Kinesis refuses it:
//!   `DEPLOY_REPLACEMENT_CONFLICT`. Otherwise the replacement works, and the new mapping starts
//!   reading at its starting position: `DEPLOY_REPLACEMENT`, a warning;
//! - a property Lambda sets only at creation (`Topics`, `Queues`, `ConsumerGroupId`, a RabbitMQ
//!   `VIRTUAL_HOST`), which CloudFormation would try to update in place:
//!   `DEPLOY_PROPERTY_FIXED`;
//! - a deployed mapping (or consumer) whose logical id is gone while a new id maps the same
//!   function to the same source (the same consumer name on the same stream):
//!   `DEPLOY_MAPPING_MOVED`;
//! - anything else that differs: a `DEPLOY_CHANGES` note, what the deploy changes in place.
//!
//! Where an intrinsic function makes a value CloudFormation's to resolve, the verdict is a
//! warning that says what would make it fail. Diagnostics point at the event that produced the
//! resource (its property when the event writes it), or at the service's own resource, and at
//! the deployed value in the previous file.

use super::values::{
    compare, consumer_group, function_id, same_function, same_source, show, source_parts,
    virtual_host, Same,
};
use super::Previous;
use crate::config::Service;
use crate::events::prop;
use crate::template::Template;
use serde_json::{Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Span;

const MAPPING: &str = "AWS::Lambda::EventSourceMapping";
const CONSUMER: &str = "AWS::Kinesis::StreamConsumer";

/// The mapping properties CloudFormation replaces the mapping for (its `createOnlyProperties`).
const MAPPING_REPLACED: [&str; 4] = [
    "EventSourceArn",
    "StartingPosition",
    "StartingPositionTimestamp",
    "SelfManagedEventSource",
];

/// The replaced properties that say which source a mapping reads.
const SOURCE: [&str; 2] = ["EventSourceArn", "SelfManagedEventSource"];

/// The consumer properties CloudFormation replaces the consumer for.
const CONSUMER_REPLACED: [&str; 3] = ["ConsumerName", "StreamARN", "Tags"];

/// The serverless.yml key that writes a CloudFormation property, for positions.
const EVENT_KEYS: &[(&str, &str)] = &[
    ("EventSourceArn", "arn"),
    ("StartingPosition", "startingPosition"),
    ("StartingPositionTimestamp", "startingPositionTimestamp"),
    ("SelfManagedEventSource", "bootstrapServers"),
    ("Topics", "topic"),
    ("Queues", "queue"),
    ("ConsumerGroupId", "consumerGroupId"),
    ("VIRTUAL_HOST", "virtualHost"),
    ("BatchSize", "batchSize"),
    ("MaximumBatchingWindowInSeconds", "maximumBatchingWindow"),
    ("Enabled", "enabled"),
    ("FilterCriteria", "filterPatterns"),
    ("ParallelizationFactor", "parallelizationFactor"),
    ("MaximumRetryAttempts", "maximumRetryAttempts"),
    ("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds"),
    ("BisectBatchOnFunctionError", "bisectBatchOnFunctionError"),
    ("TumblingWindowInSeconds", "tumblingWindowInSeconds"),
    ("FunctionResponseTypes", "functionResponseType"),
    ("DestinationConfig", "destinations"),
    ("ConsumerName", "consumer"),
    ("StreamARN", "arn"),
];

/// One property that differs between the deployed resource and the new one.
struct Change {
    /// As messages name it (`ConsumerGroupId`, `VIRTUAL_HOST`).
    property: String,
    /// Where it is under the resource's `Properties`, for the previous file's position.
    at: Vec<String>,
    old: String,
    new: String,
    same: Same,
}

impl Change {
    fn of(property: &str, top: &str, old: Option<&Value>, new: Option<&Value>) -> Option<Change> {
        let same = compare(old, new);
        (same != Same::Yes).then(|| Change {
            property: property.to_string(),
            at: top.split('/').map(str::to_string).collect(),
            old: show(old),
            new: show(new),
            same,
        })
    }

    /// `EventSourceArn`, a consumer of the template standing for its name and stream (a
    /// consumer that is replaced gives the mapping a new ARN under the same `Ref`).
    fn source_arn(
        old: &Value,
        old_resources: &Map<String, Value>,
        new: &Value,
        new_resources: &Map<String, Value>,
    ) -> Option<Change> {
        let resolved = |properties: &Value, resources: &Map<String, Value>| {
            source_parts(properties, resources)[0].clone()
        };
        let (a, b) = (resolved(old, old_resources), resolved(new, new_resources));
        let same = compare(a.as_ref(), b.as_ref());
        let describe = |resolved: &Option<Value>| match resolved {
            Some(Value::Object(m)) if m.contains_key("consumer") => format!(
                "the consumer {} of {}",
                show(m["consumer"].get(1)),
                show(m["consumer"].get(0))
            ),
            other => show(other.as_ref()),
        };
        (same != Same::Yes).then(|| Change {
            property: "EventSourceArn".to_string(),
            at: vec!["EventSourceArn".to_string()],
            old: describe(&a),
            new: describe(&b),
            same,
        })
    }

    fn text(&self) -> String {
        let verb = if self.same == Same::Unknown {
            "may change (CloudFormation resolves it at deploy time)"
        } else {
            "changes"
        };
        format!("{} {verb} from {} to {}", self.property, self.old, self.new)
    }
}

fn texts(changes: &[Change]) -> String {
    changes
        .iter()
        .map(Change::text)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The two templates and the service, for the checks.
struct Compared<'a> {
    previous: &'a Previous,
    old: Map<String, Value>,
    new: &'a Map<String, Value>,
    current: &'a Template,
    service: &'a Service,
}

/// Every hazard and change of the deployed mappings and consumers, in the new template's
/// order, then the moved ones.
pub fn replacement_hazards(
    previous: &Previous,
    current: &Template,
    service: &Service,
) -> Vec<Diagnostic> {
    let cx = Compared {
        previous,
        old: previous.resources(),
        new: current.resources(),
        current,
        service,
    };
    let mut out = Vec::new();
    for (id, resource) in cx.new {
        let Some(deployed) = cx.old.get(id).filter(|r| r["Type"] == resource["Type"]) else {
            continue;
        };
        let (old, new) = (properties(deployed), properties(resource));
        match resource["Type"].as_str() {
            Some(MAPPING) => out.extend(cx.changed_mapping(id, old, new)),
            Some(CONSUMER) => out.extend(cx.changed_consumer(id, old, new)),
            _ => {}
        }
    }
    out.extend(cx.moved(MAPPING));
    out.extend(cx.moved(CONSUMER));
    out
}

fn properties(resource: &Value) -> &Value {
    static EMPTY: Value = Value::Null;
    resource.get("Properties").unwrap_or(&EMPTY)
}

impl Compared<'_> {
    fn changed_mapping(&self, id: &str, old: &Value, new: &Value) -> Option<Diagnostic> {
        let replaced: Vec<Change> = MAPPING_REPLACED
            .iter()
            .filter_map(|p| match *p {
                "EventSourceArn" => Change::source_arn(old, &self.old, new, self.new),
                _ => Change::of(p, p, old.get(*p), new.get(*p)),
            })
            .collect();
        if !replaced.is_empty() {
            return Some(self.replaced_mapping(id, old, new, &replaced));
        }
        let fixed: Vec<Change> = [
            Change::of("Topics", "Topics", old.get("Topics"), new.get("Topics")),
            Change::of("Queues", "Queues", old.get("Queues"), new.get("Queues")),
            Change::of(
                "ConsumerGroupId",
                &format!("{}/ConsumerGroupId", kafka_config(old, new)),
                consumer_group(old),
                consumer_group(new),
            ),
            Change::of(
                "VIRTUAL_HOST",
                "SourceAccessConfigurations/Type=VIRTUAL_HOST/URI",
                virtual_host(old),
                virtual_host(new),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !fixed.is_empty() {
            return Some(self.fixed_property(id, &fixed));
        }
        self.in_place(id, old, new)
    }

    fn replaced_mapping(
        &self,
        id: &str,
        old: &Value,
        new: &Value,
        replaced: &[Change],
    ) -> Diagnostic {
        let certain = |changes: &mut dyn Iterator<Item = &Change>| {
            changes.fold(Same::No, |any, c| {
                any.or(if c.same == Same::No {
                    Same::Yes
                } else {
                    Same::Unknown
                })
            })
        };
        let is_source = |c: &&Change| SOURCE.contains(&c.property.as_str());
        let pair = same_function(
            &function_id(old.get("FunctionName"), &self.old),
            &function_id(new.get("FunctionName"), self.new),
        )
        .and(same_source(
            &source_parts(old, &self.old),
            &source_parts(new, self.new),
        ));
        let group = match (consumer_group(old), consumer_group(new)) {
            (Some(a), Some(b)) => compare(Some(a), Some(b)),
            _ => Same::No,
        };
        // A new source alone replaces the mapping only when it resolves to another source, so
        // the replacement can meet the deployed mapping only through its consumer group; a new
        // starting position replaces it whatever the source.
        let by_position = certain(&mut replaced.iter().filter(|c| !is_source(c)));
        let by_source = certain(&mut replaced.iter().filter(is_source));
        let conflict = by_position.and(pair.or(group)).or(by_source.and(group));
        let changes = texts(replaced);
        let prev = &self.previous.display;
        let refused = if pair == Same::No {
            format!(
                "a second mapping with consumer group {}",
                show(consumer_group(new))
            )
        } else {
            "a second mapping of the same function to the same source".to_string()
        };
        let position_only = replaced
            .iter()
            .all(|c| c.property.starts_with("StartingPosition"));
        let diagnostic = match conflict {
            Same::Yes => Diagnostic::error(
                codes::DEPLOY_REPLACEMENT_CONFLICT,
                format!("mapping {id} (deployed in {prev}): {changes}; CloudFormation replaces the mapping, creating the new one before it deletes the deployed one, and Lambda refuses {refused}: the deploy would fail"),
            )
            .with_help(if position_only {
                "the starting position is read only when a mapping is created: keep the deployed value to keep this mapping and what it has read; to start again from the new position, deploy twice, first without this event (the mapping is deleted), then with it"
            } else {
                "deploy twice: first without this event (the mapping is deleted), then with the new value"
            }),
            Same::Unknown => Diagnostic::warning(
                codes::DEPLOY_REPLACEMENT,
                format!("mapping {id} (deployed in {prev}): {changes}; if CloudFormation replaces the mapping and the new one has the function and source of the deployed one, Lambda refuses {refused} and the deploy fails"),
            )
            .with_help("write the value as it is deployed if it names the same thing; otherwise deploy twice, first without this event, then with it"),
            Same::No => Diagnostic::warning(
                codes::DEPLOY_REPLACEMENT,
                format!(
                    "mapping {id} (deployed in {prev}): {changes}; CloudFormation replaces the mapping{}: the deployed one is deleted and the new one starts reading at its starting position ({})",
                    if replaced.iter().any(|c| c.same == Same::No) { "" } else { " if they resolve to other values" },
                    show(new.get("StartingPosition"))
                ),
            )
            .with_help("nothing to do if this is meant; records the deployed mapping has not read yet are not read by the new one unless its starting position reaches back to them"),
        };
        let first = &replaced[0];
        self.locate(diagnostic, id, &first.property, &first.at, "this changes")
    }

    fn fixed_property(&self, id: &str, fixed: &[Change]) -> Diagnostic {
        let first = &fixed[0];
        // CloudFormation's pages give ConsumerGroupId "Update requires: Replacement", and the
        // replacement would have the deployed mapping's function and source; the others it
        // updates in place, which Lambda cannot do.
        let how = if fixed.iter().any(|c| c.property == "ConsumerGroupId") {
            "an update in place cannot change it, and a replacement would have the function and source of the deployed mapping, which Lambda refuses"
        } else {
            "CloudFormation would update this one in place, which Lambda cannot do"
        };
        let message = format!(
            "mapping {id} (deployed in {}): {}; Lambda sets {} only when it creates a mapping: {how}",
            self.previous.display,
            texts(fixed),
            fixed.iter().map(|c| c.property.as_str()).collect::<Vec<_>>().join(", ")
        );
        let help = if fixed
            .iter()
            .any(|c| c.property == "Topics" || c.property == "Queues")
        {
            "deploy twice: first without this event (the mapping is deleted), then with the new value; or add the new topic or queue as another event and remove this one in a later deploy"
        } else {
            "deploy twice: first without this event (the mapping is deleted), then with the new value"
        };
        let diagnostic = if fixed.iter().any(|c| c.same == Same::No) {
            Diagnostic::error(codes::DEPLOY_PROPERTY_FIXED, message)
        } else {
            Diagnostic::warning(codes::DEPLOY_PROPERTY_FIXED, message)
        };
        self.locate(
            diagnostic.with_help(help),
            id,
            &first.property,
            &first.at,
            "Lambda cannot change this",
        )
    }

    /// The note of what changes in place (nothing when nothing does).
    fn in_place(&self, id: &str, old: &Value, new: &Value) -> Option<Diagnostic> {
        let empty = Map::new();
        let (o, n) = (
            old.as_object().unwrap_or(&empty),
            new.as_object().unwrap_or(&empty),
        );
        let mut keys: Vec<&String> = n.keys().collect();
        keys.extend(o.keys().filter(|k| !n.contains_key(*k)));
        let changes: Vec<Change> = keys
            .into_iter()
            .filter(|k| !MAPPING_REPLACED.contains(&k.as_str()))
            .filter_map(|k| Change::of(k, k, o.get(k), n.get(k)))
            .collect();
        let first = changes.first()?;
        let diagnostic = Diagnostic::note(
            codes::DEPLOY_CHANGES,
            format!(
                "mapping {id} (deployed in {}): the next deploy updates it in place: {}",
                self.previous.display,
                texts(&changes)
            ),
        );
        Some(self.locate(
            diagnostic,
            id,
            &first.property,
            &first.at,
            "changes in place",
        ))
    }

    fn changed_consumer(&self, id: &str, old: &Value, new: &Value) -> Option<Diagnostic> {
        let replaced: Vec<Change> = CONSUMER_REPLACED
            .iter()
            .filter_map(|p| Change::of(p, p, old.get(*p), new.get(*p)))
            .collect();
        let first = replaced.first()?;
        let same_name = compare(old.get("ConsumerName"), new.get("ConsumerName"))
            .and(compare(old.get("StreamARN"), new.get("StreamARN")));
        let certain = if replaced.iter().any(|c| c.same == Same::No) {
            Same::Yes
        } else {
            Same::Unknown
        };
        let changes = texts(&replaced);
        let prev = &self.previous.display;
        let readers = self.readers(id);
        let diagnostic = match certain.and(same_name) {
            Same::Yes => Diagnostic::error(
                codes::DEPLOY_REPLACEMENT_CONFLICT,
                format!("consumer {id} (deployed in {prev}): {changes}; CloudFormation replaces the consumer, registering the new one before it deregisters the deployed one, and Kinesis refuses a second consumer named {} on the stream: the deploy would fail", show(new.get("ConsumerName"))),
            )
            .with_help("deploy twice: first without the consumer (the deployed one is deregistered), then with it"),
            _ => Diagnostic::warning(
                codes::DEPLOY_REPLACEMENT,
                format!("consumer {id} (deployed in {prev}): {changes}; CloudFormation replaces the consumer, and with it the mappings that read it ({readers}): they start reading again at their starting position"),
            )
            .with_help("nothing to do if this is meant; a consumer's name and stream are fixed when it is registered"),
        };
        Some(self.locate(diagnostic, id, &first.property, &first.at, "this changes"))
    }

    /// The mappings of the new template that read consumer `id`.
    fn readers(&self, id: &str) -> String {
        let readers: Vec<&str> = self
            .new
            .iter()
            .filter(|(_, r)| r["Type"] == MAPPING && r["Properties"]["EventSourceArn"]["Ref"] == id)
            .map(|(k, _)| k.as_str())
            .collect();
        if readers.is_empty() {
            "none".to_string()
        } else {
            readers.join(", ")
        }
    }

    /// New resources of `kind` that meet a deployed one whose id is gone.
    fn moved(&self, kind: &str) -> Vec<Diagnostic> {
        let gone: Vec<(&String, &Value)> = self
            .old
            .iter()
            .filter(|(id, r)| r["Type"] == kind && !self.new.contains_key(*id))
            .collect();
        let mut out = Vec::new();
        for (id, resource) in self.new {
            if resource["Type"] != kind || self.old.contains_key(id) {
                continue;
            }
            let new = properties(resource);
            let verdicts = gone
                .iter()
                .map(|(old_id, old)| (*old_id, self.meets(kind, properties(old), new)));
            let found = verdicts
                .clone()
                .find(|(_, v)| *v == Same::Yes)
                .or_else(|| verdicts.clone().find(|(_, v)| *v == Same::Unknown));
            if let Some((old_id, verdict)) = found {
                out.push(self.moved_diagnostic(kind, id, old_id, verdict));
            }
        }
        out
    }

    /// Whether a new resource meets a deployed one of another id.
    fn meets(&self, kind: &str, old: &Value, new: &Value) -> Same {
        if kind == CONSUMER {
            return compare(old.get("ConsumerName"), new.get("ConsumerName"))
                .and(compare(old.get("StreamARN"), new.get("StreamARN")));
        }
        let pair = same_function(
            &function_id(old.get("FunctionName"), &self.old),
            &function_id(new.get("FunctionName"), self.new),
        )
        .and(same_source(
            &source_parts(old, &self.old),
            &source_parts(new, self.new),
        ));
        let group = match (consumer_group(old), consumer_group(new)) {
            (Some(a), Some(b)) => compare(Some(a), Some(b)),
            _ => Same::No,
        };
        pair.or(group)
    }

    fn moved_diagnostic(&self, kind: &str, id: &str, old_id: &str, verdict: Same) -> Diagnostic {
        let prev = &self.previous.display;
        let (what, refused) = if kind == CONSUMER {
            (
                "consumer",
                "Kinesis refuses a second consumer of one name on one stream",
            )
        } else {
            ("mapping", "Lambda refuses a second mapping of one function to one source (or with one consumer group)")
        };
        let message = match verdict {
            Same::Yes => format!("{what} {id} is new, and {what} {old_id}, deployed ({prev}) and gone from this template, has the same function and source: CloudFormation creates {id} before it deletes {old_id}, and {refused}: the deploy would fail"),
            _ => format!("{what} {id} is new, and {what} {old_id}, deployed ({prev}) and gone from this template, may have the same function and source (CloudFormation resolves them at deploy time): if so, CloudFormation creates {id} before it deletes {old_id}, and {refused}"),
        };
        let help = format!("deploy twice: first without this event ({old_id} is deleted), then with it; or keep what gave the logical id {old_id} (the function's key, the source's spelling)");
        let diagnostic = if verdict == Same::Yes {
            Diagnostic::error(codes::DEPLOY_MAPPING_MOVED, message)
        } else {
            Diagnostic::warning(codes::DEPLOY_MAPPING_MOVED, message)
        };
        let diagnostic = self.place(diagnostic.with_help(help), id, None, "the new logical id");
        match self.previous.span(old_id, &[]) {
            Some(span) => diagnostic.also(span, format!("{old_id} is deployed here")),
            None => diagnostic,
        }
    }

    /// Points a diagnostic about `property` of resource `id` at where the service writes it,
    /// and at the deployed value.
    fn locate(
        &self,
        diagnostic: Diagnostic,
        id: &str,
        property: &str,
        at: &[String],
        label: &str,
    ) -> Diagnostic {
        let diagnostic = self.place(diagnostic, id, Some(property), label);
        let at: Vec<&str> = at.iter().map(String::as_str).collect();
        match self.previous.span(id, &at) {
            Some(span) => diagnostic.also(span, "deployed value"),
            None => diagnostic,
        }
    }

    /// The event that produced resource `id` (the key that writes `property`, when it has
    /// one), else the service's own resource of that id, else the deployed file.
    fn place(
        &self,
        diagnostic: Diagnostic,
        id: &str,
        property: Option<&str>,
        label: &str,
    ) -> Diagnostic {
        if let Some((path, span)) = self.where_written(id, property) {
            return diagnostic.with_path(path).at(span, label);
        }
        match self.previous.span(id, &[]) {
            Some(span) => diagnostic.at(span, label),
            None => diagnostic,
        }
    }

    fn where_written(&self, id: &str, property: Option<&str>) -> Option<(String, Span)> {
        if let Some(origin) = self.current.origin(id) {
            let event = self
                .service
                .functions
                .iter()
                .find(|f| f.key == origin.function)
                .and_then(|f| f.events.iter().find(|e| e.index == origin.event_index));
            let key = property
                .and_then(|p| EVENT_KEYS.iter().find(|(k, _)| *k == p))
                .map(|(_, key)| *key);
            if let (Some(event), Some(key)) = (event, key) {
                if let Some(node) = prop(&event.value, key) {
                    return Some((format!("{}.{key}", origin.path), node.span));
                }
            }
            return Some((origin.path.clone(), origin.span));
        }
        let resources = self
            .service
            .root
            .get("resources")?
            .get("Resources")?
            .as_map()?;
        let entry = resources.entry(id)?;
        Some((format!("resources.Resources.{id}"), entry.key_span))
    }
}

/// Which Kafka configuration holds the consumer group (for the deployed value's position).
fn kafka_config(old: &Value, new: &Value) -> &'static str {
    if old.get("SelfManagedKafkaEventSourceConfig").is_some()
        || new.get("SelfManagedKafkaEventSourceConfig").is_some()
    {
        "SelfManagedKafkaEventSourceConfig"
    } else {
        "AmazonManagedKafkaEventSourceConfig"
    }
}

#[cfg(test)]
mod tests {
    use crate::env::FakeEnvironment;
    use crate::options::Options;
    use serde_json::{json, Value};
    use std::path::PathBuf;
    use streaming_events_diagnostics::Diagnostic;

    /// A service of one function (`svc-worker`) with `resources` as its own, deployed with
    /// `previous` beside that function.
    fn run(mut previous: Value, resources: Value) -> Vec<Diagnostic> {
        previous["WorkerLambdaFunction"] =
            json!({"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-worker"}});
        let service = json!({
            "service": "svc",
            "provider": {"name": "aws", "runtime": "nodejs20.x"},
            "functions": {"worker": {"handler": "h.main", "name": "svc-worker"}},
            "resources": {"Resources": resources},
        });
        let env = FakeEnvironment::new()
            .with_file("/s/serverless.json", service.to_string())
            .with_file(
                "/s/previous.json",
                json!({"Resources": previous}).to_string(),
            );
        let options = Options {
            config: PathBuf::from("/s/serverless.json"),
            config_display: "serverless.json".into(),
            previous: Some(PathBuf::from("/s/previous.json")),
            ..Options::default()
        };
        let outcome = crate::package::run(&env, &options, false);
        // The comparison's diagnostics only: these services' mappings may name resources they
        // do not define (`Fn::GetAtt [S, Arn]`), which the template's own checks report.
        outcome
            .diagnostics
            .into_iter()
            .filter(|d| d.code.id.starts_with("DEPLOY_") || d.code.id.starts_with("PREVIOUS_"))
            .collect()
    }

    /// The codes of the comparison (not the template's own checks).
    fn codes(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .filter(|d| d.code.id.starts_with("DEPLOY_") || d.code.id.starts_with("PREVIOUS_"))
            .map(|d| format!("{}[{}]", d.severity.as_str(), d.code.id))
            .collect()
    }

    fn consumer(name: &str, stream: &str, tags: Value) -> Value {
        json!({"Type": "AWS::Kinesis::StreamConsumer", "Properties": {"ConsumerName": name, "StreamARN": stream, "Tags": tags}})
    }

    fn mapping(properties: Value) -> Value {
        json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": properties})
    }

    const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

    #[test]
    fn a_consumer_replaced_under_its_name_on_its_stream_conflicts() {
        let tags = |v: &str| json!([{"Key": "team", "Value": v}]);
        let d = run(
            json!({"C": consumer("c", STREAM, tags("a"))}),
            json!({"C": consumer("c", STREAM, tags("b"))}),
        );
        assert_eq!(codes(&d), ["error[DEPLOY_REPLACEMENT_CONFLICT]"]);
        assert_eq!(d[0].path.as_deref(), Some("resources.Resources.C"));
        // Another name: the replacement registers a consumer of its own.
        let d = run(
            json!({"C": consumer("c", STREAM, tags("a"))}),
            json!({"C": consumer("d", STREAM, tags("a"))}),
        );
        assert_eq!(codes(&d), ["warning[DEPLOY_REPLACEMENT]"]);
        // A consumer of one name on one stream under a new id.
        let d = run(
            json!({"C": consumer("c", STREAM, json!([]))}),
            json!({"D": consumer("c", STREAM, json!([]))}),
        );
        assert_eq!(codes(&d), ["error[DEPLOY_MAPPING_MOVED]"]);
    }

    #[test]
    fn one_consumer_group_cannot_be_created_twice() {
        let kafka = |servers: &str, group: &str| {
            mapping(json!({
                "FunctionName": {"Fn::GetAtt": ["WorkerLambdaFunction", "Arn"]},
                "SelfManagedEventSource": {"Endpoints": {"KafkaBootstrapServers": [servers]}},
                "Topics": ["t"],
                "SelfManagedKafkaEventSourceConfig": {"ConsumerGroupId": group},
            }))
        };
        // Another cluster under a new id, with the deployed consumer group.
        let d = run(
            json!({"A": kafka("a:9092", "g")}),
            json!({"B": kafka("b:9092", "g")}),
        );
        assert_eq!(codes(&d), ["error[DEPLOY_MAPPING_MOVED]"]);
        // Another group too: nothing meets.
        let d = run(
            json!({"A": kafka("a:9092", "g")}),
            json!({"B": kafka("b:9092", "h")}),
        );
        assert!(codes(&d).is_empty(), "{d:?}");
    }

    #[test]
    fn intrinsic_functions_leave_the_verdict_to_cloudformation() {
        let stream = |position: &str, arn: Value| {
            mapping(json!({
                "FunctionName": {"Fn::GetAtt": ["WorkerLambdaFunction", "Arn"]},
                "EventSourceArn": arn,
                "StartingPosition": position,
            }))
        };
        let literal = json!(STREAM);
        let getatt = json!({"Fn::GetAtt": ["S", "Arn"]});
        // A new spelling of the source alone: equal once resolved (nothing happens) or another
        // source (a replacement that works); never a conflict.
        let d = run(
            json!({"M": stream("LATEST", literal.clone())}),
            json!({"M": stream("LATEST", getatt.clone())}),
        );
        assert_eq!(codes(&d), ["warning[DEPLOY_REPLACEMENT]"]);
        assert!(
            d[0].message.contains("if they resolve to other values"),
            "{}",
            d[0].message
        );
        // With a new starting position, the replacement meets the deployed mapping if the two
        // spellings name one stream.
        let d = run(
            json!({"M": stream("LATEST", literal.clone())}),
            json!({"M": stream("TRIM_HORIZON", getatt.clone())}),
        );
        assert_eq!(codes(&d), ["warning[DEPLOY_REPLACEMENT]"]);
        assert!(d[0].message.contains("Lambda refuses"), "{}", d[0].message);
        // Written the same: the same source, certainly.
        let d = run(
            json!({"M": stream("LATEST", getatt.clone())}),
            json!({"M": stream("TRIM_HORIZON", getatt)}),
        );
        assert_eq!(codes(&d), ["error[DEPLOY_REPLACEMENT_CONFLICT]"]);
    }

    #[test]
    fn in_place_changes_are_a_note_and_nothing_changed_says_nothing() {
        let sqs = |batch: u32| {
            mapping(json!({
                "FunctionName": {"Fn::GetAtt": ["WorkerLambdaFunction", "Arn"]},
                "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q",
                "BatchSize": batch,
            }))
        };
        let d = run(json!({"M": sqs(10)}), json!({"M": sqs(5)}));
        assert_eq!(codes(&d), ["note[DEPLOY_CHANGES]"]);
        assert!(
            d[0].message.contains("BatchSize changes from 10 to 5"),
            "{}",
            d[0].message
        );
        assert!(codes(&run(json!({"M": sqs(10)}), json!({"M": sqs(10)}))).is_empty());
        // A mapping that is new, or gone, with nothing it meets: nothing to say.
        assert!(codes(&run(json!({"M": sqs(10)}), json!({}))).is_empty());
        assert!(codes(&run(json!({}), json!({"M": sqs(10)}))).is_empty());
    }
}
