//! Running the compilers: the rules validation takes from each kind, the compilers' own
//! checks, and compilation in the reference's order with D14 collisions settled first.

use super::collisions::settle_collisions;
use super::{CompileContext, EventCompiler, FunctionTarget, PlannedMapping};
use crate::config::service::{Event, Function};
use crate::config::unknown::Unknown;
use crate::config::Service;
use crate::naming;
use crate::schema::events::EventRules;
use crate::template::Origin;
use streaming_events_diagnostics::{codes, Diagnostic};

/// Each compiled kind's validation rules.
pub fn rules(compilers: &[Box<dyn EventCompiler>]) -> Vec<EventRules<'_>> {
    compilers
        .iter()
        .map(|compiler| EventRules {
            kind: compiler.kind(),
            schema: match super::registry::schema_of(compiler.kind()) {
                Some(schema) => std::borrow::Cow::Borrowed(schema),
                None => std::borrow::Cow::Owned(compiler.schema()),
            },
            filter_source: Box::new(move |event| compiler.filter_source(event)),
            intrinsic_help: compiler.intrinsic_help(),
        })
        .collect()
}

/// Each compiler's checks beyond the schema, for every event of its kind.
pub fn check_events(service: &Service, compilers: &[Box<dyn EventCompiler>]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for function in &service.functions {
        for event in &function.events {
            if let Some(compiler) = compilers.iter().find(|c| c.kind() == event.kind) {
                diagnostics.extend(compiler.check(service, function, event));
            }
        }
    }
    diagnostics.extend(super::consumers::check_consumer_limits(service));
    diagnostics
}

/// One compiler's events of one function with their plans, and the suffixes that settle their
/// logical-id collisions (D14), or the collisions that cannot be settled.
pub struct FunctionPlan<'s> {
    pub events: Vec<&'s Event>,
    pub plans: Vec<PlannedMapping>,
    pub suffixes: Result<Vec<String>, Vec<Diagnostic>>,
}

/// What compilation and the early quota check (`events::planned`) both start from: `None`
/// when the function has no event of the compiler's kind.
pub fn plan_function<'s>(
    service: &Service,
    function: &'s Function,
    compiler: &dyn EventCompiler,
) -> Option<FunctionPlan<'s>> {
    let events: Vec<&Event> = function
        .events
        .iter()
        .filter(|e| e.kind == compiler.kind())
        .collect();
    if events.is_empty() {
        return None;
    }
    let plans: Vec<PlannedMapping> = events
        .iter()
        .map(|event| compiler.plan(service, function, event))
        .collect();
    let suffixes = if compiler.settles_collisions() {
        settle_collisions(function, &plans)
    } else {
        Ok(vec![String::new(); plans.len()])
    };
    Some(FunctionPlan {
        events,
        plans,
        suffixes,
    })
}

/// Runs each compiler over every function, settling logical-id collisions first (D14).
pub fn compile_events(
    cx: &mut CompileContext<'_>,
    compilers: &[Box<dyn EventCompiler>],
    merge_mode: bool,
) {
    let service = cx.service;
    let default_role_present = cx.template.has_resource(naming::DEFAULT_ROLE_LOGICAL_ID);
    for compiler in compilers {
        for function in &service.functions {
            let Some(FunctionPlan {
                events,
                plans,
                suffixes,
            }) = plan_function(service, function, compiler.as_ref())
            else {
                continue;
            };
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
            let suffixes = match suffixes {
                Ok(s) => s,
                Err(errors) => {
                    cx.diagnostics.extend(errors);
                    continue;
                }
            };
            cx.template.set_owner(Some(&function.key));
            for ((event, plan), suffix) in events.iter().zip(&plans).zip(&suffixes) {
                if let Some(d) = compiler.check_settled(service, function, event, suffix) {
                    cx.diagnostics.push(d);
                    continue;
                }
                cx.template.set_origin(Some(Origin {
                    function: function.key.clone(),
                    event_index: event.index,
                    path: event.path(function),
                    span: event.key_span,
                }));
                compiler.compile(cx, &target, event, plan, suffix);
            }
            cx.template.set_origin(None);
            cx.template.set_owner(None);
        }
    }
}

/// Leaves out the events an error or an unknown value is about.
pub fn retain_valid_events(service: &mut Service, unknown: &Unknown, diagnostics: &[Diagnostic]) {
    let error_paths: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.path.as_deref())
        .collect();
    if error_paths.is_empty() && unknown.is_empty() {
        return;
    }
    for function in &mut service.functions {
        let key = function.key.clone();
        for event in std::mem::take(&mut function.events) {
            let item = format!("functions.{key}.events[{}]", event.index);
            let path = format!("{item}.{}", event.kind);
            let failed = error_paths.iter().any(|p| {
                *p == item
                    || p.strip_prefix(path.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            });
            if failed || unknown.touches(&path) {
                // Left out of compilation, but still part of the function as written.
                function.put_back(event);
            } else {
                function.events.push(event);
            }
        }
    }
}
