//! The node tree every later stage works on: values as JavaScript sees them after `js-yaml`
//! loads a file, each with the span it was written at.

/// Which loaded file a span belongs to (an index into the caller's source map).
pub type FileId = u32;

/// A position in a source file: byte offset, 1-based line, 1-based column (in characters).
/// `u32`s, because every node of the tree holds two: a file is read only up to 16 MiB, so
/// every position fits, and a node takes 72 bytes rather than 96 (an entry 128 rather than
/// 176).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub offset: u32,
    pub line: u32,
    pub column: u32,
}

impl Pos {
    /// The position at a byte offset, line and column; a value beyond `u32::MAX` (a text of
    /// 4 GiB, which no reader here reads) is kept at `u32::MAX`.
    pub fn new(offset: usize, line: usize, column: usize) -> Pos {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Pos {
            offset: narrow(offset),
            line: narrow(line),
            column: narrow(column),
        }
    }
}

/// A range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(file: FileId, start: Pos, end: Pos) -> Span {
        Span { file, start, end }
    }
}

/// A loaded value. Numbers are `f64`, as in JavaScript.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// One node of the tree: its value, where it was written (`span`), and, for a value reached
/// through an alias, a merge key or a variable, where it was used (`via`).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub via: Option<Box<Span>>,
}

/// A mapping entry: the key (always a string, as JavaScript object keys are) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// An ordered mapping with unique keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    pub entries: Vec<Entry>,
}

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// Sets `key`, keeping its position when it already exists.
    pub fn insert(&mut self, key: String, key_span: Span, value: Node) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.key == key) {
            entry.value = value;
        } else {
            self.entries.push(Entry {
                key,
                key_span,
                value,
            });
        }
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            via: None,
        }
    }

    pub fn null(span: Span) -> Node {
        Node::new(Value::Null, span)
    }

    pub fn string(s: impl Into<String>, span: Span) -> Node {
        Node::new(Value::String(s.into()), span)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Mapping> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping; a null value counts as absent.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()
            .and_then(|m| m.get(key))
            .filter(|n| !n.is_null())
    }

    /// A word for the value's type, as a user reads it in an error message.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    /// Number of nodes in this subtree (used for the alias expansion budget).
    pub fn size(&self) -> usize {
        let mut total = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            total += 1;
            match &node.value {
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(map) => stack.extend(map.entries.iter().map(|e| &e.value)),
                _ => {}
            }
        }
        total
    }

    /// Converts to JSON, with JavaScript's object key order (integer-like keys first, ascending).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(map) => {
                let mut out = serde_json::Map::new();
                let mut integer_keys: Vec<(u32, &Entry)> = map
                    .entries
                    .iter()
                    .filter_map(|e| array_index(&e.key).map(|i| (i, e)))
                    .collect();
                integer_keys.sort_by_key(|(i, _)| *i);
                for (_, e) in &integer_keys {
                    out.insert(e.key.clone(), e.value.to_json());
                }
                for e in &map.entries {
                    if array_index(&e.key).is_none() {
                        out.insert(e.key.clone(), e.value.to_json());
                    }
                }
                serde_json::Value::Object(out)
            }
        }
    }
}

/// JavaScript orders object keys that are canonical array indexes first.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    key.parse::<u32>().ok().filter(|i| *i != u32::MAX)
}

/// A JSON number for a JavaScript number: integral values become integers so that they print
/// without a fraction; non-finite values become `null`, as `JSON.stringify` does.
pub fn number_to_json(n: f64) -> serde_json::Value {
    if !n.is_finite() {
        return serde_json::Value::Null;
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        if n == 0.0 {
            return serde_json::Value::from(0);
        }
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service of 1,000 functions holds hundreds of thousands of nodes, each with a span:
    /// these sizes are what the tree costs.
    #[test]
    fn nodes_and_entries_stay_small() {
        assert_eq!(std::mem::size_of::<Span>(), 28);
        assert!(std::mem::size_of::<Node>() <= 72);
        assert!(std::mem::size_of::<Entry>() <= 128);
    }

    #[test]
    fn positions_beyond_u32_are_kept_at_its_maximum() {
        let far = usize::try_from(u64::from(u32::MAX) + 1).unwrap_or(usize::MAX);
        assert_eq!(
            Pos::new(far, 2, 3),
            Pos {
                offset: u32::MAX,
                line: 2,
                column: 3
            }
        );
        assert_eq!(Pos::new(7, 1, 8).offset, 7);
    }
}
