//! Values a failed variable left unknown. A variable that cannot be resolved makes only the
//! values that depend on it unknown: the later stages still check everything else, and drop
//! what they would say about an unknown value (its type, its pattern, the event it belongs to),
//! so that one run reports every problem of a service without guessing about those values.

use super::variables::parse::{parse, Piece};
use streaming_events_diagnostics::Diagnostic;
use streaming_events_yaml::{Node, Value};

/// The config paths of unknown values (`functions.a.events[0].stream.batchSize`).
#[derive(Debug, Default, Clone)]
pub struct Unknown {
    paths: Vec<String>,
}

impl Unknown {
    /// The values the resolver could not produce: where its errors point, and every string
    /// that still holds a variable after a failed resolution (a value reached through a failed
    /// `${self:…}` keeps its text).
    pub fn from_resolution(root: &Node, variable_diagnostics: &[Diagnostic]) -> Unknown {
        let errors: Vec<&Diagnostic> = variable_diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        let mut paths: Vec<String> = errors.iter().filter_map(|d| d.path.clone()).collect();
        if !errors.is_empty() {
            collect_unresolved(root, "", &mut paths);
        }
        paths.sort();
        paths.dedup();
        Unknown { paths }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether what is at `path` depends on an unknown value: the value itself, a part of it,
    /// or something that holds it. The root path (`""`) is never unknown.
    pub fn touches(&self, path: &str) -> bool {
        !path.is_empty()
            && self
                .paths
                .iter()
                .any(|unknown| within(path, unknown) || within(unknown, path))
    }

    /// The diagnostics that are not about unknown values.
    pub fn retain(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.is_empty() {
            return diagnostics;
        }
        diagnostics
            .into_iter()
            .filter(|d| !d.path.as_deref().is_some_and(|p| self.touches(p)))
            .collect()
    }
}

/// `path` is `ancestor` or lies under it.
fn within(path: &str, ancestor: &str) -> bool {
    !ancestor.is_empty()
        && path.starts_with(ancestor)
        && matches!(
            path.as_bytes().get(ancestor.len()),
            None | Some(b'.' | b'[')
        )
}

fn collect_unresolved(node: &Node, path: &str, out: &mut Vec<String>) {
    match &node.value {
        Value::String(text) => {
            let holds_variable = parse(text)
                .map(|parsed| parsed.pieces.iter().any(|p| matches!(p, Piece::Var(_))))
                .unwrap_or(true);
            if holds_variable && !path.is_empty() {
                out.push(path.to_string());
            }
        }
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_unresolved(item, &format!("{path}[{index}]"), out);
            }
        }
        Value::Map(map) => {
            for entry in &map.entries {
                let child = if path.is_empty() {
                    entry.key.clone()
                } else {
                    format!("{path}.{}", entry.key)
                };
                collect_unresolved(&entry.value, &child, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_touches_its_parts_and_what_holds_it() {
        let unknown = Unknown {
            paths: vec!["functions.a.events[0].stream.batchSize".into()],
        };
        assert!(unknown.touches("functions.a.events[0].stream.batchSize"));
        assert!(unknown.touches("functions.a.events[0].stream"));
        assert!(unknown.touches("functions.a.events[0]"));
        assert!(!unknown.touches("functions.a.events[1]"));
        assert!(!unknown.touches("functions.a.events[0].stream.batchSizeX"));
        assert!(!unknown.touches("functions.ab"));
        assert!(!unknown.touches(""));
    }

    #[test]
    fn strings_left_with_a_variable_are_unknown_after_a_failure() {
        let root = streaming_events_yaml::load(
            "a: ${self:x}\nb: [1, 'q${env:Y}']\nc: plain\nd: ${AWS::Region}\n",
            0,
        )
        .unwrap();
        let failure = Diagnostic::error(
            streaming_events_diagnostics::codes::VARIABLE_NOT_RESOLVED,
            "x",
        );
        let unknown = Unknown::from_resolution(&root, &[failure]);
        assert_eq!(unknown.paths, vec!["a".to_string(), "b[1]".to_string()]);
        // Without a failure nothing is unknown: what is left is text.
        assert!(Unknown::from_resolution(&root, &[]).is_empty());
    }
}
