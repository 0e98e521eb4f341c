//! The JSON writer: output byte-identical to JavaScript's `JSON.stringify(value, null, 2)`
//! (and, with no indent, `JSON.stringify(value)`), which is what the reference writes.

use serde_json::Value;
use streaming_events_yaml::format_js_number;

/// `JSON.stringify(value, null, 2)`.
pub fn to_js_pretty(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, Some(0));
    out
}

/// `JSON.stringify(value)`.
pub fn to_js_compact(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, None);
    out
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Value, indent: Option<usize>) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
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
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_value(out, item, indent.map(|l| l + 1));
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_string(out, key);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(out, item, indent.map(|l| l + 1));
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push('}');
        }
    }
}

/// JSON string escaping as `JSON.stringify` does it (well-formed: lone surrogates cannot occur
/// in a Rust string, so only quotes, backslashes and control characters are escaped).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_matches_json_stringify() {
        let value = json!({"a": [1, 2.5, {"b": null}], "e": [], "o": {}, "s": "x\"\n\u{1}"});
        assert_eq!(
            to_js_pretty(&value),
            "{\n  \"a\": [\n    1,\n    2.5,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": [],\n  \"o\": {},\n  \"s\": \"x\\\"\\n\\u0001\"\n}"
        );
    }

    #[test]
    fn compact_numbers_like_javascript() {
        let big = serde_json::Number::from_f64(1e21)
            .map(Value::Number)
            .unwrap();
        assert_eq!(to_js_compact(&json!([1, 0.5, -3])), "[1,0.5,-3]");
        assert_eq!(to_js_compact(&big), "1e+21");
    }
}
