//! streaming-events core: compiles the streaming event sources of a Serverless Framework
//! service (`stream`, `kafka`, `msk`, `activemq`, `rabbitmq`, `sqs`) into CloudFormation, with
//! the Serverless Framework's logical ids and properties.
//!
//! This file is the crate's whole public face: [`run`] (package, or validate with `build`
//! false), [`service_json_schema`], the [`Environment`] door, the writer the binary prints
//! templates with, and `test-filter`'s pieces ([`service_events`], [`read_pattern`],
//! [`read_records`], [`evaluate`]). Every module is private; ARCHITECTURE.md has the map of the layers.
//!
//! Architecture invariant: no IO except through [`Environment`]; no printing. The binary owns
//! stdout, stderr and exit codes.

mod config;
mod deployed;
mod env;
mod events;
mod iam;
mod js;
mod naming;
mod options;
mod package;
mod schema;
mod template;
mod test_filter;

pub use config::variables::parse::parse as parse_variables;
pub use env::{file_type_name, Environment, FakeEnvironment, FileId, OsEnvironment};
pub use js::{to_js_pretty, write_js_pretty};
pub use options::{Options, Outcome, PolicySize, RoleReport};
pub use package::run;
pub use schema::filter::json::Json;
pub use schema::filter::matcher::{evaluate, Miss, Verdict};
pub use schema::filter::records::Record;
pub use schema::filter::FilterSource;
pub use test_filter::{read_pattern, read_records, service_events, EventPatterns, ServiceEvents};

/// The JSON Schema of a whole service file, for editors.
pub fn service_json_schema() -> serde_json::Value {
    schema::service::service_json_schema(&events::registry::schemas(), &events::registry::docs())
}
