//! The service configuration: loading the file into a node tree, resolving variables, and the
//! typed service model the compilers read.

pub mod dotenv;
pub mod resolved;
pub mod roles;
pub mod service;
pub mod variables;

pub use service::{Function, Provider, Service, ValidationMode};

use crate::env::Environment;
use std::path::Path;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{load, LoadError, LoadErrorKind, Node, Pos, Span};

/// Reads and parses a YAML or JSON file into a node tree, registering it in `sources`.
pub fn load_file(
    env: &dyn Environment,
    path: &Path,
    display_name: &str,
    sources: &mut SourceMap,
) -> Result<Node, Box<Diagnostic>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(extension.as_str(), "js" | "cjs" | "mjs" | "ts") {
        return Err(Box::new(
            Diagnostic::error(
                codes::CONFIG_FILE_UNREADABLE,
                format!("{display_name} is a JavaScript or TypeScript service file, which needs Node.js to evaluate"),
            )
            .with_help("streaming-events reads YAML and JSON service files: print the configuration as YAML (e.g. `serverless print`) and pass that file"),
        ));
    }
    let text = env.read_file(path).map_err(|e| {
        let code = match e.kind() {
            std::io::ErrorKind::NotFound => codes::CONFIG_FILE_NOT_FOUND,
            std::io::ErrorKind::FileTooLarge => codes::CONFIG_FILE_TOO_LARGE,
            _ => codes::CONFIG_FILE_UNREADABLE,
        };
        Box::new(
            Diagnostic::error(code, format!("cannot read {display_name}: {e}"))
                .with_help("pass the service file with --config FILE"),
        )
    })?;
    let file = sources.add(display_name.to_string(), text);
    let text = &sources
        .get(file)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let mut root =
        load(text, file).map_err(|e| Box::new(load_error_diagnostic(*e, display_name)))?;
    json_roundtrip(&mut root);
    Ok(root)
}

/// The reference passes the configuration (and each value a variable source returns) through
/// `JSON.parse(JSON.stringify(…))`: what JSON cannot hold, `.inf`, `-.inf` and `.nan`, becomes
/// `null`, which then counts as absent.
pub fn json_roundtrip(node: &mut Node) {
    match &mut node.value {
        streaming_events_yaml::Value::Number(n) if !n.is_finite() => {
            node.value = streaming_events_yaml::Value::Null;
        }
        streaming_events_yaml::Value::Seq(items) => items.iter_mut().for_each(json_roundtrip),
        streaming_events_yaml::Value::Map(map) => map
            .entries
            .iter_mut()
            .for_each(|e| json_roundtrip(&mut e.value)),
        _ => {}
    }
}

/// A loader error as a located diagnostic.
pub fn load_error_diagnostic(e: LoadError, display_name: &str) -> Diagnostic {
    let code = match e.kind {
        LoadErrorKind::Syntax => codes::YAML_SYNTAX_ERROR,
        LoadErrorKind::DuplicateKey => codes::YAML_DUPLICATE_KEY,
        LoadErrorKind::UnknownTag => codes::YAML_UNKNOWN_TAG,
        LoadErrorKind::TooDeep => codes::YAML_TOO_DEEP,
        LoadErrorKind::AliasBudget => codes::YAML_ALIAS_BOMB,
        LoadErrorKind::UnknownAnchor => codes::YAML_UNKNOWN_ANCHOR,
        LoadErrorKind::MultipleDocuments => codes::YAML_MULTIPLE_DOCUMENTS,
        LoadErrorKind::InvalidMerge => codes::YAML_INVALID_MERGE,
    };
    let help = match e.kind {
        LoadErrorKind::Syntax => "check indentation, quotes and brackets around this place",
        LoadErrorKind::DuplicateKey => "remove one of the two keys",
        LoadErrorKind::UnknownTag => "CloudFormation short forms are !Ref, !GetAtt, !Sub, !Join, !ImportValue, !If, !Select, !Split, !Base64, !Cidr, !FindInMap, !GetAZs, !Equals, !And, !Or, !Not, !Condition",
        LoadErrorKind::TooDeep | LoadErrorKind::AliasBudget => "a service file does not need this much structure; check for runaway anchors or generated content",
        LoadErrorKind::UnknownAnchor => "define the anchor (&name) before the alias (*name) that uses it",
        LoadErrorKind::MultipleDocuments => "keep one document in the service file (remove `---` separators)",
        LoadErrorKind::InvalidMerge => "merge a mapping: <<: *defaults",
    };
    let mut d = Diagnostic::error(code, format!("{display_name}: {}", e.message))
        .at(e.span, "")
        .with_help(help);
    if let Some(related) = e.related {
        d = d.also(related, "first defined here");
    }
    d
}

/// A span at the start of a file, for problems about the file as a whole.
pub fn file_start(file: u32) -> Span {
    let pos = Pos {
        offset: 0,
        line: 1,
        column: 1,
    };
    Span::new(file, pos, pos)
}
