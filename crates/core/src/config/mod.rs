//! The service configuration: loading the file into a node tree, resolving variables, and the
//! typed service model the compilers read.

pub mod dotenv;
pub mod resolved;
pub mod roles;
pub mod service;
pub mod unknown;
pub mod variables;

pub use service::{Function, Service, ValidationMode};

use crate::env::Environment;
use crate::options::Options;
use std::path::Path;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{load, LoadError, LoadErrorKind, Node};
use variables::VariableContext;

/// Resolves the service's variables with what the command line gives (stage, region, options,
/// params, `--var`) and the `.env` files beside the service.
pub fn resolve_service(
    env: &dyn Environment,
    options: &Options,
    root: Node,
    sources: &mut SourceMap,
) -> (Node, Vec<Diagnostic>) {
    let service_dir = options
        .config
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dotenv = dotenv::load(env, &root, &service_dir, options.stage.as_deref());
    let context = VariableContext {
        env,
        service_dir,
        cli_stage: options.stage.clone(),
        cli_region: options.region.clone(),
        options: options.options.clone(),
        params: options.params.clone(),
        vars: options.vars.clone(),
        dotenv,
    };
    variables::resolve_variables(root, &context, sources)
}

/// What a file given on the command line is for: its errors name the flag that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// The service file (`--config`, or found in the current folder).
    Service,
    /// The template to extend (`--template`).
    Template,
    /// The deployed template to compare with (`--previous`).
    Previous,
}

/// Reads and parses a YAML or JSON service file into a node tree, registering it in `sources`.
pub fn load_file(
    env: &dyn Environment,
    path: &Path,
    display_name: &str,
    sources: &mut SourceMap,
) -> Result<Node, Box<Diagnostic>> {
    load_file_as(env, path, display_name, sources, FileRole::Service)
}

/// Reads and parses a YAML or JSON file given on the command line into a node tree.
pub fn load_file_as(
    env: &dyn Environment,
    path: &Path,
    display_name: &str,
    sources: &mut SourceMap,
    role: FileRole,
) -> Result<Node, Box<Diagnostic>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if role == FileRole::Service && matches!(extension.as_str(), "js" | "cjs" | "mjs" | "ts") {
        return Err(Box::new(
            Diagnostic::error(
                codes::CONFIG_FILE_UNREADABLE,
                format!("{display_name} is a JavaScript or TypeScript service file, which needs Node.js to evaluate"),
            )
            .with_help("streaming-events reads YAML and JSON service files: print the configuration as YAML (e.g. `serverless print`) and pass that file"),
        ));
    }
    let text = env.read_file(path).map_err(|e| {
        let (code, help) = match (role, e.kind()) {
            (FileRole::Template, _) => (
                codes::TEMPLATE_FILE_UNREADABLE,
                "pass the CloudFormation template to extend (a JSON or YAML file) with --template FILE",
            ),
            (FileRole::Previous, _) => (
                codes::PREVIOUS_TEMPLATE_UNREADABLE,
                "pass the deployed template (what `aws cloudformation get-template` prints, or a previous .serverless/cloudformation-template-update-stack.json) with --previous FILE",
            ),
            (FileRole::Service, std::io::ErrorKind::NotFound) => (
                codes::CONFIG_FILE_NOT_FOUND,
                "pass the service file with --config FILE",
            ),
            (FileRole::Service, std::io::ErrorKind::FileTooLarge) => (
                codes::CONFIG_FILE_TOO_LARGE,
                "a service file is small; check what generated this one",
            ),
            (FileRole::Service, _) => (
                codes::CONFIG_FILE_UNREADABLE,
                "pass the service file (a YAML or JSON file) with --config FILE, or `--config -` to read it from standard input",
            ),
        };
        Box::new(
            Diagnostic::error(code, format!("cannot read {display_name}: {e}")).with_help(help),
        )
    })?;
    let file = sources.add(display_name.to_string(), text);
    // Parsed where the source map keeps it: a 16 MiB file is not copied once more.
    let text = sources.get(file).map_or("", |f| &*f.text);
    let mut root =
        load(text, file).map_err(|e| Box::new(load_error_diagnostic(*e, display_name)))?;
    crate::js::json_roundtrip(&mut root);
    Ok(root)
}

/// A loader error as a located diagnostic.
pub fn load_error_diagnostic(e: LoadError, display_name: &str) -> Diagnostic {
    let code = match e.kind {
        LoadErrorKind::Syntax => codes::YAML_SYNTAX_ERROR,
        LoadErrorKind::DuplicateKey => codes::YAML_DUPLICATE_KEY,
        LoadErrorKind::UnknownTag => codes::YAML_UNKNOWN_TAG,
        LoadErrorKind::TooDeep => codes::YAML_TOO_DEEP,
        LoadErrorKind::AliasBudget => codes::YAML_ALIAS_BOMB,
        LoadErrorKind::TooManyValues => codes::YAML_TOO_MANY_VALUES,
        LoadErrorKind::UnknownAnchor => codes::YAML_UNKNOWN_ANCHOR,
        LoadErrorKind::MultipleDocuments => codes::YAML_MULTIPLE_DOCUMENTS,
        LoadErrorKind::InvalidMerge => codes::YAML_INVALID_MERGE,
    };
    let help = match e.kind {
        LoadErrorKind::Syntax => "check indentation, quotes and brackets around this place",
        LoadErrorKind::DuplicateKey => "remove one of the two keys",
        LoadErrorKind::UnknownTag => "CloudFormation short forms are !Ref, !GetAtt, !Sub, !Join, !ImportValue, !If, !Select, !Split, !Base64, !Cidr, !FindInMap, !GetAZs, !Equals, !And, !Or, !Not, !Condition",
        LoadErrorKind::TooDeep | LoadErrorKind::AliasBudget => "a service file does not need this much structure; check for runaway anchors or generated content",
        LoadErrorKind::TooManyValues => "a service file does not need this many values; check what generated it",
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
