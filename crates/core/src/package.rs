//! The pipeline as one function: load → resolve variables → model → validate → compile →
//! IAM. Every stage adds its diagnostics; compilation runs only when no error was found, so a
//! user sees every problem of a run at once.

use crate::config::service::{build_service, Event};
use crate::config::variables::{resolve_variables, VariableContext};
use crate::config::{load_file, Service, ValidationMode};
use crate::env::Environment;
use crate::events::{self, CompileContext, EventCompiler, FunctionTarget};
use crate::iam::attach;
use crate::iam::PolicyBuilder;
use crate::naming;
use crate::options::{Options, Outcome};
use crate::schema::{self, filter};
use crate::template::core::core_template;
use crate::template::finalize;
use crate::template::resources::merge_user_resources;
use crate::template::Template;
use serde_json::Value;
use std::path::Path;
use streaming_events_diagnostics::{codes, sort_diagnostics, Diagnostic, SourceMap};

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
    let root = match &options.resolved {
        Some(resolved) => crate::config::resolved::load_resolved(
            env,
            resolved,
            (!options.config.as_os_str().is_empty())
                .then_some((options.config.as_path(), &display)),
            &mut outcome.sources,
        )
        .map_err(|d| outcome.diagnostics.push(*d))
        .ok()?,
        None => load_and_resolve(env, options, &display, outcome)?,
    };
    finish(env, options, root, outcome)
}

/// The service file loaded and its variables resolved.
fn load_and_resolve(
    env: &dyn Environment,
    options: &Options,
    display: &str,
    outcome: &mut Outcome,
) -> Option<streaming_events_yaml::Node> {
    let root = match load_file(env, &options.config, display, &mut outcome.sources) {
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
    let dotenv = crate::config::dotenv::load(env, &root, &service_dir, options.stage.as_deref());
    let context = VariableContext {
        env,
        service_dir,
        cli_stage: options.stage.clone(),
        cli_region: options.region.clone(),
        options: options.options.clone(),
        params: options.params.clone(),
        vars: options.vars.clone(),
        dotenv,
    };
    let (root, variable_diagnostics) = resolve_variables(root, &context, &mut outcome.sources);
    let variables_failed = variable_diagnostics.iter().any(Diagnostic::is_error);
    outcome.diagnostics.extend(variable_diagnostics);
    if variables_failed {
        return None;
    }
    Some(root)
}

/// From the resolved node tree on: the model, validation, compilation and IAM.
fn finish(
    env: &dyn Environment,
    options: &Options,
    root: streaming_events_yaml::Node,
    outcome: &mut Outcome,
) -> Option<Value> {
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
        .extend(crate::iam::roles::check_dedicated_roles(&service));
    validate_events(&mut service, &compilers, outcome);
    if outcome.has_errors() {
        return None;
    }
    let mut template = match &options.template {
        None => {
            let mut template = core_template(&service);
            crate::iam::roles::add_execution_roles(&mut template, &service);
            crate::template::core::add_functions(&mut template, &service);
            template
        }
        Some(path) => match load_template(env, path, &mut outcome.sources) {
            Ok(template) => template,
            Err(d) => {
                outcome.diagnostics.push(*d);
                return None;
            }
        },
    };
    if options.template.is_some() {
        crate::iam::merge_roles::add_missing_dedicated_roles(&mut template, &service);
    }
    let mut policies: Vec<(String, PolicyBuilder)> = Vec::new();
    let mut cx = CompileContext {
        service: &service,
        template: &mut template,
        policies: &mut policies,
        custom_role_needs: Vec::new(),
        diagnostics: Vec::new(),
        merge_mode: options.template.is_some(),
    };
    compile_events(&mut cx, &compilers, options.template.is_some());
    let mut compile_diagnostics = std::mem::take(&mut cx.diagnostics);
    compile_diagnostics.extend(crate::iam::custom_roles::custom_role_warnings(
        &service,
        &cx.custom_role_needs,
    ));
    if options.template.is_none() {
        compile_diagnostics.extend(merge_user_resources(&mut template, &service));
    }
    outcome.diagnostics.extend(compile_diagnostics);
    if outcome.has_errors() {
        return None;
    }
    // Binary mode: the Framework merges the service's `resources` after this step.
    let finished = options
        .resolved
        .as_ref()
        .filter(|_| options.template.is_some())
        .map(|_| crate::config::resolved::with_user_resources(&template, &service));
    outcome.diagnostics.extend(finalize::unresolved_references(
        finished.as_ref().unwrap_or(&template),
    ));
    let (report, iam_diagnostics) = attach::attach_policies(&mut template, &policies);
    outcome.iam_report.extend(report);
    outcome.diagnostics.extend(iam_diagnostics);
    finalize::strip_null_properties(&mut template);
    outcome
        .diagnostics
        .extend(finalize::template_limits(&template));
    outcome
        .iam_report
        .extend(attach::report_roles_without_grants(&template, &policies));
    if outcome.has_errors() {
        return None;
    }
    Some(template.into_value())
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

fn load_template(
    env: &dyn Environment,
    path: &Path,
    sources: &mut SourceMap,
) -> Result<Template, Box<Diagnostic>> {
    let display = path.display().to_string();
    let node = load_file(env, path, &display, sources)?;
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

/// An object with a single `Ref` or `Fn::…` key.
fn is_intrinsic(node: &streaming_events_yaml::Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.len() == 1 && (m.entries[0].key == "Ref" || m.entries[0].key.starts_with("Fn::"))
    })
}
