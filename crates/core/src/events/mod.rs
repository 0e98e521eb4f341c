//! The event compilers: one file per event kind, each owning its schema, its semantic checks
//! and its compile function, and one registry that runs them in the reference's order
//! (stream, kafka, activemq, rabbitmq, msk).
//!
//! Shared here: what every compiler needs about a function (its Lambda target, `DependsOn`,
//! whether its permissions go to the default role), filter criteria, and the D14 rules for
//! events of one function that would get the same logical id.

pub mod activemq;
mod amazon_mq;
pub mod collisions;
pub mod compile;
pub mod consumers;
pub mod documentdb;
mod features;
pub mod kafka;
pub mod kafka_features;
pub mod mapping;
pub mod msk;
pub mod planned;
pub mod provisioned;
pub mod rabbitmq;
pub mod registry;
pub mod sqs;
pub mod stream;

use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{PolicyBuilder, Statement};
use crate::naming;
use crate::schema::export::PropertyDoc;
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use crate::template::Template;
pub use mapping::{
    json_text, mapping_resource, prop, prop_span, starting_position, MappingProperties,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Node, Span};

/// What a compiler contributes for one event, before logical-id collisions are settled.
pub struct PlannedMapping {
    pub event_index: usize,
    /// The id the reference gives this event.
    pub logical_id: String,
    /// What the event reads; two events of one function with the same source are an error.
    pub source_key: String,
    /// `JSON.stringify(identity)` for the D14 suffix.
    pub identity_json: String,
    /// Where a duplicate-source error points (the event's arn, topic or queue).
    pub source_span: Span,
    pub source_path: String,
}

/// One event kind.
pub trait EventCompiler {
    /// The key under `events[]` (`stream`, `kafka`, …).
    fn kind(&self) -> &'static str;

    /// The configuration schema of one event.
    fn schema(&self) -> Schema;

    /// What the editor schema says about the kind (the entry with path `""`) and each property
    /// of [`EventCompiler::schema`]: tables searched in order, then `defs::MAPPING_DOCS` (the
    /// shared properties). A property without an entry fails the export's test.
    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        Vec::new()
    }

    /// Which records its filter patterns see.
    fn filter_source(&self, event: &Node) -> FilterSource;

    /// Checks beyond the schema that need the whole event; returns errors with codes.
    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic>;

    /// The logical id and identity of an event (after validation).
    fn plan(&self, service: &Service, function: &Function, event: &Event) -> PlannedMapping;

    /// The help for an event written as an intrinsic function instead of its configuration.
    fn intrinsic_help(&self) -> &'static str {
        "write the intrinsic function under `arn:`"
    }

    /// A check that needs the D14 suffix the event was given (run after planning); an error
    /// leaves the event out.
    fn check_settled(
        &self,
        _service: &Service,
        _function: &Function,
        _event: &Event,
        _logical_suffix: &str,
    ) -> Option<Diagnostic> {
        None
    }

    /// Whether events of one function with the same logical id are settled by D14 (suffix or
    /// duplicate-source error). The five streaming kinds are; `sqs`, which DEVIATIONS.md does
    /// not cover, merges them as the reference does.
    fn settles_collisions(&self) -> bool {
        true
    }

    /// Adds the event's resources to the template and its permissions to `policy`.
    /// `logical_suffix` is the D14 suffix when an event later in the function has the same id.
    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        logical_suffix: &str,
    );
}

/// Where compiled resources and permissions go.
pub struct CompileContext<'a> {
    pub service: &'a Service,
    pub template: &'a mut Template,
    /// Permissions per role of the stack (the shared `IamRoleLambdaExecution` and dedicated
    /// per-function roles), in the order the roles were first granted something.
    pub policies: &'a mut Vec<(String, PolicyBuilder)>,
    /// What functions with their own role need from it, by function key (D2: not granted,
    /// reported as a warning so users can check their role).
    pub custom_role_needs: Vec<(String, PolicyBuilder)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Extending a given template (`--template`): permissions the core template would carry
    /// (those of `sqs` queues) are granted by the compilers instead.
    pub merge_mode: bool,
    /// Where each role's entry is in `policies` and each function's in `custom_role_needs`:
    /// a grant is a hash lookup, not a scan over every role (10,000 functions with their own
    /// roles made that quadratic).
    pub index: GrantIndex,
}

/// Positions in [`CompileContext::policies`] (by role id) and
/// [`CompileContext::custom_role_needs`] (by function key).
#[derive(Debug, Default)]
pub struct GrantIndex {
    roles: HashMap<String, usize>,
    custom_roles: HashMap<String, usize>,
}

/// The builder of `key` in `entries`, found through `index` (created, and indexed, when absent).
fn entry_for<'e>(
    entries: &'e mut Vec<(String, PolicyBuilder)>,
    index: &mut HashMap<String, usize>,
    key: &str,
) -> &'e mut PolicyBuilder {
    // Entries pushed by other code than this function are indexed first.
    for (at, (k, _)) in entries.iter().enumerate().skip(index.len()) {
        index.entry(k.clone()).or_insert(at);
    }
    let at = match index.get(key) {
        Some(&at) => at,
        None => {
            entries.push((key.to_string(), PolicyBuilder::new()));
            index.insert(key.to_string(), entries.len() - 1);
            entries.len() - 1
        }
    };
    &mut entries[at].1
}

impl CompileContext<'_> {
    /// Grants `statement` for `target`'s function, unless it brings its own role (D2).
    pub fn grant(&mut self, target: &FunctionTarget, statement: Statement) {
        if let Some(role) = &target.policy_role {
            entry_for(self.policies, &mut self.index.roles, role).add(statement);
        } else {
            self.note_custom_role_need(target, statement);
        }
    }

    /// An S3 bucket as on-failure destination (streams, Kafka, MSK): `s3:ListBucket` on the
    /// bucket and `s3:PutObject` on its objects (`<bucket ARN>/*`, joined with `Fn::Join` for an
    /// intrinsic function), two statements as SAM grants them.
    pub fn grant_s3_destination(&mut self, target: &FunctionTarget, bucket: &Value) {
        let objects = match bucket {
            Value::String(arn) => json!(format!("{arn}/*")),
            other => json!({"Fn::Join": ["", [other, "/*"]]}),
        };
        self.grant(
            target,
            Statement::allow(
                crate::iam::actions::S3_DESTINATION_BUCKET,
                vec![bucket.clone()],
            ),
        );
        self.grant(
            target,
            Statement::allow(crate::iam::actions::S3_DESTINATION_OBJECTS, vec![objects]),
        );
    }

    /// Records what a function that brings its own role needs (D2: nothing is granted; the
    /// warning lists it). For the permissions the compilers grant, [`Self::grant`] calls it; for
    /// those the reference grants outside them (`iam::other_permissions`, an `sqs` queue's),
    /// the compiler calls it directly.
    pub fn note_custom_role_need(&mut self, target: &FunctionTarget, statement: Statement) {
        if target.has_custom_role && target.policy_role.is_none() {
            entry_for(
                &mut self.custom_role_needs,
                &mut self.index.custom_roles,
                &target.function_key,
            )
            .add(statement);
        }
    }
}

/// What a mapping needs to know about its function.
#[derive(Debug, Clone)]
pub struct FunctionTarget {
    pub function_key: String,
    pub lambda_logical_id: String,
    /// `(alias name, alias logical id)` for provisioned concurrency or SnapStart.
    pub alias: Option<(String, String)>,
    /// The role resource the mapping waits for (`DependsOn`), when the role is in the stack.
    pub role_resource: Option<String>,
    /// The role of this stack that gets the function's permissions: the shared default role,
    /// or its dedicated per-function role; none when it brings its own role (D2).
    pub policy_role: Option<String>,
    /// Whether the function (or the provider) brings its own role.
    pub has_custom_role: bool,
}

impl FunctionTarget {
    pub fn new(service: &Service, function: &Function) -> FunctionTarget {
        let alias = if function.is_truthy("provisionedConcurrency") {
            Some((
                naming::PROVISIONED_CONCURRENCY_ALIAS_NAME.to_string(),
                naming::provisioned_concurrency_alias_logical_id(&function.key),
            ))
        } else if function.is_truthy("snapStart") {
            Some((
                naming::SNAP_START_ALIAS_NAME.to_string(),
                naming::snap_start_alias_logical_id(&function.key),
            ))
        } else {
            None
        };
        let custom_role = crate::config::roles::custom_execution_role(service, function);
        let dedicated = crate::config::roles::uses_dedicated_role(service, function);
        let role_resource = if dedicated {
            Some(naming::dedicated_role_logical_id(&function.key))
        } else {
            crate::config::roles::role_resource_name(custom_role.as_ref())
        };
        FunctionTarget {
            function_key: function.key.clone(),
            lambda_logical_id: naming::lambda_logical_id(&function.key),
            alias,
            policy_role: custom_role
                .is_none()
                .then(|| role_resource.clone())
                .flatten(),
            role_resource,
            has_custom_role: custom_role.is_some(),
        }
    }

    /// `FunctionName`: the function's ARN, through the alias when there is one.
    pub fn function_name(&self) -> Value {
        let arn = json!({"Fn::GetAtt": [self.lambda_logical_id, "Arn"]});
        match &self.alias {
            None => arn,
            Some((name, _)) => json!({"Fn::Join": [":", [arn, name]]}),
        }
    }

    /// `[role?, alias?]`.
    pub fn depends_on(&self) -> Vec<Value> {
        let mut out = Vec::new();
        if let Some(role) = &self.role_resource {
            out.push(Value::String(role.clone()));
        }
        if let Some((_, alias)) = &self.alias {
            out.push(Value::String(alias.clone()));
        }
        out
    }
}

/// A starting-position-timestamp error with the reference's code and wording.
pub fn missing_timestamp(
    code: streaming_events_diagnostics::Code,
    function: &Function,
    event: &Event,
    with_period: bool,
) -> Diagnostic {
    Diagnostic::error(
        code,
        format!(
            "You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP{}",
            function.key,
            if with_period { "." } else { "" }
        ),
    )
    .with_path(format!("{}.startingPositionTimestamp", event.path(function)))
    .at(prop_span(&event.value, "startingPosition"), "AT_TIMESTAMP needs a timestamp")
    .with_help("add `startingPositionTimestamp:` with a Unix time in seconds")
}

/// The checks kafka and msk share: `AT_TIMESTAMP` needs a timestamp (with the reference's code
/// for each), and the topic must be one CloudFormation accepts.
pub fn check_topic_and_timestamp(
    timestamp_code: streaming_events_diagnostics::Code,
    function: &Function,
    event: &Event,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let e = &event.value;
    if prop(e, "startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP")
        && prop(e, "startingPositionTimestamp").is_none()
    {
        out.push(missing_timestamp(timestamp_code, function, event, true));
    }
    out.extend(check_topic_name(function, event));
    out
}

/// Kafka's topic-name rules as CloudFormation checks them: 2 to 249 characters of
/// `[a-zA-Z0-9._-]`, not starting with `.`. A warning, because the reference accepts such
/// topics and the compatibility corpus keeps them (a 251-character topic is a valid case there),
/// though the deployment will fail.
pub fn check_topic_name(function: &Function, event: &Event) -> Option<Diagnostic> {
    let topic = prop(&event.value, "topic")?.as_str()?;
    let valid_chars = topic
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    // CloudFormation's pattern for Topics also wants two characters or more, not starting with `.`.
    if topic.len() <= 249 && valid_chars && topic.len() >= 2 && !topic.starts_with('.') {
        return None;
    }
    Some(
        Diagnostic::warning(
            codes::FUNCTION_KAFKA_TOPIC_INVALID,
            format!("the topic of function '{}' is not a name CloudFormation accepts ({} characters; 2 to 249 of [a-zA-Z0-9._-], not starting with `.`); the mapping will fail to deploy", function.key, topic.chars().count()),
        )
        .with_path(format!("{}.topic", event.path(function)))
        .at(prop_span(&event.value, "topic"), "this topic")
        .with_help("use the topic's real name"),
    )
}

/// Helpers for the compilers' unit tests: compile a service held in memory.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::env::FakeEnvironment;
    use crate::{run, Options};
    use serde_json::Value;
    use std::path::PathBuf;

    /// The template, or the error codes.
    pub fn compile(yaml: &str) -> Result<Value, Vec<String>> {
        let env = FakeEnvironment::new().with_file("/svc/serverless.yml", yaml);
        let options = Options {
            config: PathBuf::from("/svc/serverless.yml"),
            config_display: "serverless.yml".into(),
            stage: Some("dev".into()),
            region: Some("us-east-1".into()),
            strict: true,
            ..Options::default()
        };
        let outcome = run(&env, &options, true);
        match outcome.template {
            Some(template) if !outcome.has_errors() => Ok(template),
            _ => Err(outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.code.id.to_string())
                .collect()),
        }
    }

    /// A one-function service with the given events (YAML list items, indented by 6).
    pub fn service(events: &str) -> String {
        format!("service: svc\nprovider:\n  name: aws\nfunctions:\n  fn:\n    handler: h\n    events:\n{events}")
    }

    /// `yaml` with `resources` defining what its events refer to (`section` is `Resources` or
    /// `Parameters`), so that the template refers to nothing undefined.
    pub fn defining(yaml: &str, section: &str, id: &str, kind: &str) -> String {
        format!("{yaml}resources:\n  {section}:\n    {id}:\n      Type: {kind}\n")
    }

    pub fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
        template["Resources"]
            .get(id)
            .unwrap_or_else(|| panic!("no {id} in {}", template["Resources"]))
    }

    /// The statements of IamRoleLambdaExecution that are not about logs.
    pub fn streaming_statements(template: &Value) -> Vec<Value> {
        template["Resources"]["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
            ["PolicyDocument"]["Statement"]
            .as_array()
            .map(|s| {
                s.iter()
                    .filter(|s| !s["Action"].to_string().contains("logs:"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}
