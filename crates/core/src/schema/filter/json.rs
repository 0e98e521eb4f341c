//! Strict JSON (RFC 8259) for `test-filter`'s records and patterns, with a span on every value
//! and numbers kept as written: Lambda compares numbers in exact matches by their text (`300`,
//! `300.0` and `3.0e2` are three values), which a reader that turns numbers into `f64` loses.
//!
//! Nesting is bounded (as the loader bounds it) and every error says where it is.

use streaming_events_yaml::{FileId, Mapping, Node, Pos, Span, Value};

/// How deep a document may nest.
const MAX_DEPTH: usize = 200;

/// A JSON value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub value: JsonValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order; `key_span` is the key's.
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

/// A syntax error: what was expected, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub message: String,
    pub span: Span,
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match &self.value {
            JsonValue::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            JsonValue::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn members(&self) -> Option<&[Member]> {
        match &self.value {
            JsonValue::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number's value, for numeric comparisons.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            JsonValue::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// Compact JSON text (numbers as written), for messages.
    pub fn to_text(&self) -> String {
        match &self.value {
            JsonValue::Null => "null".into(),
            JsonValue::Bool(b) => b.to_string(),
            JsonValue::Number(text) => text.clone(),
            JsonValue::String(s) => serde_json::Value::String(s.clone()).to_string(),
            JsonValue::Array(items) => {
                let inner: Vec<String> = items.iter().map(Json::to_text).collect();
                format!("[{}]", inner.join(","))
            }
            JsonValue::Object(members) => {
                let inner: Vec<String> = members
                    .iter()
                    .map(|m| {
                        format!(
                            "{}:{}",
                            serde_json::Value::String(m.key.clone()),
                            m.value.to_text()
                        )
                    })
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
        }
    }

    /// The same value as a node tree (numbers as `f64`), for the filter-pattern validator.
    pub fn to_node(&self) -> Node {
        let value = match &self.value {
            JsonValue::Null => Value::Null,
            JsonValue::Bool(b) => Value::Bool(*b),
            JsonValue::Number(text) => Value::Number(text.parse().unwrap_or(f64::NAN)),
            JsonValue::String(s) => Value::String(s.clone()),
            JsonValue::Array(items) => Value::Seq(items.iter().map(Json::to_node).collect()),
            JsonValue::Object(members) => {
                let mut map = Mapping::default();
                for m in members {
                    map.insert(m.key.clone(), m.key_span, m.value.to_node());
                }
                Value::Map(map)
            }
        };
        Node::new(value, self.span)
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str, file: FileId) -> Result<Json, JsonError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        line_start: 0,
        file,
        column_cache: std::cell::Cell::new((0, 0)),
    };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.at < reader.bytes.len() {
        return Err(reader.error("the end of the document after one JSON value"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: usize,
    line_start: usize,
    file: FileId,
    /// `(offset, characters from the line's start)` of the last position computed.
    column_cache: std::cell::Cell<(usize, usize)>,
}

impl Reader<'_> {
    /// The position of `at`. Columns count characters from the last position asked for on the
    /// same line, so that a long one-line document costs linear time, not quadratic.
    fn pos(&self) -> Pos {
        let (from, counted) = match self.column_cache.get() {
            (offset, column) if offset >= self.line_start && offset <= self.at => (offset, column),
            _ => (self.line_start, 0),
        };
        let column = counted + self.text[from..self.at].chars().count();
        self.column_cache.set((self.at, column));
        let column = column + 1;
        Pos::new(self.at, self.line, column)
    }

    fn span_from(&self, start: Pos) -> Span {
        Span::new(self.file, start, self.pos())
    }

    fn error(&self, expected: &str) -> JsonError {
        let found = match self.text[self.at..].chars().next() {
            None => "the end of the text".to_string(),
            Some(c) => format!("{c:?}"),
        };
        let start = self.pos();
        let mut end = start;
        end.offset += self.text[self.at..]
            .chars()
            .next()
            .map_or(0, |c| c.len_utf8() as u32);
        end.column += 1;
        JsonError {
            message: format!("expected {expected}, found {found}"),
            span: Span::new(self.file, start, end),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.line_start = self.at;
                }
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("at most {MAX_DEPTH} levels of nesting")));
        }
        let start = self.pos();
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonValue::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JsonValue::Number(self.number()?),
            Some(b't') => self.keyword("true", JsonValue::Bool(true))?,
            Some(b'f') => self.keyword("false", JsonValue::Bool(false))?,
            Some(b'n') => self.keyword("null", JsonValue::Null)?,
            _ => return Err(self.error("a JSON value")),
        };
        Ok(Json {
            value,
            span: self.span_from(start),
        })
    }

    fn keyword(&mut self, word: &str, value: JsonValue) -> Result<JsonValue, JsonError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("a JSON value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.at += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("a key in double quotes"));
            }
            let key_start = self.pos();
            let key = self.string()?;
            let key_span = self.span_from(key_start);
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("`:` after the key"));
            }
            self.at += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            // The last of two equal keys wins, as in JavaScript's JSON.parse.
            members.retain(|m| m.key != key);
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(JsonValue::Object(members));
                }
                _ => return Err(self.error("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(self.error("`,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error("a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error("a digit in the exponent"));
            }
            self.digits();
        }
        Ok(self.text[start..self.at].to_string())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.text[self.at..].chars().next() else {
                return Err(self.error("a closing `\"`"));
            };
            match c {
                '"' => {
                    self.at += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error(
                        "a character other than a control character (write it escaped, e.g. \\n)",
                    ));
                }
                c => {
                    out.push(c);
                    self.at += c.len_utf8();
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) && self.text[self.at..].starts_with("\\u") {
                    let back = self.at;
                    self.at += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    self.at = back;
                }
                return Ok(char::from_u32(high).unwrap_or('\u{FFFD}'));
            }
            _ => {
                return Err(
                    self.error("an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)")
                )
            }
        };
        self.at += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.text.get(self.at..self.at + 4).unwrap_or("");
        match u32::from_str_radix(digits, 16) {
            Ok(n) if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.at += 4;
                Ok(n)
            }
            _ => Err(self.error("four hexadecimal digits after \\u")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_errors_their_place() {
        let json = parse(r#"{"a": [300, 300.0, 3.0e2, -0.5], "b": "x\u00e9"}"#, 0).unwrap();
        assert_eq!(json.to_text(), r#"{"a":[300,300.0,3.0e2,-0.5],"b":"xé"}"#);
        let error = parse("{\n  \"a\": [1,]\n}", 0).unwrap_err();
        assert_eq!((error.span.start.line, error.span.start.column), (2, 11));
        assert_eq!(error.message, "expected a JSON value, found ']'");
        assert!(parse("01", 0).is_err());
        assert!(parse("[1] x", 0).is_err());
        assert!(parse(&"[".repeat(300), 0).is_err());
        let error = parse("[\"é\", \"ü\", x]", 0).unwrap_err();
        assert_eq!(error.span.start.column, 12);
    }

    #[test]
    fn a_long_line_is_read_in_linear_time() {
        let text = format!("[{}0]", "0,".repeat(1_000_000));
        let started = std::time::Instant::now();
        assert!(parse(&text, 0).is_ok());
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
