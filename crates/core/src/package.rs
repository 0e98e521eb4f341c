//! The pipeline as one function: load → resolve variables → model → validate → compile →
//! IAM. Every stage adds its diagnostics; compilation runs only when no error was found, so a
//! user sees every problem of a run at once.

use crate::config::service::{build_service, Event};
use crate::config::variables::{resolve_variables, VariableContext};
use crate::config::{load_file, Service, ValidationMode};
use crate::env::Environment;
use crate::events::{self, CompileContext, EventCompiler, FunctionTarget};
use crate::iam::{self, PolicyBuilder};
use crate::naming;
use crate::schema::{self, filter};
use crate::template::core::{core_template, merge_user_resources};
use crate::template::Template;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use streaming_events_diagnostics::{codes, sort_diagnostics, Diagnostic, SourceMap};
use streaming_events_yaml::Span;

/// What the command line passes in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The service file.
    pub config: PathBuf,
    /// How the file is named in messages (as the user wrote it).
    pub config_display: String,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub params: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub vars: BTreeMap<String, String>,
    /// `--strict`: `configValidationMode: error` whatever the file says.
    pub strict: bool,
    /// `--template FILE`: extend this template instead of building the core.
    pub template: Option<PathBuf>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub template: Option<Value>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// One-line notes for stderr (event kinds not compiled).
    pub notes: Vec<String>,
    /// Per role: the size of each policy and its limit.
    pub iam_report: Vec<String>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the pipeline; with `build` false (`streaming-events validate`) every check still runs,
/// compilation included, but no template is returned.
pub fn run(env: &dyn Environment, options: &Options, build: bool) -> Outcome {
    let mut outcome = Outcome::default();
    let result = run_inner(env, options, &mut outcome);
    if let Some(template) = result {
        // `validate` runs every check, compilation included, and keeps no template.
        if build && !outcome.has_errors() {
            outcome.template = Some(template);
        }
    }
    sort_diagnostics(&mut outcome.diagnostics);
    outcome
}

fn run_inner(env: &dyn Environment, options: &Options, outcome: &mut Outcome) -> Option<Value> {
    let display = if options.config_display.is_empty() {
        options.config.display().to_string()
    } else {
        options.config_display.clone()
    };
    let root = match load_file(env, &options.config, &display, &mut outcome.sources) {
        Ok(root) => root,
        Err(d) => {
            outcome.diagnostics.push(*d);
            return None;
        }
    };
    let service_dir = options
        .config
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let context = VariableContext {
        env,
        service_dir,
        cli_stage: options.stage.clone(),
        cli_region: options.region.clone(),
        options: options.options.clone(),
        params: options.params.clone(),
        vars: options.vars.clone(),
        dotenv: crate::config::dotenv::load(env, &root, options),
    };
    let (root, variable_diagnostics) = resolve_variables(root, &context, &mut outcome.sources);
    let variables_failed = variable_diagnostics.iter().any(Diagnostic::is_error);
    outcome.diagnostics.extend(variable_diagnostics);
    if variables_failed {
        return None;
    }
    let (service, service_diagnostics) = build_service(
        &root,
        options.stage.as_deref(),
        options.region.as_deref(),
        options.strict,
    );
    outcome.diagnostics.extend(service_diagnostics);
    let mut service = service?;
    if !service.uncompiled_kinds.is_empty() {
        outcome.notes.push(format!(
            "note: events of kind {} are not compiled by streaming-events and were left out of the template",
            service.uncompiled_kinds.join(", ")
        ));
    }
    let compilers = events::registry();
    outcome
        .diagnostics
        .extend(crate::template::roles::check_dedicated_roles(&service));
    validate_events(&mut service, &compilers, outcome);
    if outcome.has_errors() {
        return None;
    }
    let mut template = match &options.template {
        None => core_template(&service),
        Some(path) => match load_template(env, path, &mut outcome.sources) {
            Ok(template) => template,
            Err(d) => {
                outcome.diagnostics.push(*d);
                return None;
            }
        },
    };
    let mut policies: Vec<(String, PolicyBuilder)> = Vec::new();
    let mut cx = CompileContext {
        service: &service,
        template: &mut template,
        policies: &mut policies,
        custom_role_needs: Vec::new(),
        diagnostics: Vec::new(),
    };
    compile_events(&mut cx, &compilers, options.template.is_some());
    let mut compile_diagnostics = std::mem::take(&mut cx.diagnostics);
    compile_diagnostics.extend(custom_role_warnings(&service, &cx.custom_role_needs));
    if options.template.is_none() {
        compile_diagnostics.extend(merge_user_resources(&mut template, &service));
    }
    outcome.diagnostics.extend(compile_diagnostics);
    if outcome.has_errors() {
        return None;
    }
    outcome.diagnostics.extend(unresolved_references(&template));
    for (role_id, policy) in &policies {
        attach_policy(&mut template, role_id, policy, outcome);
    }
    crate::template::core::strip_null_properties(&mut template);
    outcome.diagnostics.extend(template_limits(&template));
    for role_id in role_ids_without_grants(&template, &policies) {
        if let Some(role) = template.resources().get(&role_id) {
            report_role(&role_id, role, &[], outcome);
        }
    }
    if outcome.has_errors() {
        return None;
    }
    Some(template.into_value())
}

fn load_template(
    env: &dyn Environment,
    path: &Path,
    sources: &mut SourceMap,
) -> Result<Template, Box<Diagnostic>> {
    let display = path.display().to_string();
    let node = crate::config::load_file_as(
        env,
        path,
        &display,
        sources,
        crate::config::FileRole::Template,
    )?;
    match node.to_json() {
        Value::Object(map) => Ok(Template::from_value(map)),
        _ => Err(Box::new(
            Diagnostic::error(
                codes::TEMPLATE_INVALID,
                format!("{display} is not a CloudFormation template (a mapping with Resources)"),
            )
            .at(node.span, "")
            .with_help("pass the template written by `serverless package` or another CloudFormation template"),
        )),
    }
}

/// Schema validation (with coercion), filter patterns and each compiler's own checks, for
/// every streaming event.
fn validate_events(
    service: &mut Service,
    compilers: &[Box<dyn EventCompiler>],
    outcome: &mut Outcome,
) {
    let mode = service.validation_mode;
    let snapshot = service.clone();
    for function in &mut service.functions {
        for event in &mut function.events {
            let Some(compiler) = compilers.iter().find(|c| c.kind() == event.kind) else {
                continue;
            };
            let path = format!(
                "functions.{}.events[{}].{}",
                function.key, event.index, event.kind
            );
            if event.value.is_null()
                || matches!(
                    event.value.value,
                    streaming_events_yaml::Value::Seq(_)
                        | streaming_events_yaml::Value::Number(_)
                        | streaming_events_yaml::Value::Bool(_)
                )
            {
                outcome.diagnostics.push(
                    Diagnostic::error(
                        codes::FUNCTION_EVENT_INVALID,
                        format!(
                            "at {path}: a {} event needs its configuration, got {}",
                            event.kind,
                            schema::describe(&event.value)
                        ),
                    )
                    .with_path(&path)
                    .at(event.value.span, "")
                    .with_help(format!(
                        "write `- {}:` followed by its properties (see docs/compatibility.md)",
                        event.kind
                    )),
                );
                continue;
            }
            if is_intrinsic(&event.value) {
                let help = if event.kind == "stream" {
                    "write `arn: !GetAtt …` and `type: dynamodb` (or kinesis) under `stream:`"
                } else {
                    "write the intrinsic function under `arn:`"
                };
                outcome.diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION,
                        format!(
                            "at {path}: the event is an intrinsic function; the short form `- {}: <ARN>` takes a literal ARN only",
                            event.kind
                        ),
                    )
                    .with_path(&path)
                    .at(event.value.span, "")
                    .with_help(help),
                );
                continue;
            }
            let problems =
                schema::validate(&compiler.schema(), &mut event.value, &path, event.key_span);
            outcome
                .diagnostics
                .extend(schema::problems_to_diagnostics(problems, mode));
            if let Some(patterns) = event.value.get("filterPatterns") {
                let source = compiler.filter_source(&event.value);
                let found = filter::check_filter_patterns(
                    patterns,
                    &format!("{path}.filterPatterns"),
                    source,
                );
                outcome.diagnostics.extend(
                    found
                        .into_iter()
                        .filter(|d| mode != ValidationMode::Off || d.is_error()),
                );
            }
        }
    }
    if outcome.has_errors() {
        return;
    }
    for function in &service.functions {
        for event in &function.events {
            if let Some(compiler) = compilers.iter().find(|c| c.kind() == event.kind) {
                outcome
                    .diagnostics
                    .extend(compiler.check(&snapshot, function, event));
            }
        }
    }
}

/// Runs each compiler over every function, settling logical-id collisions first (D14).
fn compile_events(
    cx: &mut CompileContext<'_>,
    compilers: &[Box<dyn EventCompiler>],
    merge_mode: bool,
) {
    let service = cx.service;
    let default_role_present = cx.template.has_resource(naming::DEFAULT_ROLE_LOGICAL_ID);
    for compiler in compilers {
        for function in &service.functions {
            let events: Vec<&Event> = function
                .events
                .iter()
                .filter(|e| e.kind == compiler.kind())
                .collect();
            if events.is_empty() {
                continue;
            }
            let mut target = FunctionTarget::new(service, function);
            if merge_mode {
                if target.role_resource.as_deref() == Some(naming::DEFAULT_ROLE_LOGICAL_ID)
                    && !default_role_present
                {
                    target.role_resource = None;
                }
                if !cx.template.has_resource(&target.lambda_logical_id) {
                    cx.diagnostics.push(
                        Diagnostic::warning(codes::TEMPLATE_INVALID, format!("the template has no {} for function '{}'; its mappings refer to it", target.lambda_logical_id, function.key))
                            .at(function.key_span, "this function")
                            .with_help("pass the template `serverless package` wrote for this service"),
                    );
                }
            }
            if target.policy_role.as_deref() == Some(naming::DEFAULT_ROLE_LOGICAL_ID)
                && !default_role_present
            {
                target.policy_role = None;
            }
            let plans: Vec<_> = events
                .iter()
                .map(|event| compiler.plan(service, function, event))
                .collect();
            let settled = if compiler.settles_collisions() {
                events::settle_collisions(function, &plans)
            } else {
                Ok(vec![String::new(); plans.len()])
            };
            let suffixes = match settled {
                Ok(s) => s,
                Err(errors) => {
                    cx.diagnostics.extend(errors);
                    continue;
                }
            };
            for ((event, plan), suffix) in events.iter().zip(&plans).zip(&suffixes) {
                if compiler.kind() == "stream" {
                    if let Some(d) =
                        events::stream::check_consumer_name(service, function, event, suffix)
                    {
                        cx.diagnostics.push(d);
                        continue;
                    }
                }
                compiler.compile(cx, &target, event, plan, suffix);
            }
        }
    }
}

/// D2: functions with their own role get nothing added; a warning lists what the role must
/// grant for the event sources they use.
fn custom_role_warnings(service: &Service, needs: &[(String, PolicyBuilder)]) -> Vec<Diagnostic> {
    // One warning per role, however many functions share it.
    let mut by_role: Vec<(String, Vec<&str>, PolicyBuilder, Span, String)> = Vec::new();
    for (key, policy) in needs {
        let Some(function) = service.functions.iter().find(|f| f.key == *key) else {
            continue;
        };
        let Some(role) = crate::events::custom_execution_role(service, function) else {
            continue;
        };
        let identity = crate::events::json_text(&role);
        let span = function.role.as_ref().map(|r| r.span).unwrap_or(role.span);
        let path = if function.role.is_some() {
            format!("functions.{key}.role")
        } else if service.provider.iam_role.is_some() {
            "provider.iam.role".to_string()
        } else {
            "provider.role".to_string()
        };
        let index = match by_role.iter().position(|(id, ..)| *id == identity) {
            Some(index) => index,
            None => {
                by_role.push((identity, Vec::new(), PolicyBuilder::new(), span, path));
                by_role.len() - 1
            }
        };
        let entry = &mut by_role[index];
        entry.1.push(key);
        for statement in policy.statements() {
            entry.2.add(statement.clone());
        }
    }
    by_role
        .into_iter()
        .map(|(role, functions, policy, span, path)| {
            let lines: Vec<String> = policy
                .statements()
                .iter()
                .map(|s| format!("{} on {}", s.actions.join(", "), s.to_json()["Resource"]))
                .collect();
            let names = functions.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
            Diagnostic::warning(
                codes::IAM_CUSTOM_ROLE_NEEDS,
                format!(
                    "the role {role} of function(s) {names} is not changed by streaming-events; for their event sources it must allow: {}",
                    lines.join("; ")
                ),
            )
            .with_path(path)
            .at(span, "this role")
            .with_help("check that the role grants these actions; see docs/iam.md")
        })
        .collect()
}

/// Adds the streaming permissions to a role of the stack: inline while the role's inline
/// policies fit IAM's 10,240 characters, otherwise in managed policies of at most 6,144
/// characters each, attached to the role (at most 10 per role, counting its own).
fn attach_policy(
    template: &mut Template,
    role_id: &str,
    policy: &PolicyBuilder,
    outcome: &mut Outcome,
) {
    let Some(role) = template.resources().get(role_id).cloned() else {
        return;
    };
    let mut with_inline = role.clone();
    match iam::role_statements_mut(&mut with_inline) {
        Some(statements) => {
            let new = without_granted(statements, policy.to_json());
            statements.extend(new);
        }
        None => outcome.diagnostics.push(
            Diagnostic::warning(
                codes::TEMPLATE_INVALID,
                format!("{role_id} has no inline policy to extend; the streaming permissions go into managed policies"),
            )
            .with_help("give the role a Policies[0].PolicyDocument.Statement list, or check the permissions yourself"),
        ),
    }
    let has_inline = iam::role_statements_mut(&mut with_inline).is_some();
    if has_inline && iam::inline_policies_size(&with_inline) <= iam::MAX_INLINE_POLICY_CHARS {
        report_role(role_id, &with_inline, &[], outcome);
        template.add_resource(role_id, with_inline);
        return;
    }
    let existing_managed = role
        .get("Properties")
        .and_then(|p| p.get("ManagedPolicyArns"))
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    let room = iam::MAX_MANAGED_POLICIES_PER_ROLE.saturating_sub(existing_managed);
    let total: usize = policy
        .statements()
        .iter()
        .map(|s| iam::policy_size(&s.to_json()))
        .sum();
    match iam::split_into_documents(policy.statements(), iam::MAX_MANAGED_POLICY_CHARS) {
        Some(documents) if documents.len() <= room => {
            let resources: Vec<(String, Value)> = documents
                .into_iter()
                .enumerate()
                .map(|(i, statements)| (naming::streaming_policy_logical_id(role_id, i + 1), iam::managed_policy_resource(role_id, statements)))
                .collect();
            report_role(role_id, &role, &resources, outcome);
            let ids: Vec<Value> = resources.iter().map(|(id, _)| json!(id)).collect();
            for (id, resource) in resources {
                template.add_resource(id, resource);
            }
            // A mapping checks its permissions when it is created: it waits for the policies.
            for resource in template.resources_mut().values_mut() {
                if resource.get("Type").and_then(Value::as_str) != Some("AWS::Lambda::EventSourceMapping") {
                    continue;
                }
                let Some(depends) = resource.get_mut("DependsOn").and_then(Value::as_array_mut) else { continue };
                if depends.iter().any(|d| d == role_id) {
                    depends.extend(ids.iter().cloned());
                }
            }
        }
        _ => outcome.diagnostics.push(
            Diagnostic::error(
                codes::IAM_POLICY_TOO_LARGE,
                format!(
                    "the streaming permissions ({total} characters) do not fit {role_id}: its inline policies may hold {} characters, and {room} more managed policies of {} characters each are allowed",
                    iam::MAX_INLINE_POLICY_CHARS,
                    iam::MAX_MANAGED_POLICY_CHARS
                ),
            )
            .with_help("give the functions with the most event sources their own role (`provider.iam.role.mode: perFunction`, or `iam.role.statements` on a function)"),
        ),
    }
}

/// Roles of the stack that received no streaming permissions (still reported by --iam-report).
fn role_ids_without_grants(
    template: &Template,
    policies: &[(String, PolicyBuilder)],
) -> Vec<String> {
    template
        .resources()
        .iter()
        .filter(|(id, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::Role")
                && !policies.iter().any(|(p, _)| p == *id)
        })
        .map(|(id, _)| id.clone())
        .collect()
}

fn report_role(role_id: &str, role: &Value, managed: &[(String, Value)], outcome: &mut Outcome) {
    let inline = iam::inline_policies_size(role);
    outcome.iam_report.push(format!(
        "{role_id}: inline policies {inline} of {} characters ({}%)",
        iam::MAX_INLINE_POLICY_CHARS,
        inline * 100 / iam::MAX_INLINE_POLICY_CHARS
    ));
    for (id, resource) in managed {
        let size = resource
            .get("Properties")
            .and_then(|p| p.get("PolicyDocument"))
            .map(iam::policy_size)
            .unwrap_or(0);
        outcome.iam_report.push(format!(
            "  {id}: managed policy {size} of {} characters ({}%)",
            iam::MAX_MANAGED_POLICY_CHARS,
            size * 100 / iam::MAX_MANAGED_POLICY_CHARS
        ));
    }
}

/// An object with a single `Ref` or `Fn::…` key.
fn is_intrinsic(node: &streaming_events_yaml::Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.len() == 1 && (m.entries[0].key == "Ref" || m.entries[0].key.starts_with("Fn::"))
    })
}

/// Warns about `Ref`, `Fn::GetAtt` and `DependsOn` targets that are not in the template (a
/// function `role: MyRole` naming a role the service does not define, say): CloudFormation
/// would reject the template.
fn unresolved_references(template: &Template) -> Vec<Diagnostic> {
    let resources = template.resources();
    let parameters = template.root.get("Parameters").and_then(Value::as_object);
    let defined = |name: &str| {
        name.starts_with("AWS::")
            || resources.contains_key(name)
            || parameters.is_some_and(|p| p.contains_key(name))
    };
    let mut missing: Vec<(String, String)> = Vec::new();
    for (id, resource) in resources {
        let mut found = Vec::new();
        collect_references(
            resource.get("Properties").unwrap_or(&Value::Null),
            &mut found,
        );
        match resource.get("DependsOn") {
            Some(Value::String(name)) => found.push(name.clone()),
            Some(Value::Array(names)) => {
                found.extend(names.iter().filter_map(Value::as_str).map(str::to_string))
            }
            _ => {}
        }
        for name in found {
            if !defined(&name) && !missing.iter().any(|(r, n)| r == id && *n == name) {
                missing.push((id.clone(), name));
            }
        }
    }
    missing
        .into_iter()
        .map(|(resource, name)| {
            Diagnostic::warning(
                codes::TEMPLATE_REFERENCE_UNRESOLVED,
                format!("{resource} refers to {name}, which is neither a resource nor a parameter of the template; CloudFormation will reject it"),
            )
            .with_help(format!("define {name} under resources.Resources, or refer to an existing resource by its ARN"))
        })
        .collect()
}

fn collect_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(name)) = map.get("Ref") {
                    out.push(name.clone());
                    return;
                }
                if let Some(target) = map.get("Fn::GetAtt") {
                    let name = match target {
                        Value::Array(parts) => {
                            parts.first().and_then(Value::as_str).map(str::to_string)
                        }
                        Value::String(text) => text.split('.').next().map(str::to_string),
                        _ => None,
                    };
                    out.extend(name);
                    return;
                }
            }
            for v in map.values() {
                collect_references(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

/// Our statements minus the resources the role already grants with the same Effect and
/// Action list (merge mode over a template `serverless package` wrote, which has them).
fn without_granted(existing: &[Value], ours: Vec<Value>) -> Vec<Value> {
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    ours.into_iter()
        .filter_map(|mut statement| {
            let granted: Vec<Value> = existing
                .iter()
                .filter(|e| {
                    e["Effect"] == statement["Effect"]
                        && as_list(&e["Action"]) == as_list(&statement["Action"])
                })
                .flat_map(|e| as_list(&e["Resource"]))
                .collect();
            if granted.is_empty() {
                return Some(statement);
            }
            match &mut statement["Resource"] {
                Value::Array(resources) => {
                    resources.retain(|r| !granted.contains(r));
                    (!resources.is_empty()).then_some(statement)
                }
                other => (!granted.contains(other)).then_some(statement),
            }
        })
        .collect()
}

/// CloudFormation's quotas a template must fit to deploy at all.
pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_TEMPLATE_BYTES: usize = 1_048_576;

fn template_limits(template: &Template) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let resources = template.resources().len();
    if resources > MAX_RESOURCES {
        out.push(
            Diagnostic::error(
                codes::TEMPLATE_LIMIT_EXCEEDED,
                format!("the template has {resources} resources; CloudFormation accepts at most {MAX_RESOURCES} in one stack"),
            )
            .with_help("split the service into several services (stacks), or move functions into nested stacks"),
        );
    }
    let outputs = template
        .root
        .get("Outputs")
        .and_then(Value::as_object)
        .map(|o| o.len())
        .unwrap_or(0);
    if outputs > MAX_OUTPUTS {
        out.push(
            Diagnostic::error(
                codes::TEMPLATE_LIMIT_EXCEEDED,
                format!("the template has {outputs} outputs; CloudFormation accepts at most {MAX_OUTPUTS}"),
            )
            .with_help("set `versionFunctions: false` (each versioned function adds an output), or split the service"),
        );
    }
    let bytes = crate::template::json::to_js_compact(&Value::Object(template.root.clone())).len();
    if bytes > MAX_TEMPLATE_BYTES {
        out.push(
            Diagnostic::error(
                codes::TEMPLATE_LIMIT_EXCEEDED,
                format!("the template is {bytes} bytes without whitespace; CloudFormation accepts at most {MAX_TEMPLATE_BYTES} (uploaded through S3)"),
            )
            .with_help("split the service into several services (stacks)"),
        );
    }
    out
}
