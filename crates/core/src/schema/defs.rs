//! Shared schema definitions (the reference's `#/definitions/…`), tightened where DEVIATIONS.md
//! says: anchored patterns (D9), real intrinsic functions (D10).

use super::export::{doc, PropertyDoc};
use super::Schema;

pub const ARN_PATTERN: &str = "^arn:";
pub const SECRETS_MANAGER_ARN_PATTERN: &str =
    r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d+:secret:[A-Za-z0-9/_+=.@-]+$";
pub const MQ_BROKER_ARN_PATTERN: &str =
    r"^arn:[a-z-]+:mq:[a-z0-9-]+:\d+:broker:[A-Za-z0-9/_+=.@-]+:b-[a-z0-9-]+$";
pub const SUBNET_PATTERN: &str = "^subnet-[a-z0-9]+$";
pub const SECURITY_GROUP_PATTERN: &str = "^sg-[a-z0-9]+$";
pub const CONSUMER_GROUP_PATTERN: &str = r"^[a-zA-Z0-9-/*:_+=.@-]*$";

pub const STARTING_POSITIONS: &[&str] = &["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"];

/// `awsArnString`: a string starting with `arn:`.
pub fn arn_string() -> Schema {
    Schema::pattern(ARN_PATTERN)
}

/// `awsCfFunction`: any intrinsic function (D10).
pub fn cf_function() -> Schema {
    Schema::Intrinsic { only: None }
}

/// `awsArn`: an ARN string or an intrinsic function.
pub fn arn() -> Schema {
    Schema::any_of(
        "an ARN string or an intrinsic function",
        vec![arn_string(), cf_function()],
    )
}

/// `awsKmsArn`: a KMS key ARN or an intrinsic function (function, provider and event
/// `kmsKeyArn`).
pub fn kms_arn() -> Schema {
    Schema::any_of(
        "a KMS key ARN or an intrinsic function",
        vec![Schema::pattern("^arn:aws[a-z-]*:kms"), cf_function()],
    )
}

pub fn cf_import() -> Schema {
    Schema::Intrinsic {
        only: Some(&["Fn::ImportValue"]),
    }
}

pub fn cf_ref() -> Schema {
    Schema::Intrinsic {
        only: Some(&["Ref"]),
    }
}

pub fn secrets_manager_arn_string() -> Schema {
    Schema::pattern(SECRETS_MANAGER_ARN_PATTERN)
}

/// A Secrets Manager secret given as its ARN, `Fn::ImportValue` or `Ref` (the `basicAuthArn` of
/// Amazon MQ and DocumentDB).
pub fn secret_arn() -> Schema {
    Schema::any_of(
        "a Secrets Manager secret ARN, Fn::ImportValue or Ref",
        vec![secrets_manager_arn_string(), cf_import(), cf_ref()],
    )
}

/// `filterPatterns`: 1 to 10 objects (the finer rules are in [`super::filter`]).
pub fn filter_patterns() -> Schema {
    Schema::Array {
        items: Box::new(Schema::Object {
            props: Vec::new(),
            required: &[],
            additional: true,
            min_props: None,
        }),
        min_items: Some(1),
        max_items: None,
    }
}

/// `startingPosition` of streams (an untyped enum: no coercion).
pub fn starting_position() -> Schema {
    Schema::Enum(STARTING_POSITIONS)
}

/// `startingPosition` of kafka and msk (`type: string` with the enum: coerced).
pub fn typed_starting_position() -> Schema {
    Schema::StrEnum(STARTING_POSITIONS)
}

/// Counts and seconds of kafka, msk and Amazon MQ are integers (D8); the ranges are AWS's
/// (D19).
pub fn batch_size() -> Schema {
    Schema::aws(Schema::integer(1.0, 10000.0))
}

pub fn maximum_batching_window() -> Schema {
    Schema::aws(Schema::integer(0.0, 300.0))
}

pub fn consumer_group_id() -> Schema {
    Schema::aws(Schema::Str {
        pattern: Some(CONSUMER_GROUP_PATTERN),
        min_len: None,
        max_len: Some(200),
    })
}

/// What the editor schema says about the properties several event kinds share; a kind's own
/// table (its compiler's `docs`) comes first, so it can say more or give another default.
pub const MAPPING_DOCS: &[PropertyDoc] = &[
    doc("batchSize", "How many records Lambda reads from the source and hands to one invocation at most.", "`AWS::Lambda::EventSourceMapping` `BatchSize`", "not set: Lambda's default (100 for Kafka, MSK and Amazon MQ)"),
    doc("maximumBatchingWindow", "How long, in seconds, Lambda gathers records before invoking the function (0–300).", "`MaximumBatchingWindowInSeconds`", "not set: Lambda's default (500 ms for Kafka, MSK and Amazon MQ; 0 for SQS)"),
    doc("enabled", "Whether the event source mapping polls the source; `false` creates it paused.", "`Enabled`", "true (not set when absent, except for `stream`)"),
    doc("startingPosition", "Where in the stream or topic a new mapping starts reading.", "`StartingPosition`", "TRIM_HORIZON")
        .values(STARTING_POSITION_DOCS),
    doc("startingPositionTimestamp", "With `startingPosition: AT_TIMESTAMP`: the time to start reading at, in Unix seconds.", "`StartingPositionTimestamp`", "none (required with AT_TIMESTAMP)"),
    doc("filterPatterns", "Lambda event filtering: up to 5 patterns (10 on request); a record is delivered only when one of them matches. Each pattern is written as JSON.stringify writes it.", "`FilterCriteria.Filters[].Pattern`", "no filtering"),
    doc("consumerGroupId", "The Kafka consumer group the mapping joins (1–200 characters of `[a-zA-Z0-9-/*:_+=.@-]`).", "`SelfManagedKafkaEventSourceConfig.ConsumerGroupId` / `AmazonManagedKafkaEventSourceConfig.ConsumerGroupId`", "a group Lambda names after the mapping's id"),
    doc("topic", "The Kafka topic to read.", "`Topics` (one item)", "none (required)"),
    doc("functionResponseType", "`ReportBatchItemFailures`: the function returns which records failed, and only those are retried.", "`FunctionResponseTypes` (one item)", "not set: a failure retries the whole batch")
        .values(&[("ReportBatchItemFailures", "the function's response lists the failed records (`batchItemFailures`); the others count as processed")]),
];

/// The starting positions Lambda knows.
pub const STARTING_POSITION_DOCS: &[(&str, &str)] = &[
    (
        "LATEST",
        "only records written after the mapping is created",
    ),
    (
        "TRIM_HORIZON",
        "from the oldest record the stream or topic still holds",
    ),
    (
        "AT_TIMESTAMP",
        "from the time given in `startingPositionTimestamp` (Kinesis, Kafka and MSK; not DynamoDB)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::regex_test as matches;
    use regex::Regex;

    #[test]
    fn patterns_compile_and_are_anchored() {
        for pattern in [
            ARN_PATTERN,
            SECRETS_MANAGER_ARN_PATTERN,
            MQ_BROKER_ARN_PATTERN,
            SUBNET_PATTERN,
            SECURITY_GROUP_PATTERN,
            CONSUMER_GROUP_PATTERN,
        ] {
            assert!(Regex::new(pattern).is_ok(), "{pattern}");
        }
        assert!(matches(SUBNET_PATTERN, "subnet-0abc"));
        assert!(!matches(SUBNET_PATTERN, "my-subnet-0abc"));
        assert!(!matches(SECURITY_GROUP_PATTERN, "sg-abc "));
        assert!(matches(CONSUMER_GROUP_PATTERN, "group/a:b_c+d=e.f@g-h*"));
        assert!(!matches(CONSUMER_GROUP_PATTERN, "group with space"));
    }
}
