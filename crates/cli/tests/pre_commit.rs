//! The pre-commit hook of `.pre-commit-hooks.yaml`, run as pre-commit runs it: its `entry`
//! (with `streaming-events` the built binary), then its `args`, then the files of the fixture
//! folder `tests/fixtures/pre-commit/` its `files` pattern selects. Also `validate FILE...`
//! itself: every service's diagnostics with its file, exit 1 if any failed.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use streaming_events_yaml::Node;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/pre-commit")
}

/// The one hook of `.pre-commit-hooks.yaml`, read with the workspace's YAML loader.
fn hook() -> Node {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("the hooks");
    let hooks = streaming_events_yaml::load(&text, 0).expect("valid YAML");
    let list = hooks.as_seq().expect("a list of hooks");
    assert_eq!(list.len(), 1);
    list[0].clone()
}

fn text<'a>(hook: &'a Node, key: &str) -> &'a str {
    hook.get(key)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("the hook's {key}"))
}

/// Every file under `dir`, relative to it with `/`, sorted (what `git ls-files` would give).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Runs the hook on `files` (relative to the fixture folder) as pre-commit does.
fn run_hook(hook: &Node, files: &[String], extra: &[&str]) -> Output {
    let mut entry = text(hook, "entry").split_whitespace();
    assert_eq!(entry.next(), Some("streaming-events"));
    let args: Vec<String> = hook
        .get("args")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str().expect("string args").to_string())
        .collect();
    Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(fixture())
        .env_remove("NO_COLOR")
        .args(entry)
        .args(&args)
        .args(extra)
        .args(files)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_hook_runs_on_the_service_files_of_a_folder() {
    let hook = hook();
    assert_eq!(text(&hook, "id"), "streaming-events-validate");
    assert_eq!(text(&hook, "language"), "system");
    let pattern = regex::Regex::new(text(&hook, "files")).expect("a regex");
    let selected: Vec<String> = files_under(&fixture())
        .into_iter()
        .filter(|f| pattern.is_match(f))
        .collect();
    assert_eq!(
        selected,
        [
            "services/billing/serverless.yaml",
            "services/orders/serverless.yml",
            "services/search/serverless.yml"
        ]
    );
    let out = run_hook(&hook, &selected, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION]"),
        "{stderr}"
    );
    assert!(
        stderr.contains(" --> services/billing/serverless.yaml:10:9"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> services/search/serverless.yml:12:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: services/orders/serverless.yml: events of kind http"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "the hook's args turn colour off");
    // The valid services alone pass.
    let valid: Vec<String> = selected
        .iter()
        .filter(|f| !f.contains("billing"))
        .cloned()
        .collect();
    let out = run_hook(&hook, &valid, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn several_services_in_one_run_name_their_files_in_every_format() {
    let hook = hook();
    let files: Vec<String> = [
        "services/orders/serverless.yml",
        "services/billing/serverless.yaml",
        "services/search/serverless.yml",
        "services/missing/serverless.yml",
    ]
    .map(str::to_string)
    .to_vec();
    let out = run_hook(&hook, &files, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let items: Value = serde_json::from_slice(&out.stderr).expect("one JSON array");
    let items = items.as_array().unwrap();
    let of = |file: &str| -> Vec<&str> {
        items
            .iter()
            .filter(|i| i["file"] == file)
            .map(|i| i["severity"].as_str().unwrap())
            .collect()
    };
    assert_eq!(of("services/orders/serverless.yml"), ["note"]);
    assert_eq!(of("services/billing/serverless.yaml"), ["error", "error"]);
    assert_eq!(of("services/search/serverless.yml"), ["warning"]);
    assert_eq!(of("services/missing/serverless.yml"), ["error"]);
    assert_eq!(items.len(), 5);

    let out = run_hook(&hook, &files, &["--format", "github"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("::notice file=services/orders/serverless.yml,title=EVENTS_NOT_COMPILED::"),
        "{text}"
    );
    assert!(
        text.contains("::error file=services/missing/serverless.yml,title=CONFIG_FILE_NOT_FOUND::"),
        "{text}"
    );

    let out = run_hook(&hook, &files, &["--format", "sarif"]);
    let log: Value = serde_json::from_slice(&out.stderr).expect("one SARIF log");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run for every service");
    let uris: Vec<&str> = runs[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris.len(), 5);
    assert!(
        uris.contains(&"services/missing/serverless.yml"),
        "{uris:?}"
    );
}

#[test]
fn files_and_config_do_not_mix() {
    let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(fixture())
        .args([
            "validate",
            "--config",
            "services/orders/serverless.yml",
            "services/search/serverless.yml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn standard_input_is_one_of_the_files() {
    use std::io::Write;
    let billing = std::fs::read(fixture().join("services/billing/serverless.yaml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(fixture())
        .args([
            "validate",
            "--format",
            "json",
            "services/orders/serverless.yml",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&billing).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let items: Value = serde_json::from_slice(&out.stderr).expect("one JSON array");
    let files: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["services/orders/serverless.yml", "<stdin>", "<stdin>"]
    );
}
