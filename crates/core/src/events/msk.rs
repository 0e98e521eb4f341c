//! `msk`: Amazon Managed Streaming for Apache Kafka.
//!
//! ```yaml
//! functions:
//!   analytics:
//!     handler: handler.analytics
//!     events:
//!       - msk:
//!           arn: arn:aws:kafka:us-east-1:123456789012:cluster/analytics-east/11112222-3333-4444-5555-666677778888-1
//!           topic: clicks
//!           saslScram512: arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_app-AbCdEf
//! ```
//! gives `AnalyticsEventSourceMappingMSKAnalyticseastClicks`, with `kafka:DescribeCluster`,
//! `kafka:GetBootstrapBrokers`, the VPC network-interface actions and (D3) the secret.

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

pub struct MskCompiler;

/// The cluster part of the logical id: the import name, the `Ref` name, or the part after the
/// first `/` of a literal ARN.
fn cluster_name(arn: &Node) -> Option<String> {
    if let Some(text) = arn.as_str() {
        return text
            .split('/')
            .nth(1)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    }
    let map = arn.as_map()?;
    if let Some(import) = map.get("Fn::ImportValue") {
        return import
            .as_str()
            .or_else(|| {
                import
                    .as_map()
                    .and_then(|m| m.get("Fn::Sub"))
                    .and_then(|s| {
                        s.as_str()
                            .or_else(|| s.as_seq().and_then(|l| l.first()).and_then(Node::as_str))
                    })
            })
            .map(str::to_string);
    }
    map.get("Ref").and_then(Node::as_str).map(str::to_string)
}

/// At most one way to authenticate: SASL/SCRAM, mTLS or IAM access control.
fn check_authentication(function: &Function, event: &Event) -> Option<Diagnostic> {
    let e = &event.value;
    let set: Vec<&str> = ["saslScram512", "clientCertificateTlsAuth", "iamAuth"]
        .into_iter()
        .filter(|key| match prop(e, key) {
            Some(node) if *key == "iamAuth" => node.as_bool() == Some(true),
            Some(_) => true,
            None => false,
        })
        .collect();
    if set.len() < 2 {
        return None;
    }
    let path = event.path(function);
    Some(
        Diagnostic::error(
            codes::FUNCTION_MSK_AUTHENTICATION_CONFLICT,
            format!(
                "The \"msk\" event of function \"{}\" sets {}; a mapping authenticates to the cluster one way.",
                function.key,
                set.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" and ")
            ),
        )
        .with_path(format!("{path}.{}", set[1]))
        .at(prop_span(e, set[1]), "a second authentication")
        .also(prop_span(e, set[0]), "the first")
        .with_help("keep the one the cluster's client authentication uses"),
    )
}

/// `iamAuth: true` without derivable topic and group ARNs (a literal ARN that is not a
/// cluster's): the permissions fall back to every topic and group of the account's region.
fn check_iam_resources(function: &Function, event: &Event) -> Option<Diagnostic> {
    let e = &event.value;
    if prop(e, "iamAuth").and_then(Node::as_bool) != Some(true) {
        return None;
    }
    let arn = prop(e, "arn")?;
    let literal = arn.as_str()?;
    kafka_features::msk_resource_arn(&json!(literal), "topic", &json!("t")).map_or_else(
        || {
            Some(
                Diagnostic::warning(
                    codes::FUNCTION_MSK_IAM_RESOURCES_UNDERIVED,
                    format!("the msk arn of function \"{}\" is not a cluster ARN (arn:…:kafka:REGION:ACCOUNT:cluster/NAME/UUID), so the topic and group ARNs of iamAuth cannot be derived: they are granted on every topic and group of the account's region", function.key),
                )
                .with_path(format!("{}.arn", event.path(function)))
                .at(arn.span, "no cluster name and UUID here")
                .with_help("use the cluster ARN, or grant the kafka-cluster actions in your own statements"),
            )
        },
        |_| None,
    )
}

/// `iamAuth: true`: the cluster, the topic and the consumer group (`*` when Lambda picks it).
fn grant_iam_access(cx: &mut CompileContext<'_>, target: &FunctionTarget, e: &Node, arn: &Value) {
    let topic = prop(e, "topic").map(Node::to_json).unwrap_or(Value::Null);
    let group = prop(e, "consumerGroupId")
        .filter(|n| crate::js::truthy(n))
        .map(Node::to_json)
        .unwrap_or(json!("*"));
    let fallback = |kind: &str, name: &Value| {
        // Not a cluster ARN: every one of the region's (FUNCTION_MSK_IAM_RESOURCES_UNDERIVED).
        let head: Vec<&str> = arn.as_str().unwrap_or("").splitn(6, ':').take(5).collect();
        match name {
            Value::String(n) => json!(format!("{}:{kind}/*/*/{n}", head.join(":"))),
            _ => json!(format!("{}:{kind}/*/*/*", head.join(":"))),
        }
    };
    let topic_arn = kafka_features::msk_resource_arn(arn, "topic", &topic)
        .unwrap_or_else(|| fallback("topic", &topic));
    let group_arn = kafka_features::msk_resource_arn(arn, "group", &group)
        .unwrap_or_else(|| fallback("group", &group));
    cx.grant(
        target,
        Statement::allow(actions::MSK_IAM_CLUSTER, vec![arn.clone()]),
    );
    cx.grant(
        target,
        Statement::allow(actions::MSK_IAM_TOPIC, vec![topic_arn]),
    );
    cx.grant(
        target,
        Statement::allow(actions::MSK_IAM_GROUP, vec![group_arn]),
    );
}

/// What the editor schema says about an `msk` event and its properties.
const DOCS: &[PropertyDoc] = &[
    doc("", "A topic of an Amazon MSK cluster the function reads.", "an `AWS::Lambda::EventSourceMapping`", ""),
    doc("arn", "The MSK cluster's ARN (or Fn::ImportValue / Ref giving it).", "`EventSourceArn`", "none (required)"),
    doc("saslScram512", "The Secrets Manager secret with the SASL/SCRAM-SHA-512 credentials (its name starts with `AmazonMSK_`); granted secretsmanager:GetSecretValue. At most one of `saslScram512`, `clientCertificateTlsAuth` and `iamAuth`.", "`SourceAccessConfigurations` of `Type: SASL_SCRAM_512_AUTH`", "none: IAM access control"),
    doc("clientCertificateTlsAuth", "The Secrets Manager secret with the client certificate for mutual TLS with the cluster; granted secretsmanager:GetSecretValue.", "`SourceAccessConfigurations` of `Type: CLIENT_CERTIFICATE_TLS_AUTH`", "none"),
    doc("iamAuth", "`true`: the function's role gets the kafka-cluster actions IAM access control needs on the cluster, the topic and the consumer group (MSK Serverless always needs them).", "none (the IAM statements)", "false"),
];

impl EventCompiler for MskCompiler {
    fn kind(&self) -> &'static str {
        "msk"
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
                (
                    "arn",
                    Schema::any_of(
                        "an MSK cluster ARN, Fn::ImportValue or Ref",
                        vec![defs::arn_string(), defs::cf_import(), defs::cf_ref()],
                    ),
                ),
                ("batchSize", defs::batch_size()),
                ("maximumBatchingWindow", defs::maximum_batching_window()),
                ("enabled", Schema::Bool),
                ("startingPosition", defs::typed_starting_position()),
                (
                    "startingPositionTimestamp",
                    Schema::Number {
                        min: None,
                        max: None,
                    },
                ),
                ("topic", Schema::string()),
                ("saslScram512", defs::arn_string()),
                ("consumerGroupId", defs::consumer_group_id()),
                ("filterPatterns", defs::filter_patterns()),
                (
                    "clientCertificateTlsAuth",
                    Schema::aws(defs::secrets_manager_arn_string()),
                ),
                ("iamAuth", Schema::Bool),
                super::features::secrets_kms_schema(),
            ]
            .into_iter()
            .chain(super::features::schema_props("msk"))
            .collect(),
            required: &["arn", "topic"],
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
        out.extend(check_authentication(function, event));
        out.extend(check_iam_resources(function, event));
        if let Some(arn) = prop(e, "arn") {
            if cluster_name(arn).is_none() {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_MSK_ARN_INVALID,
                    format!("{}.arn", event.path(function)),
                    arn.span,
                    format!("No cluster name can be taken from the msk arn {}.", super::json_text(arn)),
                    "use the cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID), Fn::ImportValue or Ref",
                ));
            }
        }
        out.extend(super::check_topic_and_timestamp(
            codes::FUNCTION_MSK_STARTING_POSITION_TIMESTAMP_INVALID,
            function,
            event,
        ));
        out
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        let e = &event.value;
        let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
        let cluster = prop(e, "arn").and_then(cluster_name).unwrap_or_default();
        let topic = prop(e, "topic").and_then(Node::as_str).unwrap_or_default();
        let group = prop(e, "consumerGroupId")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let mut identity = Map::new();
        identity.insert("arn".into(), arn.clone());
        identity.insert("topic".into(), json!(topic));
        identity.insert("consumerGroupId".into(), json!(group));
        let cluster_text = arn
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| crate::js::to_js_compact(&arn));
        PlannedMapping {
            event_index: event.index,
            logical_id: naming::msk_event_logical_id(&function.key, &cluster, topic),
            source_key: format!(
                "topic {topic} of cluster {cluster_text} with consumer group {group:?}"
            ),
            identity_json: crate::js::to_js_compact(&Value::Object(identity)),
            source_span: prop_span(e, "arn"),
            source_path: format!("{}.arn", event.path(function)),
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
        let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
        let mut properties = MappingProperties::new(e);
        // D7: a batching window of 0 is emitted.
        properties
            .set("EventSourceArn", arn.clone())
            .set("FunctionName", target.function_name())
            .set("StartingPosition", super::starting_position(e))
            .set(
                "Topics",
                json!([prop(e, "topic").map(Node::to_json).unwrap_or(Value::Null)]),
            )
            .copy("StartingPositionTimestamp", "startingPositionTimestamp")
            .copy_truthy("BatchSize", "batchSize")
            .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow");
        if let Some(config) = kafka_features::kafka_event_source_config(e) {
            properties.set("AmazonManagedKafkaEventSourceConfig", config);
        }
        properties.copy("Enabled", "enabled");
        // At most one of the two (FUNCTION_MSK_AUTHENTICATION_CONFLICT).
        for (key, kind) in [
            ("saslScram512", "SASL_SCRAM_512_AUTH"),
            ("clientCertificateTlsAuth", "CLIENT_CERTIFICATE_TLS_AUTH"),
        ] {
            if let Some(secret) = prop(e, key) {
                properties.set(
                    "SourceAccessConfigurations",
                    json!([{"Type": kind, "URI": secret.to_json()}]),
                );
                // D3: the reference forgets this permission for saslScram512.
                cx.grant(
                    target,
                    Statement::allow(actions::SECRETS, vec![secret.to_json()]),
                );
            }
        }
        properties.filter_criteria();
        cx.grant(target, Statement::allow(actions::MSK, vec![arn.clone()]));
        cx.grant(target, Statement::allow_any_resource(actions::VPC));
        kafka_features::compile(cx, target, e, &mut properties, Some(&arn));
        if prop(e, "iamAuth").and_then(Node::as_bool) == Some(true) {
            grant_iam_access(cx, target, e, &arn);
        }
        super::features::emit(cx, target, e, &mut properties);
        super::features::grant_secrets_kms(cx, target, e);
        let resource = super::mapping_resource(target.depends_on(), properties.into_map());
        cx.template
            .add_resource(naming::with_suffix(&plan.logical_id, suffix), resource);
    }
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, defining, resource, service, streaming_statements};
    use serde_json::json;

    #[test]
    fn msk_mapping_grants_cluster_vpc_and_the_scram_secret() {
        let t = compile(&service(
            "      - msk:\n          arn: arn:aws:kafka:us-east-1:1:cluster/payments/abc-1\n          topic: clicks\n          saslScram512: arn:aws:secretsmanager:us-east-1:1:secret:AmazonMSK_x-AbCdEf\n          startingPosition: AT_TIMESTAMP\n          startingPositionTimestamp: 1700000000\n          enabled: false\n",
        ))
        .unwrap();
        let p = &resource(&t, "FnEventSourceMappingMSKPaymentsClicks")["Properties"];
        assert_eq!(
            p["SourceAccessConfigurations"],
            json!([{"Type": "SASL_SCRAM_512_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:1:secret:AmazonMSK_x-AbCdEf"}])
        );
        assert_eq!(p["StartingPositionTimestamp"], 1_700_000_000);
        assert_eq!(p["Enabled"], false);
        let actions: Vec<String> = streaming_statements(&t)
            .iter()
            .map(|s| s["Action"][0].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            actions,
            [
                "secretsmanager:GetSecretValue",
                "kafka:DescribeCluster",
                "ec2:CreateNetworkInterface"
            ],
            "D3"
        );
    }

    #[test]
    fn cluster_names_from_imports_and_refs() {
        let t = compile(&defining(&service("      - msk: {arn: !ImportValue shared-cluster, topic: a}\n      - msk: {arn: !Ref ClusterParam, topic: b}\n"), "Parameters", "ClusterParam", "String")).unwrap();
        assert!(t["Resources"]
            .get("FnEventSourceMappingMSKSharedclusterA")
            .is_some());
        assert!(t["Resources"]
            .get("FnEventSourceMappingMSKClusterParamB")
            .is_some());
        assert_eq!(
            compile(&service(
                "      - msk: {arn: 'arn:aws:kafka:us-east-1:1:cluster', topic: a}\n"
            ))
            .unwrap_err(),
            ["FUNCTION_MSK_ARN_INVALID"]
        );
    }
}
