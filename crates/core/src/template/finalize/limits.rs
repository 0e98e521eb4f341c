//! CloudFormation's quotas checked before compiling: a lower bound on the resources and the
//! outputs the template will have, from the service model and the logical ids the events layer
//! plans ([`PlannedEvents`]), so that a service that cannot fit is refused before the events are
//! compiled. The exact check of the finished template stays [`super::template_limits`].
//!
//! Architecture invariant: a bound never exceeds the count of the finished template (a resource
//! is counted only by a logical id the template will certainly hold, or, for a version, whose
//! id no other resource can share), so a service that fits is never refused here. Like the rest
//! of the template layer, this knows no event kind: the events are a count and a list of ids.

use super::{
    outputs_exceeded, resources_exceeded, MAX_OUTPUTS, MAX_RESOURCES, SPLIT_STACKS_PLUGIN,
};
use crate::config::roles::{needs_default_role, uses_dedicated_role};
use crate::config::Service;
use crate::naming;
use crate::template::core::{deployment_bucket_name, has_log_group, has_version};
use crate::template::Template;
use serde_json::Value;
use std::collections::BTreeSet;
use streaming_events_diagnostics::Diagnostic;
use streaming_events_yaml::Node;

/// What compiling the events will add, as the events layer knows it before compiling.
pub struct PlannedEvents<'a> {
    /// How many events compilation looks at; each adds at most one of the ids below.
    pub count: usize,
    /// The logical ids of the mappings the events add (asked only when the count could
    /// matter).
    pub logical_ids: &'a mut dyn FnMut() -> Vec<String>,
}

/// A lower bound on a count, and what it is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowerBound {
    pub total: usize,
    /// `(count, what)` in the order of the message, parts of zero left out.
    pub parts: Vec<(usize, Part)>,
}

/// What a part of a bound counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Service,
    Functions,
    LogGroups,
    FunctionRoles,
    Versions,
    Aliases,
    Mappings,
    UserResources,
    GivenTemplate,
    FunctionVersions,
    UserOutputs,
}

impl Part {
    fn describe(self, count: usize) -> String {
        let one = count == 1;
        let (singular, plural) = match self {
            Part::Service => ("of the service", "of the service"),
            Part::Functions => ("function", "functions"),
            Part::LogGroups => ("log group", "log groups"),
            Part::FunctionRoles => ("function role", "function roles"),
            Part::Versions => ("version", "versions"),
            Part::Aliases => ("alias", "aliases"),
            Part::Mappings => ("event source mapping", "event source mappings"),
            Part::UserResources => ("under resources.Resources", "under resources.Resources"),
            Part::GivenTemplate => ("in the given template", "in the given template"),
            Part::FunctionVersions => ("function version", "function versions"),
            Part::UserOutputs => ("under resources.Outputs", "under resources.Outputs"),
        };
        format!("{count} {}", if one { singular } else { plural })
    }
}

impl LowerBound {
    fn amount(&self) -> String {
        format!("at least {}", self.total)
    }

    /// What the bound is made of, for the message: ` (3 of the service, 120 functions, …)`.
    fn detail(&self) -> String {
        let parts: Vec<String> = self.parts.iter().map(|(n, p)| p.describe(*n)).collect();
        format!(" ({})", parts.join(", "))
    }
}

/// Logical ids counted once each, by the part that brought them first.
#[derive(Default)]
struct Ids {
    ids: BTreeSet<String>,
    parts: Vec<(usize, Part)>,
}

impl Ids {
    fn add(&mut self, part: Part, ids: impl IntoIterator<Item = String>) {
        let added = ids
            .into_iter()
            .filter(|id| self.ids.insert(id.clone()))
            .count();
        self.count(part, added);
    }

    fn count(&mut self, part: Part, added: usize) {
        match self.parts.iter_mut().find(|(_, p)| *p == part) {
            Some((n, _)) => *n += added,
            None => self.parts.push((added, part)),
        }
    }

    /// Whether a resource already counted has an id that starts with `prefix`.
    fn any_starts_with(&self, prefix: &str) -> bool {
        self.ids
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|id| id.starts_with(prefix))
    }

    fn into_bound(self, order: &[Part]) -> LowerBound {
        let parts: Vec<(usize, Part)> = order
            .iter()
            .filter_map(|part| self.parts.iter().find(|(n, p)| p == part && *n > 0))
            .copied()
            .collect();
        LowerBound {
            total: parts.iter().map(|(n, _)| n).sum(),
            parts,
        }
    }
}

/// The lower bounds on the resources and the outputs, computed in full (the test that they
/// never exceed the finished template's counts); `given` is the template given with
/// `--template` (merge mode), as the events will be compiled into it.
#[cfg(test)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bounds {
    pub resources: LowerBound,
    pub outputs: LowerBound,
}

#[cfg(test)]
pub fn lower_bounds(
    service: &Service,
    given: Option<&Template>,
    events: &mut PlannedEvents<'_>,
) -> Bounds {
    Bounds {
        resources: resource_bound(service, given, events),
        outputs: output_bound(service, given),
    }
}

/// The quotas a lower bound already exceeds, when one of them is an error (the run is refused
/// then); nothing otherwise, and the exact check after compilation says everything.
pub fn early_limits(
    service: &Service,
    given: Option<&Template>,
    events: &mut PlannedEvents<'_>,
) -> Vec<Diagnostic> {
    let split = service.plugin_entry(SPLIT_STACKS_PLUGIN);
    let outputs = (output_candidates(service, given) > MAX_OUTPUTS)
        .then(|| output_bound(service, given))
        .filter(|bound| bound.total > MAX_OUTPUTS);
    // With the plugin, resources beyond the quota are a warning: worth counting only when
    // the outputs refuse the run anyway.
    let resources = (split.is_none() || outputs.is_some())
        .then_some(())
        .filter(|()| resource_candidates(service, given, events.count) > MAX_RESOURCES)
        .map(|()| resource_bound(service, given, events))
        .filter(|bound| bound.total > MAX_RESOURCES);
    if outputs.is_none() && (resources.is_none() || split.is_some()) {
        return Vec::new();
    }
    const NOT_COMPILED: &str =
        " (counted before compiling: the events were not compiled, and their own problems show once the service fits)";
    let mut out = Vec::new();
    if let Some(bound) = resources {
        out.push(resources_exceeded(
            &bound.amount(),
            &bound.detail(),
            &split,
            NOT_COMPILED,
        ));
    }
    if let Some(bound) = outputs {
        out.push(outputs_exceeded(
            &bound.amount(),
            &bound.detail(),
            NOT_COMPILED,
        ));
    }
    out
}

/// The service's `resources.<section>`: `Ok(None)` when absent, `Err(())` when it is there
/// but not a mapping (lodash's merge then replaces the whole section, and nothing is certain).
fn user_section<'a>(service: &'a Service, section: &str) -> Result<Option<&'a Node>, ()> {
    // As the merge reads them: a `null` section replaces the template's too.
    let Some(resources) = service.root.get("resources").and_then(Node::as_map) else {
        return Ok(None);
    };
    match resources.get(section) {
        None => Ok(None),
        Some(node) if node.as_map().is_some() => Ok(Some(node)),
        Some(_) => Err(()),
    }
}

fn section_keys(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_map)
        .map(|map| map.entries.iter().map(|e| e.key.clone()).collect())
        .unwrap_or_default()
}

fn given_section(template: &Template, section: &str) -> Vec<String> {
    template
        .root
        .get(section)
        .and_then(Value::as_object)
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

/// A count at least [`resource_bound`]'s, without building an id.
fn resource_candidates(service: &Service, given: Option<&Template>, events: usize) -> usize {
    match given {
        Some(template) => template.resources().len() + events,
        None => {
            // What the bound below can count at most, without building an id: the service's
            // own three, then per function itself and its log group, role, version and alias
            // when it has them. A service under the quota by this count skips the bound.
            let user = section_keys(user_section(service, "Resources").ok().flatten()).len();
            let per_function: usize = service
                .functions
                .iter()
                .map(|f| {
                    1 + usize::from(has_log_group(f))
                        + usize::from(uses_dedicated_role(service, f))
                        + usize::from(has_version(service, f))
                        + usize::from(
                            f.get("provisionedConcurrency")
                                .is_some_and(crate::js::truthy)
                                || f.is_truthy("snapStart"),
                        )
                })
                .sum();
            3 + per_function + events + user
        }
    }
}

fn resource_bound(
    service: &Service,
    given: Option<&Template>,
    events: &mut PlannedEvents<'_>,
) -> LowerBound {
    let mut ids = Ids::default();
    if let Some(template) = given {
        // Merge mode: the service's `resources` are the Framework's to merge, after this step.
        ids.add(Part::GivenTemplate, given_section(template, "Resources"));
        ids.add(Part::Mappings, (events.logical_ids)());
        return ids.into_bound(&[Part::GivenTemplate, Part::Mappings]);
    }
    let Ok(user) = user_section(service, "Resources") else {
        return LowerBound::default();
    };
    let functions = &service.functions;
    let mut own = Vec::new();
    if deployment_bucket_name(service).is_none() {
        own.push("ServerlessDeploymentBucket".to_string());
        own.push("ServerlessDeploymentBucketPolicy".to_string());
    }
    if needs_default_role(service) {
        own.push(naming::DEFAULT_ROLE_LOGICAL_ID.to_string());
    }
    ids.add(Part::Service, own);
    ids.add(
        Part::Functions,
        functions.iter().map(|f| naming::lambda_logical_id(&f.key)),
    );
    ids.add(
        Part::LogGroups,
        functions
            .iter()
            .filter(|f| has_log_group(f))
            .map(|f| naming::log_group_logical_id(&f.key)),
    );
    ids.add(
        Part::FunctionRoles,
        functions
            .iter()
            .filter(|f| uses_dedicated_role(service, f))
            .map(|f| naming::dedicated_role_logical_id(&f.key)),
    );
    ids.add(
        Part::Aliases,
        functions.iter().filter_map(|f| {
            if f.get("provisionedConcurrency")
                .is_some_and(crate::js::truthy)
            {
                Some(naming::provisioned_concurrency_alias_logical_id(&f.key))
            } else if f.is_truthy("snapStart") {
                Some(naming::snap_start_alias_logical_id(&f.key))
            } else {
                None
            }
        }),
    );
    ids.add(Part::Mappings, (events.logical_ids)());
    ids.add(Part::UserResources, section_keys(user));
    count_versions(&mut ids, service);
    ids.into_bound(&[
        Part::Service,
        Part::Functions,
        Part::LogGroups,
        Part::FunctionRoles,
        Part::Versions,
        Part::Aliases,
        Part::Mappings,
        Part::UserResources,
    ])
}

/// The versions, whose ids end in a digest of the function's properties (not computed here):
/// `<Function>LambdaVersion<digest>`, cut to 255 characters. One whose prefix is cut already
/// is known exactly; any other is counted only when no resource counted so far, and no other
/// version's prefix, could share its id (no id starts with its prefix, and no prefix starts
/// with another).
fn count_versions(ids: &mut Ids, service: &Service) {
    let mut prefixes: Vec<String> = Vec::new();
    let mut exact = Vec::new();
    for function in service.functions.iter().filter(|f| has_version(service, f)) {
        let prefix = naming::lambda_version_logical_id(&function.key, "");
        if prefix.len() >= naming::MAX_LOGICAL_ID {
            exact.push(prefix);
        } else {
            prefixes.push(prefix);
        }
    }
    ids.add(Part::Versions, exact);
    prefixes.sort_unstable();
    // Sorted, a prefix of another is followed by one it is a prefix of.
    let shared: Vec<bool> = (0..prefixes.len())
        .map(|i| {
            let next = prefixes
                .get(i + 1)
                .is_some_and(|n| n.starts_with(&prefixes[i]));
            let previous = i > 0 && prefixes[i].starts_with(&prefixes[i - 1]);
            next || previous
        })
        .collect();
    let distinct = prefixes
        .iter()
        .zip(shared)
        .filter(|(prefix, shared)| !shared && !ids.any_starts_with(prefix))
        .count();
    ids.count(Part::Versions, distinct);
}

/// A count at least [`output_bound`]'s, without building an id.
fn output_candidates(service: &Service, given: Option<&Template>) -> usize {
    match given {
        Some(template) => given_section(template, "Outputs").len(),
        None => {
            let user = section_keys(user_section(service, "Outputs").ok().flatten()).len();
            1 + service.functions.len() + user
        }
    }
}

fn output_bound(service: &Service, given: Option<&Template>) -> LowerBound {
    let mut ids = Ids::default();
    if let Some(template) = given {
        ids.add(Part::GivenTemplate, given_section(template, "Outputs"));
        return ids.into_bound(&[Part::GivenTemplate]);
    }
    let Ok(user) = user_section(service, "Outputs") else {
        return LowerBound::default();
    };
    ids.add(
        Part::Service,
        ["ServerlessDeploymentBucketName".to_string()],
    );
    ids.add(
        Part::FunctionVersions,
        service
            .functions
            .iter()
            .filter(|f| has_version(service, f))
            .map(|f| naming::lambda_version_output_logical_id(&f.key)),
    );
    ids.add(Part::UserOutputs, section_keys(user));
    ids.into_bound(&[Part::Service, Part::FunctionVersions, Part::UserOutputs])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::service::build_service;
    use crate::config::ValidationMode;
    use serde_json::json;

    fn service(yaml: &str) -> Service {
        let root = streaming_events_yaml::load(yaml, 0).unwrap();
        build_service(root, None, None, ValidationMode::Warn, &["stream"]).unwrap()
    }

    /// `functions` functions `f0`, `f1`, … with one stream each, `extra` top-level YAML.
    fn many(functions: usize, provider: &str, extra: &str) -> Service {
        let mut yaml =
            format!("service: big\nprovider:\n  name: aws\n{provider}{extra}functions:\n");
        for i in 0..functions {
            yaml.push_str(&format!(
                "  f{i}:\n    handler: h.f{i}\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/s{i}\n"
            ));
        }
        service(&yaml)
    }

    fn mapping_ids(service: &Service) -> Vec<String> {
        service
            .functions
            .iter()
            .map(|f| {
                format!(
                    "{}EventSourceMappingKinesisS",
                    naming::normalized_function_name(&f.key)
                )
            })
            .collect()
    }

    fn bounds(service: &Service, given: Option<&Template>, ids: Vec<String>) -> Bounds {
        let count = ids.len();
        let mut ids = Some(ids);
        let mut logical_ids = || ids.take().unwrap_or_default();
        let mut events = PlannedEvents {
            count,
            logical_ids: &mut logical_ids,
        };
        lower_bounds(service, given, &mut events)
    }

    fn early(service: &Service) -> Vec<Diagnostic> {
        let ids = mapping_ids(service);
        let count = ids.len();
        let mut ids = Some(ids);
        let mut logical_ids = || ids.take().unwrap_or_default();
        let mut events = PlannedEvents {
            count,
            logical_ids: &mut logical_ids,
        };
        early_limits(service, None, &mut events)
    }

    #[test]
    fn a_bound_counts_what_the_service_certainly_gets() {
        let service = service(
            "service: s\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n  b:\n    handler: h.b\n    disableLogs: true\n  c:\n    handler: h.c\n    versionFunction: false\n    snapStart: false\n  d:\n    handler: h.d\n    provisionedConcurrency: 2\nresources:\n  Resources:\n    ALambdaFunction: {Properties: {MemorySize: 256}}\n    Table: {Type: AWS::DynamoDB::Table}\n  Outputs:\n    TableName: {Value: {Ref: Table}}\n",
        );
        let bounds = bounds(&service, None, vec!["AEventSourceMappingKinesisS".into()]);
        assert_eq!(
            bounds.resources.parts,
            vec![
                (3, Part::Service),
                (4, Part::Functions),
                (3, Part::LogGroups),
                (3, Part::Versions),
                (1, Part::Aliases),
                (1, Part::Mappings),
                (1, Part::UserResources),
            ]
        );
        assert_eq!(bounds.resources.total, 16);
        assert_eq!(
            bounds.outputs.parts,
            vec![
                (1, Part::Service),
                (3, Part::FunctionVersions),
                (1, Part::UserOutputs)
            ]
        );
        assert_eq!(bounds.outputs.total, 5);
    }

    #[test]
    fn a_given_bucket_and_per_function_roles_are_counted_as_the_core_template_has_them() {
        let service = service(
            "service: s\nprovider:\n  name: aws\n  deploymentBucket: my-bucket\n  versionFunctions: false\n  iam:\n    role:\n      mode: perFunction\nfunctions:\n  a:\n    handler: h.a\n  b:\n    handler: h.b\n",
        );
        let bounds = bounds(&service, None, Vec::new());
        assert_eq!(
            bounds.resources.parts,
            vec![
                (2, Part::Functions),
                (2, Part::LogGroups),
                (2, Part::FunctionRoles)
            ]
        );
        assert_eq!(bounds.outputs.total, 1);
    }

    #[test]
    fn a_user_section_that_is_not_a_mapping_leaves_nothing_certain() {
        // lodash's merge replaces the whole section with it.
        let service = service(
            "service: s\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\nresources:\n  Resources: null\n  Outputs: []\n",
        );
        assert_eq!(bounds(&service, None, Vec::new()), Bounds::default());
    }

    #[test]
    fn a_version_another_id_could_share_is_not_counted() {
        // `ALambdaVersion<digest>` could be the service's own `ALambdaVersionX`; the two
        // prefixes of `a` and `aLambdaVersionB` could give one id.
        let service = service(
            "service: s\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n  b:\n    handler: h.b\n  bLambdaVersionC:\n    handler: h.c\nresources:\n  Resources:\n    ALambdaVersionX: {Type: AWS::Lambda::Version}\n",
        );
        let bounds = bounds(&service, None, Vec::new());
        assert!(
            !bounds
                .resources
                .parts
                .iter()
                .any(|(_, p)| *p == Part::Versions),
            "{bounds:?}"
        );
        // Keys that share their first 255 characters: the function, its log group and its
        // version (whose prefix, cut, is its whole id) all land on one id, as in the template.
        let long = "x".repeat(260);
        let service = service_with_keys(&[&long, &format!("{long}y")]);
        let bounds = self::bounds(&service, None, Vec::new());
        assert_eq!(
            bounds.resources.parts,
            vec![(3, Part::Service), (1, Part::Functions)]
        );
        assert_eq!(bounds.outputs.total, 2);
        // Shorter keys whose version prefixes are cut at 255: the version is counted by its id.
        let key = "x".repeat(245);
        let bounds = self::bounds(&service_with_keys(&[&key]), None, Vec::new());
        assert!(
            bounds.resources.parts.contains(&(1, Part::Versions)),
            "{bounds:?}"
        );
    }

    fn service_with_keys(keys: &[&str]) -> Service {
        let mut yaml = "service: s\nprovider:\n  name: aws\nfunctions:\n".to_string();
        for key in keys {
            yaml.push_str(&format!("  {key}:\n    handler: h.h\n"));
        }
        service(&yaml)
    }

    #[test]
    fn merge_mode_counts_the_given_template_and_the_mappings() {
        let service = many(2, "", "");
        let given = Template::from_value(
            json!({"Resources": {"A": {}, "F0LambdaFunction": {}, "F0EventSourceMappingKinesisS": {}}, "Outputs": {"O": {}}})
                .as_object()
                .unwrap()
                .clone(),
        );
        let bounds = bounds(&service, Some(&given), mapping_ids(&service));
        assert_eq!(
            bounds.resources.parts,
            vec![(3, Part::GivenTemplate), (1, Part::Mappings)]
        );
        assert_eq!(bounds.outputs.parts, vec![(1, Part::GivenTemplate)]);
    }

    #[test]
    fn a_service_within_the_quotas_passes_without_a_word() {
        assert!(early(&many(100, "", "")).is_empty());
        // 170 functions with versions: the outputs are over, not the resources' error.
        assert!(early(&many(150, "  versionFunctions: false\n", "")).is_empty());
    }

    #[test]
    fn a_bound_over_a_quota_that_is_an_error_refuses_the_service() {
        let found = early(&many(170, "  versionFunctions: false\n", ""));
        assert_eq!(found.len(), 1);
        assert!(found[0].is_error());
        assert_eq!(
            found[0].message,
            "the template has at least 513 resources (3 of the service, 170 functions, 170 log groups, 170 event source mappings); CloudFormation accepts at most 500 in one stack"
        );
        assert!(found[0]
            .help
            .as_deref()
            .unwrap()
            .contains("counted before compiling"));
    }

    #[test]
    fn with_split_stacks_only_the_outputs_refuse_and_the_resources_are_told_too() {
        let plugin = "plugins:\n  - serverless-plugin-split-stacks\n";
        // Resources over the quota are a warning with the plugin: left to the exact check.
        assert!(early(&many(170, "  versionFunctions: false\n", plugin)).is_empty());
        let found = early(&many(201, "", plugin));
        let summary: Vec<(bool, &str)> = found
            .iter()
            .map(|d| (d.is_error(), d.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (false, "the template has at least 807 resources (3 of the service, 201 functions, 201 log groups, 201 versions, 201 event source mappings); CloudFormation accepts at most 500 in one stack; serverless-plugin-split-stacks moves resources into nested stacks after packaging"),
                (true, "the template has at least 202 outputs (1 of the service, 201 function versions); CloudFormation accepts at most 200"),
            ]
        );
        assert_eq!(found[0].path.as_deref(), Some("plugins[0]"));
    }
}
