//! Snapshots of rendered diagnostics (plain renderer): each folder of
//! `tests/fixtures/diagnostics/` holds a service, the exit code it must give (`exit-code`) and
//! exactly what a user sees on stderr (`expected.txt`). `UPDATE_SNAPSHOTS=1 cargo test` rewrites
//! the snapshots; review the diff before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diagnostics");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/diagnostics")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists())
        .collect();
    out.sort();
    out
}

#[test]
fn rendered_diagnostics_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 9);
    for case in all {
        let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
            .current_dir(&case)
            .env_remove("NO_COLOR")
            .args([
                "package",
                "--config",
                "serverless.yml",
                "--color",
                "never",
                "--output",
                "-",
            ])
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let code = out.status.code().unwrap_or(-1).to_string();
        if update {
            std::fs::write(case.join("expected.txt"), &stderr).unwrap();
            std::fs::write(case.join("exit-code"), format!("{code}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let expected_code = std::fs::read_to_string(case.join("exit-code")).unwrap_or_default();
        if stderr != expected || code != expected_code.trim() {
            failures.push(format!(
                "{}: exit {code} (expected {})\n--- expected\n{expected}\n--- got\n{stderr}",
                case.display(),
                expected_code.trim()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
