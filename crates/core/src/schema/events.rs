//! The schema of each compiled event, with coercion, and its filter patterns: the rules each
//! event kind gives (`events::rules()` builds them from the registry; this layer knows no
//! compiler).

use super::filter::{check_filter_patterns, FilterSource};
use super::{describe, problems_to_diagnostics, validate, Schema};
use crate::config::{Service, ValidationMode};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// What validation needs to know about one event kind.
pub struct EventRules<'a> {
    pub kind: &'static str,
    /// Built once per process for the registry's kinds (see `events::registry::schema_of`).
    pub schema: std::borrow::Cow<'a, Schema>,
    /// Which records the kind's filter patterns see.
    pub filter_source: Box<dyn Fn(&Node) -> FilterSource + 'a>,
    /// The help for an event written as an intrinsic function (`- stream: !GetAtt …`).
    pub intrinsic_help: &'static str,
}

/// Schema validation (with coercion), filter patterns and each compiler's own checks, for
/// every streaming event.
pub fn validate_events(service: &mut Service, rules: &[EventRules<'_>]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mode = service.validation_mode;
    for function in &mut service.functions {
        for event in &mut function.events {
            let Some(rule) = rules.iter().find(|r| r.kind == event.kind) else {
                continue;
            };
            let path = format!(
                "functions.{}.events[{}].{}",
                function.key, event.index, event.kind
            );
            if event.value.is_null()
                || matches!(
                    event.value.value,
                    streaming_events_yaml::Value::Seq(_)
                        | streaming_events_yaml::Value::Number(_)
                        | streaming_events_yaml::Value::Bool(_)
                )
            {
                diagnostics.push(
                    Diagnostic::error(
                        codes::FUNCTION_EVENT_INVALID,
                        format!(
                            "at {path}: a {} event needs its configuration, got {}",
                            event.kind,
                            describe(&event.value)
                        ),
                    )
                    .with_path(&path)
                    .at(event.value.span, "")
                    .with_help(format!(
                        "write `- {}:` followed by its properties (see docs/compatibility.md)",
                        event.kind
                    )),
                );
                continue;
            }
            if is_intrinsic(&event.value) {
                let help = rule.intrinsic_help;
                diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                        format!(
                            "at {path}: the event is an intrinsic function; the short form `- {}: <ARN>` takes a literal ARN only",
                            event.kind
                        ),
                    )
                    .with_path(&path)
                    .at(event.value.span, "")
                    .with_help(help),
                );
                continue;
            }
            let problems = validate(&rule.schema, &mut event.value, &path, event.key_span);
            diagnostics.extend(problems_to_diagnostics(problems, mode));
            // A kind whose schema has no filterPatterns (documentDb) reports them itself.
            if let Some(patterns) = event
                .value
                .get("filterPatterns")
                .filter(|_| accepts_property(&rule.schema, "filterPatterns"))
            {
                let source = (rule.filter_source)(&event.value);
                let found =
                    check_filter_patterns(patterns, &format!("{path}.filterPatterns"), source);
                diagnostics.extend(
                    found
                        .into_iter()
                        .filter(|d| mode != ValidationMode::Off || d.is_error()),
                );
            }
        }
    }
    diagnostics
}

/// Whether an object form of `schema` lists `key`.
fn accepts_property(schema: &Schema, key: &str) -> bool {
    match schema {
        Schema::Object { props, .. } => props.iter().any(|(name, _)| *name == key),
        Schema::AnyOf { options, .. } => options.iter().any(|o| accepts_property(o, key)),
        Schema::Checked(inner, _) | Schema::Closed(inner) | Schema::Aws(inner) => {
            accepts_property(inner, key)
        }
        _ => false,
    }
}

/// An object with a single `Ref` or `Fn::…` key.
fn is_intrinsic(node: &Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.len() == 1 && (m.entries[0].key == "Ref" || m.entries[0].key.starts_with("Fn::"))
    })
}
