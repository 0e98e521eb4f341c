//! The variable sources that work offline — `self`, `opt`, `env`, `sls`, `file`, `strToBool`,
//! `param`, `aws:region` — and the errors for those that need AWS (`ssm`, `cf`, `s3`,
//! `aws:accountId`, …), which `--var` can answer instead.

use super::context::{display_path, Failed, Outcome, VariableContext, MAX_STRING};
use crate::env::Environment;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{load, Node, Span, Value};

/// What the sources need from the resolver: the sources are written against this trait and the
/// resolver implements it, so this file does not depend on the resolver's.
pub(super) trait Host<'c> {
    fn context(&self) -> &'c VariableContext<'c>;
    /// Records an error (once) and returns the failure to propagate.
    fn error(&mut self, diagnostic: Diagnostic) -> Failed;
    /// The span of `needle` inside the text `node` was written as, else the node's span.
    fn sub_span(&self, node: &Node, needle: &str) -> Span;
    /// `${self:address}`: the value at a config path, itself resolved.
    fn lookup_self(&mut self, address: &str, node: &Node, depth: usize) -> Outcome;
    /// Resolves the variables inside a value a source yielded.
    fn resolve_again(
        &mut self,
        value: Node,
        pseudo_path: &str,
        depth: usize,
    ) -> Result<Node, Failed>;
    /// The value `${env:name}` reads: the `.env` files' (expanded, computed from the process's
    /// value where it had one), else the process environment's.
    fn env_var(&mut self, name: &str) -> Option<String>;
    fn sources_map(&mut self) -> &mut SourceMap;
    /// A file loaded before, by [`crate::env::Environment::file_key`]: its tree (`Ok(None)`: it
    /// did not exist), or the error it failed with, so that no file is read or parsed twice.
    fn loaded_file(&self, key: &Path) -> Option<LoadedFile>;
    fn remember_file(&mut self, key: PathBuf, loaded: LoadedFile);
    /// Counts a copy of `value` against the run's budget before it is made.
    fn count_copy(&mut self, value: &Node, asked_by: &Node) -> Result<(), Failed>;
}

/// What reading a `${file()}` gave: its tree (none when the file does not exist), or the error.
pub(super) type LoadedFile = Result<Option<Rc<Node>>, Diagnostic>;

/// The stage: `--stage`, else `provider.stage`, else `dev`.
pub(super) fn stage(r: &mut dyn Host<'_>, node: &Node, depth: usize) -> Result<String, Failed> {
    if let Some(stage) = &r.context().cli_stage {
        return Ok(stage.clone());
    }
    Ok(r.lookup_self("provider.stage", node, depth + 1)?
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_else(|| "dev".to_string()))
}

/// The region: `--region`, else `provider.region`, else `us-east-1`.
fn region(r: &mut dyn Host<'_>, node: &Node, depth: usize) -> Result<String, Failed> {
    if let Some(region) = &r.context().cli_region {
        return Ok(region.clone());
    }
    Ok(r.lookup_self("provider.region", node, depth + 1)?
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_else(|| "us-east-1".to_string()))
}

/// Sources that exist but need an AWS account.
const ONLINE_SOURCES: &[&str] = &["ssm", "cf", "s3", "secretsmanager", "git"];

#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_source(
    r: &mut dyn Host<'_>,
    kind: &str,
    params: &[String],
    address: Option<&str>,
    raw: &str,
    node: &Node,
    path: &str,
    depth: usize,
) -> Outcome {
    let span = node.span;
    let text = |s: String| Some(Node::string(s, span));
    match kind {
        "self" => r.lookup_self(address.unwrap_or(""), node, depth),
        "opt" => Ok(opt_source(r, address, span)),
        "env" => {
            let name = address.unwrap_or("").trim();
            let value = r.env_var(name);
            match value {
                Some(value) if value.contains("${") => {
                    let value = Node::string(value, span);
                    r.resolve_again(value, &format!("env:{name}"), depth).map(Some)
                }
                Some(value) => Ok(text(value)),
                None => Ok(None),
            }
        }
        "sls" => sls_source(r, address, node, path, depth),
        "aws" => match address.unwrap_or("").trim() {
            "region" => Ok(text(region(r, node, depth)?)),
            _ => Err(offline(r, node, path, raw)),
        },
        "param" => param_source(r, address, node, depth),
        "strToBool" => str_to_bool(r, params, path, span),
        "file" => file_source(r, params, address, node, path, depth),
        k if ONLINE_SOURCES.contains(&k) => Err(offline(r, node, path, raw)),
        other => Err(unknown(
            r,
            node,
            path,
            other,
            "the sources that work offline are self, opt, env, sls, file, strToBool, param and aws:region",
        )),
    }
}

/// `${opt:…}`: a command-line option (`stage`, `region`, `--option KEY=VALUE`), or all of them.
fn opt_source(r: &mut dyn Host<'_>, address: Option<&str>, span: Span) -> Option<Node> {
    let text = |s: String| Some(Node::string(s, span));
    let key = address.unwrap_or("").trim();
    match key {
        // `${opt:}` is every option, as an object.
        "" => {
            let mut options = streaming_events_yaml::Mapping::default();
            let named = [
                ("stage", r.context().cli_stage.clone()),
                ("region", r.context().cli_region.clone()),
            ];
            for (name, value) in named
                .into_iter()
                .filter_map(|(n, v)| v.map(|v| (n.to_string(), v)))
            {
                options.insert(name, span, Node::string(value, span));
            }
            for (name, value) in &r.context().options {
                options.insert(name.clone(), span, Node::string(value.clone(), span));
            }
            Some(Node::new(Value::Map(options), span))
        }
        "stage" => r.context().cli_stage.clone().and_then(text),
        "region" => r.context().cli_region.clone().and_then(text),
        _ => r.context().options.get(key).cloned().and_then(text),
    }
}

/// `${sls:stage}` and `${sls:instanceId}`.
fn sls_source(
    r: &mut dyn Host<'_>,
    address: Option<&str>,
    node: &Node,
    path: &str,
    depth: usize,
) -> Outcome {
    let text = |s: String| Some(Node::string(s, node.span));
    match address.unwrap_or("").trim() {
        "stage" => Ok(text(stage(r, node, depth)?)),
        "instanceId" => {
            // Deterministic: the reference's random id would make output differ per run.
            let stage = stage(r, node, depth)?;
            let service = r
                .lookup_self("service", node, depth)?
                .and_then(|n| n.as_str().map(str::to_string))
                .unwrap_or_default();
            let digest = crate::naming::disambiguation_suffix(&format!("{service}:{stage}"));
            Ok(text(digest.to_lowercase()))
        }
        other => Err(unknown(
            r,
            node,
            path,
            &format!("sls:{other}"),
            "sls knows `stage` and `instanceId`",
        )),
    }
}

/// `${param:key}`: `--param`, then the stage's `params`/`stages` section, then `default`.
fn param_source(r: &mut dyn Host<'_>, address: Option<&str>, node: &Node, depth: usize) -> Outcome {
    let text = |s: String| Some(Node::string(s, node.span));
    let key = address.unwrap_or("").trim();
    if let Some(value) = r.context().params.get(key) {
        return Ok(text(value.clone()));
    }
    // The stage's section, then `default`; `stages.<stage>.params` is the v4 spelling.
    let stage = stage(r, node, depth)?;
    for section in [
        format!("stages.{stage}.params.{key}"),
        format!("params.{stage}.{key}"),
        format!("stages.default.params.{key}"),
        format!("params.default.{key}"),
    ] {
        if let Some(value) = r
            .lookup_self(&section, node, depth)?
            .filter(|v| !v.is_null())
        {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// `${strToBool(…)}`.
fn str_to_bool(r: &mut dyn Host<'_>, params: &[String], path: &str, span: Span) -> Outcome {
    let input = params
        .first()
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    match input.as_str() {
        "true" | "1" => Ok(Some(Node::new(Value::Bool(true), span))),
        "false" | "0" => Ok(Some(Node::new(Value::Bool(false), span))),
        "" => Err(r.error(
            Diagnostic::error(
                codes::VARIABLE_RESULT_INVALID,
                "strToBool has no input (unquoted `false`, `0` and `null` count as none)",
            )
            .with_path(display_path(path))
            .at(span, "in this value")
            .with_help("quote the input: ${strToBool('false')}"),
        )),
        _ => Err(r.error(
            Diagnostic::error(
                codes::VARIABLE_RESULT_INVALID,
                format!(
                    "strToBool expects \"true\", \"false\", \"0\" or \"1\", got {:?}",
                    params.first().map(String::as_str).unwrap_or("")
                ),
            )
            .with_path(display_path(path))
            .at(span, "in this value"),
        )),
    }
}

fn offline(r: &mut dyn Host<'_>, node: &Node, path: &str, raw: &str) -> Failed {
    r.error(
        Diagnostic::error(
            codes::VARIABLE_SOURCE_OFFLINE,
            format!("the variable ${{{raw}}} needs AWS, which streaming-events does not call"),
        )
        .with_path(display_path(path))
        .at(r.sub_span(node, raw), "this variable")
        .with_help(format!(
            "give its value on the command line: --var '{raw}=VALUE'"
        )),
    )
}

fn unknown(r: &mut dyn Host<'_>, node: &Node, path: &str, source: &str, help: &str) -> Failed {
    r.error(
        Diagnostic::error(
            codes::VARIABLE_SOURCE_UNKNOWN,
            format!("unknown variable source `{source}`"),
        )
        .with_path(display_path(path))
        .at(r.sub_span(node, source), "this source")
        .with_help(help.to_string()),
    )
}

/// `${file(path):address}`: a YAML file (with CloudFormation tags), a JSON or `.tfstate` file, or
/// any other file as plain text, relative to the service; a missing file is null. JavaScript
/// files would need Node.js and are an error.
fn file_source(
    r: &mut dyn Host<'_>,
    params: &[String],
    address: Option<&str>,
    node: &Node,
    path: &str,
    depth: usize,
) -> Outcome {
    let Some(relative) = params.first().map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Err(r.error(
            Diagnostic::error(
                codes::VARIABLE_SYNTAX_INVALID,
                "file() needs a path: ${file(./config.yml):key}",
            )
            .with_path(display_path(path))
            .at(node.span, "in this value"),
        ));
    };
    let full = normalise(&r.context().service_dir.join(relative));
    let extension = full
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(extension.as_str(), "js" | "cjs") && r.context().env.is_file(&full) {
        return Err(r.error(
            Diagnostic::error(
                codes::VARIABLE_FILE_INVALID,
                format!("${{file({relative})}} is a JavaScript file, which needs Node.js to run"),
            )
            .with_path(display_path(path))
            .at(r.sub_span(node, relative), "this file")
            .with_help("export the values to a YAML or JSON file, or pass them with --var"),
        ));
    }
    // Cached by what the file is, not how its path is spelled: each file is read and parsed
    // once, failures included.
    let key = r.context().env.file_key(&full);
    let loaded = match r.loaded_file(&key) {
        Some(cached) => cached,
        None => {
            let env = r.context().env;
            let loaded = load_file(r, env, &full, relative, node, path)
                .map(|tree| tree.map(Rc::new))
                .map_err(|d| *d);
            r.remember_file(key, loaded.clone());
            loaded
        }
    };
    let file = match loaded {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(None),
        Err(diagnostic) => return Err(r.error(diagnostic)),
    };
    // Walk the loaded file by reference; only the addressed value is copied, after it is counted
    // against the run's budget, and a string over MAX_STRING is refused before it is copied (an
    // 11 MB file referenced a hundred times would otherwise cost a hundred copies).
    let mut value: &Node = &file;
    if let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) {
        for segment in address.split('.') {
            let next = match &value.value {
                Value::Map(map) => map.get(segment),
                Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(next) => value = next,
                None => return Ok(None),
            }
        }
    }
    let longest = longest_string(value);
    if longest > MAX_STRING {
        return Err(r.error(
            Diagnostic::error(
                codes::VARIABLE_RESULT_TOO_LARGE,
                format!(
                    "${{file({relative})}} gives a string of {longest} bytes; a value may hold {MAX_STRING}"
                ),
            )
            .with_path(display_path(path))
            .at(r.sub_span(node, relative), "this file"),
        ));
    }
    r.count_copy(value, node)?;
    let value = value.clone();
    let pseudo = format!("file:{}#{}", full.display(), address.unwrap_or(""));
    r.resolve_again(value, &pseudo, depth).map(Some)
}

fn load_file(
    r: &mut dyn Host<'_>,
    env: &dyn Environment,
    full: &Path,
    relative: &str,
    node: &Node,
    path: &str,
) -> Result<Option<Node>, Box<Diagnostic>> {
    let text = match env.read_file(full) {
        Ok(text) => text,
        // A missing file is null, so that a fallback applies (a missing `.js` file too).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let code = if e.kind() == crate::env::BUDGET_SPENT {
                codes::VARIABLE_FILES_TOO_LARGE
            } else {
                codes::VARIABLE_FILE_INVALID
            };
            return Err(Box::new(
                Diagnostic::error(code, format!("cannot read {relative}: {e}"))
                    .with_path(display_path(path))
                    .at(node.span, "read by this variable"),
            ));
        }
    };
    let extension = full
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(extension.as_str(), "yml" | "yaml" | "json" | "tfstate") {
        // Anything else is plain text, as in the reference.
        return Ok(Some(Node::string(text.to_string(), node.span)));
    }
    let file = r.sources_map().add(relative.to_string(), text);
    let text = r.sources_map().get(file).map_or("", |f| &*f.text);
    match load(text, file) {
        Ok(mut loaded) => {
            crate::js::json_roundtrip(&mut loaded);
            Ok(Some(loaded))
        }
        Err(e) => Err(Box::new(
            Diagnostic::error(
                codes::VARIABLE_FILE_INVALID,
                format!("{relative} is not valid YAML or JSON: {}", e.message),
            )
            .with_path(display_path(path))
            .at(e.span, "here")
            .also(node.span, "read by this variable"),
        )),
    }
}

/// Removes `.` and `..` components without touching the file system, as Node's `path.resolve`
/// does: a `..` removes the folder before it, never another `..` (a relative path keeps all its
/// leading `..`, which the file system then resolves against the current folder).
fn normalise(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let ends_in_parent =
                    matches!(out.components().next_back(), Some(Component::ParentDir));
                if ends_in_parent || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The length in bytes of the longest string (or key) in a tree.
fn longest_string(root: &Node) -> usize {
    let mut longest = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::String(text) => longest = longest.max(text.len()),
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(map) => {
                for entry in &map.entries {
                    longest = longest.max(entry.key.len());
                    stack.push(&entry.value);
                }
            }
            _ => {}
        }
    }
    longest
}
