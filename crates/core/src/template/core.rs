//! The core resources every service gets, shaped like the reference's
//! `cloudformation-template-update-stack.json`: the deployment bucket and its policy, a log
//! group per function, `IamRoleLambdaExecution` (unless custom roles make it unnecessary), each
//! `AWS::Lambda::Function` with its version (and alias for provisioned concurrency or
//! SnapStart), and the outputs.
//!
//! What cannot be known without packaging code is replaced by deterministic values derived
//! from the configuration (documented in `docs/compatibility.md`): the artifact key is
//! `serverless/<service>/<stage>/<service>.zip` and the version's `CodeSha256` and logical-id
//! hash are SHA-256 digests of the function's properties.

use super::Template;
use crate::config::roles::{custom_execution_role, dedicated_role_logical_id, uses_dedicated_role};
use crate::config::{Function, Service};
use crate::js::to_js_compact;
use crate::naming;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use streaming_events_yaml::Node;

pub const DEFAULT_MEMORY_SIZE: u32 = 1024;
pub const DEFAULT_TIMEOUT: u32 = 6;

/// The name `provider.deploymentBucket` gives; `None` when the stack creates its own bucket.
pub fn deployment_bucket_name(service: &Service) -> Option<Value> {
    let bucket = service.provider.deployment_bucket.as_ref()?;
    match &bucket.value {
        streaming_events_yaml::Value::String(_) => Some(bucket.to_json()),
        streaming_events_yaml::Value::Map(_) => bucket.get("name").map(Node::to_json),
        _ => None,
    }
}

/// Starts the core template: the deployment bucket and its policy, and the log groups.
pub fn core_template(service: &Service) -> Template {
    let mut template = Template::new();
    let bucket_name = deployment_bucket_name(service);
    if bucket_name.is_none() {
        template.add_resource(
            "ServerlessDeploymentBucket",
            json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}}),
        );
        let object_arn = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "ServerlessDeploymentBucket"}, "/*"]]});
        let bucket_arn = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "ServerlessDeploymentBucket"}]]});
        template.add_resource(
            "ServerlessDeploymentBucketPolicy",
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "ServerlessDeploymentBucket"}, "PolicyDocument": {"Statement": [{"Action": "s3:*", "Effect": "Deny", "Principal": "*", "Resource": [object_arn, bucket_arn], "Condition": {"Bool": {"aws:SecureTransport": false}}}]}}}),
        );
    }
    for function in service.functions.iter().filter(|f| has_log_group(f)) {
        template.set_owner(Some(&function.key));
        template.add_resource(
            naming::log_group_logical_id(&function.key),
            log_group(service, function),
        );
    }
    template.set_owner(None);
    template
}

/// Adds every function, then each function's version and alias, and the outputs (after the
/// execution roles, as the reference orders its resources).
pub fn add_functions(template: &mut Template, service: &Service) {
    let bucket_name = deployment_bucket_name(service);
    // The reference adds every function first, then each function's version and alias.
    let versions: Vec<Vec<(String, Value)>> = service
        .functions
        .iter()
        .map(|function| {
            template.set_owner(Some(&function.key));
            add_function(template, service, function, bucket_name.clone())
        })
        .collect();
    // Each function's version, when it has one, is the first resource `add_function` returns.
    let version_ids: Vec<Option<String>> = versions
        .iter()
        .map(|resources| resources.first().map(|(id, _)| id.clone()))
        .collect();
    for (function, resources) in service.functions.iter().zip(versions) {
        template.set_owner(Some(&function.key));
        for (id, resource) in resources {
            template.add_resource(id, resource);
        }
    }
    template.set_owner(None);
    let bucket_output = bucket_name.unwrap_or_else(|| json!({"Ref": "ServerlessDeploymentBucket"}));
    let mut outputs = Map::new();
    outputs.insert(
        "ServerlessDeploymentBucketName".into(),
        json!({"Value": bucket_output, "Export": {"Name": format!("sls-{}-{}-ServerlessDeploymentBucketName", service.name, service.stage)}}),
    );
    for (key, value) in outputs {
        template.outputs_mut().insert(key, value);
    }
    let version_outputs: Vec<(String, Value)> = service
        .functions
        .iter()
        .zip(version_ids)
        .filter_map(|(f, id)| {
            let id = id?;
            Some((
                naming::lambda_version_output_logical_id(&f.key),
                json!({"Description": "Current Lambda function version", "Value": {"Ref": id}, "Export": {"Name": format!("sls-{}-{}-{}", service.name, service.stage, naming::lambda_version_output_logical_id(&f.key))}}),
            ))
        })
        .collect();
    for (key, value) in version_outputs {
        template.outputs_mut().insert(key, value);
    }
}

fn number_or(node: Option<&Node>, default: u32) -> Value {
    node.filter(|n| !n.is_null())
        .map(Node::to_json)
        .unwrap_or(json!(default))
}

/// Adds the function resource; returns its version and alias resources, to be added after
/// every function.
fn add_function(
    template: &mut Template,
    service: &Service,
    function: &Function,
    bucket_name: Option<Value>,
) -> Vec<(String, Value)> {
    let logical_id = naming::lambda_logical_id(&function.key);
    let mut properties = code_properties(service, function, bucket_name);
    properties.insert("FunctionName".into(), json!(function.name));
    add_settings(&mut properties, service, function);
    let depends_on = add_role(&mut properties, service, function);
    let vpc = function.get("vpc").or(service.provider.vpc.as_ref());
    if let Some(vpc) = vpc.filter(|v| v.as_map().is_some()) {
        properties.insert(
            "VpcConfig".into(),
            json!({"SecurityGroupIds": vpc.get("securityGroupIds").map(Node::to_json), "SubnetIds": vpc.get("subnetIds").map(Node::to_json)}),
        );
    }
    if let Some(reserved) = function.get("reservedConcurrency") {
        properties.insert("ReservedConcurrentExecutions".into(), reserved.to_json());
    }
    if let Some(layers) = function
        .get("layers")
        .or_else(|| service.provider.node.get("layers"))
    {
        properties.insert("Layers".into(), layers.to_json());
    }
    let snap_start = function.is_truthy("snapStart");
    if snap_start {
        properties.insert("SnapStart".into(), json!({"ApplyOn": "PublishedVersions"}));
    }
    let version_functions = versions_function(service, function);
    let provisioned = provisioned_concurrency(function);
    let digest_input = to_js_compact(&Value::Object(properties.clone()));
    template.add_resource(
        logical_id.clone(),
        function_resource(properties, depends_on),
    );
    if !has_version(service, function) {
        return Vec::new();
    }
    version_and_alias(
        service,
        function,
        &logical_id,
        &digest_input,
        provisioned,
        snap_start,
        version_functions,
    )
}

/// Whether the function gets its log group (`disableLogs` unset or falsy).
pub fn has_log_group(function: &Function) -> bool {
    !function.is_truthy("disableLogs")
}

/// `versionFunction` of the function, else `provider.versionFunctions`.
fn versions_function(service: &Service, function: &Function) -> bool {
    function
        .get("versionFunction")
        .map(crate::js::truthy)
        .unwrap_or(service.provider.version_functions)
}

fn provisioned_concurrency(function: &Function) -> Option<&Node> {
    function
        .get("provisionedConcurrency")
        .filter(|n| crate::js::truthy(n))
}

/// Whether the function gets an `AWS::Lambda::Version` (and with it an output): versioned, or
/// with provisioned concurrency or SnapStart, which publish a version.
pub fn has_version(service: &Service, function: &Function) -> bool {
    versions_function(service, function)
        || provisioned_concurrency(function).is_some()
        || function.is_truthy("snapStart")
}

/// `Code` (an image, or the artifact in the deployment bucket), `Handler` and `Runtime`.
fn code_properties(
    service: &Service,
    function: &Function,
    bucket_name: Option<Value>,
) -> Map<String, Value> {
    let mut properties = Map::new();
    match function.get("image") {
        Some(image) => {
            let uri = image
                .as_str()
                .map(|u| json!(u))
                .or_else(|| image.get("uri").map(Node::to_json))
                .unwrap_or(Value::Null);
            properties.insert("Code".into(), json!({"ImageUri": uri}));
            properties.insert("PackageType".into(), json!("Image"));
        }
        None => {
            properties.insert(
                "Code".into(),
                json!({"S3Bucket": bucket_name.unwrap_or_else(|| json!({"Ref": "ServerlessDeploymentBucket"})), "S3Key": format!("serverless/{}/{}/{}.zip", service.name, service.stage, service.name)}),
            );
            properties.insert(
                "Handler".into(),
                function
                    .get("handler")
                    .map(Node::to_json)
                    .unwrap_or(Value::Null),
            );
            let runtime = function
                .get("runtime")
                .or(service.provider.runtime.as_ref())
                .map(Node::to_json)
                .unwrap_or(json!(crate::config::service::DEFAULT_RUNTIME));
            properties.insert("Runtime".into(), runtime);
        }
    }
    properties
}

/// Memory, timeout, architecture, description, tags, storage, dead letters, KMS, tracing and
/// environment, each from the function or else the provider.
fn add_settings(properties: &mut Map<String, Value>, service: &Service, function: &Function) {
    properties.insert(
        "MemorySize".into(),
        number_or(
            function
                .get("memorySize")
                .or(service.provider.memory_size.as_ref()),
            DEFAULT_MEMORY_SIZE,
        ),
    );
    properties.insert(
        "Timeout".into(),
        number_or(
            function
                .get("timeout")
                .or(service.provider.timeout.as_ref()),
            DEFAULT_TIMEOUT,
        ),
    );
    let architecture = function
        .get("architecture")
        .or_else(|| service.provider.node.get("architecture"));
    if let Some(architecture) = architecture {
        properties.insert("Architectures".into(), json!([architecture.to_json()]));
    }
    if let Some(description) = function.get("description") {
        properties.insert("Description".into(), description.to_json());
    }
    let tags = merge_maps(service.provider.tags.as_ref(), function.get("tags"));
    if !tags.is_empty() {
        let list: Vec<Value> = tags
            .into_iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        properties.insert("Tags".into(), Value::Array(list));
    }
    if let Some(size) = function.get("ephemeralStorageSize") {
        properties.insert("EphemeralStorage".into(), json!({"Size": size.to_json()}));
    }
    if let Some(target) = function.get("onError") {
        properties.insert(
            "DeadLetterConfig".into(),
            json!({"TargetArn": target.to_json()}),
        );
    }
    if let Some(key) = function
        .get("kmsKeyArn")
        .or_else(|| service.provider.node.get("kmsKeyArn"))
    {
        properties.insert("KmsKeyArn".into(), key.to_json());
    }
    let tracing = function
        .get("tracing")
        .filter(|t| crate::js::truthy(t))
        .or_else(|| {
            service
                .provider
                .node
                .get("tracing")
                .and_then(|t| t.get("lambda"))
                .filter(|t| crate::js::truthy(t))
        });
    if let Some(tracing) = tracing {
        let mode = match &tracing.value {
            streaming_events_yaml::Value::Bool(_) => json!("Active"),
            _ => tracing.to_json(),
        };
        properties.insert("TracingConfig".into(), json!({"Mode": mode}));
    }
    let environment = merge_maps(
        service.provider.environment.as_ref(),
        function.get("environment"),
    );
    if service.provider.environment.is_some() || function.get("environment").is_some() {
        properties.insert(
            "Environment".into(),
            crate::js::object([("Variables", Value::Object(environment))]),
        );
    }
}

/// `Role`, by the role the function runs under; returns the function's `DependsOn`.
fn add_role(
    properties: &mut Map<String, Value>,
    service: &Service,
    function: &Function,
) -> Vec<Value> {
    let mut depends_on: Vec<Value> = Vec::new();
    if !function.is_truthy("disableLogs") {
        depends_on.push(json!(naming::log_group_logical_id(&function.key)));
    }
    let dedicated = uses_dedicated_role(service, function);
    match custom_execution_role(service, function) {
        None if dedicated => {
            let role_id = dedicated_role_logical_id(function);
            properties.insert("Role".into(), json!({"Fn::GetAtt": [role_id, "Arn"]}));
            depends_on.insert(0, json!(role_id));
        }
        None => {
            properties.insert(
                "Role".into(),
                json!({"Fn::GetAtt": [naming::DEFAULT_ROLE_LOGICAL_ID, "Arn"]}),
            );
        }
        Some(role) => match &role.value {
            streaming_events_yaml::Value::String(s) if s.starts_with("arn:") => {
                properties.insert("Role".into(), json!(s));
            }
            streaming_events_yaml::Value::String(s) => {
                properties.insert("Role".into(), json!({"Fn::GetAtt": [s, "Arn"]}));
                depends_on.push(json!(s));
            }
            _ => {
                if let Some(resource) = role
                    .get("Fn::GetAtt")
                    .and_then(Node::as_seq)
                    .and_then(|l| l.first())
                    .and_then(Node::as_str)
                {
                    depends_on.push(json!(resource));
                }
                properties.insert("Role".into(), role.to_json());
            }
        },
    }
    depends_on
}

/// The function's version (and alias for provisioned concurrency or SnapStart), to be added
/// after every function.
fn version_and_alias(
    service: &Service,
    function: &Function,
    logical_id: &str,
    digest_input: &str,
    provisioned: Option<&Node>,
    snap_start: bool,
    version_functions: bool,
) -> Vec<(String, Value)> {
    let mut later = Vec::new();
    let code_sha = base64(&Sha256::digest(
        format!("code:{}:{}", service.name, function.key).as_bytes(),
    ));
    let version_digest = base64(&Sha256::digest(
        format!("{digest_input}{code_sha}").as_bytes(),
    ));
    let version_id = naming::lambda_version_logical_id(&function.key, &version_digest);
    let mut version = Map::new();
    version.insert("Type".into(), json!("AWS::Lambda::Version"));
    if version_functions {
        version.insert("DeletionPolicy".into(), json!("Retain"));
    }
    let mut version_properties = Map::new();
    version_properties.insert("FunctionName".into(), json!({"Ref": logical_id}));
    version_properties.insert("CodeSha256".into(), json!(code_sha));
    if let Some(description) = function.get("description") {
        version_properties.insert("Description".into(), description.to_json());
    }
    version.insert("Properties".into(), Value::Object(version_properties));
    later.push((version_id.clone(), Value::Object(version)));
    if let Some(count) = provisioned {
        later.push((
            naming::provisioned_concurrency_alias_logical_id(&function.key),
            json!({"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": logical_id}, "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]}, "Name": naming::PROVISIONED_CONCURRENCY_ALIAS_NAME, "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": count.to_json()}}, "DependsOn": logical_id}),
        ));
    } else if snap_start {
        later.push((
            naming::snap_start_alias_logical_id(&function.key),
            json!({"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": logical_id}, "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]}, "Name": naming::SNAP_START_ALIAS_NAME}, "DependsOn": logical_id}),
        ));
    }
    later
}

/// `Object.assign({}, a, b)` of two mappings.
fn merge_maps(a: Option<&Node>, b: Option<&Node>) -> Map<String, Value> {
    let mut out = Map::new();
    for node in [a, b].into_iter().flatten() {
        if let Some(Value::Object(map)) = Some(node.to_json()) {
            for (k, v) in map {
                out.insert(k, v);
            }
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The function resource; `DependsOn` only when it has something to wait for, as the reference.
fn function_resource(properties: Map<String, Value>, depends_on: Vec<Value>) -> Value {
    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::Lambda::Function"));
    resource.insert("Properties".into(), Value::Object(properties));
    if !depends_on.is_empty() {
        resource.insert("DependsOn".into(), Value::Array(depends_on));
    }
    Value::Object(resource)
}

/// A function's log group, with its retention when one is set.
fn log_group(service: &Service, function: &Function) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "LogGroupName".into(),
        json!(format!("/aws/lambda/{}", function.name)),
    );
    let retention = function
        .get("logRetentionInDays")
        .or_else(|| service.provider.node.get("logRetentionInDays"));
    if let Some(days) = retention {
        properties.insert("RetentionInDays".into(), days.to_json());
    }
    crate::js::object([
        ("Type", "AWS::Logs::LogGroup".into()),
        ("Properties", Value::Object(properties)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
