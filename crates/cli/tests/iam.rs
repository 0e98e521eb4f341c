//! IAM that always deploys: sizes of the generated services' policies, and per-function roles
//! pinned against the reference v4's rules (roles-per-function.js), which cannot run here.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn package_file(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .args([
            "package",
            "--stage",
            "dev",
            "--region",
            "us-east-1",
            "--config",
        ])
        .arg(path)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON template")
}

fn package_text(name: &str, yaml: &str) -> Result<Value, String> {
    let dir = std::env::temp_dir().join(format!(
        "streaming-events-iam-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(&dir)
        .args(["package", "--color", "never"])
        .output()
        .expect("the binary runs");
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("a JSON template"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/iam")
        .join(name)
        .join("serverless.yml")
}

/// IAM's count: the JSON without whitespace.
fn size(document: &Value) -> usize {
    serde_json::to_string(document).unwrap().chars().count()
}

fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

/// (action, resource) pairs granted by a role's inline policies and the managed policies
/// attached to it, logs:* left out.
fn permissions(template: &Value, role: &str) -> BTreeSet<(String, String)> {
    let mut statements = Vec::new();
    for policy in template["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        statements.extend(
            policy["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    for (_, policy) in of_type(template, "AWS::IAM::ManagedPolicy") {
        if policy["Properties"]["Roles"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["Ref"] == role)
        {
            statements.extend(
                policy["Properties"]["PolicyDocument"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
        }
    }
    let list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut out = BTreeSet::new();
    for statement in statements {
        for action in list(&statement["Action"]) {
            let action = action.as_str().unwrap_or_default().to_string();
            if action.starts_with("logs:") {
                continue;
            }
            for resource in list(&statement["Resource"]) {
                out.insert((action.clone(), resource.to_string()));
            }
        }
    }
    out
}

fn pairs(items: &[(&str, Value)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

#[test]
fn ten_functions_fit_one_inline_policy() {
    let template = package_file(&fixture("ten-functions"));
    assert!(of_type(&template, "AWS::IAM::ManagedPolicy").is_empty());
    let roles = of_type(&template, "AWS::IAM::Role");
    assert_eq!(roles.len(), 1);
    let policies = roles[0].1["Properties"]["Policies"].as_array().unwrap();
    assert_eq!(policies.len(), 1);
    let inline = size(&policies[0]["PolicyDocument"]);
    assert!(inline < 10_240, "inline policy of {inline} characters");
}

#[test]
fn forty_functions_move_to_managed_policies_within_limits() {
    let template = package_file(&fixture("forty-functions"));
    let role = &template["Resources"]["IamRoleLambdaExecution"];
    let inline: usize = role["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| size(&p["PolicyDocument"]))
        .sum();
    assert!(inline <= 10_240, "inline {inline}");
    let managed = of_type(&template, "AWS::IAM::ManagedPolicy");
    assert!(!managed.is_empty());
    assert!(managed.len() <= 10);
    for (id, policy) in &managed {
        let document = &policy["Properties"]["PolicyDocument"];
        assert!(
            size(document) <= 6_144,
            "{id}: {} characters",
            size(document)
        );
        assert_eq!(
            policy["Properties"]["Roles"],
            json!([{"Ref": "IamRoleLambdaExecution"}])
        );
    }
    // Every mapping waits for the policies that grant its permissions.
    for (id, mapping) in of_type(&template, "AWS::Lambda::EventSourceMapping") {
        let depends = mapping["DependsOn"].as_array().unwrap();
        for (policy, _) in &managed {
            assert!(
                depends.contains(&json!(policy)),
                "{id} does not wait for {policy}"
            );
        }
    }
}

const PER_FUNCTION: &str =
    include_str!("../../../tests/fixtures/services/per-function-mode/serverless.yml");

#[test]
fn per_function_mode_gives_every_function_its_own_role() {
    let template = package_text("mode", PER_FUNCTION).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    assert!(
        !resources.contains_key("IamRoleLambdaExecution"),
        "no shared role in perFunction mode"
    );
    let reader = &resources["ReaderIamRoleLambdaExecution"];
    let analytics = &resources["AnalyticsIamRoleLambdaExecution"];
    let consumer = json!({"Ref": "ReaderclicksConsumerStreamConsumer"});
    assert_eq!(
        permissions(&template, "ReaderIamRoleLambdaExecution"),
        pairs(&[
            (
                "kinesis:GetRecords",
                json!("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
            ),
            (
                "kinesis:GetShardIterator",
                json!("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
            ),
            (
                "kinesis:DescribeStreamSummary",
                json!("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
            ),
            (
                "kinesis:ListShards",
                json!("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
            ),
            ("kinesis:SubscribeToShard", consumer),
            ("s3:GetObject", json!("arn:aws:s3:::shared-bucket/*")),
        ])
    );
    let cluster = json!("arn:aws:kafka:us-east-1:123456789012:cluster/analytics/11112222-3333-4444-5555-666677778888-1");
    let vpc: Vec<(&str, Value)> = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
    ]
    .iter()
    .map(|a| (*a, json!("*")))
    .collect();
    let mut expected = vec![
        ("kafka:DescribeCluster", cluster.clone()),
        ("kafka:GetBootstrapBrokers", cluster),
    ];
    expected.extend(vpc);
    assert_eq!(
        permissions(&template, "AnalyticsIamRoleLambdaExecution"),
        pairs(&expected),
        "inheritStatements: false keeps the provider's statements out"
    );
    // The provider's managed policies are kept in perFunction mode; the role names include the function.
    assert_eq!(
        reader["Properties"]["ManagedPolicyArns"],
        json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    );
    assert_eq!(
        reader["Properties"]["RoleName"],
        json!({"Fn::Join": ["-", ["pfr", "dev", "reader", {"Ref": "AWS::Region"}, "lambdaRole"]]})
    );
    assert_eq!(
        analytics["Properties"]["Policies"][0]["PolicyName"],
        json!({"Fn::Join": ["-", ["pfr", "dev", "lambda"]]})
    );
    // The function runs with its role; its mappings wait for it (and for the alias they invoke).
    let function = &resources["ReaderLambdaFunction"];
    assert_eq!(
        function["Properties"]["Role"],
        json!({"Fn::GetAtt": ["ReaderIamRoleLambdaExecution", "Arn"]})
    );
    assert_eq!(
        function["DependsOn"],
        json!(["ReaderIamRoleLambdaExecution", "ReaderLogGroup"])
    );
    assert_eq!(
        resources["ReaderEventSourceMappingKinesisClicks"]["DependsOn"],
        json!([
            "ReaderIamRoleLambdaExecution",
            "ReaderProvConcLambdaAlias",
            "ReaderclicksConsumerStreamConsumer"
        ])
    );
    // Each role's own log group only.
    let logs = &reader["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        logs["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/pfr-dev-reader:*:*"}])
    );
}

const SHARED: &str = include_str!("../../../tests/fixtures/services/dedicated-role/serverless.yml");

#[test]
fn a_function_with_its_own_statements_gets_a_dedicated_role_and_nothing_lands_in_the_shared_one() {
    let template = package_text("shared", SHARED).unwrap();
    let ddb = json!(
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000"
    );
    assert_eq!(
        permissions(&template, "IamRoleLambdaExecution"),
        pairs(&[
            ("dynamodb:GetRecords", ddb.clone()),
            ("dynamodb:GetShardIterator", ddb.clone()),
            ("dynamodb:DescribeStream", ddb.clone()),
            ("dynamodb:ListStreams", ddb),
        ])
    );
    let broker =
        json!("arn:aws:mq:us-east-1:123456789012:broker:b1:b-11112222-3333-4444-5555-666677778888");
    let mut expected = vec![
        (
            "dynamodb:PutItem",
            json!("arn:aws:dynamodb:us-east-1:123456789012:table/Audit"),
        ),
        (
            "secretsmanager:GetSecretValue",
            json!("arn:aws:secretsmanager:us-east-1:123456789012:secret:mq-AbCdEf"),
        ),
        ("mq:DescribeBroker", broker),
    ];
    for action in [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
    ] {
        expected.push((action, json!("*")));
    }
    assert_eq!(
        permissions(&template, "SpecialIamRoleLambdaExecution"),
        pairs(&expected)
    );
    assert_eq!(
        template["Resources"]["SpecialEventSourceMappingActiveMQQ"]["DependsOn"],
        json!(["SpecialIamRoleLambdaExecution"])
    );
    assert_eq!(
        template["Resources"]["PlainLambdaFunction"]["Properties"]["Role"],
        json!({"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]})
    );
}

#[test]
fn role_names_follow_the_reference_limits() {
    let long = "service: a-rather-long-service-name\nprovider:\n  name: aws\n  iam:\n    role:\n      mode: perFunction\nfunctions:\n  someFunctionName:\n    handler: h\n";
    let template = package_text("long", long).unwrap();
    assert_eq!(
        template["Resources"]["SomeFunctionNameIamRoleLambdaExecution"]["Properties"]["RoleName"],
        json!({"Fn::Join": ["-", ["a-rather-long-service-name", "dev", "someFunctionName", {"Ref": "AWS::Region"}]]}),
        "lambdaRole is dropped when the name would pass 64 characters"
    );
    let too_long = long.replace(
        "someFunctionName",
        "someFunctionNameThatIsMuchTooLongForIam",
    );
    let error = package_text("too-long", &too_long).unwrap_err();
    assert!(error.contains("FUNCTION_IAM_ROLE_NAME_TOO_LONG"), "{error}");
    // `name:` keeps the deployed function name within Lambda's 64 characters.
    let named = too_long.replace(
        "    handler: h\n",
        "    handler: h\n    name: some-function\n    iam:\n      role:\n        name: short-name\n",
    );
    let template = package_text("named", &named).unwrap();
    assert_eq!(
        template["Resources"]["SomeFunctionNameThatIsMuchTooLongForIamIamRoleLambdaExecution"]
            ["Properties"]["RoleName"],
        "short-name"
    );
}

#[test]
fn own_role_and_per_function_statements_conflict() {
    let yaml = "service: c\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    role: arn:aws:iam::123456789012:role/mine\n    iam:\n      role:\n        statements:\n          - {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n";
    let error = package_text("conflict", yaml).unwrap_err();
    assert!(error.contains("FUNCTION_IAM_ROLE_CONFLICT"), "{error}");
}

#[test]
fn cloudformation_quotas_are_checked() {
    let mut yaml = String::from("service: big\nprovider:\n  name: aws\n  iam:\n    role:\n      mode: perFunction\nfunctions:\n");
    for i in 0..120 {
        yaml.push_str(&format!("  f{i}:\n    handler: h.f{i}\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:q{i}\n"));
    }
    let error = package_text("quotas", &yaml).unwrap_err();
    assert!(
        error.contains("TEMPLATE_LIMIT_EXCEEDED") && error.contains("500"),
        "{error}"
    );
}

/// serverless-iam-roles-per-function's settings as the plugin applies them (checked against
/// `serverless package` 3.40 with the plugin 3.2.0; the permission sets are compared by the
/// `iam-plugin` fixtures): the global boundary on every function role and on the shared role, a
/// function's own boundary over it, and `iamRoleStatementsName`.
#[test]
fn roles_per_function_plugin_boundaries_and_names() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iam-plugin");
    let template = package_file(&fixtures.join("default-inherit/serverless.yml"));
    let resources = &template["Resources"];
    for role in [
        "IamRoleLambdaExecution",
        "InheritsIamRoleLambdaExecution",
        "OptsOutIamRoleLambdaExecution",
    ] {
        assert_eq!(
            resources[role]["Properties"]["PermissionsBoundary"],
            "arn:aws:iam::123456789012:policy/boundary",
            "{role}"
        );
    }
    assert_eq!(
        resources["OptsOutIamRoleLambdaExecution"]["Properties"]["RoleName"],
        "opts-out-role"
    );
    let template = package_file(&fixtures.join("no-default-inherit/serverless.yml"));
    let resources = &template["Resources"];
    assert_eq!(
        resources["InheritsIamRoleLambdaExecution"]["Properties"]["PermissionsBoundary"],
        "arn:aws:iam::123456789012:policy/fn-boundary"
    );
    assert!(resources["OwnIamRoleLambdaExecution"]["Properties"]
        .get("PermissionsBoundary")
        .is_none());
    assert!(resources["IamRoleLambdaExecution"]["Properties"]
        .get("PermissionsBoundary")
        .is_none());
}

const LARGE_OWN_STATEMENTS: &str =
    include_str!("../../../tests/fixtures/services/large-own-statements/serverless.yml");

/// The service file's statements (under `provider.iam.role.statements`) as they would be
/// re-indented under another key, and the service without them.
fn own_statements_block() -> (&'static str, String) {
    let start = LARGE_OWN_STATEMENTS.find("  iam:\n").unwrap();
    let end = LARGE_OWN_STATEMENTS.find("functions:\n").unwrap();
    let without = format!(
        "{}{}",
        &LARGE_OWN_STATEMENTS[..start],
        &LARGE_OWN_STATEMENTS[end..]
    );
    (&LARGE_OWN_STATEMENTS[start..end], without)
}

/// (action, resource) pairs of the statements of a service file's `statements:` block.
fn statement_pairs(block: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut actions: Vec<String> = Vec::new();
    for line in block.lines().map(str::trim) {
        if let Some(list) = line.strip_prefix("Action: [") {
            actions = list
                .trim_end_matches(']')
                .split(", ")
                .map(str::to_string)
                .collect();
        } else if let Some(resource) = line.strip_prefix("- arn:") {
            for action in &actions {
                out.insert((action.clone(), json!(format!("arn:{resource}")).to_string()));
            }
        }
    }
    out
}

fn managed_of<'a>(template: &'a Value, role: &str) -> Vec<(&'a String, &'a Value)> {
    of_type(template, "AWS::IAM::ManagedPolicy")
        .into_iter()
        .filter(|(_, p)| p["Properties"]["Roles"] == json!([{"Ref": role}]))
        .collect()
}

fn inline_size(template: &Value, role: &str) -> usize {
    template["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| size(&p["PolicyDocument"]))
        .sum()
}

#[test]
fn own_statements_that_pass_the_inline_limit_move_to_managed_policies() {
    let (block, without) = own_statements_block();
    let own = statement_pairs(block);
    assert!(own.len() > 900, "{} pairs", own.len());
    let template = package_text("own-statements", LARGE_OWN_STATEMENTS).unwrap();
    let role = "IamRoleLambdaExecution";
    assert!(inline_size(&template, role) <= 10_240);
    let managed = managed_of(&template, role);
    assert!(managed.len() <= 10);
    let statements_policies: Vec<&String> = managed
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| id.starts_with("IamRoleLambdaExecutionStatementsPolicy"))
        .collect();
    assert!(statements_policies.len() >= 2, "{statements_policies:?}");
    for (id, policy) in &managed {
        let document = &policy["Properties"]["PolicyDocument"];
        assert!(size(document) <= 6_144, "{id}: {}", size(document));
    }
    // The permission set is the service's statements plus what it gets without them.
    let base = package_text("own-statements-without", &without).unwrap();
    let mut expected = permissions(&base, role);
    expected.extend(own);
    assert_eq!(permissions(&template, role), expected);
    // The mappings wait for every policy of the role.
    for (id, mapping) in of_type(&template, "AWS::Lambda::EventSourceMapping") {
        for policy in &statements_policies {
            assert!(
                mapping["DependsOn"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(policy)),
                "{id} waits for {policy}"
            );
        }
    }
}

#[test]
fn the_iam_report_shows_the_moved_statements() {
    let dir = std::env::temp_dir().join(format!(
        "streaming-events-iam-{}-report",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), LARGE_OWN_STATEMENTS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(&dir)
        .args(["package", "--iam-report", "--output", "-"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stderr);
    let inline = report
        .lines()
        .find(|l| l.starts_with("IamRoleLambdaExecution: inline policies "))
        .expect("the role's line");
    let percent: usize = inline
        .rsplit('(')
        .next()
        .and_then(|p| p.trim_end_matches("%)").parse().ok())
        .unwrap();
    assert!(percent <= 100, "{report}");
    assert!(
        report.contains("  IamRoleLambdaExecutionStatementsPolicy2: managed policy "),
        "{report}"
    );
}

#[test]
fn a_dedicated_role_without_streaming_grants_is_fitted_too() {
    let (block, without) = own_statements_block();
    // The statements on a function without events: its dedicated role gets only them and logs.
    let function_block: String = block
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect::<String>()
        .replacen("    iam:\n", "    handler: archive.handle\n    iam:\n", 1);
    let yaml = format!("{without}  archive:\n{function_block}");
    let template = package_text("dedicated-own-statements", &yaml).unwrap();
    let role = "ArchiveIamRoleLambdaExecution";
    assert!(inline_size(&template, role) <= 10_240);
    assert!(managed_of(&template, role).len() >= 2);
    assert!(permissions(&template, role).is_superset(&statement_pairs(block)));
}

#[test]
fn own_statements_that_cannot_fit_ten_managed_policies_are_an_error_naming_the_largest() {
    let (block, without) = own_statements_block();
    let statements_start = block.find("      statements:\n").unwrap() + "      statements:\n".len();
    let items = &block[statements_start..];
    // Four times the statements: about 88,000 characters, over 10,240 + 9 × 6,144.
    let mut huge = String::from(&block[..statements_start]);
    for copy in 0..4 {
        huge.push_str(&items.replace("Sid: Read", &format!("Sid: Copy{copy}Read")));
    }
    // The largest statement: the first one with its resources twice (a legacy copy of each).
    let first = &items[..items[1..].find("        - Sid:").unwrap() + 1];
    let legacy: String = first
        .lines()
        .filter(|l| l.trim_start().starts_with("- arn:"))
        .map(|l| format!("{}\n", l.replace("media-archive-", "media-archive-legacy-")))
        .collect();
    huge.push_str(&first.replace("Sid: ReadPhotos", "Sid: ReadEverything"));
    huge.push_str(&legacy);
    let largest = huge.matches("        - Sid:").count() - 1;
    let yaml = without.replacen("functions:\n", &format!("{huge}functions:\n"), 1);
    let error = package_text("own-statements-too-large", &yaml).unwrap_err();
    assert!(error.contains("error[IAM_POLICY_TOO_LARGE]"), "{error}");
    assert!(
        error.contains("the inline statements of IamRoleLambdaExecution"),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "the largest statements: provider.iam.role.statements[{largest}] ("
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!("= at: provider.iam.role.statements[{largest}]\n")),
        "{error}"
    );
}
