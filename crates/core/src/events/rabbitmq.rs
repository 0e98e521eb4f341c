//! `rabbitmq`: Amazon MQ for RabbitMQ, with virtual hosts.
//!
//! ```yaml
//! functions:
//!   mq_worker:
//!     handler: handler.work
//!     events:
//!       - rabbitmq:
//!           arn: arn:aws:mq:us-east-1:123456789012:broker:orders:b-11112222-3333-4444-5555-666677778888
//!           queue: orders.jobs
//!           virtualHost: billing
//!           basicAuthArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:mq/orders-AbCdEf
//! ```
//! gives `MqUnderscoreworkerEventSourceMappingRabbitMQOrdersjobs` with a `VIRTUAL_HOST` access configuration, `mq:DescribeBroker`,
//! `secretsmanager:GetSecretValue` and the VPC network-interface actions.

use super::amazon_mq::AmazonMqCompiler;
use crate::naming;
use crate::schema::export::doc;

pub const RABBITMQ: AmazonMqCompiler = AmazonMqCompiler {
    kind: "rabbitmq",
    virtual_host: true,
    logical_id: naming::rabbitmq_event_logical_id,
    docs: &[
        doc(
            "",
            "A queue of an Amazon MQ for RabbitMQ broker the function reads.",
            "an `AWS::Lambda::EventSourceMapping`",
            "",
        ),
        doc(
            "arn",
            "The RabbitMQ broker's ARN (or Fn::ImportValue / Ref giving it).",
            "`EventSourceArn`",
            "none (required)",
        ),
        doc(
            "virtualHost",
            "The RabbitMQ virtual host the queue is in (not empty).",
            "`SourceAccessConfigurations` of `Type: VIRTUAL_HOST`",
            "not set: the broker's default, `/`",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, resource, service, streaming_statements};
    use serde_json::json;

    const BROKER: &str =
        "arn:aws:mq:us-east-1:123456789012:broker:b:b-11112222-3333-4444-5555-666677778888";
    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq-AbCdEf";

    #[test]
    fn mapping_and_permissions() {
        let t = compile(&service(&format!("      - rabbitmq:\n          arn: {BROKER}\n          queue: jobs.v1\n          basicAuthArn: {SECRET}\n          virtualHost: /billing\n          maximumBatchingWindow: 0\n"))).unwrap();
        let p = &resource(&t, "FnEventSourceMappingRabbitMQJobsv1")["Properties"];
        assert_eq!(p["Queues"], json!(["jobs.v1"]));
        assert_eq!(p["EventSourceArn"], BROKER);
        assert_eq!(p["MaximumBatchingWindowInSeconds"], 0, "D7");
        assert_eq!(
            p["SourceAccessConfigurations"],
            json!([{"Type": "BASIC_AUTH", "URI": SECRET}, {"Type": "VIRTUAL_HOST", "URI": "/billing"}])
        );
        let statements = streaming_statements(&t);
        assert_eq!(statements[0]["Resource"], json!([SECRET]));
        assert_eq!(statements[1]["Resource"], json!([BROKER]));
        assert_eq!(statements[2]["Resource"], "*");
    }

    #[test]
    fn broker_arns_are_whole_arns() {
        let yaml = service(&format!("      - rabbitmq:\n          arn: x{BROKER}\n          queue: q\n          basicAuthArn: {SECRET}\n"));
        assert_eq!(
            compile(&yaml).unwrap_err(),
            ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"],
            "D9"
        );
    }
}
