//! Merge mode (`--template`, the plugin's binary mode): the per-function roles the template does
//! not have yet. Serverless Framework 3 knows no per-function IAM (`iam.role.statements`,
//! `provider.iam.role.mode: perFunction`; `iamRoleStatements` only with
//! serverless-iam-roles-per-function, whose roles are in the template by the time the plugin
//! runs), so its template runs every function under `IamRoleLambdaExecution`. A function that
//! runs under a role of its own here (`config::roles::uses_dedicated_role`, D20) gets that role
//! as the standalone template has it, and its function resource is pointed at it; the compilers
//! then grant its permissions there.
//!
//! Roles the template has already (another plugin's) are left as they are.

use crate::config::roles::{dedicated_role_logical_id, uses_dedicated_role};
use crate::config::Service;
use crate::iam::{other_permissions, roles::dedicated_role};
use crate::naming;
use crate::template::Template;
use serde_json::{json, Value};

/// Adds each missing per-function role and moves its function onto it.
pub fn add_missing_dedicated_roles(template: &mut Template, service: &Service) {
    for function in service
        .functions
        .iter()
        .filter(|f| uses_dedicated_role(service, f))
    {
        let role_id = dedicated_role_logical_id(function);
        if template.has_resource(&role_id) {
            continue;
        }
        let shared = template
            .resources()
            .get(naming::DEFAULT_ROLE_LOGICAL_ID)
            .cloned();
        let mut role = dedicated_role(service, function, shared.as_ref());
        other_permissions::apply(
            &mut role,
            other_permissions::other_permissions(service, &[function]),
        );
        template.add_resource(&role_id, role);
        let lambda_id = naming::lambda_logical_id(&function.key);
        let Some(Value::Object(lambda)) = template.resources_mut().get_mut(&lambda_id) else {
            continue;
        };
        if let Some(Value::Object(properties)) = lambda.get_mut("Properties") {
            properties.insert("Role".into(), json!({"Fn::GetAtt": [role_id, "Arn"]}));
        }
        let mut depends_on: Vec<Value> = match lambda.remove("DependsOn") {
            Some(Value::Array(list)) => list,
            Some(Value::String(one)) => vec![Value::String(one)],
            _ => Vec::new(),
        };
        depends_on.retain(|d| d != naming::DEFAULT_ROLE_LOGICAL_ID && *d != json!(role_id));
        depends_on.insert(0, json!(role_id));
        lambda.insert("DependsOn".into(), Value::Array(depends_on));
    }
}
