//! Which role each function runs under: its own `role`, a role the provider names, a
//! dedicated per-function role, or the shared `IamRoleLambdaExecution`. The one answer to that
//! question; the template, IAM and the compilers all ask here.

use crate::config::{Function, Service};
use crate::naming;
use streaming_events_yaml::Node;

/// `getCustomExecutionRole`: the function's `role`, else a provider role that names an existing
/// role (`provider.iam.role` as a string or intrinsic, or the legacy `provider.role`).
pub fn custom_execution_role(service: &Service, function: &Function) -> Option<Node> {
    if let Some(role) = &function.role {
        return Some(role.clone());
    }
    if let Some(role) = service
        .provider
        .iam_role
        .as_ref()
        .filter(|r| is_existing_role(r))
    {
        return Some(role.clone());
    }
    service.provider.role.clone().filter(|r| !r.is_null())
}

/// `isExistingRoleProvided`: a string, or an object with a `::` key (an intrinsic function).
pub fn is_existing_role(role: &Node) -> bool {
    match &role.value {
        streaming_events_yaml::Value::String(_) => true,
        streaming_events_yaml::Value::Map(map) => map.keys().any(|k| k.contains("::")),
        _ => false,
    }
}

/// `resolveFunctionIamRoleResourceName`: the logical id of the role to wait for, if it is a
/// resource of this stack.
pub fn role_resource_name(custom_role: Option<&Node>) -> Option<String> {
    let Some(role) = custom_role else {
        return Some(naming::DEFAULT_ROLE_LOGICAL_ID.to_string());
    };
    match &role.value {
        streaming_events_yaml::Value::String(s) => (!s.contains(':')).then(|| s.clone()),
        streaming_events_yaml::Value::Map(map) => {
            if let Some([resource, attribute]) = map.get("Fn::GetAtt").and_then(Node::as_seq) {
                if let (Some(resource), Some("Arn")) = (resource.as_str(), attribute.as_str()) {
                    return Some(resource.to_string());
                }
            }
            if map.contains_key("Fn::ImportValue")
                || map.contains_key("Ref")
                || map.contains_key("Fn::Sub")
            {
                return None;
            }
            Some(naming::DEFAULT_ROLE_LOGICAL_ID.to_string())
        }
        _ => Some(naming::DEFAULT_ROLE_LOGICAL_ID.to_string()),
    }
}

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

pub fn function_role_config<'a>(function: &'a Function, key: &str) -> Option<&'a Node> {
    function
        .get("iam")
        .and_then(|i| i.get("role"))
        .and_then(|r| r.get(key))
}

/// Whether a function has per-function IAM settings.
pub fn has_own_iam(function: &Function) -> bool {
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

/// Whether the service gets `IamRoleLambdaExecution`.
pub fn needs_default_role(service: &Service) -> bool {
    if service.functions.is_empty() {
        return false;
    }
    if provider_role_is_existing(service)
        || per_function_mode(service)
        || provider_declares_role(service)
    {
        return false;
    }
    !service
        .functions
        .iter()
        .all(|f| f.node.as_map().is_some_and(|m| m.contains_key("role")))
}

/// `<NormalizedFunction>IamRoleLambdaExecution`.
pub fn dedicated_role_logical_id(function: &Function) -> String {
    naming::dedicated_role_logical_id(&function.key)
}
