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
    let Some(resources) = service
        .root
        .get("resources")
        .filter(|r| r.as_map().is_some())
    else {
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
            // Per function: itself, its log group, role, version and alias.
            let user = section_keys(user_section(service, "Resources").ok().flatten()).len();
            3 + 5 * service.functions.len() + events + user
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
