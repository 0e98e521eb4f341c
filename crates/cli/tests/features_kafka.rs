//! The Kafka, MSK and provisioned-mode features (docs/features.md, sections 1, 2, 4, 5, 6, 8
//! and 11). Their templates are checked by `compat.rs` (`tests/fixtures/features/*/expected.json`,
//! the corpus's format: mappings, permissions, function ids) and `cfn_lint.rs`; here:
//!
//! - the warnings a feature fixture gives: a folder of `tests/fixtures/features/` with an
//!   `expected-stderr.txt` must print exactly that on standard error
//!   (`package --config serverless.yml --output - --color never`; `UPDATE_SNAPSHOTS=1` rewrites
//!   it), so a deprecated osls spelling or `provisionedPollers: false` keeps its warning;
//! - the exported JSON Schema (`streaming-events schema`) accepts those services and rejects the
//!   invalid variants whose rule a JSON Schema can state (ranges, shapes, unknown keys). The
//!   cross-field ones (min above max, what needs provisioned mode, a destination equal to the
//!   source topic) are the compilers' and have their rendered diagnostics under
//!   `tests/fixtures/diagnostics/`.

mod common;

use common::bin;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The feature fixtures that pin their warnings (this part's).
fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/features"))
        .expect("tests/fixtures/features")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists() && p.join("expected-stderr.txt").exists())
        .collect();
    out.sort();
    out
}

/// The diagnostics fixtures of these features whose rule the JSON Schema states too.
const SCHEMA_REJECTS: &[&str] = &[
    "feature-provisioned-pollers-out-of-range",
    "feature-provisioned-pollers-group-on-sqs",
    "feature-schema-registry-missing-validate",
    "feature-log-level-unknown",
];

#[test]
fn feature_fixtures_give_their_warnings() {
    let cases = cases();
    assert!(
        cases.len() >= 7,
        "too few feature fixtures: {}",
        cases.len()
    );
    for case in cases {
        let out = bin()
            .current_dir(&case)
            .args([
                "package",
                "--config",
                "serverless.yml",
                "--output",
                "-",
                "--color",
                "never",
                "--stage",
                "dev",
                "--region",
                "us-east-1",
            ])
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", case.display());
        let path = case.join("expected-stderr.txt");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &stderr).expect("snapshot written");
            continue;
        }
        let expected = std::fs::read_to_string(&path).expect("expected-stderr.txt");
        assert_eq!(stderr, expected, "{} differs", path.display());
    }
}

fn json_schema() -> jsonschema::Validator {
    let out = bin().arg("schema").output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    jsonschema::draft7::new(&schema).expect("the exported schema compiles")
}

/// A service file as the JSON the schema sees (CloudFormation short forms as their long form).
fn service_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("service");
    streaming_events_yaml::load(&text, 0)
        .expect("valid YAML")
        .to_json()
}

#[test]
fn the_json_schema_accepts_these_features_and_rejects_their_schema_variants() {
    let validator = json_schema();
    for case in cases() {
        let service = service_json(&case.join("serverless.yml"));
        let errors: Vec<String> = validator
            .iter_errors(&service)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", case.display());
    }
    let diagnostics = repo().join("tests/fixtures/diagnostics");
    for name in SCHEMA_REJECTS {
        let service = service_json(&diagnostics.join(name).join("serverless.yml"));
        assert!(
            !validator.is_valid(&service),
            "the JSON Schema accepts the invalid variant {name}"
        );
    }
}
