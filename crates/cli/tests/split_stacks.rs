//! serverless-plugin-split-stacks (issue 14): with the plugin under `plugins`, the 500-resource
//! and 1 MB quotas of the root stack are warnings (the plugin moves resources into nested stacks
//! after packaging); without it they are errors, and the 200-output quota is an error either way
//! (the outputs stay in the root stack). The rendered warning is the fixture
//! tests/fixtures/diagnostics/template-limit-split-stacks.

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
    let (code, text) = package("without", &service(170, NO_VERSIONS, ""));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error[TEMPLATE_LIMIT_EXCEEDED]: the template has 513 resources"),
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
        text.contains("error[TEMPLATE_LIMIT_EXCEEDED]: the template has 202 outputs"),
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
