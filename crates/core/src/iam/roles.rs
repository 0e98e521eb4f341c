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

use super::other_permissions;
use crate::config::roles::{
    dedicated_role_logical_id, function_role_config, has_own_iam, needs_default_role,
    per_function_mode, provider_declares_role, uses_dedicated_role,
};
use crate::config::{Function, Service};
use crate::js::truthy;
use crate::naming;
use crate::template::{sub_literal, Template};
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::{Mapping, Node};

/// The plugin that gives functions with `iamRoleStatements` a role of their own in v3; when a
/// service lists it, its settings are honoured (D20).
pub const ROLES_PLUGIN: &str = "serverless-iam-roles-per-function";

/// `custom.serverless-iam-roles-per-function.defaultInherit`.
fn plugin_default_inherit(service: &Service) -> bool {
    service
        .plugin_setting(ROLES_PLUGIN, "defaultInherit")
        .is_some_and(truthy)
}

/// IAM's limit on role names.
pub const MAX_ROLE_NAME: usize = 64;

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

/// Whether IAM accepts `c` in a role name (`[\w+=,.@-]`).
fn role_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// The shared role's generated name, `<service>-<stage>-<region>-lambdaRole`, that IAM refuses:
/// over 64 characters, or with a character other than `[\w+=,.@-]` (a `$`, `{` or space of the
/// stage or service). The error is at the stage when the service file sets it and it holds the
/// refused character or the length is to blame, otherwise at the service. A
/// `provider.iam.role.name` is the user's own and left alone.
pub fn check_shared_role_name(service: &Service) -> Option<Diagnostic> {
    if !needs_default_role(service) {
        return None;
    }
    let role = service.provider.iam_role.as_ref();
    if role.and_then(|r| r.get("name")).is_some() {
        return None;
    }
    let name = format!(
        "{}-{}-{}-lambdaRole",
        service.name, service.stage, service.region
    );
    let length = name.chars().count();
    let refused = name.chars().find(|c| !role_name_char(*c));
    let problem = match refused {
        Some(c) => {
            format!("has `{c}`, which IAM refuses in role names (letters, digits and `+=,.@_-`)")
        }
        None if length > MAX_ROLE_NAME => {
            format!("is {length} characters long; IAM accepts at most {MAX_ROLE_NAME}")
        }
        None => return None,
    };
    // Binary mode: the Framework's resolved configuration always has a stage, placed at
    // `provider` when the file writes none; only a stage the file writes is blamed.
    let stage = service
        .provider
        .node
        .get("stage")
        .filter(|n| n.as_str() == Some(service.stage.as_str()))
        .filter(|n| n.span != service.provider.node.span);
    let stage_to_blame = match refused {
        Some(c) => service.stage.contains(c),
        None => true,
    };
    let (path, span, label) = match stage.filter(|_| stage_to_blame) {
        Some(node) => ("provider.stage", node.span, "the stage"),
        None => (
            "service",
            service.root.get("service").map(|n| n.span)?,
            "the service name",
        ),
    };
    Some(
        Diagnostic::error(
            codes::IAM_ROLE_NAME_INVALID,
            format!("the shared role's generated name '{name}' {problem}"),
        )
        .with_path(path)
        .at(span, label)
        .with_help(match refused {
            Some(_) => "the name is `<service>-<stage>-<region>-lambdaRole`; use a stage and service name of letters, digits and `-`, or set provider.iam.role.name".to_string(),
            None => format!(
                "the name is `<service>-<stage>-<region>-lambdaRole` (region {}); set provider.iam.role.name, or shorten the service name or the stage",
                service.region
            ),
        }),
    )
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
    let mut role = match shared_role.filter(|_| !per_function) {
        Some(shared) => shared.clone(),
        None => base_role(service),
    };
    let statements = dedicated_role_statements(service, function, per_function);
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
    let managed = dedicated_managed_policies(service, function, per_function);
    if managed.is_empty() {
        properties.remove("ManagedPolicyArns");
    } else {
        properties.insert("ManagedPolicyArns".into(), Value::Array(managed));
    }
    let boundary = function_role_config(function, "permissionsBoundary")
        .or_else(|| function.get("iamPermissionsBoundary"))
        .or_else(|| service.plugin_setting(ROLES_PLUGIN, "iamGlobalPermissionsBoundary"));
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
        merge_role_tags(properties, tags);
    }
    role
}

/// The dedicated role's statements: the function's logs, the provider's statements when
/// inherited, and the function's own.
fn dedicated_role_statements(
    service: &Service,
    function: &Function,
    per_function: bool,
) -> Vec<Value> {
    let provider_role = service.provider.iam_role.as_ref();
    let log_group = format!("/aws/lambda/{}", sub_literal(&function.name));
    let log_arn = json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_group}:*:*")});
    let mut statements = vec![
        json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"], "Resource": [log_arn.clone()]}),
    ];
    if function.is_truthy("disableLogs") {
        statements.push(
            json!({"Effect": "Deny", "Action": ["logs:PutLogEvents"], "Resource": [log_arn]}),
        );
    }
    let inherit = match function
        .get("iam")
        .and_then(|i| i.get("inheritStatements"))
        .or_else(|| function.get("iamRoleStatementsInherit"))
    {
        // serverless-iam-roles-per-function: `iamRoleStatementsInherit || (defaultInherit &&
        // iamRoleStatementsInherit !== false)`.
        Some(own) => {
            truthy(own) || (plugin_default_inherit(service) && own.as_bool() != Some(false))
        }
        None => per_function || plugin_default_inherit(service),
    };
    if inherit {
        let provider_statements = provider_role
            .and_then(|r| r.get("statements"))
            .or(service.provider.iam_role_statements.as_ref());
        if let Some(list) = provider_statements.and_then(Node::as_seq) {
            statements.extend(list.iter().map(user_statement));
        }
    }
    let own =
        function_role_config(function, "statements").or_else(|| function.get("iamRoleStatements"));
    if let Some(list) = own.and_then(Node::as_seq) {
        statements.extend(list.iter().map(user_statement));
    }
    statements
}

/// The dedicated role's managed policies: the provider's in per-function mode, the VPC policy,
/// and the function's own.
fn dedicated_managed_policies(
    service: &Service,
    function: &Function,
    per_function: bool,
) -> Vec<Value> {
    let provider_role = service.provider.iam_role.as_ref();
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
    if function.get("vpc").is_some() || service.provider.vpc.is_some() {
        managed.push(json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]]}));
    }
    if let Some(list) = function_role_config(function, "managedPolicies").and_then(Node::as_seq) {
        managed.extend(list.iter().map(Node::to_json));
    }
    managed
}

/// The function's role `tags` over the tags the role already has (the provider's), by key.
fn merge_role_tags(properties: &mut Map<String, Value>, tags: &Mapping) {
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

/// Adds the execution roles of the stack: the shared `IamRoleLambdaExecution` when some
/// function runs under it, then each dedicated per-function role, each with the permissions
/// the reference grants for the features we do not compile.
pub fn add_execution_roles(template: &mut Template, service: &Service) {
    if needs_default_role(service) {
        let mut role = default_role(service);
        // The plugin puts its global boundary on the shared role too, once it builds a role for a
        // function with `iamRoleStatements`.
        let boundary = service.plugin_setting(ROLES_PLUGIN, "iamGlobalPermissionsBoundary");
        let plugin_builds_a_role = service.functions.iter().any(|f| {
            f.node
                .as_map()
                .is_some_and(|m| m.contains_key("iamRoleStatements"))
        });
        if let (Some(boundary), true) = (boundary, plugin_builds_a_role) {
            if let Some(properties) = role.get_mut("Properties").and_then(Value::as_object_mut) {
                properties.insert("PermissionsBoundary".into(), boundary.to_json());
            }
        }
        let sharing: Vec<&Function> = service
            .functions
            .iter()
            .filter(|f| !uses_dedicated_role(service, f))
            .collect();
        other_permissions::apply(
            &mut role,
            other_permissions::other_permissions(service, &sharing),
        );
        template.add_resource(naming::DEFAULT_ROLE_LOGICAL_ID, role);
    }
    for function in service
        .functions
        .iter()
        .filter(|f| uses_dedicated_role(service, f))
    {
        let shared = template
            .resources()
            .get(naming::DEFAULT_ROLE_LOGICAL_ID)
            .cloned();
        let mut role = dedicated_role(service, function, shared.as_ref());
        other_permissions::apply(
            &mut role,
            other_permissions::other_permissions(service, &[function]),
        );
        template.set_owner(Some(&function.key));
        template.add_resource(dedicated_role_logical_id(function), role);
    }
    template.set_owner(None);
}

/// A log group's ARN: `prefix` is user text (a function name, the service and stage), made
/// literal for `Fn::Sub`; `suffix` is ours.
fn log_arn(prefix: &str, suffix: &str) -> Value {
    let prefix = sub_literal(prefix);
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{prefix}{suffix}")})
}

fn default_role(service: &Service) -> Value {
    let canonical_prefix = format!("{}-{}", service.name, service.stage);
    let mut create = Vec::new();
    let mut put = Vec::new();
    let mut canonical = false;
    let mut disabled_canonical = Vec::new();
    for function in &service.functions {
        let logs_disabled = function.is_truthy("disableLogs");
        if !function.has_custom_name || function.name.starts_with(&canonical_prefix) {
            if logs_disabled {
                disabled_canonical.push(function.name.clone());
            } else {
                canonical = true;
            }
            continue;
        }
        if !logs_disabled {
            create.push(log_arn(&format!("/aws/lambda/{}", function.name), ":*"));
            put.push(log_arn(&format!("/aws/lambda/{}", function.name), ":*:*"));
        }
    }
    let mut statements = Vec::new();
    if canonical {
        create.push(log_arn(&format!("/aws/lambda/{canonical_prefix}"), "*:*"));
        put.push(log_arn(&format!("/aws/lambda/{canonical_prefix}"), "*:*:*"));
    }
    statements.push(json!({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"], "Resource": create}));
    statements.push(json!({"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": put}));
    if canonical && !disabled_canonical.is_empty() {
        let denied: Vec<Value> = disabled_canonical
            .iter()
            .map(|n| log_arn(&format!("/aws/lambda/{n}"), ":*"))
            .collect();
        statements
            .push(json!({"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": denied}));
    }
    let role = service.provider.iam_role.as_ref();
    let user_statements = role
        .and_then(|r| r.get("statements"))
        .or(service.provider.iam_role_statements.as_ref());
    if let Some(list) = user_statements.and_then(Node::as_seq) {
        statements.extend(list.iter().map(user_statement));
    }
    let mut role_resource = base_role(service);
    let role = service.provider.iam_role.as_ref();
    let Some(properties) = role_resource
        .get_mut("Properties")
        .and_then(Value::as_object_mut)
    else {
        return role_resource;
    };
    if let Some(document) = properties
        .get_mut("Policies")
        .and_then(|p| p.get_mut(0))
        .and_then(|p| p.get_mut("PolicyDocument"))
        .and_then(Value::as_object_mut)
    {
        document.insert("Statement".into(), Value::Array(statements));
    }
    let mut managed: Vec<Value> = role
        .and_then(|r| r.get("managedPolicies"))
        .or(service.provider.iam_managed_policies.as_ref())
        .and_then(Node::as_seq)
        .map(|l| l.iter().map(Node::to_json).collect())
        .unwrap_or_default();
    let uses_vpc = service.provider.vpc.is_some()
        || service
            .functions
            .iter()
            .any(|f| f.node.as_map().is_some_and(|m| m.contains_key("vpc")));
    if uses_vpc {
        managed.push(json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]]}));
    }
    if !managed.is_empty() {
        properties.insert("ManagedPolicyArns".into(), Value::Array(managed));
    }
    role_resource
}

/// The role skeleton both the shared and the dedicated roles start from (the reference's
/// `iam-role-lambda-execution-template.json` with its path, name, tags and boundary).
pub fn base_role(service: &Service) -> Value {
    let role = service.provider.iam_role.as_ref();
    let statements: Vec<Value> = Vec::new();
    let mut properties = Map::new();
    properties.insert(
        "AssumeRolePolicyDocument".into(),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}),
    );
    properties.insert(
        "Policies".into(),
        json!([crate::js::object([
            (
                "PolicyName",
                json!({"Fn::Join": ["-", [service.name, service.stage, "lambda"]]})
            ),
            (
                "PolicyDocument",
                crate::js::object([
                    ("Version", "2012-10-17".into()),
                    ("Statement", Value::from(statements)),
                ]),
            ),
        ])]),
    );
    properties.insert(
        "Path".into(),
        role.and_then(|r| r.get("path"))
            .map(Node::to_json)
            .unwrap_or(json!("/")),
    );
    properties.insert(
        "RoleName".into(),
        role.and_then(|r| r.get("name"))
            .map(Node::to_json)
            .unwrap_or_else(|| json!({"Fn::Join": ["-", [service.name, service.stage, {"Ref": "AWS::Region"}, "lambdaRole"]]})),
    );
    if let Some(tags) = role.and_then(|r| r.get("tags")).and_then(Node::as_map) {
        let tags: Vec<Value> = tags
            .entries
            .iter()
            .map(|e| json!({"Key": e.key, "Value": e.value.to_json()}))
            .collect();
        properties.insert("Tags".into(), Value::Array(tags));
    }
    let boundary = role
        .and_then(|r| {
            r.get("permissionsBoundary")
                .or_else(|| r.get("permissionBoundary"))
        })
        .or_else(|| service.provider.node.get("rolePermissionsBoundary"));
    if let Some(boundary) = boundary {
        properties.insert("PermissionsBoundary".into(), boundary.to_json());
    }
    crate::js::object([
        ("Type", "AWS::IAM::Role".into()),
        ("Properties", Value::Object(properties)),
    ])
}

/// A user IAM statement as the reference's validator leaves it: `Action` and `NotAction`
/// written as one string become one-item lists (Ajv's array coercion).
pub fn user_statement(node: &Node) -> Value {
    let mut value = node.to_json();
    if let Some(map) = value.as_object_mut() {
        for key in ["Action", "NotAction"] {
            if let Some(action @ Value::String(_)) = map.get_mut(key) {
                *action = Value::Array(vec![action.take()]);
            }
        }
    }
    value
}
