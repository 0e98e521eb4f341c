//! Attaching the streaming permissions to the roles of the stack, and the IAM report: inline
//! while a role's inline policies fit IAM's limit, otherwise in managed policies the mappings
//! wait for.

use super::own_statements::fit_own_statements;
use super::{
    inline_policies_size, managed_policy_resource, mappings_wait_for, policy_size,
    role_statements_mut, split_into_documents, PolicyBuilder, MAX_INLINE_POLICY_CHARS,
    MAX_MANAGED_POLICIES_PER_ROLE, MAX_MANAGED_POLICY_CHARS,
};
use crate::config::roles::{dedicated_role_logical_id, uses_dedicated_role};
use crate::config::Service;
use crate::naming;
use crate::options::{PolicySize, RoleReport};
use crate::template::Template;
use serde_json::{json, Value};
use streaming_events_diagnostics::{codes, Diagnostic};

/// Grants each role its permissions, then moves the inline statements of the execution roles
/// that pass IAM's inline limit on their own into managed policies ([`fit_own_statements`]);
/// returns the IAM report of the roles granted to, the diagnostics, and the set of those roles
/// ([`Granted`]). Each role's statements are dropped once they are in the template: with a role
/// per function they would otherwise be held twice until the run ends.
pub fn attach_policies(
    template: &mut Template,
    policies: Vec<(String, PolicyBuilder)>,
    service: &Service,
) -> (Vec<RoleReport>, Vec<Diagnostic>, Granted) {
    let mut report = Vec::new();
    let mut diagnostics = Vec::new();
    let mut granted = Granted::default();
    for (role_id, policy) in policies {
        let attached = attach_policy(template, &role_id, &policy, &mut diagnostics);
        drop(policy);
        if let Some(Attached {
            mut managed,
            inline: mut measured,
        }) = attached
        {
            match fit_own_statements(template, &role_id, service, measured) {
                Ok(more) => {
                    if !more.is_empty() {
                        // Statements moved out: the role's inline size changed.
                        measured = None;
                    }
                    managed.extend(more);
                }
                Err(d) => diagnostics.push(*d),
            }
            if let Some(role) = template.resources().get(&role_id) {
                let inline = measured.unwrap_or_else(|| inline_policies_size(role));
                report_role(&role_id, inline, &managed, &mut report);
            }
        }
        granted.0.insert(role_id);
    }
    for role_id in execution_role_ids(service) {
        if granted.0.contains(&role_id) {
            continue;
        }
        if let Err(d) = fit_own_statements(template, &role_id, service, None) {
            diagnostics.push(*d);
        }
    }
    (report, diagnostics, granted)
}

/// The roles [`attach_policies`] granted permissions to (a set: with a role per function, a
/// scan of them per role was quadratic).
#[derive(Debug, Default)]
pub struct Granted(std::collections::HashSet<String>);

/// The execution roles streaming-events builds (or, in merge mode, extends): the shared one
/// and each function's dedicated one. The service's own roles under `resources` are left as
/// they are written.
fn execution_role_ids(service: &Service) -> Vec<String> {
    let mut ids = vec![naming::DEFAULT_ROLE_LOGICAL_ID.to_string()];
    ids.extend(
        service
            .functions
            .iter()
            .filter(|f| uses_dedicated_role(service, f))
            .map(dedicated_role_logical_id),
    );
    ids
}

/// The report of the roles of the stack that received no streaming permissions, with the
/// managed policies their own statements moved into.
pub fn report_roles_without_grants(template: &Template, granted: &Granted) -> Vec<RoleReport> {
    let mut report = Vec::new();
    for role_id in role_ids_without_grants(template, granted) {
        if let Some(role) = template.resources().get(&role_id) {
            let managed: Vec<(String, Value)> = (1..)
                .map(|n| naming::statements_policy_logical_id(&role_id, n))
                .map_while(|id| {
                    let resource = template.resources().get(&id)?.clone();
                    Some((id, resource))
                })
                .collect();
            report_role(&role_id, inline_policies_size(role), &managed, &mut report);
        }
    }
    report
}

/// What [`attach_policy`] did to a role.
struct Attached {
    /// The managed policies added (`(logical id, resource)`).
    managed: Vec<(String, Value)>,
    /// The role's inline size as measured when the permissions went inline.
    inline: Option<usize>,
}

/// Adds the streaming permissions to a role of the stack: inline while the role's inline
/// policies fit IAM's 10,240 characters, otherwise in managed policies of at most 6,144
/// characters each, attached to the role (at most 10 per role, counting its own). Returns the
/// managed policies added and, when the permissions went inline, the role's inline size as
/// measured then ([`Attached`]); `None` when the role is missing or the permissions do not fit.
fn attach_policy(
    template: &mut Template,
    role_id: &str,
    policy: &PolicyBuilder,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Attached> {
    let role = template.resources().get(role_id)?;
    let existing_managed = role
        .get("Properties")
        .and_then(|p| p.get("ManagedPolicyArns"))
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    // Tried in place: the new statements are added to the role's inline policy, and taken
    // back out when the policies no longer fit.
    let role = template.resources_mut().get_mut(role_id)?;
    let before = match role_statements_mut(role) {
        Some(statements) => {
            let before = statements.len();
            let new = without_granted(statements, policy.to_json());
            statements.extend(new);
            Some(before)
        }
        None => {
            diagnostics.push(
                Diagnostic::warning(
                    codes::TEMPLATE_INVALID,
                    format!("{role_id} has no inline policy to extend; the streaming permissions go into managed policies"),
                )
                .with_help("give the role a Policies[0].PolicyDocument.Statement list, or check the permissions yourself"),
            );
            None
        }
    };
    if let Some(before) = before {
        let size = inline_policies_size(role);
        if size <= MAX_INLINE_POLICY_CHARS {
            return Some(Attached {
                managed: Vec::new(),
                inline: Some(size),
            });
        }
        if let Some(statements) = role_statements_mut(role) {
            statements.truncate(before);
        }
    }
    let room = MAX_MANAGED_POLICIES_PER_ROLE.saturating_sub(existing_managed);
    let total: usize = policy
        .statements()
        .iter()
        .map(|s| policy_size(&s.to_json()))
        .sum();
    match split_into_documents(policy.statements(), MAX_MANAGED_POLICY_CHARS) {
        Some(documents) if documents.len() <= room => {
            let resources: Vec<(String, Value)> = documents
                .into_iter()
                .enumerate()
                .map(|(i, statements)| {
                    (
                        naming::streaming_policy_logical_id(role_id, i + 1),
                        managed_policy_resource(role_id, statements),
                    )
                })
                .collect();
            let ids: Vec<Value> = resources.iter().map(|(id, _)| json!(id)).collect();
            for (id, resource) in &resources {
                template.add_resource(id.clone(), resource.clone());
            }
            // A mapping checks its permissions when it is created: it waits for the policies.
            mappings_wait_for(template, role_id, &ids);
            Some(Attached {
                managed: resources,
                inline: None,
            })
        }
        _ => {
            diagnostics.push(
            Diagnostic::error(
                codes::IAM_POLICY_TOO_LARGE,
                format!(
                    "the streaming permissions ({total} characters) do not fit {role_id}: its inline policies may hold {} characters, and {room} more managed policies of {} characters each are allowed",
                    MAX_INLINE_POLICY_CHARS,
                    MAX_MANAGED_POLICY_CHARS
                ),
            )
            .with_help("give the functions with the most event sources their own role (`provider.iam.role.mode: perFunction`, or `iam.role.statements` on a function)"),
        );
            None
        }
    }
}

/// Roles of the stack that received no streaming permissions (still reported by --iam-report).
fn role_ids_without_grants(template: &Template, granted: &Granted) -> Vec<String> {
    template
        .resources()
        .iter()
        .filter(|(id, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::Role")
                && !granted.0.contains(id.as_str())
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// The report of a role whose inline policies hold `inline` characters.
fn report_role(
    role_id: &str,
    inline: usize,
    managed: &[(String, Value)],
    report: &mut Vec<RoleReport>,
) {
    let managed = managed
        .iter()
        .map(|(id, resource)| {
            let size = resource
                .get("Properties")
                .and_then(|p| p.get("PolicyDocument"))
                .map(policy_size)
                .unwrap_or(0);
            (id.clone(), PolicySize::new(size, MAX_MANAGED_POLICY_CHARS))
        })
        .collect();
    report.push(RoleReport {
        role: role_id.to_string(),
        inline: PolicySize::new(inline, MAX_INLINE_POLICY_CHARS),
        managed,
    });
}

/// Our statements minus what the role already grants (merge mode over a template
/// `serverless package` wrote, or one another plugin added statements to): per resource, the
/// actions the role grants on it with the same Effect are left out; a resource with every
/// action granted is dropped, one with some granted gets a statement with the rest, so no
/// permission is granted twice.
fn without_granted(existing: &[Value], ours: Vec<Value>) -> Vec<Value> {
    fn as_list(v: &Value) -> &[Value] {
        match v {
            Value::Array(items) => items,
            Value::Null => &[],
            other => std::slice::from_ref(other),
        }
    }
    let existing: Vec<(&Value, &[Value], &[Value])> = existing
        .iter()
        .map(|e| (&e["Effect"], as_list(&e["Action"]), as_list(&e["Resource"])))
        .collect();
    let granted = |effect: &Value, action: &Value, resource: &Value| {
        existing.iter().any(|(e, actions, resources)| {
            *e == effect && actions.contains(action) && resources.contains(resource)
        })
    };
    let mut out = Vec::new();
    for statement in ours {
        // The usual case, nothing of it granted yet: the statement as it is.
        let none_granted = as_list(&statement["Resource"]).iter().all(|resource| {
            as_list(&statement["Action"])
                .iter()
                .all(|a| !granted(&statement["Effect"], a, resource))
        });
        if none_granted {
            out.push(statement);
            continue;
        }
        let actions = as_list(&statement["Action"]).to_vec();
        let resources = as_list(&statement["Resource"]).to_vec();
        let mut kept = Vec::new();
        // Resources with some of the actions granted already: the rest, grouped by action list.
        let mut partial: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
        for resource in &resources {
            let missing: Vec<Value> = actions
                .iter()
                .filter(|a| !granted(&statement["Effect"], a, resource))
                .cloned()
                .collect();
            if missing.len() == actions.len() {
                kept.push(resource.clone());
            } else if !missing.is_empty() {
                match partial.iter_mut().find(|(a, _)| *a == missing) {
                    Some((_, list)) => list.push(resource.clone()),
                    None => partial.push((missing, vec![resource.clone()])),
                }
            }
        }
        if kept.len() == resources.len() {
            out.push(statement);
            continue;
        }
        if !kept.is_empty() {
            let mut rest = statement.clone();
            rest["Resource"] = Value::Array(kept);
            out.push(rest);
        }
        for (missing, list) in partial {
            let mut rest = statement.clone();
            rest["Action"] = Value::Array(missing);
            rest["Resource"] = Value::Array(list);
            out.push(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_granted;
    use serde_json::json;

    #[test]
    fn what_the_role_grants_already_is_left_out_per_action_and_resource() {
        // What serverless-iam-roles-per-function grants for a Kinesis stream.
        let existing = vec![json!({"Effect": "Allow",
            "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"],
            "Resource": ["arn:s/a"]})];
        let ours = vec![
            // A consumer's stream: two of its four actions are granted on `a`, none on `b`.
            json!({"Effect": "Allow",
                "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                "Resource": ["arn:s/a", "arn:s/b"]}),
            // Granted entirely.
            json!({"Effect": "Allow", "Action": ["kinesis:GetRecords"], "Resource": "arn:s/a"}),
            // Another effect is another permission.
            json!({"Effect": "Deny", "Action": ["kinesis:GetRecords"], "Resource": ["arn:s/a"]}),
        ];
        assert_eq!(
            without_granted(&existing, ours),
            vec![
                json!({"Effect": "Allow",
                    "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                    "Resource": ["arn:s/b"]}),
                json!({"Effect": "Allow",
                    "Action": ["kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                    "Resource": ["arn:s/a"]}),
                json!({"Effect": "Deny", "Action": ["kinesis:GetRecords"], "Resource": ["arn:s/a"]}),
            ]
        );
    }

    #[test]
    fn a_statement_nothing_of_which_is_granted_is_kept_as_it_is() {
        let existing = vec![json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})];
        let ours =
            vec![json!({"Effect": "Allow", "Action": ["ec2:DescribeVpcs"], "Resource": "*"})];
        assert_eq!(without_granted(&existing, ours.clone()), ours);
    }
}
