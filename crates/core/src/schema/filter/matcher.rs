//! Lambda's event filtering, evaluated: does a record pass a mapping's filter patterns, and if
//! not, which field or operator failed and what value it saw.
//!
//! The rules (AWS's event-filtering pages; Lambda follows EventBridge's syntax): the fields of a
//! pattern must all match (`$or` takes any of its alternatives); a leaf is a list of rules, any
//! of which may match; a record value that is a list matches when one of its elements does;
//! exact values match by type, and numbers by their text (`300`, `300.0` and `3.0e2` differ);
//! `numeric` compares values; `exists` looks at leaves only. A pattern on the fields of a
//! payload that is not JSON drops the record, and so does a pattern on the whole payload as a
//! plain value when the payload is JSON (SQS, Kafka, MSK, Amazon MQ).
//!
//! Patterns reach this module already accepted by the validator beside it (`filter.rs`).

use super::json::{Json, JsonValue, Member};
use super::records::{Payload, Record};
use super::FilterSource;

/// Why a record did not pass one pattern: the first field that failed, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// The field's path in the pattern (`data.order.type`).
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// A record against a mapping's patterns: the first that matched, or why each failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Matched(usize),
    Missed(Vec<Miss>),
}

/// Evaluates a record against the patterns (Lambda passes a record when one pattern matches).
pub fn evaluate(patterns: &[Json], record: &Record, source: FilterSource) -> Verdict {
    let mut misses = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        match top_level(pattern, record, source) {
            Ok(()) => return Verdict::Matched(i),
            Err(miss) => misses.push(miss),
        }
    }
    Verdict::Missed(misses)
}

fn top_level(pattern: &Json, record: &Record, source: FilterSource) -> Result<(), Miss> {
    for member in pattern.members().unwrap_or_default() {
        if member.key == "$or" {
            any_of(&member.value, "", &|alternative| {
                top_level(alternative, record, source)
            })?;
        } else if member.key == source.data_key() && record.payload.is_some() {
            payload(member, record.payload.as_ref(), source)?;
        } else if let Some(field) = record.fields.iter().find(|f| f.key == member.key) {
            field_rule(&member.key, &member.value, Some(&field.value))?;
        } else if source.other_keys().is_empty() && member.key != source.data_key() {
            return Err(Miss {
                path: member.key.clone(),
                reason: format!(
                    "{} event source mappings filter only on `{}`, so a pattern on `{}` never matches",
                    source.name(),
                    source.data_key(),
                    member.key
                ),
            });
        } else {
            field_rule(&member.key, &member.value, None)?;
        }
    }
    Ok(())
}

/// `$or`: the first alternative that matches, else the first alternative's miss.
fn any_of(
    alternatives: &Json,
    path: &str,
    test: &dyn Fn(&Json) -> Result<(), Miss>,
) -> Result<(), Miss> {
    let items = alternatives.as_array().unwrap_or_default();
    let mut first = None;
    for item in items {
        match test(item) {
            Ok(()) => return Ok(()),
            Err(miss) => {
                first.get_or_insert(miss);
            }
        }
    }
    let first = first.map_or(String::new(), |m| format!("; the first failed at {m}"));
    Err(Miss {
        path: if path.is_empty() {
            "$or".into()
        } else {
            format!("{path}.$or")
        },
        reason: format!("none of the {} alternatives matched{first}", items.len()),
    })
}

/// The data key: its rules apply to the decoded payload.
fn payload(member: &Member, payload: Option<&Payload>, source: FilterSource) -> Result<(), Miss> {
    let key = &member.key;
    let miss = |reason: String| Miss {
        path: key.clone(),
        reason,
    };
    let fields_pattern = member.value.members().is_some();
    match payload {
        Some(Payload::Json(json)) if fields_pattern => field_rule(key, &member.value, Some(json)),
        Some(Payload::Json(json)) if source == FilterSource::Kinesis => Err(miss(format!(
            "the payload is JSON ({}), and Lambda refuses a pattern on Kinesis `data` as a plain value when the mapping is created",
            shorten(&json.to_text())
        ))),
        Some(Payload::Json(json)) => Err(miss(format!(
            "the payload is JSON ({}), but the pattern matches it as a plain string, so Lambda drops the record",
            shorten(&json.to_text())
        ))),
        Some(Payload::Text(text)) if fields_pattern => Err(miss(format!(
            "the payload is not JSON ({}), so Lambda drops the record for a pattern on its fields",
            shorten(&quoted(text))
        ))),
        Some(Payload::Text(_)) if source == FilterSource::Kinesis => Err(miss(
            "Lambda refuses a pattern on Kinesis `data` as a plain value when the mapping is created".into(),
        )),
        Some(Payload::Text(text)) => {
            let value = Json {
                value: JsonValue::String(text.clone()),
                span: member.value.span,
            };
            field_rule(key, &member.value, Some(&value))
        }
        Some(Payload::NotUtf8) => Err(miss(
            "the payload is not UTF-8, so Lambda drops the record".into(),
        )),
        None => field_rule(key, &member.value, None),
    }
}

/// One pattern field against the record's value there (`None` when absent).
fn field_rule(path: &str, rule: &Json, value: Option<&Json>) -> Result<(), Miss> {
    match &rule.value {
        JsonValue::Object(members) => nested(path, members, value),
        JsonValue::Array(rules) => leaf(path, rules, value),
        _ => Err(Miss {
            path: path.into(),
            reason: "the pattern's value here is neither an object nor a list".into(),
        }),
    }
}

/// A nested pattern: every field of it, in the record's object (or in one element of a list).
fn nested(path: &str, members: &[Member], value: Option<&Json>) -> Result<(), Miss> {
    let check = |object: Option<&Json>| -> Result<(), Miss> {
        for member in members {
            if member.key == "$or" {
                any_of(&member.value, path, &|alternative| {
                    nested(path, alternative.members().unwrap_or_default(), object)
                })?;
                continue;
            }
            let child = format!("{path}.{}", member.key);
            field_rule(
                &child,
                &member.value,
                object.and_then(|o| o.get(&member.key)),
            )?;
        }
        Ok(())
    };
    match value.map(|v| &v.value) {
        Some(JsonValue::Array(items)) if !items.is_empty() => {
            let mut first = None;
            for item in items {
                match check(Some(item)) {
                    Ok(()) => return Ok(()),
                    Err(miss) => {
                        first.get_or_insert(miss);
                    }
                }
            }
            Err(first.unwrap_or_else(|| absent(path, "a nested pattern")))
        }
        Some(JsonValue::Object(_)) => check(value),
        _ => check(None),
    }
}

fn absent(path: &str, wanted: &str) -> Miss {
    Miss {
        path: path.into(),
        reason: format!("the field is absent; the pattern needs {wanted}"),
    }
}

/// A list of rules against a leaf (or each element of a list).
fn leaf(path: &str, rules: &[Json], value: Option<&Json>) -> Result<(), Miss> {
    let values: Vec<&Json> = match value {
        None => Vec::new(),
        Some(Json {
            value: JsonValue::Array(items),
            ..
        }) => items.iter().collect(),
        Some(v) => vec![v],
    };
    let leaves: Vec<&Json> = values
        .iter()
        .copied()
        .filter(|v| !matches!(v.value, JsonValue::Object(_) | JsonValue::Array(_)))
        .collect();
    for rule in rules {
        if let Some(exists) = rule.get("exists").and_then(|e| match e.value {
            JsonValue::Bool(b) => Some(b),
            _ => None,
        }) {
            if exists != leaves.is_empty() {
                return Ok(());
            }
            continue;
        }
        if leaves.iter().any(|v| one(rule, v)) {
            return Ok(());
        }
    }
    let wanted = Json {
        value: JsonValue::Array(rules.to_vec()),
        span: rules.first().map_or_else(Default::default, |r| r.span),
    }
    .to_text();
    let Some(value) = value.filter(|_| !values.is_empty()) else {
        return Err(absent(path, &wanted));
    };
    let mut reason = format!("{} does not match {wanted}", shorten(&value.to_text()));
    if let Some(hint) = number_hint(rules, &leaves) {
        reason.push_str(&hint);
    }
    Err(Miss {
        path: path.into(),
        reason,
    })
}

/// When a record number equals a pattern number but is written differently.
fn number_hint(rules: &[Json], leaves: &[&Json]) -> Option<String> {
    for rule in rules {
        let (JsonValue::Number(text), Some(n)) = (&rule.value, rule.as_f64()) else {
            continue;
        };
        if let Some(found) = leaves.iter().find(|v| v.as_f64() == Some(n)) {
            return Some(format!(
                " (Lambda compares numbers in exact matches by their text: {} is not {text}; use {{\"numeric\": [\"=\", {text}]}})",
                found.to_text()
            ));
        }
    }
    None
}

/// One rule (an exact value or an operator object other than `exists`) against one leaf.
fn one(rule: &Json, value: &Json) -> bool {
    let Some(members) = rule.members() else {
        return exact(rule, value);
    };
    let Some(operator) = members.first() else {
        return false;
    };
    let text = value.as_str();
    let argument = &operator.value;
    match operator.key.as_str() {
        "prefix" | "suffix" => {
            let (wanted, fold) = match argument.get("equals-ignore-case") {
                Some(inner) => (inner.as_str(), true),
                None => (argument.as_str(), false),
            };
            let (Some(text), Some(wanted)) = (text, wanted) else {
                return false;
            };
            let (text, wanted) = if fold {
                (text.to_lowercase(), wanted.to_lowercase())
            } else {
                (text.to_string(), wanted.to_string())
            };
            if operator.key == "prefix" {
                text.starts_with(&wanted)
            } else {
                text.ends_with(&wanted)
            }
        }
        "equals-ignore-case" => match (text, argument.as_str()) {
            (Some(text), Some(wanted)) => text.to_lowercase() == wanted.to_lowercase(),
            _ => false,
        },
        "anything-but" => {
            let excluded: Vec<&Json> = match argument.as_array() {
                Some(items) => items.iter().collect(),
                None => vec![argument],
            };
            !excluded.iter().any(|x| same_for_anything_but(x, value))
        }
        "numeric" => numeric(argument, value),
        _ => false,
    }
}

/// Exact values: same type, strings by their characters, numbers by their text.
fn exact(rule: &Json, value: &Json) -> bool {
    match (&rule.value, &value.value) {
        (JsonValue::Null, JsonValue::Null) => true,
        (JsonValue::Bool(a), JsonValue::Bool(b)) => a == b,
        (JsonValue::String(a), JsonValue::String(b)) => a == b,
        (JsonValue::Number(a), JsonValue::Number(b)) => a == b,
        _ => false,
    }
}

/// `anything-but` excludes strings by their characters and numbers by their value.
fn same_for_anything_but(excluded: &Json, value: &Json) -> bool {
    match (&excluded.value, &value.value) {
        (JsonValue::Number(_), JsonValue::Number(_)) => excluded.as_f64() == value.as_f64(),
        _ => exact(excluded, value),
    }
}

/// `numeric`: a number within every comparison (`[">", 10, "<=", 20]`).
fn numeric(comparisons: &Json, value: &Json) -> bool {
    let Some(n) = value
        .as_f64()
        .filter(|_| matches!(value.value, JsonValue::Number(_)))
    else {
        return false;
    };
    let items = comparisons.as_array().unwrap_or_default();
    !items.is_empty()
        && items.chunks(2).all(|pair| match pair {
            [op, bound] => match (op.as_str(), bound.as_f64()) {
                (Some("="), Some(b)) => n == b,
                (Some("<"), Some(b)) => n < b,
                (Some("<="), Some(b)) => n <= b,
                (Some(">"), Some(b)) => n > b,
                (Some(">="), Some(b)) => n >= b,
                _ => false,
            },
            _ => false,
        })
}

fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A value short enough for a one-line reason.
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX - 1).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests;
