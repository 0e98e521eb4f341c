//! Configuration schemas and their validation on the node tree.
//!
//! A schema is a small Rust value ([`Schema`]) mirroring the JSON-Schema subset the reference
//! uses; [`validate`] checks a node against it the way the reference's validator (Ajv with
//! `coerceTypes: 'array'`) does, *rewriting* the node as Ajv does (`"250"` → 250, `"false"` →
//! false, a scalar → a one-item list), treating null as absent, and reporting every problem with
//! its config path and the span of the offending value (or key, for an unknown property).
//! [`export`] exports the same schemas for editors.

pub mod defs;
pub mod events;
pub mod export;
pub mod filter;
pub mod logical_ids;
pub mod names;
pub mod service;
pub mod service_docs;
pub mod shape;

pub use crate::js::describe;

use streaming_events_diagnostics::{codes, Diagnostic, Severity};
use streaming_events_yaml::{format_js_number, Node, Span, Value};

/// A checker for what a schema cannot say; returns the problem, if any.
pub type CustomCheck = fn(&Node) -> Result<(), String>;

#[derive(Debug, Clone)]
pub enum Schema {
    Any,
    Bool,
    Integer {
        min: Option<f64>,
        max: Option<f64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Str {
        pattern: Option<&'static str>,
        min_len: Option<usize>,
        max_len: Option<usize>,
    },
    Enum(&'static [&'static str]),
    /// `{type: 'string', enum: […]}`: as [`Schema::Enum`], with the type's coercion (a one-item
    /// list is its item).
    StrEnum(&'static [&'static str]),
    ConstTrue,
    /// The boolean `false` only (`provisionedPollers: false`).
    ConstFalse,
    ConstNumber(f64),
    Array {
        items: Box<Schema>,
        min_items: Option<usize>,
        max_items: Option<usize>,
    },
    Object {
        props: Vec<(&'static str, Schema)>,
        required: &'static [&'static str],
        additional: bool,
        min_props: Option<usize>,
    },
    /// The first alternative that accepts the value wins; `description` names the accepted
    /// shapes in errors.
    AnyOf {
        options: Vec<Schema>,
        description: &'static str,
    },
    /// An object with exactly one key, `Ref` or `Fn::…` (D10), optionally only the listed ones.
    Intrinsic {
        only: Option<&'static [&'static str]>,
    },
    /// A mapping whose keys match `keys` (a pattern) and whose values all match `values`
    /// (JSON Schema's `patternProperties` with no other properties allowed).
    Map {
        keys: &'static str,
        values: Box<Schema>,
    },
    /// A schema plus a check it cannot express.
    Checked(Box<Schema>, CustomCheck),
    /// AWS's own limits (D19): what the inner schema reports as relaxed (a range, a length, a
    /// pattern) is an error in every validation mode, because CloudFormation or Lambda would
    /// refuse the value; a falsy value, which the compilers do not emit, stays relaxed.
    Aws(Box<Schema>),
    /// An object whose unknown properties and keys without a value are errors in every
    /// validation mode: a key there is a setting the user meant (an authentication method), and
    /// leaving it out changes what the mapping does.
    Closed(Box<Schema>),
}

impl Schema {
    /// `inner` with AWS's limits (see [`Schema::Aws`]).
    pub fn aws(inner: Schema) -> Schema {
        Schema::Aws(Box::new(inner))
    }

    pub fn integer(min: f64, max: f64) -> Schema {
        Schema::Integer {
            min: Some(min),
            max: Some(max),
        }
    }
    pub fn string() -> Schema {
        Schema::Str {
            pattern: None,
            min_len: None,
            max_len: None,
        }
    }
    pub fn pattern(pattern: &'static str) -> Schema {
        Schema::Str {
            pattern: Some(pattern),
            min_len: None,
            max_len: None,
        }
    }
    pub fn array(items: Schema, min_items: usize) -> Schema {
        Schema::Array {
            items: Box::new(items),
            min_items: Some(min_items),
            max_items: None,
        }
    }
    pub fn object(props: Vec<(&'static str, Schema)>, required: &'static [&'static str]) -> Schema {
        Schema::Object {
            props,
            required,
            additional: false,
            min_props: None,
        }
    }
    pub fn any_of(description: &'static str, options: Vec<Schema>) -> Schema {
        Schema::AnyOf {
            options,
            description,
        }
    }
}

/// Which rule a problem broke: `Relaxed` rules are warnings in `warn` mode; the others leave
/// no buildable mapping and are always errors (D18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Type,
    Required,
    Enum,
    Relaxed,
    /// An unknown property: relaxed, unless the object is [`Schema::Closed`].
    Unknown,
    /// A value AWS refuses (D19): an error whatever the validation mode, `off` included.
    Aws,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub rule: Rule,
    /// The config path of the offending property (of the missing one, for `Required`).
    pub path: String,
    /// The path the message is about (the parent mapping, for `Required`).
    pub at: String,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
    /// Where the value was used, when it came from an alias, a merge key or a variable.
    pub via: Option<Span>,
}

/// `functions.a.events[0].kafka` + `topic`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The paths of one container's children, written into one buffer: the container's path, then
/// `.key` or `[i]` in place of the previous child's. A validation walks every property of the
/// service; a string allocated and formatted per property was a tenth of the walk.
struct Children {
    buffer: String,
    base: usize,
}

impl Children {
    fn of(path: &str) -> Children {
        let mut buffer = String::with_capacity(path.len() + 32);
        buffer.push_str(path);
        Children {
            buffer,
            base: path.len(),
        }
    }

    /// `path.key` (the key alone at the root), as [`join`] writes it.
    fn key(&mut self, key: &str) -> &str {
        self.buffer.truncate(self.base);
        if self.base > 0 {
            self.buffer.push('.');
        }
        self.buffer.push_str(key);
        &self.buffer
    }

    /// `path[i]`.
    fn index(&mut self, i: usize) -> &str {
        self.buffer.truncate(self.base);
        self.buffer.push('[');
        self.buffer.push_str(itoa::Buffer::new().format(i));
        self.buffer.push(']');
        &self.buffer
    }
}

/// Validates (and coerces) `node` in place; returns every problem found.
/// `owner` is the span of the key that holds `node` (where a missing property is reported).
pub fn validate(schema: &Schema, node: &mut Node, path: &str, owner: Span) -> Vec<Problem> {
    let mut problems = Vec::new();
    check(schema, node, path, owner, &mut problems);
    problems
}

/// Turns problems into diagnostics: relaxed rules follow the validation mode.
pub fn problems_to_diagnostics(
    problems: Vec<Problem>,
    mode: crate::config::ValidationMode,
) -> Vec<Diagnostic> {
    use crate::config::ValidationMode;
    problems
        .into_iter()
        .filter_map(|p| {
            let severity = match (p.rule, mode) {
                (Rule::Relaxed | Rule::Unknown, ValidationMode::Off) => return None,
                (Rule::Relaxed | Rule::Unknown, ValidationMode::Warn) => Severity::Warning,
                _ => Severity::Error,
            };
            let mut d = Diagnostic::error(
                codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                format!(
                    "at {}: {}",
                    if p.at.is_empty() { "root" } else { &p.at },
                    p.message
                ),
            )
            .with_path(p.path)
            .at(p.span, "");
            d.severity = severity;
            let help = p.help.or_else(|| {
                (p.rule == Rule::Aws).then(|| {
                    "AWS refuses this value when it creates the mapping, so it is an error whatever configValidationMode says".to_string()
                })
            });
            if let Some(help) = help {
                d = d.with_help(help);
            }
            if let Some(via) = p.via.filter(|v| *v != p.span) {
                d = d.also(via, "the value is used here");
            }
            Some(d)
        })
        .collect()
}

fn problem(problems: &mut Vec<Problem>, rule: Rule, path: &str, span: Span, message: String) {
    problems.push(Problem {
        rule,
        path: path.to_string(),
        at: path.to_string(),
        message,
        span,
        help: None,
        via: None,
    });
}

/// JavaScript's `Number(text)` for the strings Ajv coerces (not empty; blank is 0).
fn coerce_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        // Ajv coerces a string `s` when `s && s == +s`: a blank (not empty) string equals 0.
        return (!text.is_empty()).then_some(0.0);
    }
    if let Some(bin) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        return u64::from_str_radix(bin, 2).ok().map(|n| n as f64);
    }
    if let Some(oct) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        return u64::from_str_radix(oct, 8).ok().map(|n| n as f64);
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    match t {
        "Infinity" | "+Infinity" | "-Infinity" => return None,
        _ => {}
    }
    if t.chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn check(schema: &Schema, node: &mut Node, path: &str, owner: Span, problems: &mut Vec<Problem>) {
    let before = problems.len();
    let via = node.via.as_deref().copied();
    check_node(schema, node, path, owner, problems);
    if let Some(via) = via {
        for problem in &mut problems[before..] {
            if problem.via.is_none() {
                problem.via = Some(via);
            }
        }
    }
}

fn check_node(
    schema: &Schema,
    node: &mut Node,
    path: &str,
    owner: Span,
    problems: &mut Vec<Problem>,
) {
    if node.is_null() {
        return;
    }
    // Ajv's `coerceTypes: 'array'` also turns a one-item list into its item where a typed
    // scalar is expected (`topic: [orders]` is `topic: orders`).
    if matches!(
        schema,
        Schema::Bool
            | Schema::Integer { .. }
            | Schema::Number { .. }
            | Schema::Str { .. }
            | Schema::StrEnum(_)
    ) {
        let single = match &mut node.value {
            Value::Seq(items) => match items.as_mut_slice() {
                [only] if !matches!(only.value, Value::Seq(_) | Value::Map(_) | Value::Null) => {
                    Some(std::mem::replace(&mut only.value, Value::Null))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(value) = single {
            node.value = value;
        }
    }
    match schema {
        Schema::Any => {}
        Schema::Bool => check_bool(node, path, problems),
        Schema::Integer { min, max } => check_number(node, true, *min, *max, path, problems),
        Schema::Number { min, max } => check_number(node, false, *min, *max, path, problems),
        Schema::Str {
            pattern,
            min_len,
            max_len,
        } => check_string(node, *pattern, *min_len, *max_len, path, problems),
        Schema::Enum(allowed) | Schema::StrEnum(allowed) => {
            check_enum(node, allowed, path, problems)
        }
        Schema::ConstTrue => check_const_bool(node, true, path, problems),
        Schema::ConstFalse => check_const_bool(node, false, path, problems),
        Schema::ConstNumber(expected) => check_const_number(node, *expected, path, problems),
        Schema::Array {
            items,
            min_items,
            max_items,
        } => check_array(node, items, *min_items, *max_items, path, problems),
        Schema::Object { .. } => check_object(node, schema, path, owner, problems),
        Schema::Map { keys, values } => check_map(node, keys, values, path, problems),
        Schema::AnyOf {
            options,
            description,
        } => check_any_of(node, options, description, path, owner, problems),
        Schema::Intrinsic { only } => check_intrinsic(node, *only, path, problems),
        Schema::Closed(inner) => check_closed(node, inner, path, owner, problems),
        Schema::Aws(inner) => {
            let before = problems.len();
            check(inner, node, path, owner, problems);
            // A falsy value is not emitted (the reference's `if (event.x)`), so AWS never sees
            // it: it stays a relaxed problem.
            if crate::js::truthy(node) {
                for problem in &mut problems[before..] {
                    if problem.rule == Rule::Relaxed {
                        problem.rule = Rule::Aws;
                    }
                }
            }
        }
        Schema::Checked(inner, custom) => {
            check_checked(node, inner, *custom, path, owner, problems)
        }
    }
}

fn check_bool(node: &mut Node, path: &str, problems: &mut Vec<Problem>) {
    let span = node.span;
    let coerced = match &node.value {
        Value::Bool(_) => return,
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        Value::Number(n) if *n == 1.0 => Some(true),
        Value::Number(n) if *n == 0.0 => Some(false),
        _ => None,
    };
    match coerced {
        Some(b) => node.value = Value::Bool(b),
        None => problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be boolean, got {}", describe(node)),
        ),
    }
}

fn check_number(
    node: &mut Node,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    let value = match &node.value {
        Value::Number(n) => Some(*n),
        Value::String(s) => coerce_number(s),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    };
    let kind = if integer { "integer" } else { "number" };
    let Some(n) = value else {
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be {kind}, got {}", describe(node)),
        );
        return;
    };
    if integer && n.fract() != 0.0 {
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be integer, got {}", format_js_number(n)),
        );
        return;
    }
    node.value = Value::Number(n);
    if let Some(min) = min {
        if n < min {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!(
                    "must be >= {}, got {}",
                    format_js_number(min),
                    format_js_number(n)
                ),
            );
        }
    }
    if let Some(max) = max {
        if n > max {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!(
                    "must be <= {}, got {}",
                    format_js_number(max),
                    format_js_number(n)
                ),
            );
        }
    }
}

fn check_string(
    node: &mut Node,
    pattern: Option<&'static str>,
    min_len: Option<usize>,
    max_len: Option<usize>,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    // A number or a boolean is coerced to its text; a string is checked where it is.
    let coerced = match &node.value {
        Value::String(_) => None,
        Value::Number(n) => Some(format_js_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => {
            problem(
                problems,
                Rule::Type,
                path,
                span,
                format!("must be string, got {}", describe(node)),
            );
            return;
        }
    };
    if let Some(text) = coerced {
        node.value = Value::String(text);
    }
    let Value::String(text) = &node.value else {
        return;
    };
    let length = text.encode_utf16().count();
    if let Some(min) = min_len {
        if length < min {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!("must NOT have fewer than {min} characters"),
            );
        }
    }
    if let Some(max) = max_len {
        if length > max {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!("must NOT have more than {max} characters (it has {length})"),
            );
        }
    }
    if let Some(pattern) = pattern {
        if !crate::js::regex_test(pattern, text) {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!("must match pattern \"{pattern}\", got {text:?}"),
            );
        }
    }
}

fn check_enum(node: &Node, allowed: &[&str], path: &str, problems: &mut Vec<Problem>) {
    let span = node.span;
    let text = node.as_str().map(str::to_string);
    match text {
        Some(t) if allowed.contains(&t.as_str()) => {}
        _ => {
            let got = describe(node);
            let mut p = Problem {
                rule: Rule::Enum,
                path: path.to_string(),
                at: path.to_string(),
                message: format!(
                    "must be equal to one of the allowed values [{}], got {got}",
                    allowed.join(", ")
                ),
                span,
                help: None,
                via: None,
            };
            if let Some(suggestion) = text
                .as_deref()
                .and_then(|t| did_you_mean(t, allowed.iter().copied()))
            {
                p.help = Some(format!("did you mean `{suggestion}`?"));
            }
            problems.push(p);
        }
    }
}

fn check_const_bool(node: &Node, expected: bool, path: &str, problems: &mut Vec<Problem>) {
    let span = node.span;
    // Ajv does not coerce for `const`: only the boolean itself matches.
    if !matches!(node.value, Value::Bool(b) if b == expected) {
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be {expected}, got {}", describe(node)),
        );
    }
}

fn check_const_number(node: &mut Node, expected: f64, path: &str, problems: &mut Vec<Problem>) {
    let span = node.span;
    let n = match &node.value {
        Value::Number(n) => Some(*n),
        Value::String(s) => coerce_number(s),
        _ => None,
    };
    if n == Some(expected) {
        node.value = Value::Number(expected);
    } else {
        problem(
            problems,
            Rule::Relaxed,
            path,
            span,
            format!("must be equal to {}", format_js_number(expected)),
        );
    }
}

fn check_array(
    node: &mut Node,
    items: &Schema,
    min_items: Option<usize>,
    max_items: Option<usize>,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    if !matches!(node.value, Value::Seq(_)) {
        if matches!(node.value, Value::Map(_)) {
            problem(
                problems,
                Rule::Type,
                path,
                span,
                format!("must be array, got {}", describe(node)),
            );
            return;
        }
        let single = node.clone();
        node.value = Value::Seq(vec![single]);
    }
    let Value::Seq(list) = &mut node.value else {
        return;
    };
    if let Some(min) = min_items {
        if list.len() < min {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!("must NOT have fewer than {min} items"),
            );
        }
    }
    if let Some(max) = max_items {
        if list.len() > max {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!(
                    "must NOT have more than {max} items (it has {})",
                    list.len()
                ),
            );
        }
    }
    let mut children = Children::of(path);
    for (i, item) in list.iter_mut().enumerate() {
        if item.is_null() {
            // A null item is not an absent property: Ajv turns it into "", 0 or false,
            // which no typed item here accepts, and a `null` ARN or address cannot
            // deploy.
            if !matches!(items, Schema::Any) {
                problem(
                    problems,
                    Rule::Type,
                    children.index(i),
                    item.span,
                    "must not be null".to_string(),
                );
            }
            continue;
        }
        let item_span = item.span;
        check(items, item, children.index(i), item_span, problems);
    }
}

fn check_object(
    node: &mut Node,
    schema: &Schema,
    path: &str,
    owner: Span,
    problems: &mut Vec<Problem>,
) {
    let Schema::Object {
        props,
        required,
        additional,
        min_props,
    } = schema
    else {
        return;
    };
    let span = node.span;
    let Value::Map(map) = &mut node.value else {
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be object, got {}", describe(node)),
        );
        return;
    };
    for name in required.iter() {
        if map.get(name).is_none_or(Node::is_null) {
            problems.push(Problem {
                rule: Rule::Required,
                path: join(path, name),
                at: path.to_string(),
                message: format!("must have required property '{name}'"),
                span: owner,
                help: Some(format!("add `{name}:` to this mapping")),
                via: None,
            });
        }
    }
    if let Some(min) = min_props {
        if map.len() < *min {
            problem(
                problems,
                Rule::Relaxed,
                path,
                span,
                format!("must NOT have fewer than {min} properties"),
            );
        }
    }
    let mut children = Children::of(path);
    for entry in map.entries.iter_mut() {
        match props.iter().find(|(name, _)| *name == entry.key) {
            Some((_, schema)) => check(
                schema,
                &mut entry.value,
                children.key(&entry.key),
                entry.key_span,
                problems,
            ),
            None if !additional => {
                let mut p = Problem {
                    rule: Rule::Unknown,
                    path: join(path, &entry.key),
                    at: path.to_string(),
                    message: format!("unrecognized property '{}'", entry.key),
                    span: entry.key_span,
                    help: None,
                    via: None,
                };
                let known = props.iter().map(|(n, _)| *n);
                p.help = Some(match did_you_mean(&entry.key, known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the known properties here are: {}",
                        props.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                });
                problems.push(p);
            }
            None => {}
        }
    }
}

fn check_map(
    node: &mut Node,
    keys: &'static str,
    values: &Schema,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    let Value::Map(map) = &mut node.value else {
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be object, got {}", describe(node)),
        );
        return;
    };
    let mut children = Children::of(path);
    for entry in map.entries.iter_mut() {
        let entry_path = children.key(&entry.key);
        if !crate::js::regex_test(keys, &entry.key) {
            problems.push(Problem {
                rule: Rule::Unknown,
                path: entry_path.to_string(),
                at: path.to_string(),
                message: format!(
                    "unrecognized property '{}' (names must match {keys})",
                    entry.key
                ),
                span: entry.key_span,
                help: Some("rename the key".to_string()),
                via: None,
            });
            continue;
        }
        check(
            values,
            &mut entry.value,
            entry_path,
            entry.key_span,
            problems,
        );
    }
}

fn check_any_of(
    node: &mut Node,
    options: &[Schema],
    description: &str,
    path: &str,
    owner: Span,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    let mut best: Option<(usize, Node, Vec<Problem>)> = None;
    for (i, option) in options.iter().enumerate() {
        let mut candidate = node.clone();
        let mut found = Vec::new();
        check(option, &mut candidate, path, owner, &mut found);
        if found.is_empty() {
            *node = candidate;
            return;
        }
        // Prefer the alternative of the value's own type with the fewest problems.
        let typed = found.iter().all(|p| p.rule != Rule::Type || p.path != path);
        let better = match &best {
            None => true,
            Some((_, _, previous)) => {
                let previous_typed = previous
                    .iter()
                    .all(|p| p.rule != Rule::Type || p.path != path);
                (typed && !previous_typed)
                    || (typed == previous_typed && found.len() < previous.len())
            }
        };
        if better {
            best = Some((i, candidate, found));
        }
    }
    match best {
        Some((_, candidate, found))
            if found.iter().all(|p| p.rule != Rule::Type || p.path != path) =>
        {
            *node = candidate;
            problems.extend(found);
        }
        _ => problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be {description}, got {}", describe(node)),
        ),
    }
}

fn check_intrinsic(node: &Node, only: Option<&[&str]>, path: &str, problems: &mut Vec<Problem>) {
    let span = node.span;
    let ok = match &node.value {
        Value::Map(map) if map.len() == 1 => {
            let key = map.entries[0].key.as_str();
            match only {
                Some(list) => list.contains(&key),
                None => key == "Ref" || key.starts_with("Fn::"),
            }
        }
        _ => false,
    };
    if !ok {
        let what = match only {
            Some(list) => format!("an object with a single {} key", list.join(" or ")),
            None => "an intrinsic function (an object with a single Ref or Fn:: key)".to_string(),
        };
        problem(
            problems,
            Rule::Type,
            path,
            span,
            format!("must be {what}, got {}", describe(node)),
        );
    }
}

fn check_closed(
    node: &mut Node,
    inner: &Schema,
    path: &str,
    owner: Span,
    problems: &mut Vec<Problem>,
) {
    // A key written without a value is not "absent" here either: the reference
    // crashes on it.
    if let Value::Map(map) = &node.value {
        for entry in map.entries.iter().filter(|e| e.value.is_null()) {
            problems.push(Problem {
                rule: Rule::Type,
                path: join(path, &entry.key),
                at: path.to_string(),
                message: format!("'{}' must have a value", entry.key),
                span: entry.key_span,
                help: Some("give its value, or remove the key".into()),
                via: None,
            });
        }
    }
    let before = problems.len();
    check(inner, node, path, owner, problems);
    for problem in &mut problems[before..] {
        if problem.rule == Rule::Unknown && problem.at == path {
            problem.rule = Rule::Type;
        }
    }
}

fn check_checked(
    node: &mut Node,
    inner: &Schema,
    custom: CustomCheck,
    path: &str,
    owner: Span,
    problems: &mut Vec<Problem>,
) {
    let span = node.span;
    let before = problems.len();
    check(inner, node, path, owner, problems);
    if problems.len() == before {
        if let Err(message) = custom(node) {
            problem(problems, Rule::Type, path, span, message);
        }
    }
}

/// The closest candidate within a small edit distance, for "did you mean" help.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .map(|c| (strsim::levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_yaml::load;

    #[test]
    fn children_write_each_path_in_place_of_the_previous() {
        let mut children = Children::of("functions.a.events[0].kafka");
        assert_eq!(children.key("topic"), "functions.a.events[0].kafka.topic");
        assert_eq!(
            children.key("batchSize"),
            "functions.a.events[0].kafka.batchSize"
        );
        assert_eq!(children.index(12), "functions.a.events[0].kafka[12]");
        assert_eq!(children.index(3), "functions.a.events[0].kafka[3]");
        let mut root = Children::of("");
        assert_eq!(root.key("provider"), join("", "provider"));
        assert_eq!(root.key("functions"), "functions");
    }

    fn run(schema: &Schema, yaml: &str) -> (Node, Vec<Problem>) {
        let mut node = load(yaml, 0).unwrap();
        let span = node.span;
        let problems = validate(schema, &mut node, "x", span);
        (node, problems)
    }

    #[test]
    fn coercion_like_ajv() {
        let (node, problems) = run(&Schema::integer(1.0, 10000.0), "'250'");
        assert!(problems.is_empty());
        assert_eq!(node.as_f64(), Some(250.0));
        let (node, problems) = run(&Schema::Bool, "'false'");
        assert!(problems.is_empty());
        assert_eq!(node.as_bool(), Some(false));
        let (node, problems) = run(&Schema::array(Schema::string(), 1), "abc");
        assert!(problems.is_empty());
        assert_eq!(node.as_seq().map(<[Node]>::len), Some(1));
        let (_, problems) = run(&Schema::Bool, "yes");
        assert_eq!(problems[0].rule, Rule::Type);
        // A one-item list is its item where a typed scalar is expected; a null list item is not
        // absent.
        let (node, problems) = run(&Schema::string(), "[orders]");
        assert!(problems.is_empty());
        assert_eq!(node.as_str(), Some("orders"));
        let (node, problems) = run(&Schema::integer(1.0, 10.0), "['5']");
        assert_eq!((node.as_f64(), problems.len()), (Some(5.0), 0));
        let (_, problems) = run(&Schema::string(), "[a, b]");
        assert_eq!(problems[0].rule, Rule::Type);
        let (_, problems) = run(&Schema::array(Schema::string(), 1), "[a, null]");
        assert_eq!(
            (problems[0].rule, problems[0].path.as_str()),
            (Rule::Type, "x[1]")
        );
        // `s && s == +s`: a blank string is 0, an empty one is not a number; JavaScript's
        // number forms are read.
        for (text, expected) in [
            ("' '", Some(0.0)),
            ("'0x10'", Some(16.0)),
            ("'0b101'", Some(5.0)),
            ("'0o17'", Some(15.0)),
            ("' 7 '", Some(7.0)),
            ("''", None),
            ("'1e3'", Some(1000.0)),
        ] {
            let (node, problems) = run(
                &Schema::Number {
                    min: None,
                    max: None,
                },
                text,
            );
            match expected {
                Some(n) => assert_eq!((node.as_f64(), problems.len()), (Some(n), 0), "{text}"),
                None => assert_eq!(problems[0].rule, Rule::Type, "{text}"),
            }
        }
    }

    #[test]
    fn unknown_property_points_at_key_and_suggests() {
        let schema = Schema::object(vec![("batchSize", Schema::integer(1.0, 10.0))], &[]);
        let (_, problems) = run(&schema, "batchSize: 1\nbatchsize: 2\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].span.start.line, 2);
        assert_eq!(
            problems[0].help.as_deref(),
            Some("did you mean `batchSize`?")
        );
    }

    #[test]
    fn null_is_absent_but_required_is_enforced() {
        let schema = Schema::object(vec![("arn", Schema::string())], &["arn"]);
        let (_, problems) = run(&schema, "arn: null\n");
        assert_eq!(problems[0].rule, Rule::Required);
        assert_eq!(problems[0].path, "x.arn");
    }
}
