//! streaming-events core: compiles the streaming event sources of a Serverless Framework
//! service (`stream`, `kafka`, `msk`, `activemq`, `rabbitmq`, `sqs`) into CloudFormation, with
//! the Serverless Framework's logical ids and properties.
//!
//! This file is the crate's whole public face: [`run`] (package, or validate with `build`
//! false), [`service_json_schema`], the [`Environment`] door and the writer the binary prints
//! templates with. Every module is private; ARCHITECTURE.md has the map of the layers.
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

pub use config::variables::parse::parse as parse_variables;
pub use env::{file_type_name, Environment, FakeEnvironment, FileId, OsEnvironment};
pub use js::to_js_pretty;
pub use options::{Options, Outcome, PolicySize, RoleReport};
pub use package::run;

/// The JSON Schema of a whole service file, for editors.
pub fn service_json_schema() -> serde_json::Value {
    schema::service::service_json_schema(&events::registry::schemas())
}
