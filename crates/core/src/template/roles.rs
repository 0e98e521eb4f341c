//! Per-function IAM roles as the Serverless Framework v4 builds them
//! (`roles-per-function.js`, `uses-dedicated-per-function-role.js`): with
//! `provider.iam.role.mode: perFunction` every function gets its own role; otherwise a function
//! with its own `iam.role.statements`, `iamRoleStatements` or `iam.role.managedPolicies` does.
//! A dedicated role holds the function's log permissions, its own statements (plus the
//! provider's when inherited) and its streaming permissions; nothing of that function lands in
//! the shared `IamRoleLambdaExecution`.
//!
//! One deliberate difference from v4: the function's event source mappings wait for
//! `[dedicated role, alias?, consumer?]` (v4 replaces the whole `DependsOn` with the role alone,
//! dropping the alias a provisioned-concurrency mapping invokes).

use crate::config::{Function, Service};
use crate::events::is_existing_role;
use crate::naming;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// IAM's limit on role names.
pub const MAX_ROLE_NAME: usize = 64;

/// `provider.iam.role.mode: perFunction`.
pub fn per_function_mode(service: &Service) -> bool {
    service
        .provider
        .iam_role
        .as_ref()
        .and_then(|r| r.get("mode"))
        .and_then(Node::as_str)
        == Some("perFunction")
}

fn function_role_config<'a>(function: &'a Function, key: &str) -> Option<&'a Node> {
    function
        .get("iam")
        .and_then(|i| i.get("role"))
        .and_then(|r| r.get(key))
}

/// Whether a function has per-function IAM settings.
fn has_own_iam(function: &Function) -> bool {
    let map = function.node.as_map();
    let legacy = map.is_some_and(|m| m.contains_key("iamRoleStatements"));
    let statements = function
        .get("iam")
        .and_then(|i| i.get("role"))
        .and_then(Node::as_map)
        .is_some_and(|m| m.contains_key("statements"));
    let managed = function_role_config(function, "managedPolicies")
        .and_then(Node::as_seq)
        .is_some_and(|l| !l.is_empty());
    legacy || statements || managed
}

/// `provider.iam.role` names an existing role (an ARN, a logical name or an intrinsic).
pub fn provider_role_is_existing(service: &Service) -> bool {
    service
        .provider
        .iam_role
        .as_ref()
        .is_some_and(is_existing_role)
}

/// The service sets the legacy `provider.role`.
pub fn provider_declares_role(service: &Service) -> bool {
    service
        .provider
        .node
        .as_map()
        .is_some_and(|m| m.contains_key("role"))
}

/// `usesDedicatedPerFunctionRole`.
pub fn uses_dedicated_role(service: &Service, function: &Function) -> bool {
    if function.role.is_some() {
        return false;
    }
    if provider_role_is_existing(service) {
        return false;
    }
    let per_function = per_function_mode(service);
    if provider_declares_role(service) && !per_function {
        return false;
    }
    per_function || has_own_iam(function)
}

/// The checks v4 makes before building dedicated roles.
pub fn check_dedicated_roles(service: &Service) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if per_function_mode(service) && provider_declares_role(service) {
        out.push(
            Diagnostic::error(
                codes::FUNCTION_IAM_ROLE_CONFLICT,
                "provider.role cannot be combined with provider.iam.role.mode: perFunction",
            )
            .with_path("provider.role")
            .at(
                service
                    .provider
                    .role
                    .as_ref()
                    .map(|r| r.span)
                    .unwrap_or(service.provider.node.span),
                "",
            )
            .with_help("remove provider.role, or the perFunction mode"),
        );
    }
    for function in &service.functions {
        if let Some(role) = &function.role {
            if has_own_iam(function) {
                out.push(
                    Diagnostic::error(
                        codes::FUNCTION_IAM_ROLE_CONFLICT,
                        format!(
                            "function '{}' sets `role` and also per-function IAM settings (iam.role.statements, iamRoleStatements or iam.role.managedPolicies)",
                            function.key
                        ),
                    )
                    .with_path(format!("functions.{}.role", function.key))
                    .at(role.span, "its own role")
                    .with_help("either use your own role (and grant everything in it) or let streaming-events build one from the statements"),
                );
            }
            continue;
        }
        if uses_dedicated_role(service, function)
            && function_role_config(function, "name").is_none()
            && function.get("iamRoleStatementsName").is_none()
        {
            let parts = role_name_parts(service, function);
            if name_length(&parts, &service.region) > MAX_ROLE_NAME {
                out.push(
                    Diagnostic::error(
                        codes::FUNCTION_IAM_ROLE_NAME_TOO_LONG,
                        format!(
                            "the generated role name of function '{}' is longer than {MAX_ROLE_NAME} characters, which IAM refuses",
                            function.key
                        ),
                    )
                    .with_path(format!("functions.{}.iam.role.name", function.key))
                    .at(function.key_span, "this function")
                    .with_help("set a shorter role name with iam.role.name"),
                );
            }
        }
    }
    out
}

/// `<service>-<stage>-<function>-<region>-lambdaRole`, without `lambdaRole` when too long.
fn role_name_parts(service: &Service, function: &Function) -> Vec<Value> {
    let mut parts = vec![
        json!(service.name),
        json!(service.stage),
        json!(function.key),
        json!({"Ref": "AWS::Region"}),
        json!("lambdaRole"),
    ];
    if name_length(&parts, &service.region) > MAX_ROLE_NAME {
        parts.pop();
    }
    parts
}

fn name_length(parts: &[Value], region: &str) -> usize {
    let text: usize = parts
        .iter()
        .map(|p| match p {
            Value::String(s) => s.chars().count(),
            other if other.get("Ref").and_then(Value::as_str) == Some("AWS::Region") => {
                region.len()
            }
            other => other
                .get("Ref")
                .and_then(Value::as_str)
                .map(str::len)
                .unwrap_or(0),
        })
        .sum();
    text + parts.len().saturating_sub(1)
}

/// The dedicated role of `function` (without its streaming permissions, which the compilers add).
/// `shared_role` is the compiled `IamRoleLambdaExecution` it is cloned from, when there is one.
pub fn dedicated_role(
    service: &Service,
    function: &Function,
    shared_role: Option<&Value>,
) -> Value {
    let per_function = per_function_mode(service);
    let provider_role = service.provider.iam_role.as_ref();
    let mut role = match shared_role.filter(|_| !per_function) {
        Some(shared) => shared.clone(),
        None => super::core::base_role(service),
    };
    let log_group = format!("/aws/lambda/{}", function.name);
    let log_arn = json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_group}:*:*")});
    let mut statements = vec![
        json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"], "Resource": [log_arn.clone()]}),
    ];
    if function.is_truthy("disableLogs") {
        statements.push(
            json!({"Effect": "Deny", "Action": ["logs:PutLogEvents"], "Resource": [log_arn]}),
        );
    }
    let inherit = function
        .get("iam")
        .and_then(|i| i.get("inheritStatements"))
        .or_else(|| function.get("iamRoleStatementsInherit"))
        .map(crate::config::service::truthy)
        .unwrap_or(per_function);
    if inherit {
        let provider_statements = provider_role
            .and_then(|r| r.get("statements"))
            .or(service.provider.iam_role_statements.as_ref());
        if let Some(list) = provider_statements.and_then(Node::as_seq) {
            statements.extend(list.iter().map(super::core::user_statement));
        }
    }
    let own =
        function_role_config(function, "statements").or_else(|| function.get("iamRoleStatements"));
    if let Some(list) = own.and_then(Node::as_seq) {
        statements.extend(list.iter().map(super::core::user_statement));
    }
    let Some(properties) = role.get_mut("Properties").and_then(Value::as_object_mut) else {
        return role;
    };
    if let Some(document) = properties
        .get_mut("Policies")
        .and_then(|p| p.get_mut(0))
        .and_then(|p| p.get_mut("PolicyDocument"))
        .and_then(Value::as_object_mut)
    {
        document.insert("Statement".into(), Value::Array(statements));
    }
    let mut managed: Vec<Value> = if per_function {
        provider_role
            .and_then(|r| r.get("managedPolicies"))
            .or(service.provider.iam_managed_policies.as_ref())
            .and_then(Node::as_seq)
            .map(|l| l.iter().map(Node::to_json).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    if function.get("vpc").is_some() || service.provider.vpc.is_some() {
        managed.push(json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]]}));
    }
    if let Some(list) = function_role_config(function, "managedPolicies").and_then(Node::as_seq) {
        managed.extend(list.iter().map(Node::to_json));
    }
    if managed.is_empty() {
        properties.remove("ManagedPolicyArns");
    } else {
        properties.insert("ManagedPolicyArns".into(), Value::Array(managed));
    }
    let boundary = function_role_config(function, "permissionsBoundary")
        .or_else(|| function.get("iamPermissionsBoundary"));
    if let Some(boundary) = boundary {
        properties.insert("PermissionsBoundary".into(), boundary.to_json());
    }
    let name = function_role_config(function, "name")
        .or_else(|| function.get("iamRoleStatementsName"))
        .map(Node::to_json)
        .unwrap_or_else(|| json!({"Fn::Join": ["-", role_name_parts(service, function)]}));
    properties.insert("RoleName".into(), name);
    if let Some(path) = function_role_config(function, "path") {
        properties.insert("Path".into(), path.to_json());
    }
    if let Some(tags) = function_role_config(function, "tags").and_then(Node::as_map) {
        let mut merged: Map<String, Value> = Map::new();
        if let Some(existing) = properties.get("Tags").and_then(Value::as_array) {
            for tag in existing {
                if let (Some(key), Some(value)) =
                    (tag.get("Key").and_then(Value::as_str), tag.get("Value"))
                {
                    merged.insert(key.to_string(), value.clone());
                }
            }
        }
        for entry in &tags.entries {
            merged.insert(entry.key.clone(), entry.value.to_json());
        }
        let list: Vec<Value> = merged
            .into_iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        properties.insert("Tags".into(), Value::Array(list));
    }
    role
}

/// `<NormalizedFunction>IamRoleLambdaExecution`.
pub fn dedicated_role_logical_id(function: &Function) -> String {
    naming::dedicated_role_logical_id(&function.key)
}
