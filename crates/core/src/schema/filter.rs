//! Filter patterns checked against Lambda's event-filtering rules before anything deploys
//! (the reference never checks them; CloudFormation then fails with "Invalid filter pattern
//! definition" minutes into a deployment).
//!
//! Rules: a pattern is an object whose leaves are non-empty arrays of strings, numbers,
//! booleans, `null` or operator objects (`prefix`, `suffix`, `equals-ignore-case`,
//! `anything-but`, `numeric`, `exists`); `$or` takes a list of at least two sub-patterns; each
//! serialised pattern is at most 4,096 characters; more than 5 patterns is a warning (the
//! default quota), more than 10 an error; top-level keys other than the source's data key are
//! a warning.

pub mod json;
pub mod matcher;
pub mod records;

use crate::js::to_js_compact;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Node, Value};

pub const MAX_PATTERN_CHARS: usize = 4096;
pub const DEFAULT_PATTERN_QUOTA: usize = 5;
pub const MAX_PATTERNS: usize = 10;

/// Which event source the patterns filter, for the data-key check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterSource {
    DynamoDb,
    Kinesis,
    Kafka,
    AmazonMq,
    Sqs,
}

impl FilterSource {
    fn data_key(self) -> &'static str {
        match self {
            FilterSource::DynamoDb => "dynamodb",
            FilterSource::Kinesis | FilterSource::AmazonMq => "data",
            FilterSource::Kafka => "value",
            FilterSource::Sqs => "body",
        }
    }

    /// The keys a pattern may use beside the data key (D22): DynamoDB keeps its metadata keys,
    /// SQS its message metadata; Kinesis and Amazon MQ filter only on `data`, Kafka and MSK only
    /// on `value`.
    fn other_keys(self) -> &'static [&'static str] {
        match self {
            FilterSource::DynamoDb => &[
                "eventName",
                "eventSource",
                "eventVersion",
                "awsRegion",
                "userIdentity",
                "eventID",
                "eventSourceARN",
            ],
            FilterSource::Sqs => &[
                "messageId",
                "receiptHandle",
                "attributes",
                "messageAttributes",
                "md5OfBody",
                "eventSource",
                "eventSourceARN",
                "awsRegion",
            ],
            FilterSource::Kinesis | FilterSource::Kafka | FilterSource::AmazonMq => &[],
        }
    }

    /// Fields of the records that Lambda does not filter on (D22), for a precise warning.
    fn unfilterable_keys(self) -> &'static [&'static str] {
        match self {
            FilterSource::Kinesis => &[
                "partitionKey",
                "sequenceNumber",
                "approximateArrivalTimestamp",
                "kinesisSchemaVersion",
                "eventName",
                "eventSource",
                "eventVersion",
                "awsRegion",
                "eventID",
                "eventSourceARN",
            ],
            FilterSource::Kafka => &[
                "topic",
                "partition",
                "offset",
                "timestamp",
                "timestampType",
                "key",
                "headers",
            ],
            FilterSource::AmazonMq => &[
                "messageID",
                "messageType",
                "timestamp",
                "deliveryMode",
                "correlationID",
                "replyTo",
                "destination",
                "redelivered",
                "type",
                "expiration",
                "priority",
                "properties",
                "basicProperties",
            ],
            FilterSource::DynamoDb | FilterSource::Sqs => &[],
        }
    }

    fn name(self) -> &'static str {
        match self {
            FilterSource::DynamoDb => "DynamoDB",
            FilterSource::Kinesis => "Kinesis",
            FilterSource::Kafka => "Kafka and MSK",
            FilterSource::AmazonMq => "Amazon MQ",
            FilterSource::Sqs => "SQS",
        }
    }
}

/// Checks every pattern of one event's `filterPatterns` (already a list after coercion).
pub fn check_filter_patterns(patterns: &Node, path: &str, source: FilterSource) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(list) = patterns.as_seq() else {
        return out;
    };
    if list.len() > MAX_PATTERNS {
        out.push(
            Diagnostic::error(
                codes::FILTER_PATTERNS_TOO_MANY,
                format!(
                    "{} filter patterns, but Lambda accepts at most {MAX_PATTERNS} for one mapping",
                    list.len()
                ),
            )
            .with_path(path)
            .at(patterns.span, "these patterns")
            .with_help("combine patterns with $or, or split the event into several functions"),
        );
    } else if list.len() > DEFAULT_PATTERN_QUOTA {
        out.push(
            Diagnostic::warning(codes::FILTER_PATTERNS_TOO_MANY, format!("{} filter patterns; the default Lambda quota is {DEFAULT_PATTERN_QUOTA} per mapping", list.len()))
                .with_path(path)
                .at(patterns.span, "these patterns")
                .with_help("request a quota increase before deploying, or combine patterns with $or"),
        );
    }
    for (i, pattern) in list.iter().enumerate() {
        let pattern_path = format!("{path}[{i}]");
        let Some(map) = pattern.as_map() else {
            continue;
        };
        let serialised = to_js_compact(&pattern.to_json());
        let length = serialised.encode_utf16().count();
        if length > MAX_PATTERN_CHARS {
            out.push(
                Diagnostic::error(codes::FILTER_PATTERN_TOO_LONG, format!("the filter pattern is {length} characters long; Lambda accepts at most {MAX_PATTERN_CHARS}"))
                    .with_path(&pattern_path)
                    .at(pattern.span, "this pattern")
                    .with_help("match on fewer fields or values, or use prefix/anything-but operators"),
            );
        }
        let mut checker = Checker { out: &mut out };
        checker.object(pattern, &pattern_path);
        for entry in &map.entries {
            let key = entry.key.as_str();
            if key == source.data_key() || key == "$or" || source.other_keys().contains(&key) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    codes::FILTER_PATTERN_KEY_UNEXPECTED,
                    if source.unfilterable_keys().contains(&key) {
                        format!("{} event source mappings filter only on `{}`; a pattern on the record field `{key}` never matches", source.name(), source.data_key())
                    } else {
                        format!("the filter pattern key `{key}` is not a field of this source's records, so the pattern never matches")
                    },
                )
                .with_path(format!("{pattern_path}.{key}"))
                .at(entry.key_span, "this key")
                .with_help(format!("the record's payload is under `{}`", source.data_key())),
            );
        }
    }
    out
}

struct Checker<'a> {
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn fail(&mut self, node: &Node, path: &str, message: String, help: &str) {
        self.out.push(
            Diagnostic::error(codes::FILTER_PATTERN_INVALID, message)
                .with_path(path)
                .at(node.span, "here")
                .with_help(help.to_string()),
        );
    }

    fn object(&mut self, node: &Node, path: &str) {
        let Some(map) = node.as_map() else { return };
        for entry in &map.entries {
            let child = format!("{path}.{}", entry.key);
            let value = &entry.value;
            if entry.key == "$or" {
                match value.as_seq() {
                    Some(items) if items.len() >= 2 => {
                        for (i, item) in items.iter().enumerate() {
                            if item.as_map().is_some_and(|m| !m.is_empty()) {
                                self.object(item, &format!("{child}[{i}]"));
                            } else {
                                self.fail(
                                    item,
                                    &format!("{child}[{i}]"),
                                    "each $or alternative must be a non-empty pattern object"
                                        .into(),
                                    "write $or: [{a: [1]}, {b: [2]}]",
                                );
                            }
                        }
                    }
                    _ => self.fail(
                        value,
                        &child,
                        "$or needs a list of at least two patterns".into(),
                        "write $or: [{a: [1]}, {b: [2]}]",
                    ),
                }
                continue;
            }
            match &value.value {
                Value::Map(m) if !m.is_empty() => self.object(value, &child),
                Value::Seq(items) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        self.leaf_value(item, &format!("{child}[{i}]"));
                    }
                }
                Value::Seq(_) => self.fail(
                    value,
                    &child,
                    "a filter pattern leaf must be a non-empty list of values".into(),
                    "write the values to match in a list, e.g. [INSERT]",
                ),
                _ => self.fail(
                    value,
                    &child,
                    format!(
                        "a filter pattern leaf must be a list of values, got {}",
                        super::describe(value)
                    ),
                    "write the value inside a list, e.g. [INSERT]",
                ),
            }
        }
    }

    fn leaf_value(&mut self, node: &Node, path: &str) {
        match &node.value {
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
            Value::Seq(_) => self.fail(
                node,
                path,
                "a list inside a filter pattern's value list is not allowed".into(),
                "flatten the values into one list",
            ),
            Value::Map(map) => {
                if map.len() != 1 {
                    self.fail(
                        node,
                        path,
                        format!(
                            "an operator object must have exactly one operator, got {}",
                            map.len()
                        ),
                        "write one operator per object, e.g. [{prefix: a}, {suffix: b}]",
                    );
                    return;
                }
                let entry = &map.entries[0];
                self.operator(
                    &entry.key,
                    &entry.value,
                    node,
                    &format!("{path}.{}", entry.key),
                );
            }
        }
    }

    fn operator(&mut self, name: &str, value: &Node, node: &Node, path: &str) {
        match name {
            "prefix" | "suffix" => match &value.value {
                Value::String(_) => {}
                Value::Map(m) if m.len() == 1 && m.entries[0].key == "equals-ignore-case" && m.entries[0].value.as_str().is_some() => {}
                _ => self.fail(value, path, format!("`{name}` takes a string or {{equals-ignore-case: string}}"), "e.g. {prefix: ship}"),
            },
            "equals-ignore-case" => {
                if value.as_str().is_none() {
                    self.fail(value, path, "`equals-ignore-case` takes a string".into(), "e.g. {equals-ignore-case: Shipped}");
                }
            }
            "anything-but" => match &value.value {
                Value::String(_) | Value::Number(_) => {}
                Value::Seq(items) if !items.is_empty() && (items.iter().all(|i| i.as_str().is_some()) || items.iter().all(|i| i.as_f64().is_some())) => {}
                Value::Map(m) if m.len() == 1 => {
                    let inner = &m.entries[0].key;
                    self.fail(value, path, format!("`anything-but` with `{inner}` is not supported by Lambda event filtering"), "use anything-but with a value or a list of strings or numbers");
                }
                _ => self.fail(value, path, "`anything-but` takes a value, or a non-empty list of strings or of numbers".into(), "e.g. {anything-but: [free, trial]}"),
            },
            "numeric" => self.numeric(value, path),
            "exists" => {
                if value.as_bool().is_none() {
                    self.fail(value, path, "`exists` takes true or false".into(), "e.g. {exists: false}");
                }
            }
            "wildcard" | "cidr" => self.fail(node, path, format!("the `{name}` operator is not supported by Lambda event filtering"), "use prefix, suffix, equals-ignore-case, anything-but, numeric or exists"),
            other => self.fail(node, path, format!("unknown filter operator `{other}`"), "Lambda accepts prefix, suffix, equals-ignore-case, anything-but, numeric and exists"),
        }
    }

    fn numeric(&mut self, value: &Node, path: &str) {
        const HELP: &str =
            "write [op, number] or a range [>, low, <, high] with op one of =, <, <=, >, >=";
        let Some(items) = value.as_seq() else {
            self.fail(
                value,
                path,
                "`numeric` takes a list of comparisons".into(),
                HELP,
            );
            return;
        };
        let mut comparisons = Vec::new();
        let mut chunks = items.chunks(2);
        for chunk in chunks.by_ref() {
            let [op, number] = chunk else {
                self.fail(
                    value,
                    path,
                    "`numeric` comparisons come in pairs of operator and number".into(),
                    HELP,
                );
                return;
            };
            let Some(op) = op
                .as_str()
                .filter(|o| matches!(*o, "=" | "<" | "<=" | ">" | ">="))
            else {
                self.fail(
                    op,
                    path,
                    format!(
                        "`numeric` operator must be one of =, <, <=, >, >=, got {}",
                        super::describe(op)
                    ),
                    HELP,
                );
                return;
            };
            let Some(n) = number.as_f64().filter(|n| n.is_finite()) else {
                self.fail(
                    number,
                    path,
                    format!(
                        "`numeric` needs a finite number after {op}, got {}",
                        super::describe(number)
                    ),
                    HELP,
                );
                return;
            };
            comparisons.push((op, n));
        }
        match comparisons.as_slice() {
            [_] => {}
            [(low_op, low), (high_op, high)]
                if matches!(*low_op, ">" | ">=") && matches!(*high_op, "<" | "<=") =>
            {
                let empty = low > high || (low == high && (*low_op == ">" || *high_op == "<"));
                if empty {
                    self.fail(value, path, format!("the numeric range {low_op} {low} and {high_op} {high} matches no number"), HELP);
                }
            }
            [_, _] => self.fail(
                value,
                path,
                "a numeric range is a lower bound (> or >=) followed by an upper bound (< or <=)"
                    .into(),
                HELP,
            ),
            _ => self.fail(
                value,
                path,
                "`numeric` takes one comparison or one range of two".into(),
                HELP,
            ),
        }
    }
}

#[cfg(test)]
mod tests;
