//! The mapping features beyond the reference (issue 15, docs/features.md) in the exported JSON
//! Schema (`streaming-events schema`, the one editors read): every service under
//! `tests/fixtures/features` is accepted, and each invalid variant whose rule a JSON Schema can
//! state is rejected. The templates themselves are checked by `compat.rs` (expected.json) and
//! `cfn_lint.rs`.

mod common;

use common::bin;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validator() -> jsonschema::Validator {
    let out = bin().arg("schema").output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("a JSON Schema");
    jsonschema::draft7::new(&schema).expect("the exported schema compiles")
}

/// A service file as the JSON the schema sees (CloudFormation short forms as their long form).
fn service_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    streaming_events_yaml::load(&text, 0)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .to_json()
}

fn errors(validator: &jsonschema::Validator, service: &Value) -> Vec<String> {
    validator
        .iter_errors(service)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_json_schema_accepts_every_feature_service() {
    let validator = validator();
    let root = repo().join("tests/fixtures/features");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).expect("tests/fixtures/features") {
        let file = entry.expect("an entry").path().join("serverless.yml");
        if !file.exists() {
            continue;
        }
        seen += 1;
        let found = errors(&validator, &service_json(&file));
        assert!(found.is_empty(), "{}: {found:#?}", file.display());
    }
    assert!(seen >= 6, "{seen} feature services");
}

/// The invalid variants (rendered under tests/fixtures/diagnostics) whose rule is a schema
/// rule; the compilers' checks (a type that contradicts its ARN, 50 tags after inheritance, a
/// metric listed twice, the reserved `aws:` tag prefix) have codes of their own.
#[test]
fn the_json_schema_rejects_the_invalid_variants_it_can_state() {
    let validator = validator();
    for case in [
        "feature-metrics-kafka-only",
        "feature-secrets-kms-key-alias",
        "feature-documentdb-missing-database",
        "feature-documentdb-cluster-arn-invalid",
        "function-documentdb-filter-patterns-unsupported",
    ] {
        let file = repo()
            .join("tests/fixtures/diagnostics")
            .join(case)
            .join("serverless.yml");
        assert!(
            !errors(&validator, &service_json(&file)).is_empty(),
            "{case}: the JSON Schema accepts it"
        );
    }
}
