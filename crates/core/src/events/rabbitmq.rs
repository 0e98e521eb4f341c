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

use super::{amazon_mq, CompileContext, EventCompiler, FunctionTarget, PlannedMapping};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::naming;
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use streaming_events_diagnostics::Diagnostic;
use streaming_events_yaml::Node;

pub struct RabbitMqCompiler;

impl EventCompiler for RabbitMqCompiler {
    fn kind(&self) -> &'static str {
        "rabbitmq"
    }

    fn schema(&self) -> Schema {
        amazon_mq::schema(true)
    }

    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::AmazonMq
    }

    fn check(&self, _service: &Service, _function: &Function, _event: &Event) -> Vec<Diagnostic> {
        Vec::new()
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        amazon_mq::plan(function, event, naming::rabbitmq_event_logical_id)
    }

    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        suffix: &str,
    ) {
        amazon_mq::compile(
            cx,
            target,
            event,
            naming::with_suffix(&plan.logical_id, suffix),
            true,
        );
    }
}
