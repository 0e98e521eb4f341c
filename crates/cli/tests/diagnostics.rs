//! Snapshots of rendered diagnostics (plain renderer): each folder of
//! `tests/fixtures/diagnostics/` is a case, run as
//! `streaming-events package --config serverless.yml --output - --color never` in that folder.
//! It holds the exit code the run must give (`exit-code`) and exactly what a user sees on stderr
//! (`expected.txt`), usually beside a `serverless.yml` (and any file the service reads). Optional
//! files shape the run:
//!
//! - `args`: more command-line arguments, one a line (empty lines are skipped), appended to the
//!   command. A `--config` or `--output` among them replaces the default one, so a case can
//!   name a missing or unreadable service file (`--config` / `missing.yml`).
//! - `command`: another subcommand than `package` (`test-filter`); the case then runs
//!   `streaming-events COMMAND --color never` with its `args`, and no other default.
//! - `large-files`: lines `NAME BYTES`; before the run each NAME is created in the folder as a
//!   sparse file of BYTES zero bytes (too large to commit), and removed after it. List NAME in
//!   the folder's `.gitignore`.
//!
//! - `generated-files`: lines `NAME COUNT TEXT`; before the run each NAME is written with TEXT
//!   repeated COUNT times (`\n` in TEXT is a newline), and removed after it: a file with a million
//!   values is a few bytes here. List NAME in the folder's `.gitignore`.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test` rewrites the snapshots; review the diff before committing.
//!
//! [`every_code_has_a_fixture`] requires, for every code of the registry
//! (`streaming_events_diagnostics::codes::ALL`), a case whose `expected.txt` has a line starting
//! `error[CODE]: ` or `warning[CODE]: ` (or, for a case run with `--format json`, an entry line
//! `"code": "CODE",`: the notes have no human heading), except the codes of `WITHOUT_FIXTURE`. The cases added for
//! that are named after their code in kebab case (`yaml-duplicate-key/`).

use std::path::{Path, PathBuf};
use std::process::Command;
use streaming_events_diagnostics::codes;

/// Codes the command cannot produce, so no fixture can show them. Each needs its reason; keep
/// this list as short as the truth allows.
const WITHOUT_FIXTURE: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diagnostics")
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("tests/fixtures/diagnostics")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// The lines of an optional file of the case, without empty ones.
fn lines(case: &Path, name: &str) -> Vec<String> {
    std::fs::read_to_string(case.join(name))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The command line of a case: the defaults, less those its `args` replace, then its `args`.
fn arguments(case: &Path) -> Vec<String> {
    let extra = lines(case, "args");
    if let Some(command) = lines(case, "command").first() {
        let mut out = vec![command.clone(), "--color".to_string(), "never".to_string()];
        out.extend(extra);
        return out;
    }
    let given = |flag: &str| {
        extra
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut out = vec!["package".to_string()];
    for (flag, value) in [("--config", "serverless.yml"), ("--output", "-")] {
        if !given(flag) {
            out.extend([flag.to_string(), value.to_string()]);
        }
    }
    out.extend(["--color".to_string(), "never".to_string()]);
    out.extend(extra);
    out
}

/// Creates the case's `large-files`; returns their paths, to remove after the run.
fn create_large_files(case: &Path) -> Vec<PathBuf> {
    lines(case, "large-files")
        .iter()
        .map(|line| {
            let (name, bytes) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: large-files line {line:?}", case.display()));
            let bytes: u64 = bytes.trim().parse().expect("a size in bytes");
            let path = case.join(name);
            let file = std::fs::File::create(&path).expect("a large file");
            file.set_len(bytes).expect("the large file's size");
            path
        })
        .collect()
}

/// Creates the case's `generated-files`; returns their paths, to remove after the run.
fn create_generated_files(case: &Path) -> Vec<PathBuf> {
    lines(case, "generated-files")
        .iter()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let (Some(name), Some(count), Some(text)) = (parts.next(), parts.next(), parts.next())
            else {
                panic!("{}: generated-files line {line:?}", case.display());
            };
            let count: usize = count.parse().expect("a repeat count");
            let path = case.join(name);
            std::fs::write(&path, text.replace("\\n", "\n").repeat(count))
                .expect("a generated file");
            path
        })
        .collect()
}

#[test]
fn rendered_diagnostics_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 9);
    for case in all {
        let mut large = create_large_files(&case);
        large.extend(create_generated_files(&case));
        let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
            .current_dir(&case)
            .env_remove("NO_COLOR")
            .args(arguments(&case))
            .output();
        for path in large {
            let _ = std::fs::remove_file(path);
        }
        let out = out.expect("the binary runs");
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

#[test]
fn every_code_has_a_fixture() {
    let snapshots: Vec<String> = cases()
        .iter()
        .filter_map(|case| std::fs::read_to_string(case.join("expected.txt")).ok())
        .collect();
    // The renderer's first line of a diagnostic: `error[CODE]: …`, `warning[CODE]: …` or
    // `note[CODE]: …` (a note with a position, rendered as the others are); in
    // JSON, the entry's `"code": "CODE",` line.
    let shown = |id: &str| {
        let heads = [
            format!("error[{id}]: "),
            format!("warning[{id}]: "),
            format!("note[{id}]: "),
        ];
        let entry = format!("\"code\": \"{id}\",");
        snapshots
            .iter()
            .flat_map(|s| s.lines())
            .any(|line| heads.iter().any(|h| line.starts_with(h.as_str())) || line.trim() == entry)
    };
    for (id, reason) in WITHOUT_FIXTURE {
        assert!(
            codes::find(id).is_some(),
            "WITHOUT_FIXTURE names {id}, which is not in the registry"
        );
        assert!(!reason.is_empty(), "WITHOUT_FIXTURE: {id} needs its reason");
        assert!(
            !shown(id),
            "{id} has a fixture now: remove it from WITHOUT_FIXTURE"
        );
    }
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.id)
        .filter(|id| !WITHOUT_FIXTURE.iter().any(|(w, _)| w == id))
        .filter(|id| !shown(id))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in tests/fixtures/diagnostics/ (a case whose expected.txt shows \
         `error[CODE]` or `warning[CODE]`): {}",
        missing.join(", ")
    );
}
