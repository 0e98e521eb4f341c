//! What compiling the events will add, known before compiling: the logical id of the mapping
//! each event gets, as [`super::compile::compile_events`] will settle it (the plans, the D14
//! suffixes, the checks of a settled id). The early check of CloudFormation's quotas
//! (`template::limits`) counts these; nothing here builds a resource or grants a permission.

use super::compile::{plan_function, FunctionPlan};
use super::EventCompiler;
use crate::config::Service;
use crate::naming;

/// How many events compilation will look at: at most one mapping id each (the cheap bound
/// that tells whether [`mapping_logical_ids`] is worth computing).
pub fn event_count(service: &Service) -> usize {
    service.functions.iter().map(|f| f.events.len()).sum()
}

/// The logical id of every mapping compilation will add, in compilation order (an id may come
/// twice: `sqs` events of one function on one queue share one mapping). Events that
/// compilation leaves out (a duplicate source, a settled id that fails its check) have none.
pub fn mapping_logical_ids(service: &Service, compilers: &[Box<dyn EventCompiler>]) -> Vec<String> {
    let mut ids = Vec::new();
    for compiler in compilers {
        for function in &service.functions {
            let Some(FunctionPlan {
                events,
                plans,
                suffixes: Ok(suffixes),
            }) = plan_function(service, function, compiler.as_ref())
            else {
                continue;
            };
            for ((event, plan), suffix) in events.iter().zip(&plans).zip(&suffixes) {
                if compiler
                    .check_settled(service, function, event, suffix)
                    .is_none()
                {
                    ids.push(naming::with_suffix(&plan.logical_id, suffix));
                }
            }
        }
    }
    ids
}
