//! Where the first error of each rejected corpus case points: (case, line, column). Each
//! position was checked by reading the case: it is the offending value, or the key of an
//! unknown property, or the event key for a missing required property.

use std::path::Path;
use std::process::Command;

const POSITIONS: &[(&str, usize, usize)] = &[
    ("ddb-collision-filter-arrays-merged", 21, 16),
    ("ddb-consumer-true-ignored", 15, 21),
    ("ddb-destination-arbitrary-object-accepted", 18, 17),
    ("ddb-destination-type-overrides-arn", 18, 21),
    ("invalid-activemq-bad-broker-arn", 14, 16),
    ("invalid-activemq-batch-size-zero", 17, 22),
    ("invalid-activemq-missing-arn", 13, 9),
    ("invalid-activemq-queue-list", 16, 13),
    ("invalid-activemq-virtual-host", 17, 11),
    ("invalid-kafka-bad-secret-arn", 15, 32),
    ("invalid-kafka-bad-subnet-pattern", 15, 25),
    ("invalid-kafka-batch-size-10001", 18, 22),
    ("invalid-kafka-batch-size-string", 18, 22),
    ("invalid-kafka-batch-size-zero", 18, 22),
    ("invalid-kafka-batching-window-301", 18, 34),
    ("invalid-kafka-empty-bootstrap-servers", 16, 29),
    ("invalid-kafka-empty-secret-list", 15, 28),
    ("invalid-kafka-missing-access-configurations", 13, 9),
    ("invalid-kafka-missing-topic", 13, 9),
    ("invalid-kafka-security-group-without-subnet", 15, 31),
    ("invalid-kafka-starting-position-enum", 18, 29),
    ("invalid-kafka-unknown-access-kind", 15, 13),
    ("invalid-kafka-unknown-property", 18, 11),
    ("invalid-msk-arn-not-arn", 14, 16),
    ("invalid-msk-at-timestamp-missing", 16, 29),
    ("invalid-msk-batching-window-301", 16, 34),
    ("invalid-msk-consumer-group-too-long", 16, 28),
    ("invalid-msk-getatt-arn", 15, 13),
    ("invalid-msk-missing-arn", 13, 9),
    ("invalid-rabbitmq-batching-window-301", 17, 34),
    ("invalid-rabbitmq-enabled-string", 17, 20),
    ("invalid-rabbitmq-getatt-arn", 15, 13),
    ("invalid-rabbitmq-missing-queue", 13, 9),
    ("invalid-stream-arn-arbitrary-object-crash", 16, 13),
    ("invalid-stream-arn-not-arn", 14, 16),
    ("invalid-stream-arn-without-slash-crash", 13, 17),
    ("invalid-stream-batch-size-10001", 15, 22),
    ("invalid-stream-batch-size-string", 15, 22),
    ("invalid-stream-batch-size-zero", 15, 22),
    ("invalid-stream-batch-window-301", 15, 24),
    ("invalid-stream-consumer-at-timestamp-missing", 16, 29),
    ("invalid-stream-destination-cf-without-type", 18, 17),
    ("invalid-stream-destinations-missing-onfailure", 15, 11),
    ("invalid-stream-enabled-yes", 15, 20),
    ("invalid-stream-filter-pattern-string", 16, 15),
    ("invalid-stream-filter-patterns-empty", 15, 27),
    ("invalid-stream-function-response-type", 15, 33),
    ("invalid-stream-getatt-shorthand", 13, 17),
    ("invalid-stream-record-age-59", 15, 38),
    ("invalid-stream-timestamp-string", 17, 38),
    ("invalid-stream-tumbling-901", 15, 36),
    ("invalid-unsupported-event-kinesis", 13, 9),
    ("kafka-unanchored-patterns", 15, 25),
    ("kinesis-at-timestamp-no-consumer-no-timestamp", 15, 29),
    ("rabbitmq-empty-virtual-host", 17, 24),
];

#[test]
fn errors_point_at_the_offending_value_or_key() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/cases");
    let mut wrong = Vec::new();
    for (case, line, column) in POSITIONS {
        let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
            .args(["validate", "--format", "json", "--config"])
            .arg(cases.join(case).join("serverless.yml"))
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(1), "{case} is rejected");
        let diagnostics: serde_json::Value =
            serde_json::from_slice(&out.stderr).expect("JSON diagnostics");
        let first = diagnostics
            .as_array()
            // Some of these cases have service names of 33 characters or more, whose shared
            // role name IAM also refuses (IAM_ROLE_NAME_INVALID, at the service): a second
            // error of the case, not the one it was written for.
            .and_then(|d| {
                d.iter()
                    .find(|x| x["severity"] == "error" && x["code"] != "IAM_ROLE_NAME_INVALID")
            })
            .expect("an error");
        let got = (
            first["line"].as_u64().unwrap_or(0) as usize,
            first["column"].as_u64().unwrap_or(0) as usize,
        );
        if got != (*line, *column) {
            wrong.push(format!(
                "{case}: expected {line}:{column}, got {}:{} ({})",
                got.0, got.1, first["message"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
