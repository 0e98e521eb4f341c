//! The one list of event kinds this tool compiles, in the reference's order. Adding a kind is
//! its file in this folder and one line here.

use super::{activemq, documentdb, kafka, msk, rabbitmq, sqs, stream, EventCompiler};
use crate::schema::export::PropertyDoc;
use crate::schema::Schema;

/// The compilers in the reference's order (the five streaming kinds), then `sqs`, whose
/// mappings are compiled too so that every event source mapping of a service is, then
/// `documentDb`, which the reference does not know.
pub fn registry() -> Vec<Box<dyn EventCompiler>> {
    vec![
        Box::new(stream::StreamCompiler),
        Box::new(kafka::KafkaCompiler),
        Box::new(activemq::ACTIVEMQ),
        Box::new(rabbitmq::RABBITMQ),
        Box::new(msk::MskCompiler),
        Box::new(sqs::SqsCompiler),
        Box::new(documentdb::DocumentDbCompiler),
    ]
}

/// Each compiled kind with the documentation of its properties (for the JSON Schema export).
pub fn docs() -> Vec<(&'static str, Vec<&'static [PropertyDoc]>)> {
    registry().iter().map(|c| (c.kind(), c.docs())).collect()
}

/// Each compiled kind with the schema of its events (for validation and the JSON Schema export).
pub fn schemas() -> Vec<(&'static str, Schema)> {
    registry().iter().map(|c| (c.kind(), c.schema())).collect()
}

/// The schema of a compiled kind, built once per process (validation runs it on every event of
/// every service of a run); `None` for a kind the registry does not have.
pub fn schema_of(kind: &str) -> Option<&'static Schema> {
    static SCHEMAS: std::sync::LazyLock<Vec<(&'static str, Schema)>> =
        std::sync::LazyLock::new(schemas);
    SCHEMAS.iter().find(|(k, _)| *k == kind).map(|(_, s)| s)
}
