//! JavaScript semantics in one home, for the values the reference computes with: the
//! `JSON.stringify` writer (pretty and compact, byte-identical to what the reference writes),
//! truthiness of nodes and of JSON values, lodash `_.merge` for nodes and for JSON values,
//! side by side, Ajv's `pattern` test (regexes built once), and how its messages name a value.
//!
//! Architecture invariant: this is the bottom layer. It knows nothing of AWS, of the service
//! model or of diagnostics; every other layer may use it.

use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use streaming_events_yaml::{format_js_number, Node};

/// `JSON.stringify(value, null, 2)`.
pub fn to_js_pretty(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, Some(0));
    out
}

/// `JSON.stringify(value, null, 2)` written to `out` as it is made, through a buffer, rather
/// than made into one string first: a template of 1,000 functions is 8 MB of text. The first
/// error of `out` is returned (what is written after it is dropped).
pub fn write_js_pretty(out: &mut dyn std::io::Write, value: &Value) -> std::io::Result<()> {
    let mut sink = IoSink {
        out: std::io::BufWriter::with_capacity(64 * 1024, out),
        error: None,
    };
    write_value(&mut sink, value, Some(0));
    match sink.error {
        // Dropping the buffer unwritten: a writer that failed is not written again.
        Some(e) => {
            let _ = sink.out.into_parts();
            Err(e)
        }
        None => std::io::Write::flush(&mut sink.out),
    }
}

/// `JSON.stringify(value)`.
pub fn to_js_compact(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, None);
    out
}

/// The characters (Unicode scalar values) of `JSON.stringify(value)`, counted without writing
/// the text.
pub fn compact_chars(value: &Value) -> usize {
    let mut count = CountChars::default();
    write_value(&mut count, value, None);
    count.0
}

/// `JSON.stringify({...entries})` in bytes, for a map that is not a [`Value`] (the template's
/// root) and without copying it.
pub fn compact_len_of_map(map: &serde_json::Map<String, Value>) -> usize {
    let mut count = CountBytes::default();
    write_map(&mut count, map, None);
    count.0
}

/// A JSON object of `entries`, in their order, moved in: what `json!({"k": v})` builds, without
/// the copy `json!` makes of every value it is given (it serialises them).
pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = serde_json::Map::with_capacity(N);
    for (key, value) in entries {
        map.insert(key.to_string(), value);
    }
    Value::Object(map)
}

/// Where the writer puts its text: a string, or a counter of its length.
trait Sink {
    fn push_str(&mut self, text: &str);

    /// `"text"`: a string that needs no escape, in quotes.
    fn push_quoted(&mut self, text: &str) {
        self.push_str("\"");
        self.push_str(text);
        self.push_str("\"");
    }
}

impl Sink for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }

    fn push_quoted(&mut self, text: &str) {
        self.reserve(text.len() + 2);
        self.push('"');
        String::push_str(self, text);
        self.push('"');
    }
}

/// A writer's sink: keeps the first error, and writes nothing after it.
struct IoSink<W: std::io::Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> Sink for IoSink<W> {
    fn push_str(&mut self, text: &str) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(text.as_bytes()) {
                self.error = Some(e);
            }
        }
    }
}

/// The length in bytes of what is written.
#[derive(Default)]
struct CountBytes(usize);

impl Sink for CountBytes {
    fn push_str(&mut self, text: &str) {
        self.0 += text.len();
    }

    fn push_quoted(&mut self, text: &str) {
        self.0 += text.len() + 2;
    }
}

/// The length in characters (Unicode scalar values) of what is written.
#[derive(Default)]
struct CountChars(usize);

impl Sink for CountChars {
    fn push_str(&mut self, text: &str) {
        self.0 += if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
    }
}

/// A line break and `indent` levels of two spaces, as `JSON.stringify(value, null, 2)` writes
/// them, in one piece for the usual depths.
fn newline(out: &mut impl Sink, indent: usize) {
    const LINE: &str = "\n                                                                ";
    let mut spaces = indent * 2;
    let first = spaces.min(LINE.len() - 1);
    out.push_str(&LINE[..=first]);
    spaces -= first;
    while spaces > 0 {
        let more = spaces.min(LINE.len() - 1);
        out.push_str(&LINE[1..=more]);
        spaces -= more;
    }
}

fn write_value(out: &mut impl Sink, value: &Value, indent: Option<usize>) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                write_integer(out, i);
            } else if let Some(u) = n.as_u64() {
                out.push_str(&format_js_number(u as f64));
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.is_finite() {
                    out.push_str(&format_js_number(f));
                } else {
                    out.push_str("null");
                }
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_value(out, item, indent.map(|l| l + 1));
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push_str("]");
        }
        Value::Object(map) => write_map(out, map, indent),
    }
}

fn write_map(out: &mut impl Sink, map: &serde_json::Map<String, Value>, indent: Option<usize>) {
    if map.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{");
    for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(",");
        }
        if let Some(level) = indent {
            newline(out, level + 1);
        }
        write_string(out, key);
        out.push_str(if indent.is_some() { ": " } else { ":" });
        write_value(out, item, indent.map(|l| l + 1));
    }
    if let Some(level) = indent {
        newline(out, level);
    }
    out.push_str("}");
}

/// An integer in decimal, without the allocation of `to_string`.
fn write_integer(out: &mut impl Sink, value: i64) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// JSON string escaping as `JSON.stringify` does it (well-formed: lone surrogates cannot occur
/// in a Rust string, so only quotes, backslashes and control characters are escaped). The runs
/// between escapes are copied whole: an ASCII byte is never part of a longer UTF-8 sequence, so
/// every escaped byte is a character boundary.
fn write_string(out: &mut impl Sink, s: &str) {
    if !s.bytes().any(|byte| NEEDS_ESCAPE[byte as usize]) {
        out.push_quoted(s);
        return;
    }
    out.push_str("\"");
    let mut start = 0;
    for (i, &byte) in s.as_bytes().iter().enumerate() {
        if !NEEDS_ESCAPE[byte as usize] {
            continue;
        }
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push_str("\"");
}

/// The bytes [`write_string`] escapes: control characters, the quote and the backslash.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// JavaScript truthiness of a node.
pub fn truthy(node: &Node) -> bool {
    use streaming_events_yaml::Value as V;
    match &node.value {
        V::Null => false,
        V::Bool(b) => *b,
        V::Number(n) => *n != 0.0 && !n.is_nan(),
        V::String(s) => !s.is_empty(),
        V::Seq(_) | V::Map(_) => true,
    }
}

/// JavaScript truthiness of a JSON value.
pub fn value_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// lodash `_.merge` on JSON values: objects merge key by key, arrays index by index, other
/// values (`null` included) replace.
pub fn merge_values(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => {
            for (key, value) in source {
                match target.get_mut(&key) {
                    Some(existing) => merge_values(existing, value),
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(source)) => {
            for (i, value) in source.into_iter().enumerate() {
                match target.get_mut(i) {
                    Some(existing) => merge_values(existing, value),
                    None => target.push(value),
                }
            }
        }
        (target, source) => *target = source,
    }
}

/// lodash `_.merge` on nodes, with the same rules as [`merge_values`]; merged keys keep the
/// position of their first occurrence, replaced values bring their own.
pub fn merge_nodes(target: &mut Node, source: Node) {
    use streaming_events_yaml::Value as V;
    match (&mut target.value, source.value) {
        (V::Map(target), V::Map(source)) => {
            for entry in source.entries {
                match target.get_mut(&entry.key) {
                    Some(existing) => merge_nodes(existing, entry.value),
                    None => target.entries.push(entry),
                }
            }
        }
        (V::Seq(target), V::Seq(source)) => {
            for (index, item) in source.into_iter().enumerate() {
                match target.get_mut(index) {
                    Some(existing) => merge_nodes(existing, item),
                    None => target.push(item),
                }
            }
        }
        (_, value) => {
            *target = Node {
                value,
                span: source.span,
                via: source.via,
            };
        }
    }
}

/// A short description of a value for error messages.
pub fn describe(node: &Node) -> String {
    use streaming_events_yaml::Value as V;
    match &node.value {
        V::Null => "null".to_string(),
        V::Bool(b) => format!("boolean {b}"),
        V::Number(n) => format!("number {}", format_js_number(*n)),
        V::String(s) => {
            let shown: String = s.chars().take(80).collect();
            format!("string {shown:?}")
        }
        V::Seq(items) => format!("a list of {} item(s)", items.len()),
        V::Map(map) => {
            let keys: Vec<&str> = map.keys().take(5).collect();
            format!("an object {{{}}}", keys.join(", "))
        }
    }
}

/// Ajv's `pattern` keyword: whether `text` matches `pattern` (compiled once per pattern). An invalid pattern matches
/// nothing; all patterns are constants of this crate, covered by tests.
pub fn regex_test(pattern: &'static str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let Ok(mut cache) = cache.lock() else {
        return false;
    };
    let regex = cache
        .entry(pattern)
        .or_insert_with(|| Regex::new(&javascript_classes(pattern)).ok());
    regex.as_ref().is_some_and(|r| r.is_match(text))
}

/// A JavaScript pattern's `\w`, `\d`, `\W` and `\D` as the ASCII classes they are in
/// JavaScript (with or without the `u` flag); in Rust they are Unicode classes, which also make
/// a bounded repetition (`[\w.]{1,128}`) a large automaton to build on every run.
fn javascript_classes(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains('\\') {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('w' | 'd' | 'W' | 'D')) => {
                    let name = if e.eq_ignore_ascii_case(&'w') {
                        "word"
                    } else {
                        "digit"
                    };
                    let negated = if e.is_ascii_uppercase() { "^" } else { "" };
                    if in_class {
                        out.push_str(&format!("[:{negated}{name}:]"));
                    } else {
                        out.push_str(&format!("[{negated}[:{name}:]]"));
                    }
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_written_text_is_the_pretty_text() {
        let items: Vec<Value> = (0..20_000)
            .map(|i| json!({"Ref": format!("R{i}"), "s": "a\"b\\c\u{1}", "n": [1.5, -2, null]}))
            .collect();
        let value = json!({"Resources": items, "e": {}, "l": []});
        let mut written = Vec::new();
        write_js_pretty(&mut written, &value).unwrap();
        assert!(written.len() > 64 * 1024);
        assert_eq!(String::from_utf8(written).unwrap(), to_js_pretty(&value));
    }

    /// A writer that fails once it has taken `room` bytes, and counts every call after that.
    struct Full {
        room: usize,
        calls_after: usize,
    }

    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                self.calls_after += 1;
                return Err(std::io::Error::from_raw_os_error(28));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_write_error_is_returned_and_nothing_is_written_after_it() {
        let value = json!({"k": "x".repeat(300_000), "l": ["y".repeat(100_000)]});
        let mut full = Full {
            room: 70_000,
            calls_after: 0,
        };
        let e = write_js_pretty(&mut full, &value).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(28));
        assert_eq!(full.calls_after, 1);
    }

    #[test]
    fn pretty_matches_json_stringify() {
        let value = json!({"a": [1, 2.5, {"b": null}], "e": [], "o": {}, "s": "x\"\n\u{1}"});
        assert_eq!(
            to_js_pretty(&value),
            "{\n  \"a\": [\n    1,\n    2.5,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": [],\n  \"o\": {},\n  \"s\": \"x\\\"\\n\\u0001\"\n}"
        );
    }

    #[test]
    fn deep_values_are_indented_two_spaces_a_level() {
        // Deeper than the indentation the writer has in one piece (32 levels).
        let depth = 45;
        let mut value = json!("\u{1f}\\\u{8}\u{c}\r\t");
        for _ in 0..depth {
            value = json!([value]);
        }
        let mut expected = String::new();
        for level in 0..depth {
            expected.push('[');
            expected.push('\n');
            expected.push_str(&"  ".repeat(level + 1));
        }
        expected.push_str("\"\\u001f\\\\\\b\\f\\r\\t\"");
        for level in (0..depth).rev() {
            expected.push('\n');
            expected.push_str(&"  ".repeat(level));
            expected.push(']');
        }
        assert_eq!(to_js_pretty(&value), expected);
        assert_eq!(compact_chars(&value), to_js_compact(&value).chars().count());
    }

    #[test]
    fn word_and_digit_classes_are_ascii_as_in_javascript() {
        assert!(regex_test(r"^[\w./=+:\- ]{1,128}$", "team/a_b-9 x"));
        assert!(!regex_test(r"^[\w./=+:\- ]{1,128}$", "équipe"));
        assert!(!regex_test(r"^[\w./=+:\- ]{1,128}$", &"a".repeat(129)));
        assert!(regex_test(r"^\d+:\W$", "12:-"));
        assert!(!regex_test(r"^\d+$", "١٢"));
        assert!(regex_test(r"^[^\D]$", "7"));
        assert!(regex_test(r"^a\.b\\$", "a.b\\"));
    }

    #[test]
    fn lengths_are_those_of_the_written_text() {
        let value =
            json!({"é": ["x\"\\\u{7}\t", -12, 0, 1.5, null, true, {}, []], "k": {"ü": "日本"}});
        assert_eq!(compact_chars(&value), to_js_compact(&value).chars().count());
        assert!(compact_chars(&value) < to_js_compact(&value).len());
        let Value::Object(map) = &value else {
            unreachable!()
        };
        assert_eq!(compact_len_of_map(map), to_js_compact(&value).len());
        assert_eq!(
            to_js_compact(&value),
            "{\"é\":[\"x\\\"\\\\\\u0007\\t\",-12,0,1.5,null,true,{},[]],\"k\":{\"ü\":\"日本\"}}"
        );
        assert_eq!(to_js_compact(&json!(i64::MIN)), i64::MIN.to_string());
    }

    #[test]
    fn compact_numbers_like_javascript() {
        let big = serde_json::Number::from_f64(1e21)
            .map(Value::Number)
            .unwrap();
        assert_eq!(to_js_compact(&json!([1, 0.5, -3])), "[1,0.5,-3]");
        assert_eq!(to_js_compact(&big), "1e+21");
    }

    #[test]
    fn lodash_merge() {
        let mut a = json!({"a": {"b": 1, "c": [1, 2]}, "d": 1});
        merge_values(&mut a, json!({"a": {"c": [3]}, "d": 2, "e": null}));
        assert_eq!(a, json!({"a": {"b": 1, "c": [3, 2]}, "d": 2, "e": null}));
        // `null` replaces, as in lodash.
        merge_values(&mut a, json!({"a": null}));
        assert_eq!(a, json!({"a": null, "d": 2, "e": null}));
    }

    #[test]
    fn truthiness_as_in_javascript() {
        for (value, truthy) in [
            (json!(null), false),
            (json!(0), false),
            (json!(""), false),
            (json!(false), false),
            (json!("0"), true),
            (json!([]), true),
            (json!({}), true),
            (json!(-1), true),
        ] {
            assert_eq!(value_truthy(&value), truthy, "{value}");
        }
    }
}
