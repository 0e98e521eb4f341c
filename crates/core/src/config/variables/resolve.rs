//! Resolution of every `${…}` in the service tree.
//!
//! `self:` lookups resolve their target first, once per config path: results are memoised, and
//! so are failures that do not depend on the chain that asked (a cycle or a too-deep chain
//! does). Lookups walk the tree by reference and only the value found is copied. A lookup that
//! reaches a path already being resolved is a cycle, reported with the whole chain. Values read
//! from the environment or a file that contain `${…}` are resolved again. Limits: [`MAX_CHAIN`]
//! nested lookups, [`MAX_STRING`] bytes per produced string, and a budget for the whole run
//! ([`MAX_PRODUCED_NODES`] values and [`MAX_PRODUCED_BYTES`] bytes copied, [`MAX_STEPS`]
//! variables resolved) that ends self-multiplying references with one error.

use super::context::{display_path, Failed, Outcome, VariableContext, MAX_STRING};
use super::parse::{parse, Literal, Parsed, Piece, Source, Template, Variable};
use super::sources::{self, Host, LoadedFile};
use crate::config::dotenv::{self, Dotenv, DotenvProblem};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::{format_js_number, Entry, Mapping, Node, Span, Value};

pub const MAX_CHAIN: usize = 64;
/// Values copied out of resolved properties over a whole run.
pub const MAX_PRODUCED_NODES: usize = 1_000_000;
/// Bytes of text copied out of resolved properties or built by interpolation over a whole run.
pub const MAX_PRODUCED_BYTES: usize = 64 * 1024 * 1024;
/// Variables resolved over a whole run.
pub const MAX_STEPS: usize = 1_000_000;

/// Resolves all variables of `root`. Problems become diagnostics; an unresolvable value is
/// left as written so that later stages still see the rest of the service.
pub fn resolve_variables(
    root: Node,
    context: &VariableContext<'_>,
    sources_map: &mut SourceMap,
) -> (Node, Vec<Diagnostic>) {
    let root = Rc::new(root);
    let mut resolver = Resolver {
        root: Rc::clone(&root),
        context,
        sources_map,
        cache: HashMap::new(),
        parsed: HashMap::new(),
        chain: Vec::new(),
        file_chain: Vec::new(),
        diagnostics: Vec::new(),
        warned: HashSet::new(),
        cycles: HashSet::new(),
        produced: 0,
        produced_bytes: 0,
        steps: 0,
        exhausted: false,
        files: HashMap::new(),
        failures: 0,
        contextual_failures: 0,
        dotenv: None,
        missing_env: None,
    };
    resolver.load_pending_dotenv(&root);
    resolver.report_dotenv();
    // Only strings with `${` change: they are resolved in the order a walk meets them, then
    // put in place in the tree as written, so nothing else is copied.
    let mut resolved = Vec::new();
    resolver.resolve_strings(&root, &mut String::new(), &mut resolved);
    let diagnostics = std::mem::take(&mut resolver.diagnostics);
    drop(resolver);
    let mut tree = Rc::try_unwrap(root).unwrap_or_else(|shared| (*shared).clone());
    put_in_place(&mut tree, &mut resolved.into_iter());
    (tree, diagnostics)
}

/// Whether a walk of [`Resolver::resolve_strings`] resolves this node.
fn has_variables(node: &Node) -> bool {
    matches!(&node.value, Value::String(text) if text.contains("${"))
}

/// Replaces the strings [`Resolver::resolve_strings`] resolved, met in the same order.
fn put_in_place(node: &mut Node, resolved: &mut impl Iterator<Item = Node>) {
    if has_variables(node) {
        if let Some(value) = resolved.next() {
            *node = value;
        }
        return;
    }
    match &mut node.value {
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|item| put_in_place(item, resolved)),
        Value::Map(map) => map
            .entries
            .iter_mut()
            .for_each(|e| put_in_place(&mut e.value, resolved)),
        _ => {}
    }
}

/// `path` with `key` appended as [`child_path`] does, in place.
fn push_segment(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

struct Resolver<'c> {
    root: Rc<Node>,
    context: &'c VariableContext<'c>,
    sources_map: &'c mut SourceMap,
    /// Resolved config paths: the value (and its size in values and bytes), or a failure that
    /// does not depend on who asked.
    cache: HashMap<String, Result<Cached, Failed>>,
    /// Parsed strings that start with `${` (at most [`MAX_PARSED_KEPT`]): a value shared
    /// through `${self:custom.x}` is written the same way in every event that uses it, and
    /// parsing was half the cost of resolving it.
    parsed: HashMap<String, Rc<Parsed>>,
    /// Config paths being resolved, with the span of the variable that asked for each.
    chain: Vec<(String, Span)>,
    /// The `${file()}` parts being resolved, innermost last (`file:<path>#<address>`).
    file_chain: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    warned: HashSet<(u32, usize)>,
    /// Cycles already reported (by their sorted members), so each is reported once.
    cycles: HashSet<Vec<String>>,
    produced: usize,
    produced_bytes: usize,
    steps: usize,
    /// The run's budget is spent: every further variable fails (reported once).
    exhausted: bool,
    /// Each file `${file()}` read, by [`crate::env::Environment::file_key`].
    files: HashMap<PathBuf, LoadedFile>,
    /// Failures so far, each counted even when its diagnostic was already recorded: whether a
    /// step failed is `failures` before and after it.
    failures: usize,
    /// Failures that depend on the chain of lookups (cycles, chains too deep): a failure with
    /// one of these inside is not memoised.
    contextual_failures: usize,
    /// The `.env` files, when they could only be chosen once `provider.stage` was resolved.
    dotenv: Option<Dotenv>,
    /// While `provider.stage` is resolved for choosing the `.env` file: the environment
    /// variables it asked for and did not find.
    missing_env: Option<BTreeSet<String>>,
}

/// A resolved property: shared, with its size counted once.
#[derive(Clone)]
struct Cached {
    node: Rc<Node>,
    values: usize,
    bytes: usize,
}

/// How many parsed strings [`Resolver`] keeps for reuse: the distinct references a service
/// repeats are few, and a service of distinct ones gains nothing from keeping them all.
const MAX_PARSED_KEPT: usize = 1024;

/// The number of values and the bytes of text in a node.
fn measure(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::String(s) => (1, s.len()),
        Value::Seq(items) => items.iter().fold((1, 0), |(v, b), item| {
            let (iv, ib) = measure(item);
            (v + iv, b + ib)
        }),
        Value::Map(map) => map.entries.iter().fold((1, 0), |(v, b), e| {
            let (iv, ib) = measure(&e.value);
            (v + iv, b + ib + e.key.len())
        }),
        _ => (1, 0),
    }
}

impl<'c> Host<'c> for Resolver<'c> {
    fn context(&self) -> &'c VariableContext<'c> {
        self.context
    }

    fn error(&mut self, diagnostic: Diagnostic) -> Failed {
        Resolver::error(self, diagnostic)
    }

    fn sub_span(&self, node: &Node, needle: &str) -> Span {
        Resolver::sub_span(self, node, needle)
    }

    fn lookup_self(&mut self, address: &str, node: &Node, depth: usize) -> Outcome {
        Resolver::lookup_self(self, address, node, depth)
    }

    fn resolve_again(
        &mut self,
        value: Node,
        pseudo_path: &str,
        depth: usize,
    ) -> Result<Node, Failed> {
        Resolver::resolve_again(self, value, pseudo_path, depth)
    }

    fn env_var(&mut self, name: &str) -> Option<String> {
        let dotenv = self.dotenv.as_ref().unwrap_or(&self.context.dotenv);
        let value = dotenv.get(name).or_else(|| self.context.env.var(name));
        if value.is_none() {
            if let Some(missing) = &mut self.missing_env {
                missing.insert(name.to_string());
            }
        }
        value
    }

    fn sources_map(&mut self) -> &mut SourceMap {
        self.sources_map
    }

    fn loaded_file(&self, key: &Path) -> Option<LoadedFile> {
        self.files.get(key).cloned()
    }

    fn remember_file(&mut self, key: PathBuf, loaded: LoadedFile) {
        self.files.insert(key, loaded);
    }

    fn count_copy(&mut self, value: &Node, asked_by: &Node) -> Result<(), Failed> {
        let (values, bytes) = measure(value);
        self.spend(values, bytes, asked_by)
    }
}

impl Resolver<'_> {
    /// With `useDotenv`, no `--stage` and variables in `provider.stage`: resolves the stage
    /// first, without `.env` values (the reference does the same), then reads the files. An
    /// environment variable the stage looked for in vain but a file defines is an error, as
    /// in the reference (the stage would depend on the file it chooses).
    fn load_pending_dotenv(&mut self, root: &Node) {
        let Some(dir) = self.context.dotenv.pending.clone() else {
            return;
        };
        self.missing_env = Some(BTreeSet::new());
        let stage = sources::stage(self, root, 0).unwrap_or_else(|Failed| "dev".to_string());
        let missing = self.missing_env.take().unwrap_or_default();
        let mut loaded = dotenv::load_for_stage(self.context.env, &dir, &stage);
        let conflicts: Vec<&String> = missing.iter().filter(|name| loaded.defines(name)).collect();
        for name in conflicts {
            loaded.problems.push(DotenvProblem {
                file: dir.join(format!(".env.{stage}")),
                text: None,
                message: format!(
                    "cannot reliably resolve env variables: provider.stage, which chooses the .env file, reads {name}, which the chosen .env file defines"
                ),
                help: format!("set {name} in the environment, or give --stage"),
            });
        }
        self.dotenv = Some(loaded);
    }

    /// The problems of the `.env` files, as errors pointing at the key (or at `useDotenv`).
    fn report_dotenv(&mut self) {
        let problems = match &self.dotenv {
            Some(loaded) => loaded.problems.clone(),
            None => self.context.dotenv.problems.clone(),
        };
        for problem in &problems {
            let span = match &problem.text {
                Some((text, start, end)) => {
                    let file = self
                        .sources_map
                        .add(problem.file.display().to_string(), text.clone());
                    let index = streaming_events_yaml::LineIndex::new(text);
                    let pos = |offset: usize| {
                        let (line, column) = index.line_col(text, offset);
                        streaming_events_yaml::Pos::new(offset, line, column)
                    };
                    Span::new(file, pos(*start), pos(*end))
                }
                None => match &self.root.value {
                    Value::Map(map) => map
                        .entries
                        .iter()
                        .find(|e| e.key == "useDotenv")
                        .map_or(self.root.span, |e| e.key_span),
                    _ => self.root.span,
                },
            };
            let diagnostic = Diagnostic::error(codes::DOTENV_LOAD_ERROR, problem.message.clone())
                .at(span, "here")
                .with_help(problem.help.clone());
            self.error(diagnostic);
        }
    }

    /// Records an error once (a value reached by several lookups fails the same way each time).
    fn error(&mut self, diagnostic: Diagnostic) -> Failed {
        self.failures += 1;
        if !self.diagnostics.contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
        Failed
    }

    /// The service's strings with variables, each resolved (or, when it fails, as written),
    /// in the order a walk of `node` meets them. `path` is `node`'s config path; it is
    /// extended and restored on the way down, so only a string with a variable costs a copy.
    fn resolve_strings(&mut self, node: &Node, path: &mut String, out: &mut Vec<Node>) {
        match &node.value {
            Value::String(text) if has_variables(node) => {
                out.push(match self.resolve_string(text, node, path, 0, false) {
                    Ok(resolved) => resolved,
                    Err(Failed) => node.clone(),
                });
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    push_segment(path, itoa::Buffer::new().format(i));
                    self.resolve_strings(item, path, out);
                    path.truncate(len);
                }
            }
            Value::Map(map) => {
                for e in &map.entries {
                    let len = path.len();
                    push_segment(path, &e.key);
                    self.resolve_strings(&e.value, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// A copy of `node` with every variable inside resolved. `path` is its config path
    /// (dotted, numeric list indexes) or a pseudo path for values from files.
    fn resolve_node(&mut self, node: &Node, path: &str, depth: usize) -> Node {
        self.resolve_copy(node, &mut path.to_string(), depth)
    }

    /// [`Resolver::resolve_node`], with the path extended and restored in place.
    fn resolve_copy(&mut self, node: &Node, path: &mut String, depth: usize) -> Node {
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
                        let len = path.len();
                        push_segment(path, itoa::Buffer::new().format(i));
                        let resolved = self.resolve_copy(item, path, depth);
                        path.truncate(len);
                        resolved
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
                    .map(|e| {
                        let len = path.len();
                        push_segment(path, &e.key);
                        let value = self.resolve_copy(&e.value, path, depth);
                        path.truncate(len);
                        Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value,
                        }
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

    /// [`parse`], reusing the result for a string that starts with `${` and was parsed before.
    fn parse_kept(&mut self, text: &str) -> Result<Rc<Parsed>, super::parse::ParseError> {
        if !text.starts_with("${") {
            return parse(text).map(Rc::new);
        }
        if let Some(parsed) = self.parsed.get(text) {
            return Ok(Rc::clone(parsed));
        }
        let parsed = Rc::new(parse(text)?);
        if self.parsed.len() < MAX_PARSED_KEPT {
            self.parsed.insert(text.to_string(), Rc::clone(&parsed));
        }
        Ok(parsed)
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
        let parsed = match self.parse_kept(text) {
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
            self.contextual_failures += 1;
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
        self.spend(0, out.len(), node)?;
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
            if !self.warned.insert((
                node.span.file,
                node.span.start.offset as usize + lookalike.offset,
            )) {
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
        self.steps += 1;
        if self.exhausted || self.steps > MAX_STEPS {
            self.spend(0, 0, node)?;
        }
        if depth > MAX_CHAIN || self.chain.len() > MAX_CHAIN {
            self.contextual_failures += 1;
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
                            &mut *self,
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
    fn lookup_self(&mut self, address: &str, node: &Node, depth: usize) -> Outcome {
        let address = address.trim();
        if address.is_empty() {
            let root = Rc::clone(&self.root);
            let found = self.resolve_at("", &root, node, depth)?;
            return self.copy_out(&found, node).map(Some);
        }
        let segments: Vec<&str> = address.split('.').collect();
        // The tree is walked by reference from `base` (the root, or the last value a variable
        // on the way produced) along `segments[from..]`; nothing is copied but the target.
        let mut base = Rc::clone(&self.root);
        let mut from = 0;
        let mut current_path = String::new();
        for (i, segment) in segments.iter().enumerate() {
            push_segment(&mut current_path, segment);
            let Some(child) = descend(&base, &segments[from..=i]) else {
                return Ok(None);
            };
            // Only the target, and strings that produce the structure to descend into, are
            // resolved; other ancestors are walked as written.
            let is_last = i + 1 == segments.len();
            let is_variable = child.as_str().is_some_and(|s| s.contains("${"));
            if is_last || is_variable {
                let found = self.resolve_at(&current_path, child, node, depth)?;
                base = found.node;
                from = i + 1;
                if is_last {
                    let found = Cached {
                        node: base,
                        ..found
                    };
                    return self.copy_out(&found, node).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// The span of `needle` inside the text `node` was written as (a variable inside a longer
    /// string), or the node's span when it cannot be found (multi-line or escaped text).
    fn sub_span(&self, node: &Node, needle: &str) -> Span {
        let Some(file) = self.sources_map.get(node.span.file) else {
            return node.span;
        };
        let Some(written) = file
            .text
            .get(node.span.start.offset as usize..node.span.end.offset as usize)
        else {
            return node.span;
        };
        let Some(at) = written.find(needle) else {
            return node.span;
        };
        let start = node.span.start.offset as usize + at;
        let end = start + needle.len();
        let (line, column) = file.index.line_col(&file.text, start);
        let (end_line, end_column) = file.index.line_col(&file.text, end);
        Span::new(
            node.span.file,
            streaming_events_yaml::Pos::new(start, line, column),
            streaming_events_yaml::Pos::new(end, end_line, end_column),
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

    /// Resolves the node found at `target_path`, memoised (failures that do not depend on the
    /// chain included), with cycle detection.
    fn resolve_at(
        &mut self,
        target_path: &str,
        target: &Node,
        asked_by: &Node,
        depth: usize,
    ) -> Result<Cached, Failed> {
        if let Some(cached) = self.cache.get(target_path) {
            return match cached {
                Ok(found) => Ok(found.clone()),
                Err(Failed) => {
                    self.failures += 1;
                    Err(Failed)
                }
            };
        }
        if let Some(start) = self.chain.iter().position(|(p, _)| p == target_path) {
            self.contextual_failures += 1;
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
        let before = (self.failures, self.contextual_failures);
        let resolved = self.resolve_node(target, target_path, depth + 1);
        if self.failures > before.0 {
            if self.contextual_failures == before.1 {
                self.cache.insert(target_path.to_string(), Err(Failed));
            }
            return Err(Failed);
        }
        let (values, bytes) = measure(&resolved);
        let found = Cached {
            node: Rc::new(resolved),
            values,
            bytes,
        };
        self.cache
            .insert(target_path.to_string(), Ok(found.clone()));
        Ok(found)
    }

    /// A copy of a resolved property for the tree being built, counted against the budget
    /// before it is made.
    fn copy_out(&mut self, found: &Cached, asked_by: &Node) -> Result<Node, Failed> {
        self.spend(found.values, found.bytes, asked_by)?;
        Ok((*found.node).clone())
    }

    /// Counts work against the run's budget; when it is spent, reports it once and fails.
    fn spend(&mut self, values: usize, bytes: usize, asked_by: &Node) -> Result<(), Failed> {
        if !self.exhausted {
            self.produced = self.produced.saturating_add(values);
            self.produced_bytes = self.produced_bytes.saturating_add(bytes);
            let over = if self.produced > MAX_PRODUCED_NODES {
                Some(format!("copy more than {MAX_PRODUCED_NODES} values"))
            } else if self.produced_bytes > MAX_PRODUCED_BYTES {
                Some(format!("copy more than {MAX_PRODUCED_BYTES} bytes of text"))
            } else if self.steps > MAX_STEPS {
                Some(format!("take more than {MAX_STEPS} steps"))
            } else {
                None
            };
            let Some(over) = over else { return Ok(()) };
            self.exhausted = true;
            return Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_FAN_OUT,
                    format!("resolving the variables would {over}: values refer to values that refer to others many times over"),
                )
                .at(asked_by.span, "the budget ran out while resolving this value")
                .with_help("a value that refers several times to another that does the same grows exponentially with each level; refer to each value once"),
            ));
        }
        self.failures += 1;
        Err(Failed)
    }

    /// Resolves variables inside a value that came from a source (an environment variable or a
    /// file that itself contains `${…}`).
    fn resolve_again(
        &mut self,
        value: Node,
        pseudo_path: &str,
        depth: usize,
    ) -> Result<Node, Failed> {
        // A file (part) that is being resolved and asks for itself again includes itself.
        let is_file = pseudo_path.starts_with("file:");
        if is_file && self.file_chain.iter().any(|p| p == pseudo_path) {
            self.contextual_failures += 1;
            // Named by file name only: the message must not carry a path of the machine.
            let files: Vec<String> = self
                .file_chain
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(pseudo_path))
                .map(|p| {
                    let file = p.trim_start_matches("file:");
                    let file = file.split('#').next().unwrap_or(file);
                    file.rsplit('/').next().unwrap_or(file).to_string()
                })
                .collect();
            return Err(self.error(
                Diagnostic::error(
                    codes::VARIABLE_CYCLE,
                    format!("${{file()}} includes itself: {}", files.join(" -> ")),
                )
                .at(
                    value.via.as_deref().copied().unwrap_or(value.span),
                    "this file is included again here",
                )
                .with_help("a file cannot include itself, directly or through another file"),
            ));
        }
        if is_file {
            self.file_chain.push(pseudo_path.to_string());
        }
        let before = self.failures;
        let resolved = self.resolve_node(&value, pseudo_path, depth + 1);
        if is_file {
            self.file_chain.pop();
        }
        if self.failures > before {
            return Err(Failed);
        }
        Ok(resolved)
    }
}

/// The node at `segments` below `node`, walked by reference.
fn descend<'n>(node: &'n Node, segments: &[&str]) -> Option<&'n Node> {
    let mut current = node;
    for segment in segments {
        current = match &current.value {
            Value::Map(map) => map.get(segment)?,
            Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
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
