//! Table of filter patterns, valid and invalid, one per rule.

use super::*;
use streaming_events_yaml::load;

/// (pattern as YAML flow, source, expected error code or None for valid, expected warning code)
const TABLE: &[(&str, FilterSource, Option<&str>, Option<&str>)] = &[
    // Valid shapes.
    ("{eventName: [INSERT]}", FilterSource::DynamoDb, None, None),
    (
        "{eventName: [INSERT, MODIFY]}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{dynamodb: {NewImage: {status: {S: [shipped]}}}}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{dynamodb: {NewImage: {n: {N: [1, 2.5]}}}}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{dynamodb: {NewImage: {flag: {BOOL: [true]}}}}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{dynamodb: {NewImage: {x: {NULL: [null]}}}}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{awsRegion: [eu-west-1]}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    (
        "{userIdentity: {type: [Service]}}",
        FilterSource::DynamoDb,
        None,
        None,
    ),
    ("{data: {kind: [a]}}", FilterSource::Kinesis, None, None),
    // D22: Kinesis filters only on `data`, Kafka and MSK only on `value`.
    (
        "{partitionKey: [p1]}",
        FilterSource::Kinesis,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    ("{value: {type: [order]}}", FilterSource::Kafka, None, None),
    (
        "{key: [{prefix: vip-}]}",
        FilterSource::Kafka,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{topic: [t], value: {a: [1]}}",
        FilterSource::Kafka,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{offset: [{numeric: ['>', 5]}]}",
        FilterSource::Kafka,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{headers: {a: [b]}}",
        FilterSource::Kafka,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{messageID: [m1]}",
        FilterSource::AmazonMq,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    // DynamoDB keeps its metadata keys beside `dynamodb`, SQS its message metadata.
    ("{eventName: [INSERT]}", FilterSource::DynamoDb, None, None),
    (
        "{attributes: {SenderId: [x]}}",
        FilterSource::Sqs,
        None,
        None,
    ),
    (
        "{data: {kind: [invoice]}}",
        FilterSource::AmazonMq,
        None,
        None,
    ),
    (
        "{data: {s: [{prefix: ship}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{suffix: .png}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{prefix: {equals-ignore-case: ship}}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{suffix: {equals-ignore-case: .PNG}}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{equals-ignore-case: Shipped}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{anything-but: free}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{anything-but: 5}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{anything-but: [a, b]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{anything-but: [1, 2]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', 0]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {n: [{numeric: ['=', 1.5]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {n: [{numeric: ['>=', 0, '<', 10]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', 0, '<=', 0.5]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {n: [{numeric: ['>=', 3, '<=', 3]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{exists: true}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [{exists: false}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {s: [a, {prefix: b}, 3, null]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{$or: [{data: {a: [1]}}, {data: {b: [2]}}]}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    (
        "{data: {$or: [{a: [1]}, {b: [2]}, {c: [3]}]}}",
        FilterSource::Kinesis,
        None,
        None,
    ),
    ("{}", FilterSource::Kinesis, None, None),
    // Invalid leaves.
    (
        "{eventName: INSERT}",
        FilterSource::DynamoDb,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{eventName: []}",
        FilterSource::DynamoDb,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{eventName: 5}",
        FilterSource::DynamoDb,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {a: {}}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {a: [[1]]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    // Operators Lambda does not accept.
    (
        "{data: {s: [{wildcard: 'a*'}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {ip: [{cidr: 10.0.0.0/24}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: {prefix: a}}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: {suffix: a}}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: {wildcard: a}}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: {equals-ignore-case: a}}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: []}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{anything-but: [a, 1]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{regex: a}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{prefix: a, suffix: b}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{prefix: 5}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{prefix: {wildcard: a}}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{equals-ignore-case: [a]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {s: [{exists: yes}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    // Numeric rules.
    (
        "{data: {n: [{numeric: ['!=', 1]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', abc]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>']}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['<', 10, '>', 0]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', 10, '<', 5]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', 3, '<', 3]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', 1, '<', 5, '=', 3]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: ['>', .inf]}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{data: {n: [{numeric: 5}]}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    // $or.
    (
        "{$or: [{data: {a: [1]}}]}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{$or: {data: {a: [1]}}}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    (
        "{$or: [{data: {a: [1]}}, {}]}",
        FilterSource::Kinesis,
        Some("FILTER_PATTERN_INVALID"),
        None,
    ),
    // Data keys.
    (
        "{data: {a: [1]}}",
        FilterSource::DynamoDb,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{dynamodb: {a: [1]}}",
        FilterSource::Kinesis,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{data: {a: [1]}}",
        FilterSource::Kafka,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
    (
        "{body: {a: [1]}}",
        FilterSource::AmazonMq,
        None,
        Some("FILTER_PATTERN_KEY_UNEXPECTED"),
    ),
];

fn check_one(yaml: &str, source: FilterSource) -> Vec<Diagnostic> {
    let node = load(&format!("- {yaml}"), 0).expect("test pattern loads");
    check_filter_patterns(&node, "p", source)
}

#[test]
fn pattern_table() {
    assert!(TABLE.len() >= 60);
    for (yaml, source, error, warning) in TABLE {
        let found = check_one(yaml, *source);
        let errors: Vec<&str> = found
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.id)
            .collect();
        let warnings: Vec<&str> = found
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| d.code.id)
            .collect();
        match error {
            Some(code) => assert_eq!(errors, vec![*code], "{yaml}"),
            None => assert!(errors.is_empty(), "{yaml}: {errors:?}"),
        }
        match warning {
            Some(code) => assert_eq!(warnings, vec![*code], "{yaml}"),
            None => assert!(warnings.is_empty(), "{yaml}: {warnings:?}"),
        }
    }
}

#[test]
fn operator_errors_name_the_operator() {
    let found = check_one("{data: {s: [{wildcard: 'a*'}]}}", FilterSource::Kinesis);
    assert!(found[0].message.contains("wildcard"));
    let found = check_one(
        "{data: {s: [{anything-but: {prefix: a}}]}}",
        FilterSource::Kinesis,
    );
    assert!(found[0].message.contains("anything-but") && found[0].message.contains("prefix"));
}

#[test]
fn counts_and_length() {
    let six = (0..6)
        .map(|i| format!("- {{data: {{k: [{i}]}}}}"))
        .collect::<Vec<_>>()
        .join("\n");
    let found = check_filter_patterns(&load(&six, 0).unwrap(), "p", FilterSource::Kinesis);
    assert_eq!(found.len(), 1);
    assert!(!found[0].is_error());
    let eleven = (0..11)
        .map(|i| format!("- {{data: {{k: [{i}]}}}}"))
        .collect::<Vec<_>>()
        .join("\n");
    let found = check_filter_patterns(&load(&eleven, 0).unwrap(), "p", FilterSource::Kinesis);
    assert!(found
        .iter()
        .any(|d| d.is_error() && d.code.id == "FILTER_PATTERNS_TOO_MANY"));
    let long = format!("- {{data: {{k: [{}]}}}}", "x".repeat(5000));
    let found = check_filter_patterns(&load(&long, 0).unwrap(), "p", FilterSource::Kinesis);
    assert_eq!(found[0].code.id, "FILTER_PATTERN_TOO_LONG");
}
