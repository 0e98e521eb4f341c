//! Turns `saphyr-parser` events into a [`Node`] tree with `js-yaml` 4 semantics.
//!
//! Owns: scalar resolution (YAML 1.2 core as js-yaml reads it), anchors and aliases with an
//! expansion budget, `<<` merge keys, duplicate-key errors, a nesting limit, and the 17
//! CloudFormation short-form tags. Must not know anything else about AWS.

use crate::node::{Entry, FileId, Mapping, Node, Pos, Span, Value};
use crate::scalar::{resolve_plain_scalar, Resolved};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::{HashMap, HashSet};

/// Deepest nesting accepted; real service files stay far below it, and every later stage can
/// then walk the tree recursively without exhausting the stack.
pub const MAX_DEPTH: usize = 200;
/// Most values one file may produce, aliases expanded (an "alias bomb" stops here). A node
/// costs about 100 bytes, so this keeps a file's tree near 100 MB; a real service file holds a
/// few thousand values.
pub const MAX_NODES: usize = 1_000_000;

/// Why a file could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub message: String,
    pub span: Span,
    /// A second place the error involves (the first occurrence of a duplicated key).
    pub related: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    Syntax,
    DuplicateKey,
    UnknownTag,
    TooDeep,
    AliasBudget,
    /// More values than the loader accepts, none of them from an alias.
    TooManyValues,
    UnknownAnchor,
    MultipleDocuments,
    InvalidMerge,
}

/// The CloudFormation short-form tags and the long-form key each becomes.
pub const CFN_TAGS: [(&str, &str); 17] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("And", "Fn::And"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("Equals", "Fn::Equals"),
    ("FindInMap", "Fn::FindInMap"),
    ("GetAtt", "Fn::GetAtt"),
    ("GetAZs", "Fn::GetAZs"),
    ("If", "Fn::If"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
];

/// Loads one YAML (or JSON) document. An empty document is a null node.
pub fn load(source: &str, file: FileId) -> Result<Node, Box<LoadError>> {
    let positions = PositionMap::new(source, file);
    let mut builder = Builder {
        positions: &positions,
        stack: Vec::new(),
        anchors: HashMap::new(),
        produced: 0,
        root: None,
        documents: 0,
        merge_key_next: false,
    };
    for item in Parser::new_from_str(source) {
        match item {
            Ok((event, span)) => builder.event(event, span)?,
            Err(err) => {
                let m = err.marker();
                let pos = positions.pos(m.index(), m.line(), m.col());
                let kind = if err.info().contains("recursion limit") {
                    LoadErrorKind::TooDeep
                } else if err.info().contains("unknown anchor") {
                    LoadErrorKind::UnknownAnchor
                } else {
                    LoadErrorKind::Syntax
                };
                return Err(Box::new(LoadError {
                    kind,
                    message: quoted(err.info()),
                    span: Span::new(file, pos, pos),
                    related: None,
                }));
            }
        }
    }
    Ok(builder.root.unwrap_or_else(|| {
        let start = positions.pos(0, 1, 0);
        Node::null(Span::new(file, start, start))
    }))
}

/// Converts saphyr's character-based markers to byte offsets.
struct PositionMap<'a> {
    file: FileId,
    /// Byte offset of each character, present only when the source is not pure ASCII (`u32`:
    /// a source is at most 16 MiB, see [`Pos`]).
    char_offsets: Option<Vec<u32>>,
    len: usize,
    _source: &'a str,
}

impl<'a> PositionMap<'a> {
    fn new(source: &'a str, file: FileId) -> Self {
        let char_offsets = if source.is_ascii() {
            None
        } else {
            Some(
                source
                    .char_indices()
                    .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect(),
            )
        };
        PositionMap {
            file,
            char_offsets,
            len: source.len(),
            _source: source,
        }
    }

    fn pos(&self, index: usize, line: usize, col: usize) -> Pos {
        let offset = match &self.char_offsets {
            None => index.min(self.len),
            Some(offsets) => offsets
                .get(index)
                .map_or(self.len, |&offset| offset as usize),
        };
        Pos::new(offset, line.max(1), col + 1)
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        let s = span.start;
        let e = span.end;
        Span::new(
            self.file,
            self.pos(s.index(), s.line(), s.col()),
            self.pos(e.index(), e.line(), e.col()),
        )
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Span,
        anchor: usize,
        tag: Option<String>,
    },
    Map {
        map: Mapping,
        /// Keys set by a merge (`<<`) that an explicit key may still override.
        overridable: HashSet<String>,
        /// Where each key is in `map`, once it is large: a mapping with 400,000 keys is checked
        /// for duplicates in linear time, not quadratic.
        index: KeyIndex,
        pending_key: Option<(String, Span, bool)>,
        start: Span,
        anchor: usize,
        tag: Option<String>,
    },
}

struct Builder<'p, 'a> {
    positions: &'p PositionMap<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    produced: usize,
    root: Option<Node>,
    documents: usize,
    /// The scalar just read is a plain `<<`, a merge key when it stands in key position.
    merge_key_next: bool,
}

impl Builder<'_, '_> {
    fn err(&self, kind: LoadErrorKind, message: impl Into<String>, span: Span) -> Box<LoadError> {
        Box::new(LoadError {
            kind,
            message: message.into(),
            span,
            related: None,
        })
    }

    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), Box<LoadError>> {
        let span = self.positions.span(span);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(self.err(
                        LoadErrorKind::MultipleDocuments,
                        "expected a single document in the file, found more than one",
                        span,
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_merge = matches!(style, ScalarStyle::Plain) && tag.is_none() && text == "<<";
                let span = value_span(span, &text, style, anchor);
                let node = self.scalar(&text, style, tag.as_deref(), span)?;
                self.produced += 1;
                self.merge_key_next = is_merge;
                self.finish_node(node, anchor, span)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(self.err(
                        LoadErrorKind::UnknownAnchor,
                        "alias to an unknown anchor",
                        span,
                    ));
                };
                self.produced += size;
                if self.produced > MAX_NODES {
                    return Err(self.err(
                        LoadErrorKind::AliasBudget,
                        format!(
                            "aliases expand to more than {MAX_NODES} values; the file looks like an alias bomb"
                        ),
                        span,
                    ));
                }
                let mut node = node.clone();
                node.via = Some(Box::new(span));
                self.finish_node(node, 0, span)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span,
                    anchor,
                    tag: tag.map(|t| tag_name(&t)),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Map {
                    map: Mapping::default(),
                    overridable: HashSet::new(),
                    index: KeyIndex::default(),
                    pending_key: None,
                    start: span,
                    anchor,
                    tag: tag.map(|t| tag_name(&t)),
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    mut items,
                    start,
                    anchor,
                    tag,
                }) = self.stack.pop()
                {
                    let full = Span::new(start.file, start.start, span.end.max(start.end));
                    self.produced += 1;
                    // Grown by pushing: the tree keeps what it holds, not room for twice that.
                    items.shrink_to_fit();
                    let node = apply_collection_tag(Node::new(Value::Seq(items), full), tag)
                        .map_err(|m| self.err(LoadErrorKind::UnknownTag, m, start))?;
                    self.finish_node(node, anchor, full)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    mut map,
                    start,
                    anchor,
                    tag,
                    ..
                }) = self.stack.pop()
                {
                    let full = Span::new(start.file, start.start, span.end.max(start.end));
                    self.produced += 1;
                    map.entries.shrink_to_fit();
                    let node = apply_collection_tag(Node::new(Value::Map(map), full), tag)
                        .map_err(|m| self.err(LoadErrorKind::UnknownTag, m, start))?;
                    self.finish_node(node, anchor, full)?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: Span) -> Result<(), Box<LoadError>> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err(
                LoadErrorKind::TooDeep,
                format!("the document nests deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Node, Box<LoadError>> {
        let plain = matches!(style, ScalarStyle::Plain);
        let Some(tag) = tag else {
            return Ok(scalar_node(text, plain, span));
        };
        let name = tag_name(tag);
        if let Some(long) = cfn_long_form(&name) {
            let inner = if long == "Fn::GetAtt" {
                let (first, rest) = text.split_once('.').unwrap_or((text, ""));
                Node::new(
                    Value::Seq(vec![Node::string(first, span), Node::string(rest, span)]),
                    span,
                )
            } else {
                Node::string(text, span)
            };
            return Ok(wrap(long, inner, span));
        }
        match name.as_str() {
            "!" | "!!str" => Ok(Node::string(text, span)),
            "!!null" => Ok(Node::null(span)),
            "!!bool" | "!!int" | "!!float" | "!!timestamp" => {
                let node = scalar_node(text, true, span);
                let ok = matches!(
                    (name.as_str(), &node.value),
                    ("!!bool", Value::Bool(_))
                        | ("!!int", Value::Number(_))
                        | ("!!float", Value::Number(_))
                        | ("!!timestamp", Value::String(_))
                );
                if ok {
                    Ok(node)
                } else {
                    Err(self.err(
                        LoadErrorKind::UnknownTag,
                        format!("cannot resolve `{}` as {}", quoted(text), quoted(&name)),
                        span,
                    ))
                }
            }
            _ => Err(self.err(
                LoadErrorKind::UnknownTag,
                format!("unknown tag {}", quoted(&name)),
                span,
            )),
        }
    }

    fn finish_node(&mut self, node: Node, anchor: usize, span: Span) -> Result<(), Box<LoadError>> {
        let merge_key = std::mem::take(&mut self.merge_key_next);
        if self.produced > MAX_NODES {
            return Err(self.err(
                LoadErrorKind::TooManyValues,
                format!("the document holds more than {MAX_NODES} values"),
                span,
            ));
        }
        if anchor > 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match top {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                map,
                overridable,
                index,
                pending_key,
                ..
            } => match pending_key.take() {
                None => {
                    let is_merge = merge_key;
                    *pending_key = Some((key_string(&node), node.span, is_merge));
                }
                Some((key, key_span, true)) if key == "<<" => {
                    let sources: Vec<Node> = match node.value {
                        Value::Map(_) => vec![node],
                        Value::Seq(items) => items,
                        _ => {
                            return Err(self.err(
                                LoadErrorKind::InvalidMerge,
                                "a merge key (<<) needs a mapping or a list of mappings",
                                node.span,
                            ))
                        }
                    };
                    for source in sources {
                        let Value::Map(source_map) = source.value else {
                            return Err(self.err(
                                LoadErrorKind::InvalidMerge,
                                "a merge key (<<) needs a mapping or a list of mappings",
                                source.span,
                            ));
                        };
                        for mut entry in source_map.entries {
                            if index.find(map, &entry.key).is_none() {
                                if entry.value.via.is_none() {
                                    entry.value.via = Some(Box::new(key_span));
                                }
                                overridable.insert(entry.key.clone());
                                index.push(map, entry);
                            }
                        }
                    }
                }
                Some((key, key_span, _)) => {
                    if overridable.remove(&key) {
                        // An explicit key overrides what a merge set, in the merged key's place.
                        if let Some(i) = index.find(map, &key) {
                            map.entries[i].value = node;
                        }
                    } else if let Some(first) = index.find(map, &key).map(|i| &map.entries[i]) {
                        let related = Some(first.key_span);
                        return Err(Box::new(LoadError {
                            kind: LoadErrorKind::DuplicateKey,
                            message: format!("duplicated mapping key `{}`", quoted(&key)),
                            span: key_span,
                            related,
                        }));
                    } else {
                        index.push(
                            map,
                            Entry {
                                key,
                                key_span,
                                value: node,
                            },
                        );
                    }
                }
            },
        }
        Ok(())
    }
}

/// A plain scalar with an anchor: saphyr's span starts at the anchor; the value starts where
/// its text does (single-line scalars, whose text is written as is).
fn value_span(span: Span, text: &str, style: ScalarStyle, anchor: usize) -> Span {
    if anchor == 0
        || !matches!(style, ScalarStyle::Plain)
        || text.contains('\n')
        || span.start.line != span.end.line
    {
        return span;
    }
    let (Ok(bytes), Ok(chars)) = (
        u32::try_from(text.len()),
        u32::try_from(text.chars().count()),
    ) else {
        return span;
    };
    if span.end.offset < bytes || span.end.column < chars {
        return span;
    }
    let mut start = span.end;
    start.offset -= bytes;
    start.column -= chars;
    Span::new(span.file, start, span.end)
}

fn wrap(long: &str, inner: Node, span: Span) -> Node {
    Node::new(
        Value::Map(Mapping {
            entries: vec![Entry {
                key: long.to_string(),
                key_span: span,
                value: inner,
            }],
        }),
        span,
    )
}

fn apply_collection_tag(node: Node, tag: Option<String>) -> Result<Node, String> {
    let Some(tag) = tag else { return Ok(node) };
    if let Some(long) = cfn_long_form(&tag) {
        let span = node.span;
        return Ok(wrap(long, node, span));
    }
    match (tag.as_str(), &node.value) {
        ("!!map", Value::Map(_)) | ("!!seq", Value::Seq(_)) => Ok(node),
        _ => Err(format!("unknown tag {}", quoted(&tag))),
    }
}

fn cfn_long_form(tag: &str) -> Option<&'static str> {
    let name = tag.strip_prefix('!')?;
    CFN_TAGS
        .iter()
        .find(|(short, _)| *short == name)
        .map(|(_, long)| *long)
}

fn tag_name(tag: &Tag) -> String {
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

fn scalar_node(text: &str, plain: bool, span: Span) -> Node {
    if !plain {
        return Node::string(text, span);
    }
    let value = match resolve_plain_scalar(text) {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Number(n) => Value::Number(n),
        Resolved::Timestamp(iso) => Value::String(iso),
        Resolved::String => Value::String(text.to_string()),
    };
    Node::new(value, span)
}

/// The string JavaScript would use as an object key for a non-string key.
fn key_string(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => crate::js_number::format_js_number(*n),
        Value::String(s) => s.clone(),
        Value::Seq(items) => items.iter().map(key_string).collect::<Vec<_>>().join(","),
        Value::Map(_) => "[object Object]".to_string(),
    }
}

/// The keys of a mapping being built: searched in place while the mapping is small, through a
/// hash map once it is large (most mappings have a few keys, and a hash map each would cost more
/// memory than the keys).
#[derive(Debug, Default)]
struct KeyIndex {
    positions: Option<HashMap<String, usize>>,
}

impl KeyIndex {
    const LARGE: usize = 32;

    fn find(&mut self, map: &Mapping, key: &str) -> Option<usize> {
        if self.positions.is_none() && map.entries.len() >= Self::LARGE {
            let positions = map
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
            self.positions = Some(positions);
        }
        match &self.positions {
            Some(positions) => positions.get(key).copied(),
            None => map.entries.iter().position(|e| e.key == key),
        }
    }

    fn push(&mut self, map: &mut Mapping, entry: Entry) {
        if let Some(positions) = &mut self.positions {
            positions.insert(entry.key.clone(), map.entries.len());
        }
        map.entries.push(entry);
    }
}

/// The most characters of a value from the document that a message quotes.
const MAX_QUOTED: usize = 80;

/// A value from the document as a message quotes it: at most [`MAX_QUOTED`] characters (an
/// 800 KB key is not repeated whole), control characters escaped so that they cannot act on a
/// terminal.
pub fn quoted(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(MAX_QUOTED) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("… ({rest} more characters)"));
    }
    out
}
