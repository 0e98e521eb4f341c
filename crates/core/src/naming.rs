//! Logical ids and names: a faithful re-derivation of the Serverless Framework's naming rules
//! (`lib/plugins/aws/lib/naming.js`), plus our deviations D14–D16 (suffixes that disambiguate
//! colliding ids, alphanumeric consumer ids, the 255-character limit).
//!
//! Pure functions only: no configuration lookups, no IO. Every id it returns is alphanumeric
//! when its inputs are function names the schema accepts (`[a-zA-Z0-9-_]`).

use md5::{Digest, Md5};

/// CloudFormation's limit on logical ids.
pub const MAX_LOGICAL_ID: usize = 255;
/// Kinesis's limit on consumer names.
pub const MAX_CONSUMER_NAME: usize = 128;

/// lodash `upperFirst`.
pub fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `normalizeNameToAlphaNumericOnly`: drop everything but ASCII letters and digits, then
/// upper-case the first letter.
pub fn alphanumeric_only(name: &str) -> String {
    upper_first(
        &name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    )
}

/// `getNormalizedFunctionName`: `-` → `Dash`, `_` → `Underscore`, first letter upper-cased.
pub fn normalized_function_name(function_name: &str) -> String {
    let mut out = String::with_capacity(function_name.len() + 16);
    for (i, c) in function_name.chars().enumerate() {
        match c {
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            c if i == 0 => out.extend(c.to_uppercase()),
            c => out.push(c),
        }
    }
    out
}

pub fn lambda_logical_id(function_name: &str) -> String {
    cap(format!(
        "{}LambdaFunction",
        normalized_function_name(function_name)
    ))
}

pub fn log_group_logical_id(function_name: &str) -> String {
    cap(format!(
        "{}LogGroup",
        normalized_function_name(function_name)
    ))
}

pub fn lambda_version_logical_id(function_name: &str, digest: &str) -> String {
    let digest: String = digest.chars().filter(char::is_ascii_alphanumeric).collect();
    cap(format!(
        "{}LambdaVersion{digest}",
        normalized_function_name(function_name)
    ))
}

pub fn lambda_version_output_logical_id(function_name: &str) -> String {
    cap(format!("{}QualifiedArn", lambda_logical_id(function_name)))
}

pub fn provisioned_concurrency_alias_logical_id(function_name: &str) -> String {
    cap(format!(
        "{}ProvConcLambdaAlias",
        normalized_function_name(function_name)
    ))
}

pub fn snap_start_alias_logical_id(function_name: &str) -> String {
    cap(format!(
        "{}SnapStartLambdaAlias",
        normalized_function_name(function_name)
    ))
}

/// A function's dedicated role (reference v4): `<NormalizedFunction>IamRoleLambdaExecution`.
pub fn dedicated_role_logical_id(function_name: &str) -> String {
    cap(format!(
        "{}{DEFAULT_ROLE_LOGICAL_ID}",
        normalized_function_name(function_name)
    ))
}

/// The managed policies that carry a role's streaming permissions when its inline policy is
/// full: `<Role>StreamingPolicy<n>`.
pub fn streaming_policy_logical_id(role_logical_id: &str, index: usize) -> String {
    let suffix = format!("StreamingPolicy{index}");
    format!(
        "{}{suffix}",
        truncate(role_logical_id, MAX_LOGICAL_ID - suffix.len())
    )
}

/// The managed policies that carry a role's own statements when they alone pass its inline
/// limit: `<Role>StatementsPolicy<n>`.
pub fn statements_policy_logical_id(role_logical_id: &str, index: usize) -> String {
    let suffix = format!("StatementsPolicy{index}");
    format!(
        "{}{suffix}",
        truncate(role_logical_id, MAX_LOGICAL_ID - suffix.len())
    )
}

pub const PROVISIONED_CONCURRENCY_ALIAS_NAME: &str = "provisioned";
pub const SNAP_START_ALIAS_NAME: &str = "snapstart";
pub const DEFAULT_ROLE_LOGICAL_ID: &str = "IamRoleLambdaExecution";

/// `getStreamLogicalId`, cut to 255 characters by shortening the stream-name part (D16).
pub fn stream_logical_id(function_name: &str, stream_type: &str, stream_name: &str) -> String {
    let prefix = format!(
        "{}EventSourceMapping{}",
        normalized_function_name(function_name),
        upper_first(stream_type)
    );
    let stream = alphanumeric_only(stream_name);
    let room = MAX_LOGICAL_ID.saturating_sub(prefix.len());
    let id = format!("{prefix}{}", truncate(&stream, room));
    truncate(&id, MAX_LOGICAL_ID).to_string()
}

/// The part of a kafka/msk/mq id taken from a name: alphanumeric only, first letter upper-cased,
/// then cut to `max` characters (in that order, as the reference does).
fn name_part(name: &str, max: usize) -> String {
    truncate(&alphanumeric_only(name), max).to_string()
}

pub fn kafka_event_logical_id(function_name: &str, topic: &str) -> String {
    cap(format!(
        "{}EventSourceMappingKafka{}",
        normalized_function_name(function_name),
        name_part(topic, 158)
    ))
}

pub fn msk_event_logical_id(function_name: &str, cluster_name: &str, topic: &str) -> String {
    cap(format!(
        "{}EventSourceMappingMSK{}{}",
        normalized_function_name(function_name),
        name_part(cluster_name, 79),
        name_part(topic, 79)
    ))
}

pub fn activemq_event_logical_id(function_name: &str, queue: &str) -> String {
    cap(format!(
        "{}EventSourceMappingActiveMQ{}",
        normalized_function_name(function_name),
        name_part(queue, 150)
    ))
}

pub fn rabbitmq_event_logical_id(function_name: &str, queue: &str) -> String {
    cap(format!(
        "{}EventSourceMappingRabbitMQ{}",
        normalized_function_name(function_name),
        name_part(queue, 150)
    ))
}

/// `<Function>EventSourceMappingDocumentDB<Cluster><Database><Collection>` (the MSK id's shape:
/// the source's name parts after the kind, each alphanumeric with its first letter upper-cased
/// and cut to DocumentDB's own maximum: 63, 63 and 57 characters).
pub fn documentdb_event_logical_id(
    function_name: &str,
    cluster: &str,
    database: &str,
    collection: &str,
) -> String {
    cap(format!(
        "{}EventSourceMappingDocumentDB{}{}{}",
        normalized_function_name(function_name),
        name_part(cluster, 63),
        name_part(database, 63),
        name_part(collection, 57)
    ))
}

pub fn sqs_event_logical_id(function_name: &str, queue_name: &str) -> String {
    cap(format!(
        "{}EventSourceMappingSQS{}",
        normalized_function_name(function_name),
        alphanumeric_only(queue_name)
    ))
}

/// How Kinesis consumer names are built (`provider.kinesis.consumerNamingMode`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsumerNaming {
    /// `<function><stream>Consumer` (the reference v3 default).
    Default,
    /// `<function><stream><service><stage>Consumer`.
    ServiceSpecific { service: String, stage: String },
}

/// `getStreamConsumerName`: the function and stream names as written, not normalised.
pub fn stream_consumer_name(
    function_name: &str,
    stream_name: &str,
    naming: &ConsumerNaming,
) -> String {
    match naming {
        ConsumerNaming::Default => format!("{function_name}{stream_name}Consumer"),
        ConsumerNaming::ServiceSpecific { service, stage } => {
            format!("{function_name}{stream_name}{service}{stage}Consumer")
        }
    }
}

/// `getStreamConsumerLogicalId`, with every non-alphanumeric character that survives the
/// `Dash`/`Underscore` rewrite removed (D15).
pub fn stream_consumer_logical_id(consumer_name: &str) -> String {
    let id: String = normalized_function_name(consumer_name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let id = format!("{id}StreamConsumer");
    truncate(&id, MAX_LOGICAL_ID).to_string()
}

/// Whether a consumer name is one Kinesis accepts (D16).
pub fn is_valid_consumer_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_CONSUMER_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The D14 suffix: the first 8 hexadecimal digits, upper-case, of the MD5 of `identity_json`.
pub fn disambiguation_suffix(identity_json: &str) -> String {
    let digest = Md5::digest(identity_json.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02X}")).collect()
}

/// Appends a D14 suffix, keeping the result within 255 characters.
pub fn with_suffix(id: &str, suffix: &str) -> String {
    let room = MAX_LOGICAL_ID.saturating_sub(suffix.len());
    format!("{}{suffix}", truncate(id, room))
}

/// An id cut to CloudFormation's 255 characters (only ids the reference would make too long,
/// and CloudFormation would reject, are affected).
fn cap(mut id: String) -> String {
    let kept = truncate(&id, MAX_LOGICAL_ID).len();
    id.truncate(kept);
    id
}

/// The first `max` characters (all callers pass ASCII, so bytes and characters agree; the
/// fallback keeps char boundaries for anything else).
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// One pass gives what the reference's two replacements and `upperFirst` give.
        #[test]
        fn normalized_name_is_replace_then_upper_first(name in "[-_a-zA-Z0-9ßǆéı]{0,12}") {
            let expected = upper_first(&name.replace('-', "Dash").replace('_', "Underscore"));
            prop_assert_eq!(normalized_function_name(&name), expected);
        }
    }

    #[test]
    fn reference_examples() {
        assert_eq!(
            lambda_logical_id("stream-reader"),
            "StreamDashreaderLambdaFunction"
        );
        assert_eq!(
            lambda_logical_id("mq_worker"),
            "MqUnderscoreworkerLambdaFunction"
        );
        assert_eq!(
            stream_logical_id("process", "dynamodb", "Orders"),
            "ProcessEventSourceMappingDynamodbOrders"
        );
        assert_eq!(
            kafka_event_logical_id("consume", "java.events"),
            "ConsumeEventSourceMappingKafkaJavaevents"
        );
        assert_eq!(
            msk_event_logical_id("consumer", "payments", "java-msk"),
            "ConsumerEventSourceMappingMSKPaymentsJavamsk"
        );
        assert_eq!(
            stream_consumer_logical_id(&stream_consumer_name(
                "warm",
                "clickstream",
                &ConsumerNaming::Default
            )),
            "WarmclickstreamConsumerStreamConsumer"
        );
        assert_eq!(
            stream_consumer_logical_id("a-b_c.d"),
            "ADashbUnderscorecdStreamConsumer"
        );
    }

    #[test]
    fn d14_suffix_is_md5_prefix() {
        assert_eq!(
            disambiguation_suffix(
                r#"{"arn":"arn:aws:kinesis:us-east-1:123456789012:stream/clickstream"}"#
            ),
            "2F137CD4"
        );
    }

    #[test]
    fn long_names_are_cut() {
        let topic = "t".repeat(400);
        assert_eq!(
            kafka_event_logical_id("f", &topic).len(),
            "FEventSourceMappingKafka".len() + 158
        );
        assert_eq!(
            stream_logical_id("f", "kinesis", &topic).len(),
            MAX_LOGICAL_ID
        );
    }

    proptest! {
        #[test]
        fn ids_are_alphanumeric_bounded_and_stable(
            function in "[a-zA-Z0-9_-]{1,64}",
            name in "\\PC{0,300}",
        ) {
            for id in [
                stream_logical_id(&function, "kinesis", &name),
                kafka_event_logical_id(&function, &name),
                msk_event_logical_id(&function, &name, &name),
                activemq_event_logical_id(&function, &name),
                rabbitmq_event_logical_id(&function, &name),
                documentdb_event_logical_id(&function, &name, &name, &name),
                stream_consumer_logical_id(&stream_consumer_name(&function, &name, &ConsumerNaming::Default)),
                with_suffix(&stream_logical_id(&function, "kinesis", &name), &disambiguation_suffix(&name)),
            ] {
                prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{}", id);
                prop_assert!(id.len() <= MAX_LOGICAL_ID);
                prop_assert!(!id.is_empty());
            }
            prop_assert_eq!(kafka_event_logical_id(&function, &name), kafka_event_logical_id(&function, &name));
        }
    }
}
