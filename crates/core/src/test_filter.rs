//! `test-filter`: a mapping's filter patterns tried on sample records before anything deploys.
//! The patterns come from the service, as compiled (the `FilterCriteria` text each event's
//! mapping gets, after variables, coercion and validation), or from the command line (checked
//! by the same validator); records are read and decoded per source by
//! `schema::filter::records` and matched by `schema::filter::matcher`.
//!
//! Example: `streaming-events test-filter --function worker orders.json` evaluates the one
//! streaming event of `worker` that has `filterPatterns` on each record of `orders.json`.

use crate::config::Service;
use crate::env::Environment;
use crate::events::mapping::filter_criteria;
use crate::events::EventCompiler;
use crate::options::{Options, Outcome};
use crate::package::run_inspecting;
use crate::schema::filter::json::{parse, Json};
use crate::schema::filter::records::{records, Record};
use crate::schema::filter::{check_filter_patterns, FilterSource};
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{Node, Value};

/// One streaming event of a function, with its patterns as compiled.
#[derive(Debug, Clone)]
pub struct EventPatterns {
    /// The index in the function's `events` list.
    pub index: usize,
    pub kind: String,
    /// `functions.worker.events[0].stream`.
    pub path: String,
    pub source: FilterSource,
    /// Each `FilterCriteria.Filters[].Pattern`, as the template holds it; `None` when the event
    /// has no `filterPatterns`.
    pub patterns: Option<Vec<String>>,
}

/// The streaming events of every function (those that passed validation).
#[derive(Debug, Clone, Default)]
pub struct ServiceEvents {
    pub functions: Vec<(String, Vec<EventPatterns>)>,
}

/// Runs every check of `validate` and collects each streaming event's filter patterns.
pub fn service_events(env: &dyn Environment, options: &Options) -> (Outcome, ServiceEvents) {
    let mut found = ServiceEvents::default();
    let outcome = run_inspecting(env, options, false, &mut |service, compilers| {
        found = collect(service, compilers);
    });
    (outcome, found)
}

fn collect(service: &Service, compilers: &[Box<dyn EventCompiler>]) -> ServiceEvents {
    let mut functions = Vec::new();
    for function in &service.functions {
        let mut events = Vec::new();
        for event in &function.events {
            let Some(compiler) = compilers.iter().find(|c| c.kind() == event.kind) else {
                continue;
            };
            let patterns = event
                .value
                .get("filterPatterns")
                .and_then(filter_criteria)
                .map(|criteria| {
                    criteria["Filters"]
                        .as_array()
                        .map(|filters| {
                            filters
                                .iter()
                                .filter_map(|f| f["Pattern"].as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                });
            events.push(EventPatterns {
                index: event.index,
                kind: event.kind.clone(),
                path: event.path(function),
                source: compiler.filter_source(&event.value),
                patterns,
            });
        }
        functions.push((function.key.clone(), events));
    }
    ServiceEvents { functions }
}

impl ServiceEvents {
    /// The event `--function` and `--event` name; a usage error (`FILTER_TEST_TARGET_INVALID`)
    /// says what there is instead.
    pub fn select(
        &self,
        function: &str,
        event: Option<usize>,
    ) -> Result<&EventPatterns, Box<Diagnostic>> {
        let fail = |message: String, help: String| {
            Box::new(Diagnostic::error(codes::FILTER_TEST_TARGET_INVALID, message).with_help(help))
        };
        let Some((_, events)) = self.functions.iter().find(|(key, _)| key == function) else {
            let names: Vec<&str> = self.functions.iter().map(|(k, _)| k.as_str()).collect();
            return Err(fail(
                format!("the service has no function `{function}`"),
                if names.is_empty() {
                    "the service defines no functions".into()
                } else {
                    format!("its functions: {}", names.join(", "))
                },
            ));
        };
        let listing = || {
            let list: Vec<String> = events
                .iter()
                .map(|e| {
                    format!(
                        "events[{}] ({}{})",
                        e.index,
                        e.kind,
                        if e.patterns.is_some() {
                            ", with filterPatterns"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            if list.is_empty() {
                format!("`{function}` has no streaming event")
            } else {
                format!("its streaming events: {}", list.join(", "))
            }
        };
        match event {
            Some(n) => match events.iter().find(|e| e.index == n) {
                Some(e) if e.patterns.is_some() => Ok(e),
                Some(e) => Err(fail(
                    format!(
                        "{} has no filterPatterns, so Lambda sends it every record",
                        e.path
                    ),
                    listing(),
                )),
                None => Err(fail(
                    format!("functions.{function}.events[{n}] is not a streaming event"),
                    listing(),
                )),
            },
            None => {
                let with: Vec<&EventPatterns> =
                    events.iter().filter(|e| e.patterns.is_some()).collect();
                match with.as_slice() {
                    [one] => Ok(one),
                    [] => Err(fail(
                        format!("function `{function}` has no streaming event with filterPatterns"),
                        listing(),
                    )),
                    several => Err(fail(
                        format!(
                            "function `{function}` has {} streaming events with filterPatterns",
                            several.len()
                        ),
                        format!("choose one with --event N; {}", listing()),
                    )),
                }
            }
        }
    }
}

impl EventPatterns {
    /// The compiled patterns, parsed as Lambda parses them.
    pub fn parsed(&self) -> Vec<Json> {
        self.patterns
            .iter()
            .flatten()
            .filter_map(|text| parse(text, u32::MAX).ok())
            .collect()
    }
}

/// A pattern given on the command line: JSON, one pattern object, checked by the validator
/// the service's patterns go through. Errors and warnings come with the pattern's positions.
pub fn read_pattern(
    text: &str,
    name: &str,
    source: FilterSource,
    sources: &mut SourceMap,
) -> (Option<Json>, Vec<Diagnostic>) {
    let file = sources.add(name, text);
    let json = match parse(text, file) {
        Ok(json) => json,
        Err(e) => {
            let d = Diagnostic::error(codes::FILTER_PATTERN_INVALID, format!("the filter pattern is not JSON: {}", e.message))
                .at(e.span, "here")
                .with_help("write the pattern as Lambda's FilterCriteria holds it, e.g. '{\"data\": {\"type\": [\"order\"]}}'");
            return (None, vec![d]);
        }
    };
    if json.members().is_none() {
        let d = Diagnostic::error(
            codes::FILTER_PATTERN_INVALID,
            "a filter pattern is a JSON object",
        )
        .at(json.span, "this value")
        .with_help("write the pattern as an object, e.g. '{\"data\": {\"type\": [\"order\"]}}'");
        return (None, vec![d]);
    }
    let list = Node::new(Value::Seq(vec![json.to_node()]), json.span);
    let mut diagnostics = check_filter_patterns(&list, "pattern", source);
    // One pattern, not a list of them: `pattern.data.kind`, not `pattern[0].data.kind`.
    for d in &mut diagnostics {
        if let Some(path) = d.path.as_mut().filter(|p| p.starts_with("pattern[0]")) {
            path.replace_range(.."pattern[0]".len(), "pattern");
        }
    }
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    (ok.then_some(json), diagnostics)
}

/// The records of one file (an event, one record, or a decoded payload).
pub fn read_records(
    text: &str,
    name: &str,
    source: FilterSource,
    sources: &mut SourceMap,
) -> Result<Vec<Record>, Box<Diagnostic>> {
    let file = sources.add(name, text);
    let help = "pass an event as Lambda delivers it, one of its records, or the decoded payload";
    let json = parse(text, file).map_err(|e| {
        Box::new(
            Diagnostic::error(
                codes::FILTER_RECORD_INVALID,
                format!("the record is not JSON: {}", e.message),
            )
            .at(e.span, "here")
            .with_help(help),
        )
    })?;
    records(&json, source).map_err(|e| {
        Box::new(
            Diagnostic::error(codes::FILTER_RECORD_INVALID, e.message)
                .at(e.span, "here")
                .with_help(help),
        )
    })
}
