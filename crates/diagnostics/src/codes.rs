//! The one registry of error and warning codes. Adding an error is one line here (and its entry
//! in `docs/errors.md`, which a test keeps in step with this list).
//!
//! Codes the Serverless Framework already has keep its spelling; the others are ours.

/// A diagnostic code and a one-line summary of what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub id: &'static str,
    pub summary: &'static str,
    /// The Serverless Framework's code for the same failure, where it reports it under another
    /// one (`=> "…"` in the registry): diagnostics name it, so that users (and scripts) that
    /// know the framework's codes find theirs.
    pub reference: Option<&'static str>,
}

macro_rules! codes {
    (@reference) => { None };
    (@reference $reference:literal) => { Some($reference) };
    ($($name:ident = $summary:literal $(=> $reference:literal)?;)*) => {
        $(pub const $name: Code = Code {
            id: stringify!($name),
            summary: $summary,
            reference: codes!(@reference $($reference)?),
        };)*
        /// Every code, in registry order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    // Loading the service file.
    CONFIG_FILE_NOT_FOUND = "the service file does not exist";
    CONFIG_FILE_UNREADABLE = "the service file cannot be read (a directory, a device or FIFO, not UTF-8, no permission)";
    CONFIG_FILE_TOO_LARGE = "the service file is larger than the loader accepts";
    STDIN_READ_TWICE = "two of --config, --template and --previous name standard input, which can be read once";
    CONFIG_FILE_EMPTY = "the service file holds no configuration" => "INVALID_CONFIGURATION_EXPORT";
    CONFIG_NOT_A_MAPPING = "the service file holds a value that is not a mapping" => "INVALID_CONFIGURATION_EXPORT";
    YAML_SYNTAX_ERROR = "the file is not valid YAML or JSON" => "CONFIGURATION_PARSE_ERROR";
    YAML_DUPLICATE_KEY = "a mapping has the same key twice" => "CONFIGURATION_PARSE_ERROR";
    YAML_UNKNOWN_TAG = "a tag that is neither a YAML core tag nor a CloudFormation short form" => "CONFIGURATION_PARSE_ERROR";
    YAML_TOO_DEEP = "the document nests deeper than the loader accepts" => "CONFIGURATION_PARSE_ERROR";
    YAML_ALIAS_BOMB = "aliases expand to more values than the loader accepts" => "CONFIGURATION_PARSE_ERROR";
    YAML_TOO_MANY_VALUES = "the document holds more values than the loader accepts (no alias involved)" => "CONFIGURATION_PARSE_ERROR";
    YAML_UNKNOWN_ANCHOR = "an alias refers to an anchor that is not defined before it" => "CONFIGURATION_PARSE_ERROR";
    YAML_MULTIPLE_DOCUMENTS = "the file holds more than one YAML document" => "CONFIGURATION_PARSE_ERROR";
    YAML_INVALID_MERGE = "a merge key (<<) whose value is not a mapping or a list of mappings" => "CONFIGURATION_PARSE_ERROR";
    // The service as a whole.
    SERVICE_NAME_MISSING = "service is missing or empty";
    SERVICE_OBJECT_NOTATION = "service is written in the old object form (service: {name: x})";
    SERVICE_NAME_INVALID = "service is not a string";
    PROVIDER_NAME_MISSING = "provider or provider.name is missing" => "INVALID_CONFIGURATION_PROVIDER_NAME_MISSING";
    PROVIDER_NAME_INVALID = "provider.name is not aws";
    RUNTIME_DEFAULT_UNSUPPORTED = "no runtime is set, and the reference's default runtime is one AWS no longer accepts";
    NON_OBJECT_FUNCTIONS_CONFIGURATION = "functions is neither a mapping nor a list of mappings";
    FUNCTIONS_INVALID = "a function name has characters other than letters, digits, - and _";
    NON_OBJECT_FUNCTION_CONFIGURATION_ERROR = "a function is not a mapping";
    FUNCTION_EMPTY = "a function without configuration (null), left out as the reference does";
    LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT = "an item of a functions or resources list is not a mapping";
    FUNCTION_NEITHER_HANDLER_NOR_IMAGE_DEFINED_ERROR = "a function with neither handler nor image";
    FUNCTION_BOTH_HANDLER_AND_IMAGE_DEFINED_ERROR = "a function with both handler and image";
    FUNCTION_BOTH_PROVISIONED_CONCURRENCY_AND_SNAPSTART_ENABLED_ERROR = "a function with both SnapStart and provisioned concurrency";
    LAMBDA_FILE_SYSTEM_CONFIG_MISSING_VPC = "a function with fileSystemConfig but no VPC";
    UNSUPPORTED_DESTINATION_TARGET = "an async-invocation destination that is not a function, queue, topic or event bus";
    FUNCTION_IMAGE_UNSUPPORTED = "an image built from provider.ecr.images, which needs Docker";
    INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION = "a property does not match the configuration schema";
    EVENTS_NOT_COMPILED = "a note: events of kinds streaming-events does not compile (http, s3, sns, schedule, ...) were left out of the template";
    // Variables.
    VARIABLE_SYNTAX_INVALID = "a ${...} variable cannot be parsed" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_SOURCE_UNKNOWN = "a variable names a source that does not exist" => "UNRECOGNIZED_VARIABLE_SOURCES";
    VARIABLE_SOURCE_OFFLINE = "a variable needs AWS, which is not reachable offline; give its value with --var" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_NOT_RESOLVED = "a variable resolves to nothing and has no fallback" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_CYCLE = "variables refer to each other in a cycle" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_TOO_DEEP = "variables nest or refer to each other too deeply" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_RESULT_INVALID = "a variable's value cannot be used where it stands" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_RESULT_TOO_LARGE = "variables expand to a value larger than accepted" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_FILE_INVALID = "a file read by ${file(...)} cannot be read or parsed" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_FILES_TOO_LARGE = "the files read by ${file(...)} together pass the budget for all files a run reads" => "VARIABLES_RESOLUTION_ERROR";
    VARIABLE_LOOKALIKE = "text that looks like a variable but is not one stays as written";
    VARIABLE_FAN_OUT = "variables refer to values that refer to others so many times that resolving them would not end in reasonable time or memory";
    DOTENV_LOAD_ERROR = "a .env file (useDotenv: true) cannot be read, or a value in it expands without end";
    // The compilers' own errors (always fatal).
    FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID = "stream: AT_TIMESTAMP without startingPositionTimestamp";
    FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID = "kafka: AT_TIMESTAMP without startingPositionTimestamp";
    FUNCTION_MSK_STARTING_POSITION_TIMESTAMP_INVALID = "msk: AT_TIMESTAMP without startingPositionTimestamp";
    FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID = "kafka: vpcSubnet and vpcSecurityGroup must be given together";
    FUNCTION_STREAM_STARTING_POSITION_UNSUPPORTED = "DynamoDB streams do not support AT_TIMESTAMP";
    FUNCTION_STREAM_DESTINATION_UNSUPPORTED = "a stream's on-failure destination is neither an SQS queue, an SNS topic nor an S3 bucket";
    FUNCTION_STREAM_TYPE_MISMATCH = "an explicit type disagrees with the service named by a literal ARN";
    FUNCTION_STREAM_CONSUMER_UNSUPPORTED = "consumer (enhanced fan-out) set on a DynamoDB stream";
    FUNCTION_STREAM_CONSUMER_NAME_INVALID = "the Kinesis consumer name is too long or has invalid characters";
    KINESIS_STREAM_CONSUMERS_TOO_MANY = "more than 20 enhanced fan-out consumers on one Kinesis stream";
    FUNCTION_STREAM_ARN_INVALID = "no stream name can be taken from the stream ARN";
    FUNCTION_MSK_ARN_INVALID = "no cluster name can be taken from the MSK ARN";
    FUNCTION_LOGICAL_ID_COLLISION = "two functions, or two generated resources, get the same logical id (D23)";
    FUNCTION_NAME_INVALID = "a deployed function name Lambda refuses (over 64 characters, or characters other than [a-zA-Z0-9-_])";
    FUNCTION_EVENT_SOURCE_DUPLICATE = "two events of one function read the same event source";
    FUNCTION_KAFKA_TOPIC_INVALID = "a topic name CloudFormation refuses (not 2 to 249 characters of [a-zA-Z0-9._-])";
    FUNCTION_EVENT_INVALID = "an event that cannot be compiled (missing required values, wrong shape)";
    FUNCTION_EVENTS_INVALID = "a function's events is not a list";
    // Mapping features beyond the reference: provisioned mode (sqs, kafka, msk) and the Kafka
    // and MSK features (issue 15; docs/features.md).
    EVENT_PROVISIONED_POLLERS_INVALID = "provisionedPollers (or provisionedPollerConfig) with min above max, a count of 0, or both spellings at once";
    SQS_EVENT_SCALING_MODE_CONFLICT = "an sqs event sets both maximumConcurrency and provisionedPollers";
    EVENT_PROVISIONED_POLLERS_DISABLED = "provisionedPollers: false, which AWS refuses when the mapping is created";
    EVENT_PROVISIONED_POLLER_GROUP_LIMIT = "a poller group with more than 100 mappings, or more than 2,000 maximum pollers in all";
    EVENT_PROPERTY_DEPRECATED = "an osls spelling (provisionedPollerConfig, onFailureDestination) accepted in place of ours";
    FUNCTION_KAFKA_PROVISIONED_MODE_REQUIRED = "a kafka/msk setting that works only in provisioned mode, without provisionedPollers";
    FUNCTION_KAFKA_DESTINATION_INVALID = "a kafka/msk on-failure destination Lambda cannot use (type unknown or wrong, the source topic)";
    FUNCTION_MQ_DESTINATION_UNSUPPORTED = "an on-failure destination on an activemq or rabbitmq event";
    FUNCTION_MSK_AUTHENTICATION_CONFLICT = "an msk event with more than one of saslScram512, clientCertificateTlsAuth and iamAuth";
    FUNCTION_MSK_IAM_RESOURCES_UNDERIVED = "iamAuth on an msk arn whose topic and group ARNs cannot be derived";
    FUNCTION_KAFKA_SCHEMA_REGISTRY_INVALID = "a schema registry Lambda refuses (validate twice the same, more than two access configurations)";
    FUNCTION_KAFKA_SCHEMA_REGISTRY_ACCESS_UNUSED = "schemaRegistry.accessConfigurations with a Glue registry, which uses the execution role instead";
    FUNCTION_KAFKA_LOG_LEVEL_CUSTOM_ROLE = "logLevel on a function with its own role, which must allow the log writes";
    // Mapping features beyond the reference: what every kind shares, and documentDb (issue 15;
    // docs/features.md).
    FUNCTION_EVENT_METRICS_UNDOCUMENTED = "metrics on a kind AWS documents no mapping metrics for (Amazon MQ, DocumentDB)";
    FUNCTION_EVENT_KMS_KEY_UNUSED = "kmsKeyArn on an event without filterPatterns: there is nothing to encrypt";
    FUNCTION_EVENT_KMS_KEY_POLICY = "kmsKeyArn names a key of this template whose policy does not let Lambda decrypt";
    FUNCTION_EVENT_METRICS_DUPLICATE = "metrics lists one metric twice";
    FUNCTION_EVENT_TAG_KEY_RESERVED = "a tag key starting with aws:, which AWS keeps for itself";
    FUNCTION_EVENT_TAGS_TOO_MANY = "a mapping with more tags than Lambda accepts on one resource (50)";
    FUNCTION_DOCUMENTDB_FILTER_PATTERNS_UNSUPPORTED = "filterPatterns on a documentDb event: Lambda does not filter DocumentDB change streams";
    FUNCTION_DOCUMENTDB_STARTING_POSITION_TIMESTAMP_INVALID = "documentDb: AT_TIMESTAMP without startingPositionTimestamp";
    // Filter patterns.
    FILTER_PATTERN_INVALID = "a filter pattern Lambda would reject";
    FILTER_PATTERN_TOO_LONG = "a filter pattern longer than 4,096 characters";
    FILTER_PATTERNS_TOO_MANY = "more filter patterns than Lambda allows for one mapping";
    FILTER_PATTERN_KEY_UNEXPECTED = "a filter pattern whose top-level keys are not the source's data key";
    // test-filter.
    FILTER_TEST_TARGET_INVALID = "test-filter's --function and --event name no streaming event with filter patterns";
    FILTER_RECORD_INVALID = "a test-filter record file is not JSON, or not an event, record or payload of the source";
    // Templates and IAM.
    OUTPUT_WRITE_FAILED = "the template could not be written to --output or standard output";
    OUTPUT_TARGET_INVALID = "--output names something a template cannot be written to (a directory, socket, block device, FIFO without a reader, dangling symlink)";
    OUTPUT_OVERWRITES_INPUT = "--output names the service file, the --template file or another file the service reads";
    TEMPLATE_REFERENCE_UNRESOLVED = "a Ref, Fn::GetAtt, Fn::Sub variable, DependsOn or condition name in the template names nothing the template defines";
    TEMPLATE_LIMIT_EXCEEDED = "the template passes a CloudFormation quota (500 resources, 200 outputs, 1 MB)";
    RESOURCE_LOGICAL_ID_INVALID = "a logical id under resources (Resources, Outputs, Conditions, Parameters, Mappings) that is not 1 to 255 letters and digits";
    RESOURCE_EXTENSION_NOT_EXISTING = "resources.extensions names a resource the generated template does not have";
    RESOURCE_EXTENSION_UNSUPPORTED_ATTRIBUTE = "resources.extensions extends an attribute other than Properties, Metadata, DependsOn, Condition and the policies";
    TEMPLATE_INVALID = "the --template file is not a CloudFormation template we can extend";
    TEMPLATE_FILE_UNREADABLE = "the --template file cannot be read (missing, a directory, a device or FIFO, too large, not UTF-8)";
    RESOLVED_CONFIG_INVALID = "the --resolved file is not a service configuration as JSON";
    FUNCTION_IAM_ROLE_CONFLICT = "a function's own role combined with per-function IAM settings (or provider.role with perFunction mode)";
    IAM_ROLE_NAME_INVALID = "the shared role's generated name (<service>-<stage>-<region>-lambdaRole) is longer than IAM's 64 characters or has a character IAM refuses";
    FUNCTION_IAM_ROLE_NAME_TOO_LONG = "a generated per-function role name longer than IAM's 64 characters";
    IAM_POLICY_TOO_LARGE = "a role's streaming permissions, or its own inline statements, do not fit in IAM's policy quotas";
    IAM_CUSTOM_ROLE_NEEDS = "a function with its own role: the actions that role must grant";
    // Against the deployed template (--previous).
    PREVIOUS_TEMPLATE_UNREADABLE = "the --previous file cannot be read (missing, a directory, a device or FIFO, too large, not UTF-8)";
    PREVIOUS_TEMPLATE_INVALID = "the --previous file is neither a CloudFormation template nor what `aws cloudformation get-template` prints";
    DEPLOY_REPLACEMENT_CONFLICT = "a change CloudFormation makes by replacement, and the replacement would meet the deployed resource it replaces (same function and source, same consumer name, same consumer group)";
    DEPLOY_PROPERTY_FIXED = "a property Lambda sets only when it creates a mapping (Topics, Queues, ConsumerGroupId, a RabbitMQ VIRTUAL_HOST) changed on a deployed mapping";
    DEPLOY_MAPPING_MOVED = "a deployed mapping's logical id disappears while a new id maps the same function to the same source";
    DEPLOY_REPLACEMENT = "a deployed mapping or consumer is replaced, or may be (a value only CloudFormation can resolve): the new one starts reading at its starting position";
    DEPLOY_CHANGES = "what the next deploy changes in place on a deployed mapping or consumer";
}

/// Looks a code up by its id.
pub fn find(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id == id)
}
