//! The binary mode's input: the configuration as the Serverless Framework resolved it (its
//! `serverless.configurationInput`, written as JSON by the plugin), with the positions of the
//! service file the user wrote.
//!
//! Values come from the resolved JSON, so every variable source the Framework knows (`ssm`,
//! `cf`, `s3`, plugins' own) has already been answered; no `${…}` is resolved here. Positions
//! come from the service file: each resolved node takes the span of the node at the same config
//! path in the file, or, where the file has nothing there (a value a variable produced, a key
//! the Framework added such as a function's `name`), the span of the nearest ancestor that is
//! in the file. A list of mappings in the file (`functions: [{a: …}, {b: …}]`, which the Framework
//! merges into one mapping) is searched item by item. Without a service file (a JavaScript or
//! TypeScript one), positions are those of the resolved JSON itself.
//!
//! This module owns that overlay and nothing else: the pipeline after it is the ordinary one.

use crate::config::load_file;
use crate::env::Environment;
use std::path::Path;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{Node, Span, Value};

/// Loads the resolved configuration `resolved` and gives its nodes the positions of the service
/// file `config` (when there is one).
pub fn load_resolved(
    env: &dyn Environment,
    resolved: &Path,
    config: Option<(&Path, &str)>,
    sources: &mut SourceMap,
) -> Result<Node, Box<Diagnostic>> {
    let resolved_display = resolved.display().to_string();
    let mut root = load_file(env, resolved, &resolved_display, sources).map_err(|d| {
        let mut d = *d;
        if d.code.id.starts_with("YAML_") {
            d.code = codes::RESOLVED_CONFIG_INVALID;
            d.help = Some("pass the configuration the Framework resolved, as JSON (`JSON.stringify(serverless.configurationInput)`)".into());
        }
        Box::new(d)
    })?;
    if root.as_map().is_none() {
        return Err(Box::new(
            Diagnostic::error(
                codes::RESOLVED_CONFIG_INVALID,
                format!(
                    "{resolved_display} is not a resolved service configuration (a JSON object), got {}",
                    root.type_name()
                ),
            )
            .at(root.span, "")
            .with_help("pass the configuration the Framework resolved, as JSON (`JSON.stringify(serverless.configurationInput)`)"),
        ));
    }
    if let Some((config, display)) = config {
        let file = load_file(env, config, display, sources)?;
        overlay_positions(&mut root, Some(&file), file.span);
    }
    Ok(root)
}

/// Gives `node` (a resolved value) the span of `file` (the node at the same path in the service
/// file), or `fallback` where the file has no such node; then does the same for its children.
fn overlay_positions(node: &mut Node, file: Option<&Node>, fallback: Span) {
    let here = file.map(|f| f.span).unwrap_or(fallback);
    node.span = here;
    node.via = file.and_then(|f| f.via.clone());
    match &mut node.value {
        Value::Map(map) => {
            for entry in &mut map.entries {
                let counterpart = file.and_then(|f| child_entry(f, &entry.key));
                entry.key_span = counterpart.map(|(key_span, _)| key_span).unwrap_or(here);
                overlay_positions(&mut entry.value, counterpart.map(|(_, n)| n), here);
            }
        }
        Value::Seq(items) => {
            let file_items = file.and_then(Node::as_seq).unwrap_or(&[]);
            for (index, item) in items.iter_mut().enumerate() {
                overlay_positions(item, file_items.get(index), here);
            }
        }
        _ => {}
    }
}

/// The entry `key` of a file node: of the mapping itself, or of the first item of a list of
/// mappings that has it.
fn child_entry<'a>(file: &'a Node, key: &str) -> Option<(Span, &'a Node)> {
    match &file.value {
        Value::Map(map) => map.entry(key).map(|e| (e.key_span, &e.value)),
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::as_map)
            .find_map(|m| m.entry(key))
            .map(|e| (e.key_span, &e.value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FakeEnvironment;

    fn located(env: &FakeEnvironment, with_config: bool) -> (Node, SourceMap) {
        let mut sources = SourceMap::new();
        let config = with_config.then_some((Path::new("serverless.yml"), "serverless.yml"));
        let root =
            load_resolved(env, Path::new("resolved.json"), config, &mut sources).expect("loads");
        (root, sources)
    }

    fn line_of(sources: &SourceMap, node: &Node) -> (String, usize) {
        let (file, line, _) = sources.locate(node.span).expect("located");
        (file.to_string(), line)
    }

    #[test]
    fn values_come_from_the_resolved_file_positions_from_the_service_file() {
        let env = FakeEnvironment::default()
            .with_file(
                "serverless.yml",
                "service: s\nfunctions:\n  - a:\n      handler: h.a\n      events:\n        - kafka: ${file(kafka.yml)}\n",
            )
            .with_file(
                "resolved.json",
                r#"{"service":"s","functions":{"a":{"handler":"h.a","name":"s-dev-a","events":[{"kafka":{"topic":"t"}}]}}}"#,
            );
        let (root, sources) = located(&env, true);
        let function = root.get("functions").and_then(|f| f.get("a")).unwrap();
        assert_eq!(line_of(&sources, function), ("serverless.yml".into(), 4));
        // Added by the Framework: the function's own position.
        assert_eq!(
            line_of(&sources, function.get("name").unwrap()),
            ("serverless.yml".into(), 4)
        );
        let kafka = function.get("events").unwrap().as_seq().unwrap()[0]
            .get("kafka")
            .unwrap();
        // Produced by a variable: the variable's position, the resolved value.
        assert_eq!(line_of(&sources, kafka), ("serverless.yml".into(), 6));
        assert_eq!(
            kafka.get("topic").and_then(Node::as_str),
            Some("t"),
            "the value is the resolved one"
        );
    }

    #[test]
    fn without_a_service_file_positions_are_the_resolved_files() {
        let env = FakeEnvironment::default().with_file(
            "resolved.json",
            "{\n  \"service\": \"s\",\n  \"provider\": {}\n}\n",
        );
        let (root, sources) = located(&env, false);
        assert_eq!(
            line_of(&sources, root.get("provider").unwrap()),
            ("resolved.json".into(), 3)
        );
    }

    #[test]
    fn a_resolved_file_that_is_not_an_object_is_an_error() {
        for text in ["[1, 2]", "{\"a\": "] {
            let env = FakeEnvironment::default().with_file("resolved.json", text);
            let mut sources = SourceMap::new();
            let error = load_resolved(&env, Path::new("resolved.json"), None, &mut sources)
                .expect_err("rejected");
            assert_eq!(error.code.id, "RESOLVED_CONFIG_INVALID", "{text}");
        }
    }
}
