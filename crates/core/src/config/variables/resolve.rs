//! Resolution of every `${…}` in the service tree.
//!
//! `self:` lookups resolve their target first (memoised per config path), so a property that is
//! itself a variable works; a lookup that reaches a path already being resolved is a cycle,
//! reported with the whole chain. Values read from the environment or a file that contain
//! `${…}` are resolved again. Limits: [`MAX_CHAIN`] nested lookups, [`MAX_STRING`] bytes per
//! produced string, [`MAX_PRODUCED_NODES`] values copied by lookups.

use super::parse::{parse, Literal, Parsed, Piece, Source, Template, Variable};
use super::sources;
use crate::env::Environment;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{format_js_number, Entry, Mapping, Node, Span, Value};

pub const MAX_CHAIN: usize = 64;
pub const MAX_STRING: usize = 1024 * 1024;
pub const MAX_PRODUCED_NODES: usize = 1_000_000;

/// What variables can read besides the service itself.
pub struct VariableContext<'a> {
    pub env: &'a dyn Environment,
    /// The folder of the service file; `${file(…)}` paths are relative to it.
    pub service_dir: PathBuf,
    pub cli_stage: Option<String>,
    pub cli_region: Option<String>,
    /// `--option KEY=VALUE` (stage and region come from their own flags).
    pub options: BTreeMap<String, String>,
    /// `--param KEY=VALUE`.
    pub params: BTreeMap<String, String>,
    /// `--var 'source:address=value'`: values for any variable, by its text inside `${…}`.
    pub vars: BTreeMap<String, String>,
    /// Variables read from `.env` files (`useDotenv: true`); the process environment wins.
    pub dotenv: BTreeMap<String, String>,
}

/// Resolves all variables of `root`. Problems become diagnostics; an unresolvable value is
/// left as written so that later stages still see the rest of the service.
pub fn resolve_variables(
    root: Node,
    context: &VariableContext<'_>,
    sources_map: &mut SourceMap,
) -> (Node, Vec<Diagnostic>) {
    let mut resolver = Resolver {
        root: root.clone(),
        context,
        sources_map,
        cache: HashMap::new(),
        chain: Vec::new(),
        diagnostics: Vec::new(),
        warned: HashSet::new(),
        cycles: HashSet::new(),
        produced: 0,
        files: HashMap::new(),
        failures: 0,
    };
    let resolved = resolver.resolve_node(&root, "", 0);
    (resolved, resolver.diagnostics)
}

pub(super) struct Resolver<'c, 'e> {
    root: Node,
    pub(super) context: &'c VariableContext<'e>,
    pub(super) sources_map: &'c mut SourceMap,
    cache: HashMap<String, Node>,
    /// Config paths being resolved, with the span of the variable that asked for each.
    chain: Vec<(String, Span)>,
    pub(super) diagnostics: Vec<Diagnostic>,
    warned: HashSet<(u32, usize)>,
    /// Cycles already reported (by their sorted members), so each is reported once.
    cycles: HashSet<Vec<String>>,
    produced: usize,
    /// Each file `${file()}` read, by [`crate::env::Environment::file_key`]: its tree (`None`
    /// when missing), or the error it failed with, so that no file is read or parsed twice.
    pub(super) files: HashMap<PathBuf, Result<Option<Node>, Diagnostic>>,
    /// Failures so far, each counted even when its diagnostic was already recorded: whether a
    /// step failed is `failures` before and after it.
    failures: usize,
}

/// A failed resolution; the diagnostic is already recorded.
pub(super) struct Failed;

pub(super) type Outcome = Result<Option<Node>, Failed>;

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Resolver<'_, '_> {
    /// Records an error once (a value reached by several lookups fails the same way each time).
    pub(super) fn error(&mut self, diagnostic: Diagnostic) -> Failed {
        self.failures += 1;
        if !self.diagnostics.contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
        Failed
    }

    /// A copy of `node` with every variable inside resolved. `path` is its config path
    /// (dotted, numeric list indexes) or a pseudo path for values from files.
    pub(super) fn resolve_node(&mut self, node: &Node, path: &str, depth: usize) -> Node {
        match &node.value {
            Value::String(text) => {
                if !text.contains("${") {
                    return node.clone();
                }
                match self.resolve_string(text, node, path, depth, false) {
                    Ok(resolved) => resolved,
                    Err(Failed) => node.clone(),
                }
            }
            Value::Seq(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.resolve_node(item, &child_path(path, &i.to_string()), depth)
                    })
                    .collect();
                Node {
                    value: Value::Seq(items),
                    span: node.span,
                    via: node.via.clone(),
                }
            }
            Value::Map(map) => {
                let entries = map
                    .entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: self.resolve_node(&e.value, &child_path(path, &e.key), depth),
                    })
                    .collect();
                Node {
                    value: Value::Map(Mapping { entries }),
                    span: node.span,
                    via: node.via.clone(),
                }
            }
            _ => node.clone(),
        }
    }

    /// Resolves the variables of one string. `again` is for a string a variable of the same
    /// property yielded (a text fallback): its path is already on the chain.
    fn resolve_string(
        &mut self,
        text: &str,
        node: &Node,
        path: &str,
        depth: usize,
        again: bool,
    ) -> Result<Node, Failed> {
        let parsed = match parse(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                return Err(self.error(
                    Diagnostic::error(
                        codes::VARIABLE_SYNTAX_INVALID,
                        format!("cannot parse the variables in {text:?}: {} (at character {})", e.message, e.offset + 1),
                    )
                    .with_path(display_path(path))
                    .at(self.point_in(node, text, e.offset), "here")
                    .with_help("a variable is written ${source:address}, with fallbacks after commas: ${opt:stage, 'dev'}"),
                ))
            }
        };
        self.warn_lookalikes(&parsed, node, path);
        if !parsed.has_variables() {
            return Ok(Node {
                value: Value::String(concat_text(&parsed)),
                span: node.span,
                via: node.via.clone(),
            });
        }
        let pushed = !again && !path.is_empty() && !path.starts_with("file:");
        if pushed && self.chain.iter().any(|(p, _)| p == path) {
            return Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_CYCLE,
                    format!(
                        "variables form a cycle: {} -> {}",
                        self.chain
                            .iter()
                            .map(|(p, _)| display_path(p))
                            .collect::<Vec<_>>()
                            .join(" -> "),
                        display_path(path)
                    ),
                )
                .with_path(display_path(path))
                .at(node.span, "this value contains a reference to itself")
                .with_help(
                    "a property cannot include itself (for example through ${self:} or a parent)",
                ),
            ));
        }
        if pushed {
            self.chain.push((path.to_string(), node.span));
        }
        let result = self.resolve_parsed(&parsed, node, path, depth);
        if pushed {
            self.chain.pop();
        }
        result
    }

    fn resolve_parsed(
        &mut self,
        parsed: &Parsed,
        node: &Node,
        path: &str,
        depth: usize,
    ) -> Result<Node, Failed> {
        if let Some(var) = parsed.sole_variable() {
            let value = self.resolve_variable(var, node, path, depth)?;
            let mut value = value.unwrap_or_else(|| Node::null(node.span));
            value.via = Some(Box::new(node.span));
            return Ok(value);
        }
        let mut out = String::new();
        for piece in &parsed.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(var) => {
                    let value = self.resolve_variable(var, node, path, depth)?;
                    let value = value.unwrap_or_else(|| Node::null(node.span));
                    if value.is_null() {
                        return Err(self.error(
                            Diagnostic::error(
                                codes::VARIABLE_RESULT_INVALID,
                                format!(
                                    "{} resolves to null, which cannot be part of a string",
                                    var_text(var, node)
                                ),
                            )
                            .with_path(display_path(path))
                            .at(node.span, "this text")
                            .with_help(
                                "give the variable a text fallback: ${source:address, 'text'}",
                            ),
                        ));
                    }
                    let text = self.interpolation_text(&value, node, path)?;
                    out.push_str(&text);
                }
            }
            if out.len() > MAX_STRING {
                return Err(self.error(
                    Diagnostic::error(
                        codes::VARIABLE_RESULT_TOO_LARGE,
                        format!("variables expand this value to more than {MAX_STRING} bytes"),
                    )
                    .with_path(display_path(path))
                    .at(node.span, "expanded here"),
                ));
            }
        }
        Ok(Node {
            value: Value::String(out),
            span: node.span,
            via: node.via.clone(),
        })
    }

    /// How a value reads inside a longer string: scalars as JavaScript prints them, lists
    /// joined with commas; objects cannot be interpolated.
    fn interpolation_text(
        &mut self,
        value: &Node,
        node: &Node,
        path: &str,
    ) -> Result<String, Failed> {
        match &value.value {
            Value::Null => Ok("null".to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(format_js_number(*n)),
            Value::String(s) => Ok(s.clone()),
            Value::Seq(items) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(match &item.value {
                        Value::Null => String::new(),
                        _ => self.interpolation_text(item, node, path)?,
                    });
                }
                Ok(parts.join(","))
            }
            Value::Map(_) => Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_RESULT_INVALID,
                    "a variable inside a longer text resolves to an object, which cannot be part of a string",
                )
                .with_path(display_path(path))
                .at(node.span, "this text")
                .also(value.span, "the object comes from here")
                .with_help("use the variable as the whole value, or address a property of the object"),
            )),
        }
    }

    fn warn_lookalikes(&mut self, parsed: &Parsed, node: &Node, path: &str) {
        for lookalike in &parsed.lookalikes {
            if !self
                .warned
                .insert((node.span.file, node.span.start.offset + lookalike.offset))
            {
                continue;
            }
            self.diagnostics.push(
                Diagnostic::warning(
                    codes::VARIABLE_LOOKALIKE,
                    format!(
                        "{} looks like a variable but is not one; it stays as written",
                        lookalike.text
                    ),
                )
                .with_path(display_path(path))
                .at(node.span, "in this value")
                .with_help("a variable is written ${source:address}, e.g. ${env:TOPIC}"),
            );
        }
    }

    /// Tries each source in order; `Ok(None)` only when the last source gave nothing either,
    /// which is reported here.
    fn resolve_variable(
        &mut self,
        var: &Variable,
        node: &Node,
        path: &str,
        depth: usize,
    ) -> Outcome {
        if depth > MAX_CHAIN || self.chain.len() > MAX_CHAIN {
            return Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_TOO_DEEP,
                    format!("variables refer to each other more than {MAX_CHAIN} levels deep"),
                )
                .with_path(display_path(path))
                .at(node.span, "while resolving this value"),
            ));
        }
        for source in &var.sources {
            let value = match source {
                // A text fallback is itself resolved, like every string a variable yields
                // (`${env:A, 'g-${self:custom.suffix}'}`).
                // (Its depth is bounded by the check at the top of this function.)
                Source::Literal(literal @ Literal::String(text)) if text.contains("${") => {
                    let fallback = literal_node(literal, node.span);
                    Some(self.resolve_string(text, &fallback, path, depth + 1, true)?)
                }
                Source::Literal(literal) => Some(literal_node(literal, node.span)),
                Source::Reference {
                    kind,
                    params,
                    address,
                    raw,
                } => {
                    if let Some(value) = self.context.vars.get(raw) {
                        Some(Node::string(value.clone(), node.span))
                    } else {
                        let params = params
                            .iter()
                            .map(|p| self.template_text(p, node, path, depth))
                            .collect::<Result<Vec<_>, _>>()?;
                        let address = match address {
                            Some(a) => Some(self.template_text(a, node, path, depth)?),
                            None => None,
                        };
                        let before = self.failures;
                        let value = sources::resolve_source(
                            self,
                            kind,
                            &params,
                            address.as_deref(),
                            raw,
                            node,
                            path,
                            depth,
                        )?;
                        // What a source yields is resolved again when it holds variables (a
                        // `self` value written with `\${…}`, say), as in the reference; `env`
                        // and `file` do it themselves.
                        let failed = self.failures > before;
                        match value {
                            Some(value)
                                if !failed
                                    && !matches!(kind.as_str(), "env" | "file")
                                    && holds_variables(&value) =>
                            {
                                Some(self.resolve_again(value, raw, depth)?)
                            }
                            other => other,
                        }
                    }
                }
            };
            if let Some(value) = value {
                if !value.is_null() || matches!(source, Source::Literal(_)) {
                    return Ok(Some(value));
                }
            }
        }
        let written = var_text(var, node);
        Err(self.error(
            Diagnostic::error(
                codes::VARIABLE_NOT_RESOLVED,
                format!("the variable {written} resolves to nothing and has no fallback"),
            )
            .with_path(display_path(path))
            .at(self.sub_span(node, &written), "this variable")
            .with_help(format!(
                "give a fallback (${{{}, 'default'}}), define the value, or pass it with --var '{}=VALUE'",
                written.trim_start_matches("${").trim_end_matches('}'),
                written.trim_start_matches("${").trim_end_matches('}')
            )),
        ))
    }

    /// The text of an address or param, its nested variables resolved.
    fn template_text(
        &mut self,
        template: &Template,
        node: &Node,
        path: &str,
        depth: usize,
    ) -> Result<String, Failed> {
        let mut out = String::new();
        for piece in &template.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(var) => {
                    let value = self.resolve_variable(var, node, path, depth + 1)?;
                    match value {
                        Some(v) => {
                            let text = self.interpolation_text(&v, node, path)?;
                            out.push_str(&text);
                        }
                        None => out.push_str("null"),
                    }
                }
            }
        }
        Ok(out)
    }

    /// `${self:address}`: the value at a config path, itself resolved.
    pub(super) fn lookup_self(&mut self, address: &str, node: &Node, depth: usize) -> Outcome {
        let address = address.trim();
        if address.is_empty() {
            let root = self.root.clone();
            return self.resolve_at("", &root, node, depth).map(Some);
        }
        let segments: Vec<&str> = address.split('.').collect();
        let mut current = self.root.clone();
        let mut current_path = String::new();
        for (i, segment) in segments.iter().enumerate() {
            current_path = child_path(&current_path, segment);
            let child = match &current.value {
                Value::Map(map) => map.get(segment).cloned(),
                Value::Seq(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned()),
                _ => None,
            };
            let Some(child) = child else { return Ok(None) };
            // Only the target, and strings that produce the structure to descend into, are
            // resolved; other ancestors are walked as written.
            let is_last = i + 1 == segments.len();
            let is_variable = child.as_str().is_some_and(|s| s.contains("${"));
            current = if is_last || is_variable {
                self.resolve_at(&current_path, &child, node, depth)?
            } else {
                child
            };
        }
        Ok(Some(current))
    }

    /// The span of `needle` inside the text `node` was written as (a variable inside a longer
    /// string), or the node's span when it cannot be found (multi-line or escaped text).
    pub(super) fn sub_span(&self, node: &Node, needle: &str) -> Span {
        let Some(file) = self.sources_map.get(node.span.file) else {
            return node.span;
        };
        let Some(written) = file.text.get(node.span.start.offset..node.span.end.offset) else {
            return node.span;
        };
        let Some(at) = written.find(needle) else {
            return node.span;
        };
        let start = node.span.start.offset + at;
        let end = start + needle.len();
        let (line, column) = file.index.line_col(&file.text, start);
        let (end_line, end_column) = file.index.line_col(&file.text, end);
        Span::new(
            node.span.file,
            streaming_events_yaml::Pos {
                offset: start,
                line,
                column,
            },
            streaming_events_yaml::Pos {
                offset: end,
                line: end_line,
                column: end_column,
            },
        )
    }

    /// The position of byte `offset` of the string `text` that `node` holds.
    fn point_in(&self, node: &Node, text: &str, offset: usize) -> Span {
        let rest = text.get(offset..).unwrap_or("");
        let needle: String = rest.chars().take(12).collect();
        if needle.is_empty() {
            return node.span;
        }
        let span = self.sub_span(node, &needle);
        Span::new(span.file, span.start, span.start)
    }

    /// Resolves the node found at `target_path`, memoised, with cycle detection.
    fn resolve_at(
        &mut self,
        target_path: &str,
        target: &Node,
        asked_by: &Node,
        depth: usize,
    ) -> Result<Node, Failed> {
        if let Some(cached) = self.cache.get(target_path) {
            let cached = cached.clone();
            return self.count(cached, asked_by);
        }
        if let Some(start) = self.chain.iter().position(|(p, _)| p == target_path) {
            let mut members: Vec<String> =
                self.chain[start..].iter().map(|(p, _)| p.clone()).collect();
            members.sort();
            if !self.cycles.insert(members) {
                self.failures += 1;
                return Err(Failed);
            }
            let mut diagnostic = Diagnostic::error(
                codes::VARIABLE_CYCLE,
                format!(
                    "variables form a cycle: {} -> {}",
                    self.chain[start..]
                        .iter()
                        .map(|(p, _)| display_path(p))
                        .collect::<Vec<_>>()
                        .join(" -> "),
                    display_path(target_path)
                ),
            )
            .with_path(display_path(target_path))
            .at(asked_by.span, "this variable closes the cycle");
            for (p, span) in self.chain[start..].iter().cloned() {
                diagnostic =
                    diagnostic.also(span, format!("{} is resolved here", display_path(&p)));
            }
            return Err(self.error(diagnostic.with_help("make one of these values a literal")));
        }
        let before = self.failures;
        let resolved = self.resolve_node(target, target_path, depth + 1);
        if self.failures > before {
            return Err(Failed);
        }
        self.cache.insert(target_path.to_string(), resolved.clone());
        self.count(resolved, asked_by)
    }

    pub(super) fn count(&mut self, node: Node, asked_by: &Node) -> Result<Node, Failed> {
        self.produced += node.size();
        if self.produced > MAX_PRODUCED_NODES {
            return Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_RESULT_TOO_LARGE,
                    format!("variables copy more than {MAX_PRODUCED_NODES} values"),
                )
                .at(asked_by.span, "while resolving this value"),
            ));
        }
        Ok(node)
    }

    /// Resolves variables inside a value that came from a source (an environment variable or a
    /// file that itself contains `${…}`).
    pub(super) fn resolve_again(
        &mut self,
        value: Node,
        pseudo_path: &str,
        depth: usize,
    ) -> Result<Node, Failed> {
        let before = self.failures;
        let resolved = self.resolve_node(&value, pseudo_path, depth + 1);
        if self.failures > before {
            return Err(Failed);
        }
        Ok(resolved)
    }

    /// The stage: `--stage`, else `provider.stage`, else `dev`.
    pub(super) fn stage(&mut self, node: &Node, depth: usize) -> Result<String, Failed> {
        if let Some(stage) = &self.context.cli_stage {
            return Ok(stage.clone());
        }
        Ok(self
            .lookup_self("provider.stage", node, depth + 1)?
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_else(|| "dev".to_string()))
    }

    /// The region: `--region`, else `provider.region`, else `us-east-1`.
    pub(super) fn region(&mut self, node: &Node, depth: usize) -> Result<String, Failed> {
        if let Some(region) = &self.context.cli_region {
            return Ok(region.clone());
        }
        Ok(self
            .lookup_self("provider.region", node, depth + 1)?
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_else(|| "us-east-1".to_string()))
    }
}

/// Whether a value holds a string with variables in it (escaped ones do not count).
fn holds_variables(node: &Node) -> bool {
    match &node.value {
        Value::String(text) => {
            text.contains("${") && parse(text).map_or(true, |parsed| parsed.has_variables())
        }
        Value::Seq(items) => items.iter().any(holds_variables),
        Value::Map(map) => map.entries.iter().any(|e| holds_variables(&e.value)),
        _ => false,
    }
}

fn literal_node(literal: &Literal, span: Span) -> Node {
    let value = match literal {
        Literal::String(s) => Value::String(s.clone()),
        Literal::Number(n) => Value::Number(*n),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Null => Value::Null,
    };
    Node::new(value, span)
}

fn concat_text(parsed: &Parsed) -> String {
    parsed
        .pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Var(_) => "",
        })
        .collect()
}

fn var_text(var: &Variable, node: &Node) -> String {
    node.as_str()
        .and_then(|s| s.get(var.start..var.end))
        .map(str::to_string)
        .unwrap_or_else(|| "${…}".to_string())
}

/// `functions.a.events.0.kafka` → `functions.a.events[0].kafka`.
pub fn display_path(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('.') {
        if !out.is_empty() && segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}
