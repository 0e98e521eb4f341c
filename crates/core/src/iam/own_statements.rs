//! A role's own inline statements (the log permissions, `provider.iam.role.statements`,
//! `iamRoleStatements`, a function's `iam.role.statements`, what the reference grants for other
//! features) that pass IAM's 10,240 characters on their own: the statements that do not fit
//! move, in order, into managed policies `<Role>StatementsPolicy<n>` of at most 6,144 characters
//! attached to the role (at most 10 managed policies per role, counting the role's own
//! `ManagedPolicyArns` and its streaming policies). The permission set is unchanged: statements
//! are moved whole, or split by their `Resource` list when one alone is too large. When even
//! that cannot hold them, `IAM_POLICY_TOO_LARGE` names the largest statements.
//!
//! ```yaml
//! provider:
//!   iam:
//!     role:
//!       statements:        # 22,324 characters: IamRoleLambdaExecutionStatementsPolicy1..3
//!         - {Effect: Allow, Action: [s3:GetObject], Resource: [arn:aws:s3:::bucket-1/*, …]}
//! ```

use super::roles::user_statement;
use super::{
    inline_policies_size, managed_policy_resource, policy_size, role_statements_mut,
    MAX_INLINE_POLICY_CHARS, MAX_MANAGED_POLICIES_PER_ROLE, MAX_MANAGED_POLICY_CHARS,
};
use crate::config::Service;
use crate::naming;
use crate::template::Template;
use serde_json::{json, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Node, Span};

/// How many of the largest statements an error names.
const LARGEST_NAMED: usize = 3;

/// Moves the statements of `role_id`'s inline policy that do not fit into managed policies;
/// returns the policies added (`(logical id, resource)`), or the error when they cannot fit.
/// `measured` is the role's inline policies' size when the caller has just measured it.
pub fn fit_own_statements(
    template: &mut Template,
    role_id: &str,
    service: &Service,
    measured: Option<usize>,
) -> Result<Vec<(String, Value)>, Box<Diagnostic>> {
    // Measured where it is: the role is copied only when statements move out of it.
    let Some(total) =
        measured.or_else(|| template.resources().get(role_id).map(inline_policies_size))
    else {
        return Ok(Vec::new());
    };
    if total <= MAX_INLINE_POLICY_CHARS {
        return Ok(Vec::new());
    }
    let Some(mut role) = template.resources().get(role_id).cloned() else {
        return Ok(Vec::new());
    };
    let first_size = first_policy_size(&role);
    let Some(statements) = role_statements_mut(&mut role) else {
        return Ok(Vec::new());
    };
    // The other inline policies (merge mode's template may have some) stay where they are.
    let others = total - first_size;
    let kept = fitting_prefix(statements, MAX_INLINE_POLICY_CHARS.saturating_sub(others));
    let moved: Vec<Value> = statements.split_off(kept);
    let room = MAX_MANAGED_POLICIES_PER_ROLE
        .saturating_sub(managed_policy_count(template, role_id, &role));
    let documents = pack(&moved, MAX_MANAGED_POLICY_CHARS).filter(|d| d.len() <= room);
    let Some(documents) = documents else {
        return Err(Box::new(too_large(role_id, total, &moved, room, service)));
    };
    if kept == 0 {
        if let Some(policies) = role.get_mut("Properties").and_then(Value::as_object_mut) {
            remove_first_policy(policies);
        }
    }
    template.replace_resource(role_id, role);
    let added: Vec<(String, Value)> = documents
        .into_iter()
        .enumerate()
        .map(|(i, statements)| {
            (
                naming::statements_policy_logical_id(role_id, i + 1),
                managed_policy_resource(role_id, statements),
            )
        })
        .collect();
    for (id, resource) in &added {
        template.add_resource(id.clone(), resource.clone());
    }
    let ids: Vec<Value> = added.iter().map(|(id, _)| json!(id)).collect();
    super::mappings_wait_for(template, role_id, &ids);
    Ok(added)
}

fn first_policy_size(role: &Value) -> usize {
    role.get("Properties")
        .and_then(|p| p.get("Policies"))
        .and_then(|p| p.get(0))
        .and_then(|p| p.get("PolicyDocument"))
        .map(policy_size)
        .unwrap_or(0)
}

/// The first inline policy removed when none of its statements stays (IAM refuses an empty
/// policy document), and `Policies` with it when it was the only one.
fn remove_first_policy(properties: &mut serde_json::Map<String, Value>) {
    let empty = match properties.get_mut("Policies").and_then(Value::as_array_mut) {
        Some(list) => {
            if !list.is_empty() {
                list.remove(0);
            }
            list.is_empty()
        }
        None => false,
    };
    if empty {
        properties.remove("Policies");
    }
}

/// How many statements from the start fit in a `{"Version", "Statement"}` document of at most
/// `limit` characters.
fn fitting_prefix(statements: &[Value], limit: usize) -> usize {
    let mut size = policy_size(&json!({"Version": "2012-10-17", "Statement": []}));
    for (i, statement) in statements.iter().enumerate() {
        size += policy_size(statement) + usize::from(i > 0);
        if size > limit {
            return i;
        }
    }
    statements.len()
}

/// The managed policies attached to `role` already: its `ManagedPolicyArns` and the
/// `AWS::IAM::ManagedPolicy` resources of the template whose `Roles` name it.
fn managed_policy_count(template: &Template, role_id: &str, role: &Value) -> usize {
    let arns = role
        .get("Properties")
        .and_then(|p| p.get("ManagedPolicyArns"))
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    let reference = json!({"Ref": role_id});
    let resources = template
        .resources()
        .values()
        .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::ManagedPolicy"))
        .filter(|r| {
            r.get("Properties")
                .and_then(|p| p.get("Roles"))
                .and_then(Value::as_array)
                .is_some_and(|roles| roles.contains(&reference))
        })
        .count();
    arns + resources
}

/// Statements packed into documents of at most `limit` characters, in order; a statement too
/// large alone is split by its `Resource` list (each piece grants the same actions on some of
/// the resources, under the same conditions). `None` when a piece cannot fit.
pub fn pack(statements: &[Value], limit: usize) -> Option<Vec<Vec<Value>>> {
    let base = policy_size(&json!({"Version": "2012-10-17", "Statement": []}));
    let mut documents: Vec<Vec<Value>> = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut size = base;
    for statement in statements {
        for piece in pieces(statement, limit - base)? {
            let piece_size = policy_size(&piece);
            if size + piece_size + usize::from(!current.is_empty()) > limit {
                documents.push(std::mem::take(&mut current));
                size = base;
            }
            size += piece_size + usize::from(!current.is_empty());
            current.push(piece);
        }
    }
    if !current.is_empty() {
        documents.push(current);
    }
    Some(documents)
}

/// `statement` whole when it fits `room`, otherwise split by its `Resource` list.
fn pieces(statement: &Value, room: usize) -> Option<Vec<Value>> {
    if policy_size(statement) <= room {
        return Some(vec![statement.clone()]);
    }
    let resources = statement.get("Resource")?.as_array()?;
    let mut out = Vec::new();
    let mut chunk: Vec<Value> = Vec::new();
    let with = |chunk: &[Value]| {
        let mut piece = statement.clone();
        piece["Resource"] = Value::Array(chunk.to_vec());
        piece
    };
    for resource in resources {
        chunk.push(resource.clone());
        if policy_size(&with(&chunk)) > room {
            chunk.pop();
            if chunk.is_empty() {
                return None;
            }
            out.push(with(&chunk));
            chunk = vec![resource.clone()];
            if policy_size(&with(&chunk)) > room {
                return None;
            }
        }
    }
    if !chunk.is_empty() {
        out.push(with(&chunk));
    }
    Some(out)
}

/// The error when the statements cannot fit, naming the largest of them (at the service file's
/// statement where one is found).
fn too_large(
    role_id: &str,
    total: usize,
    moved: &[Value],
    room: usize,
    service: &Service,
) -> Diagnostic {
    let mut largest: Vec<(usize, &Value)> = moved.iter().map(|s| (policy_size(s), s)).collect();
    largest.sort_by_key(|(size, _)| std::cmp::Reverse(*size));
    largest.truncate(LARGEST_NAMED);
    let sources = statement_sources(service);
    let mut diagnostic = Diagnostic::error(
        codes::IAM_POLICY_TOO_LARGE,
        format!(
            "the inline statements of {role_id} ({total} characters) do not fit: its inline policies may hold {MAX_INLINE_POLICY_CHARS} characters, and {room} more managed policies of {MAX_MANAGED_POLICY_CHARS} characters each are allowed"
        ),
    );
    let mut named = Vec::new();
    let mut used = Vec::new();
    for (size, statement) in &largest {
        // Equal statements written twice are two places: each is named once.
        let source = sources
            .iter()
            .enumerate()
            .find(|(i, (_, _, json))| json == *statement && !used.contains(i))
            .map(|(i, source)| {
                used.push(i);
                source
            });
        match source {
            Some((path, span, _)) => {
                if diagnostic.path.is_none() {
                    diagnostic = diagnostic
                        .with_path(path.clone())
                        .at(*span, format!("{size} characters"));
                } else {
                    diagnostic = diagnostic.also(*span, format!("{size} characters"));
                }
                named.push(format!("{path} ({size})"));
            }
            None => named.push(format!("{} ({size})", describe(statement))),
        }
    }
    diagnostic.with_help(format!(
        "the largest statements: {}; use wildcards or fewer resources in them, or give the functions that need them their own role (`iam.role.statements` on the function)",
        named.join(", ")
    ))
}

/// A statement without a place in the service file, by its actions.
fn describe(statement: &Value) -> String {
    let actions = match statement.get("Action") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(a)) => a.clone(),
        _ => "no actions".into(),
    };
    format!("the statement of {actions}")
}

/// Every statement the service file writes for a role, with its config path, span and JSON.
fn statement_sources(service: &Service) -> Vec<(String, Span, Value)> {
    let mut lists: Vec<(String, &Node)> = Vec::new();
    let provider = &service.provider.node;
    if let Some(list) = provider
        .get("iam")
        .and_then(|i| i.get("role"))
        .and_then(|r| r.get("statements"))
    {
        lists.push(("provider.iam.role.statements".into(), list));
    }
    if let Some(list) = provider.get("iamRoleStatements") {
        lists.push(("provider.iamRoleStatements".into(), list));
    }
    for function in &service.functions {
        if let Some(list) = function
            .get("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("statements"))
        {
            lists.push((
                format!("functions.{}.iam.role.statements", function.key),
                list,
            ));
        }
        if let Some(list) = function.get("iamRoleStatements") {
            lists.push((
                format!("functions.{}.iamRoleStatements", function.key),
                list,
            ));
        }
    }
    let mut out = Vec::new();
    for (path, list) in lists {
        for (i, node) in list.as_seq().unwrap_or(&[]).iter().enumerate() {
            out.push((format!("{path}[{i}]"), node.span, user_statement(node)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(resources: usize) -> Value {
        let list: Vec<Value> = (0..resources)
            .map(|i| json!(format!("arn:aws:s3:::bucket-number-{i}/*")))
            .collect();
        json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": list})
    }

    fn granted(documents: &[Vec<Value>]) -> Vec<Value> {
        documents
            .iter()
            .flatten()
            .flat_map(|s| s["Resource"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    #[test]
    fn packing_keeps_every_resource_within_the_limit() {
        let statements = vec![statement(3), statement(400), statement(2)];
        let documents = pack(&statements, MAX_MANAGED_POLICY_CHARS).unwrap();
        assert!(documents.len() > 2);
        for document in &documents {
            let value = json!({"Version": "2012-10-17", "Statement": document});
            assert!(policy_size(&value) <= MAX_MANAGED_POLICY_CHARS);
        }
        let expected: Vec<Value> = statements
            .iter()
            .flat_map(|s| s["Resource"].as_array().cloned().unwrap())
            .collect();
        assert_eq!(granted(&documents), expected);
    }

    #[test]
    fn a_statement_that_cannot_be_split_does_not_fit() {
        let huge =
            json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "x".repeat(7000)});
        assert_eq!(pack(&[huge], MAX_MANAGED_POLICY_CHARS), None);
    }

    #[test]
    fn the_prefix_that_fits_is_kept() {
        let statements = vec![statement(1), statement(1), statement(1)];
        let one = policy_size(&statements[0]);
        let base = policy_size(&json!({"Version": "2012-10-17", "Statement": []}));
        assert_eq!(fitting_prefix(&statements, base + 2 * one + 1), 2);
        assert_eq!(fitting_prefix(&statements, base + 2 * one), 1);
        assert_eq!(fitting_prefix(&statements, usize::MAX), 3);
        assert_eq!(fitting_prefix(&statements, base), 0);
    }
}
