//! Provisioned mode (`ProvisionedPollerConfig`) for `sqs`, `kafka` and `msk`, spelled as
//! Serverless Framework v4 spells it, with osls's `provisionedPollerConfig` accepted on kafka
//! and msk as a deprecated alias (docs/features.md, section 1).
//!
//! ```yaml
//! - msk:
//!     arn: arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd-1
//!     topic: orders
//!     provisionedPollers:
//!       min: 1
//!       max: 100
//!       group: shared-capacity
//! ```
//! gives `ProvisionedPollerConfig: {MinimumPollers: 1, MaximumPollers: 100, PollerGroupName:
//! shared-capacity}`; `provisionedPollers: false` gives `ProvisionedPollerConfig: {}` (turns
//! provisioned mode off on an existing mapping). No permission is needed.

use super::{prop, prop_span, MappingProperties};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::Schema;
use serde_json::{Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// The kinds whose mappings take a poller group (SQS's provisioned mode has none).
const GROUP_KINDS: &[&str] = &["kafka", "msk"];
/// AWS's limits on one poller group (`ProvisionedPollerConfig.PollerGroupName`).
const GROUP_MAX_MAPPINGS: usize = 100;
const GROUP_MAX_POLLERS: f64 = 2000.0;
/// `MaximumPollers` when it is not set.
const DEFAULT_MAX_POLLERS: f64 = 200.0;
pub const GROUP_PATTERN: &str = "^[a-zA-Z0-9_-]+$";

/// Where provisioned mode is configured: an SQS queue or a Kafka cluster (kafka, msk).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PollerSource {
    Sqs,
    Kafka,
}

/// What the editor schema says about the properties of [`schema_props`].
pub const DOCS: &[PropertyDoc] = &[
    doc("provisionedPollers", "Provisioned mode: pollers kept ready for the mapping (`{min, max, group}`), or `false` to switch an existing mapping back to on-demand.", "`ProvisionedPollerConfig`", "not set: on-demand"),
    doc("provisionedPollers.min", "The fewest pollers (kafka and msk 1–200, sqs 2–200).", "`ProvisionedPollerConfig.MinimumPollers`", "not set: AWS's minimum"),
    doc("provisionedPollers.max", "The most pollers (kafka and msk 1–2000, sqs 2–10000).", "`ProvisionedPollerConfig.MaximumPollers`", "not set: AWS's default"),
    doc("provisionedPollers.group", "A poller group several kafka or msk mappings share (1–128 of `[a-zA-Z0-9_-]`).", "`ProvisionedPollerConfig.PollerGroupName`", "not set: the mapping's own pollers"),
    doc("provisionedPollerConfig", "osls's spelling of `provisionedPollers` (`{minimumPollers, maximumPollers}`); accepted with a deprecation warning.", "`ProvisionedPollerConfig`", "not set: on-demand"),
    doc("provisionedPollerConfig.minimumPollers", "The fewest pollers (1–200).", "`ProvisionedPollerConfig.MinimumPollers`", "not set: AWS's minimum"),
    doc("provisionedPollerConfig.maximumPollers", "The most pollers (1–2000).", "`ProvisionedPollerConfig.MaximumPollers`", "not set: AWS's default"),
];

/// The schema entries of the kind: `provisionedPollers`, and for Kafka the osls alias.
pub fn schema_props(source: PollerSource) -> Vec<(&'static str, Schema)> {
    let (min, max) = match source {
        PollerSource::Sqs => (Schema::integer(2.0, 200.0), Schema::integer(2.0, 10000.0)),
        PollerSource::Kafka => (Schema::integer(1.0, 200.0), Schema::integer(1.0, 2000.0)),
    };
    let mut props = vec![("min", Schema::aws(min)), ("max", Schema::aws(max))];
    if source == PollerSource::Kafka {
        props.push((
            "group",
            Schema::aws(Schema::Str {
                pattern: Some(GROUP_PATTERN),
                min_len: Some(1),
                max_len: Some(128),
            }),
        ));
    }
    // Closed: `group` on an sqs event (or a misspelt key) is an error in every mode, since the
    // mapping would silently lose a setting the user meant.
    let object = Schema::Closed(Box::new(Schema::Object {
        props,
        required: &[],
        additional: false,
        min_props: Some(1),
    }));
    let mut out = vec![(
        "provisionedPollers",
        Schema::any_of(
            "false, or {min, max, group}",
            vec![Schema::ConstFalse, object],
        ),
    )];
    if source == PollerSource::Kafka {
        out.push((
            "provisionedPollerConfig",
            Schema::Closed(Box::new(Schema::Object {
                props: vec![
                    ("minimumPollers", Schema::aws(Schema::integer(1.0, 200.0))),
                    ("maximumPollers", Schema::aws(Schema::integer(1.0, 2000.0))),
                ],
                required: &[],
                additional: false,
                min_props: Some(1),
            })),
        ));
    }
    out
}

/// `(min, max, group)` of the event's provisioned mode, from either spelling, when it is an
/// object.
fn settings(e: &Node) -> Option<(Option<&Node>, Option<&Node>, Option<&Node>)> {
    if let Some(pollers) = prop(e, "provisionedPollers").filter(|n| n.as_map().is_some()) {
        return Some((
            prop(pollers, "min"),
            prop(pollers, "max"),
            prop(pollers, "group"),
        ));
    }
    let osls = prop(e, "provisionedPollerConfig").filter(|n| n.as_map().is_some())?;
    Some((
        prop(osls, "minimumPollers"),
        prop(osls, "maximumPollers"),
        None,
    ))
}

/// Whether the mapping is in provisioned mode (an object under either spelling).
pub fn is_provisioned(e: &Node) -> bool {
    settings(e).is_some()
}

/// `ProvisionedPollerConfig` with only the keys that are set; `{}` for `false`.
pub fn emit(properties: &mut MappingProperties<'_>, e: &Node) {
    if prop(e, "provisionedPollers").and_then(Node::as_bool) == Some(false) {
        properties.set("ProvisionedPollerConfig", Value::Object(Map::new()));
        return;
    }
    let Some((min, max, group)) = settings(e) else {
        return;
    };
    let mut config = Map::new();
    for (key, node) in [
        ("MinimumPollers", min),
        ("MaximumPollers", max),
        ("PollerGroupName", group),
    ] {
        if let Some(node) = node {
            config.insert(key.into(), node.to_json());
        }
    }
    properties.set("ProvisionedPollerConfig", Value::Object(config));
}

/// The checks of section 1 for one event: both spellings at once, counts of 0, min above max,
/// the SQS scaling-mode conflict, `false`, the osls alias.
pub fn check(function: &Function, event: &Event) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let e = &event.value;
    let path = event.path(function);
    let ours = prop(e, "provisionedPollers");
    let osls = prop(e, "provisionedPollerConfig");
    let (key, node) = match (ours, osls) {
        (Some(_), Some(alias)) => {
            out.push(Diagnostic::error_at(
                codes::EVENT_PROVISIONED_POLLERS_INVALID,
                format!("{path}.provisionedPollerConfig"),
                alias.span,
                format!("The \"{}\" event of function \"{}\" sets both \"provisionedPollers\" and its deprecated spelling \"provisionedPollerConfig\".", event.kind, function.key),
                "keep provisionedPollers only",
            ));
            return out;
        }
        (Some(node), None) => ("provisionedPollers", node),
        (None, Some(node)) => {
            out.push(
                Diagnostic::warning(
                    codes::EVENT_PROPERTY_DEPRECATED,
                    format!("\"provisionedPollerConfig\" (the osls spelling) of function \"{}\" is deprecated; it is read as provisionedPollers", function.key),
                )
                .with_path(format!("{path}.provisionedPollerConfig"))
                .at(prop_span(e, "provisionedPollerConfig"), "the osls spelling")
                .with_help("write `provisionedPollers: {min: …, max: …}` (minimumPollers → min, maximumPollers → max)"),
            );
            ("provisionedPollerConfig", node)
        }
        (None, None) => return out,
    };
    if node.as_bool() == Some(false) {
        out.push(
            Diagnostic::warning(
                codes::EVENT_PROVISIONED_POLLERS_DISABLED,
                format!("provisionedPollers: false of function \"{}\" gives ProvisionedPollerConfig: {{}}, which turns provisioned mode off on an existing mapping but which AWS refuses when the mapping is created", function.key),
            )
            .with_path(format!("{path}.provisionedPollers"))
            .at(node.span, "turns provisioned mode off")
            .with_help("for a new mapping, leave provisionedPollers out; keep `false` only to switch an existing mapping back to on-demand mode"),
        );
        return out;
    }
    let Some((min, max, _)) = settings(e) else {
        return out;
    };
    let (min_key, max_key) = if key == "provisionedPollers" {
        ("min", "max")
    } else {
        ("minimumPollers", "maximumPollers")
    };
    for (name, value) in [(min_key, min), (max_key, max)] {
        if let Some(value) = value.filter(|v| v.as_f64() == Some(0.0)) {
            out.push(Diagnostic::error_at(
                codes::EVENT_PROVISIONED_POLLERS_INVALID,
                format!("{path}.{key}.{name}"),
                value.span,
                format!("The \"{}\" event of function \"{}\" has \"{key}.{name}\" 0; a mapping in provisioned mode has at least one poller.", event.kind, function.key),
                "use 1 or more (2 or more for sqs), or leave it out for AWS's default",
            ));
        }
    }
    if let (Some(low), Some(high)) = (min.and_then(Node::as_f64), max.and_then(Node::as_f64)) {
        if low > high {
            out.push(
                Diagnostic::error(
                    codes::EVENT_PROVISIONED_POLLERS_INVALID,
                    format!("The \"{}\" event of function \"{}\" has \"{key}.{min_key}\" ({}) greater than \"{max_key}\" ({}).", event.kind, function.key, min.map(super::json_text).unwrap_or_default(), max.map(super::json_text).unwrap_or_default()),
                )
                .with_path(format!("{path}.{key}.{min_key}"))
                .at(min.map(|n| n.span).unwrap_or(node.span), "the minimum")
                .also(max.map(|n| n.span).unwrap_or(node.span), "the maximum")
                .with_help(format!("make {min_key} at most {max_key}")),
            );
        }
    }
    if event.kind == "sqs" && prop(e, "maximumConcurrency").is_some_and(crate::js::truthy) {
        out.push(
            Diagnostic::error(
                codes::SQS_EVENT_SCALING_MODE_CONFLICT,
                format!("The \"sqs\" event of function \"{}\" cannot set both \"maximumConcurrency\" and \"provisionedPollers\": they are exclusive scaling modes (in provisioned mode, \"provisionedPollers.max\" bounds the concurrency).", function.key),
            )
            .with_path(format!("{path}.maximumConcurrency"))
            .at(prop_span(e, "maximumConcurrency"), "on-demand scaling")
            .also(node.span, "provisioned mode")
            .with_help("remove maximumConcurrency, or remove provisionedPollers"),
        );
    }
    out
}

/// The poller-group limits within the service (section 1: at most 100 mappings per group, and
/// at most 2,000 maximum pollers summed over them, an unset `max` counting as AWS's default
/// 200). Reported once per group, at its first mapping. Groups are per VPC, so mappings of
/// other services can share one too: this sees only this service's.
pub fn check_groups(service: &Service, function: &Function, event: &Event) -> Option<Diagnostic> {
    let (_, _, group) = settings(&event.value)?;
    let name = group?.as_str()?;
    let mut count = 0usize;
    let mut pollers = 0.0;
    let mut first = true;
    let mut seen_self = false;
    for f in &service.functions {
        for other in &f.events {
            if !GROUP_KINDS.contains(&other.kind.as_str()) {
                continue;
            }
            let Some((_, max, Some(g))) = settings(&other.value) else {
                continue;
            };
            if g.as_str() != Some(name) {
                continue;
            }
            let is_self = f.key == function.key && other.index == event.index;
            if !seen_self && !is_self {
                first = false;
            }
            seen_self |= is_self;
            count += 1;
            pollers += max.and_then(Node::as_f64).unwrap_or(DEFAULT_MAX_POLLERS);
        }
    }
    if !first || (count <= GROUP_MAX_MAPPINGS && pollers <= GROUP_MAX_POLLERS) {
        return None;
    }
    Some(
        Diagnostic::warning(
            codes::EVENT_PROVISIONED_POLLER_GROUP_LIMIT,
            format!("the poller group \"{name}\" has {count} mappings in this service with {} maximum pollers in all; AWS allows at most {GROUP_MAX_MAPPINGS} mappings and {} pollers per group", pollers, GROUP_MAX_POLLERS),
        )
        .with_path(format!("{}.provisionedPollers.group", event.path(function)))
        .at(group.map(|g| g.span).unwrap_or(event.value.span), "this group")
        .with_help("split the mappings over more groups, or lower their max (an unset max counts as 200)"),
    )
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, resource, service};
    use serde_json::json;

    const CLUSTER: &str = "arn:aws:kafka:us-east-1:1:cluster/payments/abc-1";

    #[test]
    fn only_the_keys_set_are_emitted_and_false_is_empty() {
        let t = compile(&service(&format!(
            "      - msk: {{arn: '{CLUSTER}', topic: a1, provisionedPollers: {{max: 3}}}}\n      - msk: {{arn: '{CLUSTER}', topic: b1, provisionedPollers: false}}\n"
        )))
        .unwrap();
        assert_eq!(
            resource(&t, "FnEventSourceMappingMSKPaymentsA1")["Properties"]
                ["ProvisionedPollerConfig"],
            json!({"MaximumPollers": 3})
        );
        assert_eq!(
            resource(&t, "FnEventSourceMappingMSKPaymentsB1")["Properties"]
                ["ProvisionedPollerConfig"],
            json!({})
        );
    }

    #[test]
    fn counts_ranges_and_the_sqs_conflict() {
        let err = |events: &str| compile(&service(events)).unwrap_err();
        assert_eq!(
            err(&format!("      - msk: {{arn: '{CLUSTER}', topic: a1, provisionedPollers: {{min: 5, max: 4}}}}\n")),
            ["EVENT_PROVISIONED_POLLERS_INVALID"]
        );
        assert_eq!(
            err(&format!(
                "      - msk: {{arn: '{CLUSTER}', topic: a1, provisionedPollers: {{min: 0}}}}\n"
            )),
            ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"],
            "strict mode; in warn mode the schema only relaxes a falsy 0 and the check refuses it (fixture feature-provisioned-pollers-zero)"
        );
        assert_eq!(
            err("      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:q', provisionedPollers: {min: 1}}\n"),
            ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"],
            "SQS wants 2 pollers at least"
        );
        assert_eq!(
            err("      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:q', maximumConcurrency: 5, provisionedPollers: {max: 9}}\n"),
            ["SQS_EVENT_SCALING_MODE_CONFLICT"]
        );
        assert!(compile(&service(
            "      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:q', maximumConcurrency: 5, provisionedPollers: false}\n"
        ))
        .is_ok());
    }
}
