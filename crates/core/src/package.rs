//! The pipeline, and only its sequence: load → resolve variables → validate and model →
//! validate events → the quotas' early check → compile → IAM → the template's last pass. Every stage returns its value
//! and its diagnostics, and no stage stops the run because an earlier one found a problem
//! elsewhere: a failed variable makes only the values that depend on it unknown, an event with
//! an error is left out of what follows, and one run reports every problem it can.

use crate::config::service::{build_service, merge_list_sections, validation_mode};
use crate::config::unknown::Unknown;
use crate::config::{load_file, Service};
use crate::env::Environment;
use crate::events::{self, CompileContext};
use crate::iam::attach;
use crate::iam::PolicyBuilder;
use crate::options::{Options, Outcome};
use crate::schema;
use crate::template::core::core_template;
use crate::template::finalize;
use crate::template::references;
use crate::template::resources::merge_user_resources;
use crate::template::Template;
use serde_json::Value;
use streaming_events_diagnostics::{codes, sort_diagnostics, Diagnostic};
use streaming_events_yaml::Node;

/// Runs the pipeline; with `build` false (`streaming-events validate`) every check still runs,
/// compilation included, but no template is returned.
pub fn run(env: &dyn Environment, options: &Options, build: bool) -> Outcome {
    run_inspecting(env, options, build, &mut |_, _| {})
}

/// A look at the validated service and the compilers (see [`run_inspecting`]).
pub type Inspect<'a> = dyn FnMut(&Service, &[Box<dyn events::EventCompiler>]) + 'a;

/// What [`run`] does, with a look at the service once its events are validated: `inspect` sees
/// the events that passed (`test-filter` takes their filter patterns from there).
pub fn run_inspecting(
    env: &dyn Environment,
    options: &Options,
    build: bool,
    inspect: &mut Inspect<'_>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let result = run_inner(env, options, &mut outcome, inspect, &mut Early::Refuse);
    if let Some(template) = result {
        // `validate` runs every check, compilation included, and keeps no template.
        if build && !outcome.has_errors() {
            outcome.template = Some(template);
        }
    }
    sort_diagnostics(&mut outcome.diagnostics);
    outcome
}

/// What the early check of the quotas does.
enum Early {
    /// Refuses a service whose lower bound is over an error's quota (every run).
    Refuse,
    /// Records the bounds and the finished template's counts, and refuses nothing (the test
    /// that a bound never exceeds its count).
    #[cfg(test)]
    Record(Recorded),
}

#[cfg(test)]
#[derive(Debug, Default)]
struct Recorded {
    bounds: Option<finalize::limits::Bounds>,
    /// The finished template's resources and outputs, as the exact check counts them.
    counts: Option<(usize, usize)>,
}

fn run_inner(
    env: &dyn Environment,
    options: &Options,
    outcome: &mut Outcome,
    inspect: &mut Inspect<'_>,
    early: &mut Early,
) -> Option<Value> {
    let (root, unknown) = match &options.resolved {
        // Binary mode: the configuration as the Framework resolved it, positions from the file.
        Some(resolved) => (
            load_resolved(env, options, resolved, outcome)?,
            Unknown::default(),
        ),
        None => {
            let root = load(env, options, outcome)?;
            resolve(env, options, root, outcome)
        }
    };
    let mut service = model(root, options, &unknown, outcome)?;
    if !service.uncompiled_kinds.is_empty() {
        outcome.notes.push(Diagnostic::note(
            codes::EVENTS_NOT_COMPILED,
            format!(
                "events of kind {} are not compiled by streaming-events and were left out of the template",
                service.uncompiled_kinds.join(", ")
            ),
        ));
    }
    let compilers = events::registry::registry();
    validate(&mut service, &compilers, &unknown, outcome);
    inspect(&service, &compilers);
    // The quotas as far as they are known before compiling: from the service (or, in merge
    // mode, the given template once it is read) and the ids the events will get.
    if options.template.is_none() && refused_early(&service, &compilers, None, outcome, early) {
        return None;
    }
    let mut template = start_template(env, options, &service, outcome)?;
    if options.template.is_some()
        && refused_early(&service, &compilers, Some(&template), outcome, early)
    {
        return None;
    }
    let policies = compile(&service, &compilers, &mut template, options, outcome);
    let (report, iam_diagnostics, granted) =
        attach::attach_policies(&mut template, policies, &service);
    outcome.iam_report.extend(report);
    outcome.diagnostics.extend(iam_diagnostics);
    // Binary mode: the Framework merges the service's `resources` after this step.
    let binary_mode = options.resolved.is_some() && options.template.is_some();
    let finished =
        binary_mode.then(|| crate::template::resources::with_user_resources(&template, &service));
    outcome
        .diagnostics
        .extend(unknown.retain(references::unresolved_references(
            finished.as_ref().unwrap_or(&template),
            &service,
            options.template.is_some(),
        )));
    outcome
        .diagnostics
        .extend(finalize::id_collisions(&template, &service));
    finalize::strip_null_properties(&mut template);
    #[cfg(test)]
    if let Early::Record(recorded) = early {
        let outputs = template.root.get("Outputs").and_then(Value::as_object);
        recorded.counts = Some((template.resources().len(), outputs.map_or(0, |o| o.len())));
    }
    outcome
        .diagnostics
        .extend(finalize::template_limits(&template, &service));
    outcome
        .iam_report
        .extend(attach::report_roles_without_grants(&template, &granted));
    if let Some(previous) = &options.previous {
        compare_with_deployed(env, previous, &template, &service, binary_mode, outcome);
    }
    (!outcome.has_errors()).then(|| template.into_value())
}

/// The early check of the quotas ([`finalize::limits`]): whether the service is refused before
/// its events are compiled, a lower bound being over a quota that is an error. The run then
/// stops: what compilation, IAM and the last pass would find is not reported.
fn refused_early(
    service: &Service,
    compilers: &[Box<dyn events::EventCompiler>],
    given: Option<&Template>,
    outcome: &mut Outcome,
    early: &mut Early,
) -> bool {
    let mut logical_ids = || events::planned::mapping_logical_ids(service, compilers);
    let mut planned = finalize::limits::PlannedEvents {
        count: events::planned::event_count(service),
        logical_ids: &mut logical_ids,
    };
    match early {
        Early::Refuse => {
            let found = finalize::limits::early_limits(service, given, &mut planned);
            let refused = !found.is_empty();
            outcome.diagnostics.extend(found);
            refused
        }
        #[cfg(test)]
        Early::Record(recorded) => {
            recorded.bounds = Some(finalize::limits::lower_bounds(service, given, &mut planned));
            false
        }
    }
}

/// `--previous FILE`: what the next deploy does to the deployed mappings and consumers, on the
/// template as it will be deployed (in binary mode, with the service's `resources` the
/// Framework merges after this step).
fn compare_with_deployed(
    env: &dyn Environment,
    path: &std::path::Path,
    template: &Template,
    service: &Service,
    binary_mode: bool,
    outcome: &mut Outcome,
) {
    let previous = match crate::deployed::load_previous(env, path, &mut outcome.sources) {
        Ok(previous) => previous,
        Err(d) => {
            outcome.diagnostics.push(*d);
            return;
        }
    };
    let finished =
        binary_mode.then(|| crate::template::resources::with_user_resources(template, service));
    outcome
        .diagnostics
        .extend(crate::deployed::hazards::replacement_hazards(
            &previous,
            finished.as_ref().unwrap_or(template),
            service,
        ));
}

/// The service file as a node tree.
fn load(env: &dyn Environment, options: &Options, outcome: &mut Outcome) -> Option<Node> {
    let display = display_name(options);
    match load_file(env, &options.config, &display, &mut outcome.sources) {
        Ok(root) => Some(root),
        Err(d) => {
            outcome.diagnostics.push(*d);
            None
        }
    }
}

/// `--resolved FILE`: the Framework's resolved configuration (JSON), each value placed at the
/// position of the same config path in the service file.
fn load_resolved(
    env: &dyn Environment,
    options: &Options,
    resolved: &std::path::Path,
    outcome: &mut Outcome,
) -> Option<Node> {
    let display = display_name(options);
    let config = (!options.config.as_os_str().is_empty())
        .then_some((options.config.as_path(), display.as_str()));
    crate::config::resolved::load_resolved(env, resolved, config, &mut outcome.sources)
        .map_err(|d| outcome.diagnostics.push(*d))
        .ok()
}

/// How the service file is named in messages.
fn display_name(options: &Options) -> String {
    if options.config_display.is_empty() {
        options.config.display().to_string()
    } else {
        options.config_display.clone()
    }
}

/// Resolves the variables; what a failed variable leaves is unknown to the later stages.
fn resolve(
    env: &dyn Environment,
    options: &Options,
    root: Node,
    outcome: &mut Outcome,
) -> (Node, Unknown) {
    let (root, variable_diagnostics) =
        crate::config::resolve_service(env, options, root, &mut outcome.sources);
    let unknown = Unknown::from_resolution(&root, &variable_diagnostics);
    outcome.diagnostics.extend(variable_diagnostics);
    (root, unknown)
}

/// Merges the list sections, validates the service outside its events (schema and shape) and
/// builds the model; `None` only when the file is not a mapping.
fn model(
    mut root: Node,
    options: &Options,
    unknown: &Unknown,
    outcome: &mut Outcome,
) -> Option<Service> {
    if let Some(d) = schema::shape::check_root(&root) {
        outcome.diagnostics.push(d);
        return None;
    }
    let mut diagnostics = merge_list_sections(&mut root);
    let mode = validation_mode(&root, options.strict);
    diagnostics.extend(schema::service::validate_service(&mut root, mode));
    let kinds: Vec<&str> = events::registry::registry()
        .iter()
        .map(|c| c.kind())
        .collect();
    diagnostics.extend(schema::shape::check_shape(&root, mode, &kinds));
    outcome.diagnostics.extend(unknown.retain(diagnostics));
    build_service(
        root,
        options.stage.as_deref(),
        options.region.as_deref(),
        mode,
        &kinds,
    )
}

/// The events' schemas and filter patterns, then each compiler's own checks. An event that
/// holds an unknown value or an error is left out of the later checks and of compilation;
/// every other event goes on, so one run reports every problem it can.
fn validate(
    service: &mut Service,
    compilers: &[Box<dyn events::EventCompiler>],
    unknown: &Unknown,
    outcome: &mut Outcome,
) {
    outcome
        .diagnostics
        .extend(crate::iam::roles::check_dedicated_roles(service));
    outcome
        .diagnostics
        .extend(unknown.retain(schema::names::check_names(service)));
    outcome
        .diagnostics
        .extend(unknown.retain(schema::logical_ids::check_user_logical_ids(service)));
    outcome.diagnostics.extend(
        unknown.retain(
            crate::iam::roles::check_shared_role_name(service)
                .into_iter()
                .collect(),
        ),
    );
    let rules = events::compile::rules(compilers);
    let found = unknown.retain(schema::events::validate_events(service, &rules));
    events::compile::retain_valid_events(service, unknown, &found);
    outcome.diagnostics.extend(found);
    let found = events::compile::check_events(service, compilers);
    events::compile::retain_valid_events(service, unknown, &found);
    outcome.diagnostics.extend(found);
}

/// The template the events are compiled into: the core resources, or (merge mode) the
/// template given with `--template`.
fn start_template(
    env: &dyn Environment,
    options: &Options,
    service: &Service,
    outcome: &mut Outcome,
) -> Option<Template> {
    match &options.template {
        None => {
            let mut template = core_template(service);
            crate::iam::roles::add_execution_roles(&mut template, service);
            crate::template::core::add_functions(&mut template, service);
            Some(template)
        }
        Some(path) => match Template::load(env, path, &mut outcome.sources) {
            Ok(mut template) => {
                crate::iam::merge_roles::add_missing_dedicated_roles(&mut template, service);
                Some(template)
            }
            Err(d) => {
                outcome.diagnostics.push(*d);
                None
            }
        },
    }
}

/// Compiles every event into the template, then the service's own resources; returns the
/// permissions each role of the stack needs.
fn compile(
    service: &Service,
    compilers: &[Box<dyn events::EventCompiler>],
    template: &mut Template,
    options: &Options,
    outcome: &mut Outcome,
) -> Vec<(String, PolicyBuilder)> {
    let mut policies: Vec<(String, PolicyBuilder)> = Vec::new();
    let mut cx = CompileContext {
        service,
        template,
        policies: &mut policies,
        custom_role_needs: Vec::new(),
        diagnostics: Vec::new(),
        merge_mode: options.template.is_some(),
        index: Default::default(),
    };
    events::compile::compile_events(&mut cx, compilers, options.template.is_some());
    let mut diagnostics = std::mem::take(&mut cx.diagnostics);
    diagnostics.extend(crate::iam::custom_roles::custom_role_warnings(
        service,
        &cx.custom_role_needs,
    ));
    if options.template.is_none() {
        diagnostics.extend(merge_user_resources(template, service));
    }
    events::consumers::chain_consumer_creation(template, options.template.is_some());
    outcome.diagnostics.extend(diagnostics);
    policies
}

/// The benchmark services (`benches/common/mod.rs`), for the test of the early bounds.
#[cfg(test)]
#[path = "../benches/common/mod.rs"]
mod bench_services;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{FakeEnvironment, OsEnvironment};
    use std::path::{Path, PathBuf};

    /// The early bounds of a run and its finished template's counts.
    fn bounds_and_counts(env: &dyn Environment, options: &Options) -> Recorded {
        let mut early = Early::Record(Recorded::default());
        let mut outcome = Outcome::default();
        run_inner(env, options, &mut outcome, &mut |_, _| {}, &mut early);
        match early {
            Early::Record(recorded) => recorded,
            Early::Refuse => unreachable!("recording"),
        }
    }

    /// Checks that neither bound exceeds its count; returns `(bound, count)` of the resources.
    fn check(name: &str, env: &dyn Environment, options: &Options) -> Option<(usize, usize)> {
        let recorded = bounds_and_counts(env, options);
        let (Some(bounds), Some((resources, outputs))) = (recorded.bounds, recorded.counts) else {
            return None;
        };
        assert!(
            bounds.resources.total <= resources,
            "{name}: {:?} over {resources} resources",
            bounds.resources
        );
        assert!(
            bounds.outputs.total <= outputs,
            "{name}: {:?} over {outputs} outputs",
            bounds.outputs
        );
        Some((bounds.resources.total, resources))
    }

    fn services_under(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                services_under(&path, out);
            } else if path.file_name().is_some_and(|n| n == "serverless.yml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_early_bounds_never_exceed_the_corpus_and_fixture_templates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut services = Vec::new();
        services_under(&root.join("tests/compat/cases"), &mut services);
        services_under(&root.join("tests/fixtures"), &mut services);
        assert!(services.len() > 300, "{} services", services.len());
        let env = OsEnvironment::new();
        let mut compiled = 0;
        for path in &services {
            let options = Options {
                config: path.clone(),
                config_display: "serverless.yml".into(),
                ..Options::default()
            };
            let name = path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string();
            if check(&name, &env, &options).is_some() {
                compiled += 1;
            }
            // Merge mode: the same service extending the template of its own run (the
            // Framework's has no mappings; the bound must hold over either).
            let Some(template) = run(&env, &options, true).template else {
                continue;
            };
            let given = path.with_file_name("template.json");
            let env = FakeEnvironment::new()
                .with_file(&given, crate::js::to_js_pretty(&template))
                .with_file(path, std::fs::read_to_string(path).unwrap_or_default());
            let merge = Options {
                template: Some(given),
                ..options.clone()
            };
            check(&format!("{name} (merge mode)"), &env, &merge);
        }
        assert!(compiled > 300, "{compiled} services compiled");
    }

    #[test]
    fn the_early_bounds_never_exceed_the_bench_templates_and_meet_them_without_roles() {
        let path = PathBuf::from("/bench/serverless.yml");
        for functions in [1, 7, 63, 250] {
            for (self_references, large) in
                [(false, false), (true, false), (false, true), (true, true)]
            {
                let shape = bench_services::Shape {
                    self_references,
                    large,
                };
                let env = FakeEnvironment::new()
                    .with_file(&path, bench_services::service(functions, shape))
                    .with_file(
                        "/bench/handler.js",
                        "module.exports.handler = async () => {};",
                    );
                let options = Options {
                    config: path.clone(),
                    config_display: "serverless.yml".into(),
                    ..Options::default()
                };
                let name = format!("bench {functions} {shape:?}");
                let (bound, count) = check(&name, &env, &options).expect(&name);
                if !large {
                    // Nothing the bound leaves out: core resources, functions, log groups,
                    // versions and one mapping per event.
                    assert_eq!(bound, count, "{name}");
                }
            }
        }
    }
}
