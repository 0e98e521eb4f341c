//! The mapping features beyond the reference (docs/features.md): each folder of
//! `tests/fixtures/features/` is a valid service using one feature, run as
//! `streaming-events package --config serverless.yml --output - --color never` in that folder.
//! Its template must equal `expected.json` and its standard error `expected-stderr.txt` (the
//! warnings the feature gives; empty when none). The reference cannot record these templates
//! (it rejects the keys), so they were written by us and reviewed against section 3 of the
//! specification; `UPDATE_SNAPSHOTS=1` rewrites them. cfn-lint checks them in `cfn_lint.rs`.
//!
//! The exported JSON Schema (`streaming-events schema`) must accept each of these services, and
//! reject the invalid variants whose rule a JSON Schema can state (ranges, shapes, unknown
//! keys); the cross-field ones (min above max, what needs provisioned mode) are the compilers'
//! and have their rendered diagnostics under `tests/fixtures/diagnostics/`.

mod common;

use common::bin;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/features"))
        .expect("tests/fixtures/features")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists())
        .collect();
    out.sort();
    out
}

/// The diagnostics fixtures of the features whose rule the JSON Schema states too.
const SCHEMA_REJECTS: &[&str] = &[
    "features-provisioned-pollers-out-of-range",
    "features-provisioned-pollers-group-on-sqs",
    "features-schema-registry-missing-validate",
    "features-log-level-unknown",
];

fn check_or_update(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing (UPDATE_SNAPSHOTS=1 writes it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{} differs", path.display());
}

#[test]
fn each_feature_fixture_gives_its_template_and_warnings() {
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
        check_or_update(
            &case.join("expected.json"),
            &String::from_utf8_lossy(&out.stdout),
        );
        check_or_update(&case.join("expected-stderr.txt"), &stderr);
    }
}

fn json_schema() -> jsonschema::Validator {
    let out = bin().arg("schema").output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    jsonschema::draft7::new(&schema).expect("the exported schema compiles")
}

fn service_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("service");
    streaming_events_yaml::load(&text, 0)
        .expect("valid YAML")
        .to_json()
}

#[test]
fn the_json_schema_accepts_every_feature_fixture_and_rejects_the_schema_variants() {
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
