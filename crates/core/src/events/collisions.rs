//! D14: events of one function that would get the same logical id: a suffix for each but the
//! last, or an error when two of them read the same source.

use super::PlannedMapping;
use crate::config::Function;
use crate::naming;
use streaming_events_diagnostics::{codes, Diagnostic};

/// Settles D14 for one function's events of one kind: returns each plan's suffix (empty for
/// the last of a colliding group and for events that collide with nothing), or the
/// duplicate-source errors.
pub fn settle_collisions(
    function: &Function,
    plans: &[PlannedMapping],
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut suffixes = vec![String::new(); plans.len()];
    let mut errors = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let later_same_id: Vec<&PlannedMapping> = plans[i + 1..]
            .iter()
            .filter(|p| p.logical_id == plan.logical_id)
            .collect();
        if later_same_id.is_empty() {
            continue;
        }
        if let Some(duplicate) = later_same_id
            .iter()
            .find(|p| p.source_key == plan.source_key)
        {
            errors.push(
                Diagnostic::error(
                    codes::FUNCTION_EVENT_SOURCE_DUPLICATE,
                    format!(
                        "events[{}] and events[{}] of function '{}' both read {}, and one function can have only one mapping per event source",
                        plan.event_index, duplicate.event_index, function.key, plan.source_key
                    ),
                )
                .with_path(&duplicate.source_path)
                .at(duplicate.source_span, "this event reads the same source")
                .also(plan.source_span, "as this earlier event")
                .with_help("merge the two events into one (combine their filter patterns), or remove one"),
            );
            continue;
        }
        suffixes[i] = naming::disambiguation_suffix(&plan.identity_json);
    }
    if errors.is_empty() {
        Ok(suffixes)
    } else {
        Err(errors)
    }
}
