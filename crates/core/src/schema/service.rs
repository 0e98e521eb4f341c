//! The schema of the service outside its events: the top-level properties, `provider` and each
//! function's own properties, with the reference's constraints (its `configValidationMode`
//! applies: warnings by default, errors with `error` or `--strict`, nothing with `off`).
//!
//! Events are validated by their compilers' schemas; here `events` is only "present". Lists of
//! runtimes and regions are AWS's current ones: the reference's lists stop at the runtimes and
//! regions of its release (no `nodejs22.x`, no `ap-southeast-5`), which would make valid services
//! fail in `error` mode (docs/compatibility.md).

use super::defs::{self, arn, cf_function, kms_arn};
use super::export::{DocScope, PropertyDoc};
use super::service_docs::{function_docs, provider_docs, ROOT_DOCS};
use super::{problems_to_diagnostics, validate, Rule, Schema};
use crate::config::ValidationMode;
use crate::js::regex_test as matches;
use std::sync::LazyLock;
use streaming_events_diagnostics::Diagnostic;
use streaming_events_yaml::{Node, Value};

/// Lambda runtimes: every runtime AWS lists, deprecated ones included (they are the service's
/// choice; cfn-lint warns about them).
pub const RUNTIMES: &[&str] = &[
    "dotnet6",
    "dotnet8",
    "go1.x",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "provided",
    "provided.al2",
    "provided.al2023",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
];

/// AWS regions (commercial, China, GovCloud and the isolated partitions).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// CloudWatch Logs retention periods, in days.
const LOG_RETENTION_DAYS: &[f64] = &[
    1.0, 3.0, 5.0, 7.0, 14.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 365.0, 400.0, 545.0, 731.0,
    1096.0, 1827.0, 2192.0, 2557.0, 2922.0, 3288.0, 3653.0,
];

fn runtime() -> Schema {
    Schema::Enum(RUNTIMES)
}

fn memory_size() -> Schema {
    Schema::integer(128.0, 10240.0)
}

fn timeout() -> Schema {
    Schema::integer(1.0, 900.0)
}

fn architecture() -> Schema {
    Schema::Enum(&["arm64", "x86_64"])
}

fn log_retention() -> Schema {
    Schema::Checked(
        Box::new(Schema::Number {
            min: None,
            max: None,
        }),
        |node| {
            match node.as_f64() {
            Some(days) if !LOG_RETENTION_DAYS.contains(&days) => Err(format!(
                "must be one of the CloudWatch Logs retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got {}",
                super::describe(node)
            )),
            _ => Ok(()),
        }
        },
    )
}

/// `awsLambdaEnvironment`: names of letters, digits and `_`; values are text or intrinsic
/// functions (a number is coerced to text, as the reference's validator does).
fn environment() -> Schema {
    Schema::Map {
        keys: "^[A-Za-z_][a-zA-Z0-9_]*$",
        values: Box::new(Schema::any_of(
            "a string or an intrinsic function",
            vec![Schema::string(), cf_function()],
        )),
    }
}

/// `awsResourceTags`: at most 128-character keys not starting with `aws:`, text values.
fn tags() -> Schema {
    Schema::Map {
        keys: r"^[\w./=+:\- ]{1,128}$",
        values: Box::new(Schema::Str {
            pattern: None,
            min_len: None,
            max_len: Some(256),
        }),
    }
}

/// `awsLambdaRole`: a role name or ARN, or `Fn::Sub`, `Fn::ImportValue`, `Fn::GetAtt`.
fn lambda_role() -> Schema {
    Schema::any_of(
        "a role name or ARN, Fn::GetAtt, Fn::Sub or Fn::ImportValue",
        vec![
            Schema::Str {
                pattern: None,
                min_len: Some(1),
                max_len: None,
            },
            Schema::Intrinsic {
                only: Some(&["Fn::Sub", "Fn::ImportValue", "Fn::GetAtt"]),
            },
        ],
    )
}

/// An IAM policy statement list (the shape IAM accepts; the details are IAM's).
fn policy_statements() -> Schema {
    let value = || {
        Schema::any_of(
            "a string, a list or an intrinsic function",
            vec![
                Schema::string(),
                Schema::Array {
                    items: Box::new(Schema::Any),
                    min_items: None,
                    max_items: None,
                },
                cf_function(),
            ],
        )
    };
    Schema::Array {
        items: Box::new(Schema::Checked(
            Box::new(Schema::object(
                vec![
                    ("Sid", Schema::string()),
                    ("Effect", Schema::Enum(&["Allow", "Deny"])),
                    ("Action", value()),
                    ("NotAction", value()),
                    ("Principal", Schema::Any),
                    ("NotPrincipal", Schema::Any),
                    ("Resource", value()),
                    ("NotResource", value()),
                    ("Condition", object_any()),
                ],
                &["Effect"],
            )),
            |node| {
                let has = |k: &str| node.get(k).is_some_and(|v| !v.is_null());
                if has("Action") == has("NotAction") {
                    return Err("must have exactly one of `Action` and `NotAction`".into());
                }
                if has("Resource") == has("NotResource") {
                    return Err("must have exactly one of `Resource` and `NotResource`".into());
                }
                Ok(())
            },
        )),
        min_items: None,
        max_items: None,
    }
}

fn object_any() -> Schema {
    Schema::Object {
        props: Vec::new(),
        required: &[],
        additional: true,
        min_props: None,
    }
}

fn managed_policies() -> Schema {
    Schema::Array {
        items: Box::new(arn()),
        min_items: None,
        max_items: None,
    }
}

fn iam_role_object() -> Schema {
    Schema::object(
        vec![
            ("name", Schema::pattern(r"^[A-Za-z0-9/_+=,.@-]{1,64}$")),
            ("path", Schema::pattern(r"(^/$)|(^/[!-~]+/$)")),
            ("managedPolicies", managed_policies()),
            ("statements", policy_statements()),
            ("permissionsBoundary", arn()),
            ("tags", tags()),
            ("mode", Schema::Enum(&["perFunction", "shared"])),
        ],
        &[],
    )
}

fn vpc() -> Schema {
    let ids = |max: usize| {
        Schema::any_of(
            "a list of ids or an intrinsic function",
            vec![
                Schema::Array {
                    items: Box::new(Schema::any_of(
                        "an id or an intrinsic function",
                        vec![Schema::string(), cf_function()],
                    )),
                    min_items: None,
                    max_items: Some(max),
                },
                Schema::Intrinsic {
                    only: Some(&["Fn::Split", "Fn::FindInMap"]),
                },
            ],
        )
    };
    Schema::object(
        vec![
            ("securityGroupIds", ids(5)),
            ("subnetIds", ids(16)),
            ("ipv6AllowedForDualStack", Schema::Bool),
        ],
        &["securityGroupIds", "subnetIds"],
    )
}

fn tracing() -> Schema {
    Schema::any_of(
        "Active, PassThrough or a boolean",
        vec![Schema::Enum(&["Active", "PassThrough"]), Schema::Bool],
    )
}

fn layers() -> Schema {
    Schema::Array {
        items: Box::new(arn()),
        min_items: None,
        max_items: None,
    }
}

fn concurrency() -> Schema {
    Schema::any_of(
        "a non-negative integer or an intrinsic function",
        vec![
            Schema::Integer {
                min: Some(0.0),
                max: None,
            },
            cf_function(),
        ],
    )
}

/// The top-level properties of a service (v3's, and `stages` of v4's parameters).
pub fn root_schema() -> Schema {
    Schema::object(
        vec![
            (
                "service",
                Schema::Checked(Box::new(Schema::Any), |node| {
                    match node.as_str() {
                    Some(name) if !service_name_is_valid(name) => Err(format!(
                        "must match pattern \"^[a-zA-Z][0-9a-zA-Z-]+$\" (a letter, then letters, digits and `-`), got {}",
                        super::describe(node)
                    )),
                    _ => Ok(()),
                }
                }),
            ),
            ("frameworkVersion", Schema::string()),
            (
                "configValidationMode",
                Schema::Enum(&["error", "warn", "off"]),
            ),
            ("console", Schema::Any),
            ("custom", object_any()),
            ("dashboard", object_any()),
            (
                "deprecationNotificationMode",
                Schema::Enum(&["error", "warn", "warn:summary"]),
            ),
            (
                "disabledDeprecations",
                Schema::any_of(
                    "\"*\" or a list of deprecation codes",
                    vec![
                        Schema::Enum(&["*"]),
                        Schema::Array {
                            items: Box::new(Schema::pattern("^[A-Z0-9_]+$")),
                            min_items: None,
                            max_items: None,
                        },
                    ],
                ),
            ),
            ("functions", Schema::Any),
            ("package", object_any()),
            (
                "params",
                Schema::Map {
                    keys: "^[a-zA-Z0-9-]+$",
                    values: Box::new(object_any()),
                },
            ),
            ("stages", object_any()),
            ("plugins", Schema::Any),
            ("projectDir", Schema::string()),
            ("provider", Schema::Any),
            ("useDotenv", Schema::ConstTrue),
            (
                "variablesResolutionMode",
                Schema::Enum(&["20210219", "20210326"]),
            ),
            ("resources", Schema::Any),
            ("layers", object_any()),
            ("org", Schema::pattern("^[a-z0-9]{5,39}$")),
            ("app", Schema::pattern("^[a-z0-9][a-z0-9-]{1,37}[a-z0-9]$")),
            ("outputs", object_any()),
        ],
        &[],
    )
}

/// `provider` (for `name: aws`; the name itself is checked with the service's shape).
pub fn provider_schema() -> Schema {
    let any = || Schema::Any;
    Schema::object(
        vec![
            ("name", any()),
            ("alb", object_any()),
            ("apiGateway", object_any()),
            ("apiName", Schema::string()),
            ("architecture", architecture()),
            ("cfnRole", arn()),
            ("cloudFront", object_any()),
            ("deploymentBucket", any()),
            ("deploymentPrefix", Schema::string()),
            ("disableRollback", Schema::Bool),
            ("endpointType", any()),
            ("environment", environment()),
            ("eventBridge", object_any()),
            ("httpApi", object_any()),
            (
                "iam",
                Schema::object(
                    vec![
                        (
                            "role",
                            Schema::any_of(
                                "a role name or ARN, an intrinsic function, or the role's settings",
                                vec![lambda_role(), iam_role_object()],
                            ),
                        ),
                        ("deploymentRole", arn()),
                    ],
                    &[],
                ),
            ),
            ("iamManagedPolicies", managed_policies()),
            ("iamRoleStatements", policy_statements()),
            ("ecr", object_any()),
            ("kmsKeyArn", kms_arn()),
            ("lambdaHashingVersion", any()),
            ("layers", layers()),
            ("logRetentionInDays", log_retention()),
            ("logDataProtectionPolicy", object_any()),
            ("logs", object_any()),
            ("memorySize", memory_size()),
            ("notificationArns", any()),
            ("profile", Schema::string()),
            ("region", Schema::Enum(REGIONS)),
            ("role", lambda_role()),
            ("rolePermissionsBoundary", arn()),
            ("rollbackConfiguration", object_any()),
            ("runtime", runtime()),
            ("runtimeManagement", any()),
            ("deploymentMethod", Schema::Enum(&["changesets", "direct"])),
            ("s3", object_any()),
            ("stage", Schema::pattern("^[a-zA-Z0-9-]+$")),
            ("stackName", Schema::pattern("^[a-zA-Z][a-zA-Z0-9-]*$")),
            ("stackParameters", any()),
            ("stackPolicy", any()),
            ("stackTags", tags()),
            ("tags", tags()),
            ("timeout", timeout()),
            ("tracing", object_any()),
            ("vpc", vpc()),
            ("vpcEndpointIds", any()),
            ("versionFunctions", Schema::Bool),
            ("websocket", object_any()),
            ("websocketsApiName", Schema::string()),
            (
                "kinesis",
                Schema::object(
                    vec![("consumerNamingMode", Schema::Enum(&["serviceSpecific"]))],
                    &[],
                ),
            ),
            ("websocketsApiRouteSelectionExpression", Schema::string()),
            ("websocketsDescription", Schema::string()),
        ],
        &[],
    )
}

/// A function's own properties (its events are the compilers' business): v3's, the v4 `iam`
/// block, and the per-function IAM keys of the `serverless-iam-roles-per-function` convention
/// v4 adopted.
pub fn function_schema() -> Schema {
    let any = || Schema::Any;
    Schema::object(
        vec![
            ("name", Schema::string()),
            ("events", any()),
            ("architecture", architecture()),
            ("awsKmsKeyArn", kms_arn()),
            ("condition", Schema::string()),
            ("dependsOn", any()),
            (
                "description",
                Schema::Str {
                    pattern: None,
                    min_len: None,
                    max_len: Some(256),
                },
            ),
            ("destinations", object_any()),
            ("disableLogs", Schema::Bool),
            ("environment", environment()),
            ("ephemeralStorageSize", Schema::integer(512.0, 10240.0)),
            ("fileSystemConfig", object_any()),
            ("handler", Schema::string()),
            ("image", any()),
            ("kmsKeyArn", kms_arn()),
            ("snapStart", Schema::Bool),
            ("layers", layers()),
            ("logRetentionInDays", log_retention()),
            ("logDataProtectionPolicy", object_any()),
            ("maximumEventAge", Schema::integer(60.0, 21600.0)),
            ("maximumRetryAttempts", Schema::integer(0.0, 2.0)),
            ("memorySize", memory_size()),
            ("onError", any()),
            ("package", object_any()),
            ("provisionedConcurrency", concurrency()),
            ("reservedConcurrency", concurrency()),
            ("role", lambda_role()),
            ("runtime", runtime()),
            ("runtimeManagement", any()),
            ("tags", tags()),
            ("timeout", timeout()),
            ("tracing", tracing()),
            ("url", any()),
            ("versionFunction", Schema::Bool),
            ("vpc", vpc()),
            ("httpApi", object_any()),
            (
                "iam",
                Schema::object(
                    vec![
                        ("role", iam_role_object()),
                        ("inheritStatements", Schema::Bool),
                    ],
                    &[],
                ),
            ),
            ("iamRoleStatements", policy_statements()),
            ("iamRoleStatementsName", Schema::string()),
            ("iamRoleStatementsInherit", Schema::Bool),
            ("iamPermissionsBoundary", arn()),
        ],
        &[],
    )
}

/// Validates (and coerces, as the reference's validator does) the service outside its events:
/// the top level, `provider` and each function's own properties. Every problem here follows
/// the validation mode; none of them stops a mapping from being built.
pub fn validate_service(root: &mut Node, mode: ValidationMode) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let root_span = root.span;
    // Built once per process: validation runs the function schema on every function.
    static ROOT: LazyLock<Schema> = LazyLock::new(root_schema);
    static PROVIDER: LazyLock<Schema> = LazyLock::new(provider_schema);
    static FUNCTION: LazyLock<Schema> = LazyLock::new(function_schema);
    problems.extend(validate(&ROOT, root, "", root_span));
    let Some(map) = root.as_map_mut() else {
        return Vec::new();
    };
    if let Some(entry) = map.entries.iter_mut().find(|e| e.key == "provider") {
        let aws = entry.value.get("name").and_then(Node::as_str) == Some("aws");
        if aws {
            problems.extend(validate(
                &PROVIDER,
                &mut entry.value,
                "provider",
                entry.key_span,
            ));
        }
    }
    if let Some(entry) = map.entries.iter_mut().find(|e| e.key == "functions") {
        if let Value::Map(functions) = &mut entry.value.value {
            for function in functions.entries.iter_mut() {
                if function.value.as_map().is_none() {
                    continue;
                }
                let path = format!("functions.{}", function.key);
                problems.extend(validate(
                    &FUNCTION,
                    &mut function.value,
                    &path,
                    function.key_span,
                ));
            }
        }
    }
    for problem in &mut problems {
        problem.rule = Rule::Relaxed;
    }
    problems_to_diagnostics(problems, mode)
}

/// The JSON Schema of a whole service file, for editors (yaml-language-server:
/// `# yaml-language-server: $schema=…` on the first line): the top level, `provider`, the
/// function properties and the compiled events, from the schemas the validator uses; other
/// event kinds are any one-key mapping. `kinds` are the compiled kinds with their schemas and
/// the documentation of their properties (the kind's own table, then [`defs::MAPPING_DOCS`]).
pub fn service_json_schema(
    kinds: &[(&str, Schema)],
    kind_docs: &[(&'static str, Vec<&'static [PropertyDoc]>)],
) -> serde_json::Value {
    use super::export::{definition, or_variable};
    use serde_json::json;
    let mut schema = super::export::events_json_schema(kinds);
    let events = schema
        .get("definitions")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut definitions = events.as_object().cloned().unwrap_or_default();
    let streaming: Vec<&str> = kinds.iter().map(|(kind, _)| *kind).collect();
    let mut event_shapes: Vec<serde_json::Value> = streaming
        .iter()
        .map(|kind| {
            json!({
                "type": "object",
                "properties": {*kind: or_variable(json!({"$ref": format!("#/definitions/{kind}")}))},
                "required": [kind],
                "additionalProperties": false
            })
        })
        .collect();
    let others: Vec<&str> = crate::config::service::KNOWN_EVENT_KINDS
        .iter()
        .copied()
        .filter(|k| !streaming.contains(k))
        .collect();
    let other_descriptions: Vec<String> = others
        .iter()
        .map(|k| format!("a `{k}` event: the Serverless Framework compiles it, streaming-events leaves it out"))
        .collect();
    event_shapes.push(json!({
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": others, "enumDescriptions": other_descriptions, "markdownEnumDescriptions": other_descriptions}
    }));
    event_shapes.push(json!({"$ref": "#/definitions/variable"}));
    definitions.insert("event".into(), json!({"anyOf": event_shapes}));
    let mut function = definition(&function_schema());
    function["properties"]["events"] = or_variable(
        json!({"anyOf": [{"type": "array", "items": {"$ref": "#/definitions/event"}}, {"type": "null"}]}),
    );
    definitions.insert("function".into(), function);
    definitions.insert("provider".into(), definition(&provider_schema()));
    let mut root = definition(&root_schema());
    root["properties"]["provider"] = or_variable(json!({"$ref": "#/definitions/provider"}));
    let functions = json!({
        "type": "object",
        // A function without a value is dropped, as the reference drops it.
        "patternProperties": {"^[a-zA-Z0-9-_]+$": {"anyOf": [{"$ref": "#/definitions/function"}, {"type": "null"}, {"$ref": "#/definitions/variable"}]}},
        "additionalProperties": false
    });
    // A list of such mappings is merged into one, as the reference does.
    root["properties"]["functions"] = json!({"anyOf": [functions, {"type": "array", "items": functions}, {"type": "null"}, {"$ref": "#/definitions/variable"}]});
    root["properties"]["service"] =
        or_variable(json!({"type": "string", "pattern": "^[a-zA-Z][0-9a-zA-Z-]+$"}));
    root["required"] = json!(["service", "provider"]);
    schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "streaming-events: a Serverless Framework service (serverless.yml)",
        "definitions": definitions,
    });
    if let (Some(out), Some(root)) = (schema.as_object_mut(), root.as_object()) {
        for (key, value) in root {
            out.insert(key.clone(), value.clone());
        }
    }
    // Each kind's tables, then the shared one; the `event` list names each kind with its
    // table's `""` entry.
    let mut scopes: Vec<(&str, DocScope)> = kind_docs
        .iter()
        .map(|(kind, tables)| {
            let mut scope: DocScope = tables.iter().map(|t| ("", *t)).collect();
            scope.push(("", defs::MAPPING_DOCS));
            (*kind, scope)
        })
        .collect();
    let event_scope: DocScope = kind_docs
        .iter()
        .flat_map(|(kind, tables)| tables.iter().map(move |t| (*kind, *t)))
        .collect();
    scopes.push(("event", event_scope));
    scopes.push(("function", function_docs()));
    scopes.push(("provider", provider_docs()));
    super::export::finish(schema, &vec![("", ROOT_DOCS)], &scopes)
}

/// `service`: a letter, then letters, digits and `-` (the reference's `serviceName`).
pub fn service_name_is_valid(name: &str) -> bool {
    matches(r"^[a-zA-Z][0-9a-zA-Z-]+$", name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_diagnostics::Severity;
    use streaming_events_yaml::load;

    fn check(yaml: &str, mode: ValidationMode) -> (Node, Vec<Diagnostic>) {
        let mut root = load(yaml, 0).expect("valid YAML");
        let diagnostics = validate_service(&mut root, mode);
        (root, diagnostics)
    }

    fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_current_service_is_clean() {
        let (_, diagnostics) = check(
            "service: my-svc\nframeworkVersion: '3'\nuseDotenv: true\nprovider:\n  name: aws\n  runtime: nodejs24.x\n  region: ap-southeast-5\n  memorySize: 512\n  environment: {A_B: x, C: !Ref X}\n  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: s3:GetObject, Resource: '*'}\nfunctions:\n  f:\n    handler: h.h\n    runtime: python3.13\n    events: []\n",
            ValidationMode::Error,
        );
        assert!(diagnostics.is_empty(), "{:?}", messages(&diagnostics));
    }

    #[test]
    fn unknown_properties_at_every_level_follow_the_mode() {
        let yaml = "service: s1\nx-anchors: 1\nprovider:\n  name: aws\n  runtme: nodejs20.x\nfunctions:\n  f:\n    handler: h.h\n    evnts: []\n";
        let (_, warned) = check(yaml, ValidationMode::Warn);
        assert_eq!(
            messages(&warned),
            [
                "at root: unrecognized property 'x-anchors'",
                "at provider: unrecognized property 'runtme'",
                "at functions.f: unrecognized property 'evnts'",
            ]
        );
        assert!(warned.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(warned[1].help.as_deref(), Some("did you mean `runtime`?"));
        assert_eq!(warned[2].help.as_deref(), Some("did you mean `events`?"));
        let (_, errors) = check(yaml, ValidationMode::Error);
        assert!(errors.len() == 3 && errors.iter().all(Diagnostic::is_error));
        let (_, silent) = check(yaml, ValidationMode::Off);
        assert!(silent.is_empty());
    }

    #[test]
    fn values_are_checked_and_coerced_like_the_reference() {
        let (root, diagnostics) = check(
            "service: 1bad\nprovider:\n  name: aws\n  memorySize: '256'\n  timeout: 901\n  logRetentionInDays: 2\n  environment: {PORT: 8080, bad-name: x}\n  stage: dev_1\nfunctions:\n  f:\n    handler: h.h\n    provisionedConcurrency: '2'\n    iam:\n      role:\n        statements:\n          - {Effect: Allow, Resource: '*'}\n",
            ValidationMode::Warn,
        );
        let provider = root.get("provider").unwrap();
        assert_eq!(
            provider.get("memorySize").and_then(Node::as_f64),
            Some(256.0)
        );
        assert_eq!(
            provider
                .get("environment")
                .and_then(|e| e.get("PORT"))
                .and_then(Node::as_str),
            Some("8080")
        );
        let function = root.get("functions").and_then(|f| f.get("f")).unwrap();
        assert_eq!(
            function
                .get("provisionedConcurrency")
                .and_then(Node::as_f64),
            Some(2.0)
        );
        let paths: Vec<_> = diagnostics.iter().filter_map(|d| d.path.clone()).collect();
        assert_eq!(
            paths,
            [
                "service",
                "provider.timeout",
                "provider.logRetentionInDays",
                "provider.environment.bad-name",
                "provider.stage",
                "functions.f.iam.role.statements[0]",
            ]
        );
    }

    #[test]
    fn other_providers_are_left_to_the_provider_check() {
        let (_, diagnostics) = check(
            "service: s1\nprovider:\n  name: google\n  anything: 1\n",
            ValidationMode::Error,
        );
        assert!(diagnostics.is_empty());
    }
}
