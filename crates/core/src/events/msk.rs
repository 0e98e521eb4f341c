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
    prop, prop_span, CompileContext, EventCompiler, FunctionTarget, MappingProperties,
    PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::naming;
use crate::schema::defs;
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

impl EventCompiler for MskCompiler {
    fn kind(&self) -> &'static str {
        "msk"
    }

    fn schema(&self) -> Schema {
        Schema::Object {
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
                super::features::secrets_kms_schema(),
            ]
            .into_iter()
            .chain(super::features::schema_props("msk"))
            .collect(),
            required: &["arn", "topic"],
            additional: false,
            min_props: None,
        }
    }

    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::Kafka
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = super::features::check(service, function, event);
        let e = &event.value;
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
            .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow")
            .copy_truthy_as(
                "AmazonManagedKafkaEventSourceConfig",
                "consumerGroupId",
                "ConsumerGroupId",
            )
            .copy("Enabled", "enabled");
        if let Some(secret) = prop(e, "saslScram512") {
            properties.set(
                "SourceAccessConfigurations",
                json!([{"Type": "SASL_SCRAM_512_AUTH", "URI": secret.to_json()}]),
            );
            // D3: the reference forgets this permission.
            cx.grant(
                target,
                Statement::allow(actions::SECRETS, vec![secret.to_json()]),
            );
        }
        properties.filter_criteria();
        super::features::emit(cx, target, e, &mut properties);
        cx.grant(target, Statement::allow(actions::MSK, vec![arn]));
        cx.grant(target, Statement::allow_any_resource(actions::VPC));
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
        let t = compile(&service("      - msk: {arn: !ImportValue shared-cluster, topic: a}\n      - msk: {arn: !Ref ClusterParam, topic: b}\n")).unwrap();
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
