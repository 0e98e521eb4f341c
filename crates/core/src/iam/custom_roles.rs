//! D2: functions that bring their own role get nothing added to it; a warning per role lists
//! what it must grant for the event sources its functions use.

use super::PolicyBuilder;
use crate::config::roles::custom_execution_role;
use crate::config::Service;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Span;

/// D2: functions with their own role get nothing added; a warning lists what the role must
/// grant for the event sources they use.
pub fn custom_role_warnings(
    service: &Service,
    needs: &[(String, PolicyBuilder)],
) -> Vec<Diagnostic> {
    // One warning per role, however many functions share it.
    let mut by_role: Vec<(String, Vec<&str>, PolicyBuilder, Span, String)> = Vec::new();
    for (key, policy) in needs {
        let Some(function) = service.functions.iter().find(|f| f.key == *key) else {
            continue;
        };
        let Some(role) = custom_execution_role(service, function) else {
            continue;
        };
        let identity = crate::js::to_js_compact(&role.to_json());
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
