//! The binary mode (what the Serverless Framework plugin runs):
//! `package --resolved CONFIG.json [--config serverless.yml] [--template TEMPLATE.json]
//! --format json`: values from the resolved configuration, positions from the service file, the
//! template compiled so far extended, diagnostics as JSON on stderr.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Output;
mod common;
use common::{run_in, scratch};

fn diagnostics(output: &Output) -> Vec<Value> {
    let text = String::from_utf8_lossy(&output.stderr);
    let start = text
        .find('[')
        .unwrap_or_else(|| panic!("no JSON on stderr: {text}"));
    serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The service as written: its values come from variables only the Framework can resolve.
const SERVICE: &str = "service: orders
configValidationMode: error
provider:
  name: aws
  runtime: nodejs20.x
custom:
  topic: ${ssm:/orders/topic}
functions:
  worker:
    handler: handler.worker
    events:
      - kafka:
          topic: ${self:custom.topic}
          bootstrapServers: ${ssm:/orders/servers}
          accessConfigurations:
            saslScram512Auth: ${ssm:/orders/secret}
          batchSize: ${ssm:/orders/batch}
      - http: GET /
resources:
  Resources:
    Extra:
      Type: AWS::SNS::Topic
";

/// What the Framework resolved (its `configurationInput`: functions got their `name`).
fn resolved(batch_size: Value) -> Value {
    json!({
        "service": "orders",
        "configValidationMode": "error",
        "provider": {"name": "aws", "runtime": "nodejs20.x"},
        "custom": {"topic": "orders"},
        "functions": {"worker": {
            "handler": "handler.worker",
            "name": "orders-dev-worker",
            "events": [
                {"kafka": {
                    "topic": "orders",
                    "bootstrapServers": ["b-1.example.com:9096"],
                    "accessConfigurations": {"saslScram512Auth": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"},
                    "batchSize": batch_size,
                }},
                {"http": "GET /"}
            ]
        }},
        "resources": {"Resources": {"Extra": {"Type": "AWS::SNS::Topic"}}}
    })
}

/// The template compiled so far, as the plugin sees it (the function, its role, its API; the
/// service's `resources` not merged yet).
fn compiled_so_far() -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "IamRoleLambdaExecution": {"Type": "AWS::IAM::Role", "Properties": {
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream"], "Resource": ["*"]}
                ]}}]
            }},
            "WorkerLambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {
                "Role": {"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]}
            }, "DependsOn": ["WorkerLogGroup"]},
            "WorkerLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/lambda/orders-dev-worker"}},
            "ApiGatewayRestApi": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "dev-orders"}}
        }
    })
}

fn write_case(name: &str, batch_size: Value) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    std::fs::write(
        dir.join("resolved.json"),
        serde_json::to_string_pretty(&resolved(batch_size)).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("template.json"), compiled_so_far().to_string()).unwrap();
    dir
}

const PLUGIN_ARGS: &[&str] = &[
    "package",
    "--resolved",
    "resolved.json",
    "--config",
    "serverless.yml",
    "--template",
    "template.json",
    "--format",
    "json",
    "--stage",
    "dev",
    "--region",
    "us-east-1",
];

#[test]
fn resolved_values_are_compiled_into_the_template_so_far() {
    let dir = write_case("compiles", json!(100));
    let output = run_in(&dir, PLUGIN_ARGS);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // No `${ssm:…}` was asked for: the values are the resolved ones. No note about `http`
    // either: the API is the template's. JSON says nothing as an empty array.
    assert_eq!(stderr.trim(), "[]", "{stderr}");
    let template: Value = serde_json::from_slice(&output.stdout).expect("a template on stdout");
    let resources = &template["Resources"];
    let mapping = &resources["WorkerEventSourceMappingKafkaOrders"];
    assert_eq!(mapping["Properties"]["Topics"], json!(["orders"]));
    assert_eq!(mapping["Properties"]["BatchSize"], json!(100));
    assert_eq!(
        mapping["Properties"]["SelfManagedEventSource"]["Endpoints"]["KafkaBootstrapServers"],
        json!(["b-1.example.com:9096"])
    );
    // The template so far is kept, and the service's resources are left for the Framework.
    assert_eq!(
        resources["ApiGatewayRestApi"],
        compiled_so_far()["Resources"]["ApiGatewayRestApi"]
    );
    assert!(resources.get("Extra").is_none());
    let statements = resources["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert!(
        statements
            .iter()
            .any(|s| s["Action"] == json!(["secretsmanager:GetSecretValue"])
                && s["Resource"]
                    == json!(["arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"])),
        "{statements:?}"
    );
}

#[test]
fn diagnostics_point_into_the_service_file() {
    let dir = write_case("positions", json!(20000));
    let output = run_in(&dir, PLUGIN_ARGS);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no template on failure");
    let found = diagnostics(&output);
    let batch = found
        .iter()
        .find(|d| d["path"] == json!("functions.worker.events[0].kafka.batchSize"))
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(batch["severity"], json!("error"));
    assert_eq!(batch["file"], json!("serverless.yml"));
    // Where `batchSize: ${ssm:/orders/batch}` is written.
    assert_eq!(
        (batch["line"].clone(), batch["column"].clone()),
        (json!(17), json!(22))
    );
    assert!(
        batch["message"].as_str().unwrap().contains("20000"),
        "{batch}"
    );
}

#[test]
fn a_value_the_framework_added_takes_its_parents_position() {
    let dir = write_case("added", json!(100));
    let mut config = resolved(json!(100));
    config["functions"]["worker"]["events"][0]["kafka"]["startingPosition"] = json!("SOMEWHERE");
    std::fs::write(dir.join("resolved.json"), config.to_string()).unwrap();
    let output = run_in(&dir, PLUGIN_ARGS);
    assert_eq!(output.status.code(), Some(1));
    let found = diagnostics(&output);
    let position = found
        .iter()
        .find(|d| d["path"] == json!("functions.worker.events[0].kafka.startingPosition"))
        .unwrap_or_else(|| panic!("{found:?}"));
    // Not in the file: the `kafka:` mapping's position.
    assert_eq!(
        (position["line"].clone(), position["column"].clone()),
        (json!(13), json!(11))
    );
}

#[test]
fn without_a_service_file_positions_are_the_resolved_files() {
    let dir = write_case("no-config", json!(20000));
    let mut args: Vec<&str> = PLUGIN_ARGS.to_vec();
    let at = args.iter().position(|a| *a == "--config").unwrap();
    args.drain(at..at + 2);
    let output = run_in(&dir, &args);
    assert_eq!(output.status.code(), Some(1));
    let found = diagnostics(&output);
    let batch = found
        .iter()
        .find(|d| d["path"] == json!("functions.worker.events[0].kafka.batchSize"))
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(batch["file"], json!("resolved.json"));
    let line = batch["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(dir.join("resolved.json")).unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("\"batchSize\""),
        "line {line} of {text}"
    );
}

#[test]
fn a_resolved_file_that_is_not_an_object_is_rejected() {
    let dir = write_case("not-object", json!(100));
    std::fs::write(dir.join("resolved.json"), "[\"orders\"]").unwrap();
    let output = run_in(&dir, PLUGIN_ARGS);
    assert_eq!(output.status.code(), Some(1));
    let found = diagnostics(&output);
    assert_eq!(
        found[0]["code"],
        json!("RESOLVED_CONFIG_INVALID"),
        "{found:?}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn references_to_the_services_own_resources_are_not_reported() {
    let dir = write_case("references", json!(100));
    let mut config = resolved(json!(100));
    config["functions"]["worker"]["events"] =
        json!([{"sqs": {"arn": {"Fn::GetAtt": ["Queue", "Arn"]}}}]);
    config["resources"]["Resources"]["Queue"] = json!({"Type": "AWS::SQS::Queue"});
    std::fs::write(dir.join("resolved.json"), config.to_string()).unwrap();
    let output = run_in(&dir, PLUGIN_ARGS);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("TEMPLATE_REFERENCE_UNRESOLVED"),
        "{stderr}"
    );
    // A reference to nothing at all still is.
    config["functions"]["worker"]["events"] =
        json!([{"sqs": {"arn": {"Fn::GetAtt": ["Nowhere", "Arn"]}}}]);
    std::fs::write(dir.join("resolved.json"), config.to_string()).unwrap();
    let output = run_in(&dir, PLUGIN_ARGS);
    let found = diagnostics(&output);
    assert!(
        found
            .iter()
            .any(|d| d["code"] == json!("TEMPLATE_REFERENCE_UNRESOLVED")),
        "{found:?}"
    );
}

#[test]
fn a_function_with_iam_of_its_own_gets_its_role_in_the_template() {
    let dir = write_case("dedicated", json!(100));
    let mut config = resolved(json!(100));
    config["functions"]["worker"]["iam"] = json!({"role": {"statements": [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:us-east-1:123456789012:out"}
    ]}});
    std::fs::write(dir.join("resolved.json"), config.to_string()).unwrap();
    let output = run_in(&dir, PLUGIN_ARGS);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let template: Value = serde_json::from_slice(&output.stdout).unwrap();
    let resources = &template["Resources"];
    let function = &resources["WorkerLambdaFunction"];
    assert_eq!(
        function["Properties"]["Role"],
        json!({"Fn::GetAtt": ["WorkerIamRoleLambdaExecution", "Arn"]})
    );
    assert_eq!(
        function["DependsOn"],
        json!(["WorkerIamRoleLambdaExecution", "WorkerLogGroup"])
    );
    let statements = |role: &str| {
        resources[role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let grants_secret = |role: &str| {
        statements(role)
            .iter()
            .any(|s| s["Action"] == json!(["secretsmanager:GetSecretValue"]))
    };
    assert!(grants_secret("WorkerIamRoleLambdaExecution"));
    assert!(
        !grants_secret("IamRoleLambdaExecution"),
        "not on the shared role"
    );
    assert!(statements("WorkerIamRoleLambdaExecution")
        .iter()
        .any(|s| s["Action"] == json!(["sns:Publish"])));
    assert_eq!(
        resources["WorkerEventSourceMappingKafkaOrders"]["DependsOn"],
        json!(["WorkerIamRoleLambdaExecution"])
    );
}
