//! The pipeline as one function: load → resolve variables → model → validate → compile →
//! IAM. Every stage adds its diagnostics; compilation runs only when no error was found, so a
//! user sees every problem of a run at once.

use crate::config::service::{build_service, merge_list_sections, validation_mode};
use crate::config::variables::{resolve_variables, VariableContext};
use crate::config::{load_file, Service};
use crate::env::Environment;
use crate::events::{self, CompileContext};
use crate::iam::attach;
use crate::iam::PolicyBuilder;
use crate::options::{Options, Outcome};
use crate::schema;
use crate::template::core::core_template;
use crate::template::finalize;
use crate::template::resources::merge_user_resources;
use crate::template::Template;
use serde_json::Value;
use std::path::Path;
use streaming_events_diagnostics::{codes, sort_diagnostics, Diagnostic, SourceMap};
use streaming_events_yaml::Node;

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
    let mut service = model(root, options, outcome)?;
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
    let rules = events::compile::rules(&compilers);
    outcome
        .diagnostics
        .extend(schema::events::validate_events(&mut service, &rules));
    if !outcome.has_errors() {
        outcome
            .diagnostics
            .extend(events::compile::check_events(&service, &compilers));
    }
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
    let mut policies: Vec<(String, PolicyBuilder)> = Vec::new();
    let mut cx = CompileContext {
        service: &service,
        template: &mut template,
        policies: &mut policies,
        custom_role_needs: Vec::new(),
        diagnostics: Vec::new(),
    };
    events::compile::compile_events(&mut cx, &compilers, options.template.is_some());
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
    outcome
        .diagnostics
        .extend(finalize::unresolved_references(&template));
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

/// Merges the list sections, validates the service outside its events (schema and shape) and
/// builds the model; `None` when an error was found.
fn model(mut root: Node, options: &Options, outcome: &mut Outcome) -> Option<Service> {
    if let Some(d) = schema::shape::check_root(&root) {
        outcome.diagnostics.push(d);
        return None;
    }
    let mut diagnostics = merge_list_sections(&mut root);
    let mode = validation_mode(&root, options.strict);
    diagnostics.extend(schema::service::validate_service(&mut root, mode));
    diagnostics.extend(schema::shape::check_shape(&root, mode));
    let fatal = diagnostics.iter().any(Diagnostic::is_error);
    outcome.diagnostics.extend(diagnostics);
    let kinds: Vec<&str> = events::registry().iter().map(|c| c.kind()).collect();
    let service = build_service(
        &root,
        options.stage.as_deref(),
        options.region.as_deref(),
        mode,
        &kinds,
    );
    if fatal {
        return None;
    }
    service
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
