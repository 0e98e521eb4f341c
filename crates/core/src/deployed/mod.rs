//! The template deployed now (`--previous FILE`) and what the next deploy would do to its
//! event source mappings and Kinesis consumers ([`hazards`]): replacements that CloudFormation
//! cannot finish, properties Lambda does not change in place, mappings whose logical id moved,
//! and, as notes, what changes in place.
//!
//! This module owns reading the deployed template: a CloudFormation template in JSON or YAML
//! (a previous `.serverless/cloudformation-template-update-stack.json`), or what `aws
//! cloudformation get-template` prints, `{"TemplateBody": …, "StagesAvailable": …}`, whose body
//! is an object or the template's text (JSON or YAML). It is read through the `Environment`
//! with the service file's bounds, and parsed by the same loader. It must not change the
//! template being built: the comparison only reports.
//!
//! ```text
//! streaming-events validate --previous deployed.json
//! error[DEPLOY_REPLACEMENT_CONFLICT]: … StartingPosition changes from TRIM_HORIZON to LATEST …
//! ```

pub mod hazards;
mod values;

use crate::config::{load_error_diagnostic, load_file_as, FileRole};
use crate::env::Environment;
use std::path::Path;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{load, Node};

/// The deployed template: its tree (with the positions of the file it was read from) and how
/// the file is named in messages.
#[derive(Debug, Clone)]
pub struct Previous {
    pub root: Node,
    pub display: String,
}

impl Previous {
    /// The deployed `Resources`, as JSON.
    pub fn resources(&self) -> serde_json::Map<String, serde_json::Value> {
        match self.root.get("Resources").map(Node::to_json) {
            Some(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// Where the deployed resource `id` is written, or the value at `path` under its
    /// `Properties` (a key, or `Type=VALUE` for the item of a list with that `Type`), as far
    /// as the path goes; a list or mapping is pointed at by its key.
    pub fn span(&self, id: &str, path: &[&str]) -> Option<streaming_events_yaml::Span> {
        let entry = self.root.get("Resources")?.as_map()?.entry(id)?;
        let mut span = entry.key_span;
        let Some(mut node) = entry.value.get("Properties") else {
            return Some(span);
        };
        for step in path {
            let found = match step.split_once('=') {
                Some((key, value)) => node.as_seq().and_then(|items| {
                    items
                        .iter()
                        .find(|item| item.get(key).and_then(Node::as_str) == Some(value))
                        .map(|item| (item, item.span))
                }),
                None => node
                    .as_map()
                    .and_then(|m| m.entry(step))
                    .map(|entry| (&entry.value, entry.key_span)),
            };
            let Some((next, key_span)) = found else { break };
            span = if next.as_map().is_some() || next.as_seq().is_some() {
                key_span
            } else {
                next.span
            };
            node = next;
        }
        Some(span)
    }
}

/// Reads `--previous FILE`: a template, or `get-template`'s output around one.
pub fn load_previous(
    env: &dyn Environment,
    path: &Path,
    sources: &mut SourceMap,
) -> Result<Previous, Box<Diagnostic>> {
    let display = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let node = load_file_as(env, path, &display, sources, FileRole::Previous)?;
    let root = match node.get("TemplateBody") {
        // `get-template` prints the body as text when it was submitted as text (always, for
        // the Framework), and as an object when the command line parsed it.
        Some(body) => match body.as_str() {
            Some(text) => {
                let name = format!("{display} (TemplateBody)");
                let text = text.to_string();
                let file = sources.add(name.clone(), text);
                let text = sources.get(file).map_or("", |f| &*f.text);
                let mut root =
                    load(text, file).map_err(|e| Box::new(load_error_diagnostic(*e, &name)))?;
                crate::js::json_roundtrip(&mut root);
                root
            }
            None => body.clone(),
        },
        None => node,
    };
    if root.get("Resources").is_some_and(|r| r.as_map().is_some()) {
        Ok(Previous { root, display })
    } else {
        Err(Box::new(
            Diagnostic::error(
                codes::PREVIOUS_TEMPLATE_INVALID,
                format!("{display} is not a deployed CloudFormation template (a mapping with Resources, or what `aws cloudformation get-template` prints)"),
            )
            .at(root.span, "expected a template here")
            .with_help("pass what `aws cloudformation get-template --stack-name STACK --template-stage Original` prints, or the .serverless/cloudformation-template-update-stack.json of the last deploy"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FakeEnvironment;

    fn read(text: &str) -> Result<Previous, Box<Diagnostic>> {
        let env = FakeEnvironment::new().with_file("/p/previous.json", text);
        load_previous(&env, Path::new("/p/previous.json"), &mut SourceMap::new())
    }

    #[test]
    fn a_template_get_templates_output_and_its_text_body_are_read_alike() {
        let template = r#"{"Resources": {"M": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"BatchSize": 5}}}}"#;
        let body_text = serde_json::json!({"TemplateBody": template, "StagesAvailable": ["Original", "Processed"]});
        let body_object = serde_json::json!({"TemplateBody": serde_json::from_str::<serde_json::Value>(template).unwrap()});
        let yaml_body = serde_json::json!({"TemplateBody": "Resources:\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      BatchSize: 5\n"});
        for text in [
            template.to_string(),
            body_text.to_string(),
            body_object.to_string(),
            yaml_body.to_string(),
        ] {
            let previous = read(&text).unwrap();
            assert_eq!(
                previous.resources()["M"]["Properties"]["BatchSize"],
                5,
                "{text}"
            );
        }
    }

    #[test]
    fn what_is_not_a_template_is_refused_with_a_code() {
        for text in [
            "[]",
            "{\"TemplateBody\": 3}",
            "{\"Resources\": []}",
            "Outputs: {}",
        ] {
            let d = read(text).unwrap_err();
            assert_eq!(d.code, codes::PREVIOUS_TEMPLATE_INVALID, "{text}");
        }
        let d = read("{\"TemplateBody\": \"{ not yaml\"}").unwrap_err();
        assert_eq!(d.code, codes::YAML_SYNTAX_ERROR);
        let env = FakeEnvironment::new();
        let d = load_previous(&env, Path::new("/p/none.json"), &mut SourceMap::new()).unwrap_err();
        assert_eq!(d.code, codes::PREVIOUS_TEMPLATE_UNREADABLE);
    }
}
