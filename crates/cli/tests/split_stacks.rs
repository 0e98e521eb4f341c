//! serverless-plugin-split-stacks (issue 14): with the plugin under `plugins`, the 500-resource
//! and 1 MB quotas of the root stack are warnings (the plugin moves resources into nested stacks
//! after packaging); without it they are errors, and the 200-output quota is an error either way
//! (the outputs stay in the root stack). The rendered warning is the fixture
//! tests/fixtures/diagnostics/template-limit-split-stacks. A service whose lower bound (counted
//! before compiling) is over a quota that is an error is refused before its events are
//! compiled (issue 18; tests/fixtures/diagnostics/template-limit-early).

mod common;
use common::{run_in, scratch, stderr};

/// A service of `functions` functions with one stream each, `extra` added under `provider`,
/// and `plugins` listed.
fn service(functions: usize, extra: &str, plugins: &str) -> String {
    let mut yaml = format!(
        "service: big\nprovider:\n  name: aws\n  runtime: nodejs20.x\n{extra}{plugins}functions:\n"
    );
    for i in 0..functions {
        yaml.push_str(&format!(
            "  f{i}:\n    handler: h.f{i}\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/s{i}\n"
        ));
    }
    yaml
}

fn package(name: &str, yaml: &str) -> (i32, String) {
    let dir = scratch(name);
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    let out = run_in(
        &dir,
        &["package", "--output", "template.json", "--color", "never"],
    );
    (out.status.code().unwrap_or(-1), stderr(&out))
}

const PLUGIN: &str = "plugins:\n  - serverless-plugin-split-stacks\n";
const NO_VERSIONS: &str = "  versionFunctions: false\n";

#[test]
fn resources_over_the_quota_are_an_error_without_the_plugin() {
    // Refused before compiling: the lower bound is the whole count here.
    let (code, text) = package("without", &service(170, NO_VERSIONS, ""));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error[TEMPLATE_LIMIT_EXCEEDED]: the template has at least 513 resources (3 of the service, 170 functions, 170 log groups, 170 event source mappings)"),
        "{text}"
    );
}

#[test]
fn resources_over_the_quota_are_a_warning_with_the_plugin() {
    let (code, text) = package("with", &service(170, NO_VERSIONS, PLUGIN));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("warning[TEMPLATE_LIMIT_EXCEEDED]: the template has 513 resources"),
        "{text}"
    );
    assert!(text.contains("= at: plugins[0]"), "{text}");
    assert!(!text.contains("error["), "{text}");
}

#[test]
fn the_plugin_listed_under_modules_counts_too() {
    let plugins =
        "plugins:\n  modules:\n    - other-plugin\n    - serverless-plugin-split-stacks\n";
    let (code, text) = package("modules", &service(170, NO_VERSIONS, plugins));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("= at: plugins.modules[1]"), "{text}");
}

#[test]
fn outputs_over_the_quota_stay_an_error_with_the_plugin() {
    // Versioned functions add one output each: 201 functions, 202 outputs with the bucket's.
    let (code, text) = package("outputs", &service(201, "", PLUGIN));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error[TEMPLATE_LIMIT_EXCEEDED]: the template has at least 202 outputs"),
        "{text}"
    );
    assert!(
        text.contains("warning[TEMPLATE_LIMIT_EXCEEDED]: the template has"),
        "{text}"
    );
}

#[test]
fn references_to_nothing_stay_an_error_with_the_plugin() {
    // The plugin moves resources into nested stacks and rewrites the references between them;
    // it defines no name, so a Ref to nothing is still refused.
    let yaml = "service: small\nprovider:\n  name: aws\n  runtime: nodejs20.x\n\
                plugins:\n  - serverless-plugin-split-stacks\nfunctions:\n  f:\n    handler: h.f\n    events:\n      - sqs:\n          arn:\n            Ref: MissingQueue\n";
    let (code, text) = package("reference", yaml);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("MissingQueue"), "{text}");
    assert!(
        text.contains("error[TEMPLATE_REFERENCE_UNRESOLVED]"),
        "{text}"
    );
}

/// The benchmark's service shape (five streaming events a function) with `functions` functions.
fn streaming_service(functions: usize, plugins: &str) -> String {
    let mut yaml = format!(
        "service: big\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  versionFunctions: false\n  iam:\n    role:\n      mode: perFunction\n{plugins}functions:\n"
    );
    for i in 0..functions {
        yaml.push_str(&format!(
            "  f{i}:\n    handler: h.f{i}\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/s{i}\n      - stream: arn:aws:dynamodb:us-east-1:123456789012:table/t{i}/stream/2024-01-01T00:00:00.000\n      - kafka:\n          topic: topic-{i}\n          bootstrapServers: [b-1.example.com:9096]\n          accessConfigurations:\n            saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf\n      - msk:\n          arn: arn:aws:kafka:us-east-1:123456789012:cluster/main/abc\n          topic: topic-{i}\n      - rabbitmq:\n          arn: arn:aws:mq:us-east-1:123456789012:broker:rabbit:b-1\n          queue: queue-{i}\n          basicAuthArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf\n"
        ));
    }
    yaml
}

#[test]
fn a_large_service_without_the_plugin_is_refused_before_compiling() {
    let (code, text) = package("early", &streaming_service(1000, ""));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error[TEMPLATE_LIMIT_EXCEEDED]: the template has at least 8002 resources (2 of the service, 1000 functions, 1000 log groups, 1000 function roles, 5000 event source mappings); CloudFormation accepts at most 500 in one stack"),
        "{text}"
    );
    assert!(text.contains("counted before compiling"), "{text}");
    // Only the early diagnostic: the checks after compilation did not run.
    assert_eq!(text.matches("error[").count(), 1, "{text}");
    assert!(!text.contains("warning["), "{text}");
}

#[test]
fn the_same_service_with_the_plugin_still_compiles() {
    let dir = scratch("early-split");
    std::fs::write(dir.join("serverless.yml"), streaming_service(1000, PLUGIN)).unwrap();
    let out = run_in(
        &dir,
        &["package", "--output", "template.json", "--color", "never"],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning[TEMPLATE_LIMIT_EXCEEDED]: the template has 8002 resources"),
        "{text}"
    );
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("template.json")).unwrap()).unwrap();
    assert_eq!(template["Resources"].as_object().unwrap().len(), 8002);
}
