//! Every template the fixtures produce passes `cfn-lint` with zero errors (warnings allowed;
//! E2533, the deprecated-runtime finding that comes from a fixture's own `runtime`, ignored).
//! Skipped, with a message, where cfn-lint is not installed; `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every service whose template should deploy: the valid corpus cases, the example, and the
/// service fixtures under tests/fixtures.
fn services() -> Vec<PathBuf> {
    let mut out = vec![repo().join("examples/serverless.yml")];
    for root in [
        "tests/compat/cases",
        "tests/fixtures/services",
        "tests/fixtures/iam",
        "tests/fixtures/variables",
        "tests/fixtures/differential",
        "tests/fixtures/realworld",
        "tests/fixtures/features",
        "tests/fixtures/previous",
    ] {
        let Ok(entries) = std::fs::read_dir(repo().join(root)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let dir = entry.path();
            if dir.join("expected-error.json").exists() || dir.join("expected-error.txt").exists() {
                continue;
            }
            if dir.join("serverless.yml").exists() {
                out.push(dir.join("serverless.yml"));
            }
        }
    }
    out.sort();
    out
}

/// Findings a fixture's own input causes and compatibility requires us to keep: (case folder,
/// rule, why). Each is also a warning streaming-events prints for that service.
const KNOWN_INPUT_FINDINGS: &[(&str, &str, &str)] = &[(
    "kafka-long-topic-truncated",
    "E3033",
    "the corpus topic is 251 characters (Kafka allows 249); the reference emits it and the corpus expects it, so we emit it with the FUNCTION_KAFKA_TOPIC_INVALID warning",
)];

/// Environment variables a fixture needs (`env.json` next to its serverless.yml).
fn fixture_env(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join("env.json")) else {
        return Vec::new();
    };
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    value
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn cfn_lint_available() -> bool {
    Command::new("cfn-lint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn templates_pass_cfn_lint() {
    if !cfn_lint_available() {
        eprintln!("cfn-lint is not installed: skipping (pip install cfn-lint)");
        return;
    }
    let scratch =
        std::env::temp_dir().join(format!("streaming-events-cfn-lint-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let mut templates = Vec::new();
    for (i, service) in services().iter().enumerate() {
        let output = scratch.join(format!("template-{i}.json"));
        let env = service.parent().map(fixture_env).unwrap_or_default();
        let run = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
            .envs(env)
            .args([
                "package",
                "--stage",
                "dev",
                "--region",
                "us-east-1",
                "--config",
            ])
            .arg(service)
            .arg("--output")
            .arg(&output)
            .output()
            .expect("the binary runs");
        assert!(
            run.status.success(),
            "{} failed: {}",
            service.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        templates.push((output, service.clone()));
    }
    assert!(
        templates.len() > 90,
        "too few templates: {}",
        templates.len()
    );
    let lint = Command::new("cfn-lint")
        .args(["--format", "json", "--ignore-checks", "E2533", "--"])
        .args(templates.iter().map(|(t, _)| t))
        .output()
        .expect("cfn-lint runs");
    let findings: serde_json::Value = serde_json::from_slice(&lint.stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint output is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        )
    });
    let errors: Vec<String> = findings
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["Level"] == "Error")
        .filter_map(|f| {
            let file = f["Filename"].as_str().unwrap_or("");
            let service = templates
                .iter()
                .find(|(t, _)| t.to_string_lossy() == file)
                .map(|(_, s)| s.display().to_string())
                .unwrap_or_default();
            let rule = f["Rule"]["Id"].as_str().unwrap_or("");
            let known = KNOWN_INPUT_FINDINGS
                .iter()
                .any(|(case, id, _)| *id == rule && service.contains(&format!("/{case}/")));
            (!known).then(|| {
                format!(
                    "{service}: {rule} {} at {}",
                    f["Message"], f["Location"]["Path"]
                )
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(errors.is_empty(), "cfn-lint errors:\n{}", errors.join("\n"));
}
