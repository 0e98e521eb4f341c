//! `kafka`: self-managed Apache Kafka (SASL/SCRAM, SASL/PLAIN, mTLS, VPC access).
//!
//! ```yaml
//! functions:
//!   consume:
//!     handler: handler.consume
//!     events:
//!       - kafka:
//!           accessConfigurations:
//!             saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka/app-AbCdEf
//!           bootstrapServers: [b-1.example.com:9092, b-2.example.com:9092]
//!           topic: orders
//!           consumerGroupId: orders-consumer
//! ```
//! gives `ConsumeEventSourceMappingKafkaOrders` and `secretsmanager:GetSecretValue` on the secret.

use super::{
    kafka_features, prop, prop_span, provisioned, CompileContext, EventCompiler, FunctionTarget,
    MappingProperties, PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::naming;
use crate::schema::defs;
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

pub struct KafkaCompiler;

/// Access configuration keys: (key, CloudFormation type, URI prefix, needs the secret).
const ACCESS_KINDS: &[(&str, &str, &str, bool)] = &[
    ("vpcSubnet", "VPC_SUBNET", "subnet:", false),
    (
        "vpcSecurityGroup",
        "VPC_SECURITY_GROUP",
        "security_group:",
        false,
    ),
    ("saslPlainAuth", "BASIC_AUTH", "", true),
    ("saslScram256Auth", "SASL_SCRAM_256_AUTH", "", true),
    ("saslScram512Auth", "SASL_SCRAM_512_AUTH", "", true),
    (
        "clientCertificateTlsAuth",
        "CLIENT_CERTIFICATE_TLS_AUTH",
        "",
        true,
    ),
    (
        "serverRootCaCertificate",
        "SERVER_ROOT_CA_CERTIFICATE",
        "",
        true,
    ),
];

/// What the editor schema says about a `kafka` event and its properties.
const DOCS: &[PropertyDoc] = &[
    doc("", "A topic of a self-managed Apache Kafka cluster the function reads.", "an `AWS::Lambda::EventSourceMapping` with `SelfManagedEventSource`", ""),
    doc("accessConfigurations", "How Lambda reaches and authenticates to the cluster: VPC subnets and security groups, and the Secrets Manager secrets of one authentication method.", "`SourceAccessConfigurations`", "none (required)"),
    doc("accessConfigurations.vpcSubnet", "The subnets (`subnet-…`) Lambda connects to the cluster from; needs `vpcSecurityGroup` too.", "`SourceAccessConfigurations` of `Type: VPC_SUBNET`", "none"),
    doc("accessConfigurations.vpcSecurityGroup", "The security groups (`sg-…`) of Lambda's connections; needs `vpcSubnet` too.", "`SourceAccessConfigurations` of `Type: VPC_SECURITY_GROUP`", "none"),
    doc("accessConfigurations.saslPlainAuth", "Secrets Manager secrets holding a SASL/PLAIN user name and password.", "`SourceAccessConfigurations` of `Type: BASIC_AUTH`", "none"),
    doc("accessConfigurations.saslScram256Auth", "Secrets Manager secrets holding SASL/SCRAM-SHA-256 credentials.", "`SourceAccessConfigurations` of `Type: SASL_SCRAM_256_AUTH`", "none"),
    doc("accessConfigurations.saslScram512Auth", "Secrets Manager secrets holding SASL/SCRAM-SHA-512 credentials.", "`SourceAccessConfigurations` of `Type: SASL_SCRAM_512_AUTH`", "none"),
    doc("accessConfigurations.clientCertificateTlsAuth", "Secrets Manager secrets holding the client certificate for mutual TLS.", "`SourceAccessConfigurations` of `Type: CLIENT_CERTIFICATE_TLS_AUTH`", "none"),
    doc("accessConfigurations.serverRootCaCertificate", "Secrets Manager secrets holding the root CA certificate the brokers' TLS certificates are checked against.", "`SourceAccessConfigurations` of `Type: SERVER_ROOT_CA_CERTIFICATE`", "none"),
    doc("bootstrapServers", "The brokers to connect to first, as `host:port`.", "`SelfManagedEventSource.Endpoints.KafkaBootstrapServers`", "none (required)"),
];

/// An unknown access-configuration kind is an error even in `warn` mode: the reference writes
/// it as a `Type` Lambda refuses (or crashes), and dropping it would drop an authentication.
fn access_configurations() -> Schema {
    let secret_list = || Schema::array(defs::secrets_manager_arn_string(), 1);
    Schema::Closed(Box::new(Schema::Object {
        props: vec![
            (
                "vpcSubnet",
                Schema::array(Schema::aws(Schema::pattern(defs::SUBNET_PATTERN)), 1),
            ),
            (
                "vpcSecurityGroup",
                Schema::array(
                    Schema::aws(Schema::pattern(defs::SECURITY_GROUP_PATTERN)),
                    1,
                ),
            ),
            ("saslPlainAuth", secret_list()),
            ("saslScram256Auth", secret_list()),
            ("saslScram512Auth", secret_list()),
            ("clientCertificateTlsAuth", secret_list()),
            ("serverRootCaCertificate", secret_list()),
        ],
        required: &[],
        additional: false,
        min_props: Some(1),
    }))
}

fn sorted_servers(event: &Node) -> Vec<String> {
    let mut servers: Vec<String> = prop(event, "bootstrapServers")
        .and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    servers.sort();
    servers
}

impl EventCompiler for KafkaCompiler {
    fn kind(&self) -> &'static str {
        "kafka"
    }

    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        vec![
            DOCS,
            kafka_features::DOCS,
            provisioned::DOCS,
            super::features::DOCS,
        ]
    }

    fn schema(&self) -> Schema {
        kafka_features::with_shared_props(Schema::Object {
            props: vec![
                ("accessConfigurations", access_configurations()),
                ("batchSize", defs::batch_size()),
                ("maximumBatchingWindow", defs::maximum_batching_window()),
                ("enabled", Schema::Bool),
                ("bootstrapServers", Schema::array(Schema::string(), 1)),
                ("startingPosition", defs::typed_starting_position()),
                (
                    "startingPositionTimestamp",
                    Schema::Number {
                        min: None,
                        max: None,
                    },
                ),
                ("topic", Schema::string()),
                ("consumerGroupId", defs::consumer_group_id()),
                ("filterPatterns", defs::filter_patterns()),
                super::features::secrets_kms_schema(),
            ]
            .into_iter()
            .chain(super::features::schema_props("kafka"))
            .collect(),
            required: &["accessConfigurations", "bootstrapServers", "topic"],
            additional: false,
            min_props: None,
        })
    }

    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::Kafka
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = kafka_features::check(service, function, event);
        out.extend(super::features::check(service, function, event));
        let e = &event.value;
        let path = event.path(function);
        if let Some(access) = prop(e, "accessConfigurations") {
            let subnet = prop(access, "vpcSubnet").is_some();
            let group = prop(access, "vpcSecurityGroup").is_some();
            if subnet != group {
                let (missing, present) = if group {
                    ("vpcSubnet", "vpcSecurityGroup")
                } else {
                    ("vpcSecurityGroup", "vpcSubnet")
                };
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID,
                    format!("{path}.accessConfigurations.{missing}"),
                    prop_span(access, present),
                    format!("You must specify at least one \"{missing}\" accessConfiguration for function: {}", function.key),
                    "a Kafka cluster in a VPC needs both vpcSubnet and vpcSecurityGroup",
                ));
            }
        }
        out.extend(super::check_topic_and_timestamp(
            codes::FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID,
            function,
            event,
        ));
        out
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        let e = &event.value;
        let topic = prop(e, "topic").and_then(Node::as_str).unwrap_or_default();
        let group = prop(e, "consumerGroupId")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let servers = sorted_servers(e);
        let mut identity = Map::new();
        identity.insert("topic".into(), json!(topic));
        identity.insert("consumerGroupId".into(), json!(group));
        identity.insert("servers".into(), json!(servers));
        PlannedMapping {
            event_index: event.index,
            logical_id: naming::kafka_event_logical_id(&function.key, topic),
            source_key: format!(
                "topic {topic} of bootstrap servers {} with consumer group {group:?}",
                servers.join(",")
            ),
            identity_json: crate::js::to_js_compact(&Value::Object(identity)),
            source_span: prop_span(e, "topic"),
            source_path: format!("{}.topic", event.path(function)),
        }
    }

    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        suffix: &str,
    ) {
        let e = &event.value;
        let mut properties = MappingProperties::new(e);
        let servers = prop(e, "bootstrapServers")
            .map(Node::to_json)
            .unwrap_or(json!([]));
        properties
            .set("FunctionName", target.function_name())
            .set("StartingPosition", super::starting_position(e))
            .set(
                "SelfManagedEventSource",
                json!({"Endpoints": {"KafkaBootstrapServers": servers}}),
            )
            .set(
                "Topics",
                json!([prop(e, "topic").map(Node::to_json).unwrap_or(Value::Null)]),
            );

        let mut access_list = Vec::new();
        let mut secrets = Vec::new();
        let mut needs_vpc = false;
        if let Some(access) = prop(e, "accessConfigurations").and_then(Node::as_map) {
            for entry in &access.entries {
                let Some((_, kind, prefix, secret)) =
                    ACCESS_KINDS.iter().find(|(key, ..)| *key == entry.key)
                else {
                    continue;
                };
                let values: Vec<&Node> = match &entry.value.value {
                    streaming_events_yaml::Value::Seq(items) => items.iter().collect(),
                    streaming_events_yaml::Value::Null => Vec::new(),
                    _ => vec![&entry.value],
                };
                for value in values {
                    let uri = match value.as_str() {
                        Some(text) => json!(format!("{prefix}{text}")),
                        None => value.to_json(),
                    };
                    if *secret {
                        secrets.push(value.to_json());
                    } else {
                        needs_vpc = true;
                    }
                    access_list.push(json!({"Type": kind, "URI": uri}));
                }
            }
        }
        // D7: a batching window of 0 is emitted.
        properties
            .set("SourceAccessConfigurations", Value::Array(access_list))
            .copy_truthy("BatchSize", "batchSize")
            .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow")
            .copy("Enabled", "enabled");
        if let Some(config) = kafka_features::kafka_event_source_config(e) {
            properties.set("SelfManagedKafkaEventSourceConfig", config);
        }
        properties
            .copy("StartingPositionTimestamp", "startingPositionTimestamp")
            .filter_criteria();
        kafka_features::compile(cx, target, e, &mut properties, None);
        super::features::emit(cx, target, e, &mut properties);
        cx.grant(target, Statement::allow(actions::SECRETS, secrets));
        if needs_vpc {
            cx.grant(target, Statement::allow_any_resource(actions::VPC));
        }
        super::features::grant_secrets_kms(cx, target, e);
        let resource = super::mapping_resource(target.depends_on(), properties.into_map());
        cx.template
            .add_resource(naming::with_suffix(&plan.logical_id, suffix), resource);
    }
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, resource, service, streaming_statements};
    use serde_json::json;

    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf";

    #[test]
    fn access_configurations_keep_their_order_and_grant_secrets_and_vpc() {
        let t = compile(&service(&format!(
            "      - kafka:\n          accessConfigurations:\n            vpcSubnet: subnet-1\n            saslScram256Auth: {SECRET}\n            vpcSecurityGroup: [sg-1]\n          bootstrapServers: [b:9092]\n          topic: t.1\n          maximumBatchingWindow: 0\n          consumerGroupId: g\n"
        )))
        .unwrap();
        let p = &resource(&t, "FnEventSourceMappingKafkaT1")["Properties"];
        assert_eq!(
            p["SourceAccessConfigurations"],
            json!([{"Type": "VPC_SUBNET", "URI": "subnet:subnet-1"}, {"Type": "SASL_SCRAM_256_AUTH", "URI": SECRET}, {"Type": "VPC_SECURITY_GROUP", "URI": "security_group:sg-1"}])
        );
        assert_eq!(p["MaximumBatchingWindowInSeconds"], 0, "D7");
        assert_eq!(
            p["SelfManagedKafkaEventSourceConfig"],
            json!({"ConsumerGroupId": "g"})
        );
        assert_eq!(p["StartingPosition"], "TRIM_HORIZON");
        assert!(p.get("BatchSize").is_none() && p.get("Enabled").is_none());
        let statements = streaming_statements(&t);
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1]["Resource"], "*");
    }

    #[test]
    fn same_topic_other_servers_is_disambiguated_like_v4() {
        let event = |servers: &str| {
            format!("      - kafka:\n          accessConfigurations: {{saslPlainAuth: {SECRET}}}\n          bootstrapServers: [{servers}]\n          topic: t\n")
        };
        let t = compile(&service(&format!("{}{}", event("b:1, a:1"), event("c:1")))).unwrap();
        let suffix = crate::naming::disambiguation_suffix(
            r#"{"topic":"t","consumerGroupId":"","servers":["a:1","b:1"]}"#,
        );
        assert!(t["Resources"]
            .get(format!("FnEventSourceMappingKafkaT{suffix}"))
            .is_some());
        assert!(t["Resources"].get("FnEventSourceMappingKafkaT").is_some());
    }

    #[test]
    fn vpc_pairing_and_timestamps_are_checked() {
        let err = |events: &str| compile(&service(events)).unwrap_err();
        assert_eq!(err("      - kafka: {accessConfigurations: {vpcSubnet: subnet-1}, bootstrapServers: [b:1], topic: t}\n"), ["FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID"]);
        // An access kind without a value, and an unknown one, are errors even in `warn` mode.
        assert_eq!(err(&format!("      - kafka: {{accessConfigurations: {{saslPlainAuth: {SECRET}, saslScram512Auth: null}}, bootstrapServers: [b:1], topic: t}}\n")), ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"]);
        assert_eq!(err(&format!("      - kafka: {{accessConfigurations: {{saslPlainAuth: {SECRET}, saslScram1024Auth: [{SECRET}]}}, bootstrapServers: [b:1], topic: t}}\n")), ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"]);
        assert_eq!(err(&format!("      - kafka: {{accessConfigurations: {{saslPlainAuth: {SECRET}}}, bootstrapServers: [b:1], topic: t, startingPosition: AT_TIMESTAMP}}\n")), ["FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID"]);
        assert_eq!(err(&format!("      - kafka: {{accessConfigurations: {{saslPlainAuth: {SECRET}}}, bootstrapServers: [b:1], topic: t, batchSize: 2.5}}\n")), ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"], "D8");
    }
}
