//! Shared schema definitions (the reference's `#/definitions/…`), tightened where DEVIATIONS.md
//! says: anchored patterns (D9), real intrinsic functions (D10).

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
