//! streaming-events core: compiles the streaming event sources of a Serverless Framework
//! service (`stream`, `kafka`, `msk`, `activemq`, `rabbitmq`) into CloudFormation, with the
//! Serverless Framework's logical ids and properties.
//!
//! Architecture invariant: no IO except through [`env::Environment`]; no printing. The binary
//! owns stdout, stderr and exit codes.

pub mod config;
pub mod env;
pub mod events;
pub mod iam;
pub mod js;
pub mod naming;
pub mod options;
pub mod package;
pub mod schema;
pub mod template;

pub use options::{Options, Outcome};
pub use package::run;

/// The JSON Schema of a whole service file, for editors.
pub fn service_json_schema() -> serde_json::Value {
    schema::service::service_json_schema(&events::schemas())
}
