//! `action.yml`, the GitHub Action: its keys as GitHub reads them (a composite action with
//! `files` and `args` inputs, every step with a shell), and its validate command run with the
//! built binary on a fixture folder, producing GitHub annotations.

use std::path::{Path, PathBuf};
use std::process::Command;
use streaming_events_yaml::Node;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn action() -> Node {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    streaming_events_yaml::load(&text, 0).expect("valid YAML")
}

fn text<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("action.yml: {key} must be a string"))
}

#[test]
fn action_yml_is_a_composite_action_with_its_inputs() {
    let action = action();
    let keys: Vec<&str> = action.as_map().unwrap().keys().collect();
    for key in &keys {
        assert!(
            [
                "name",
                "description",
                "author",
                "inputs",
                "outputs",
                "runs",
                "branding"
            ]
            .contains(key),
            "action.yml: unknown top-level key {key}"
        );
    }
    assert!(!text(&action, "name").is_empty());
    assert!(!text(&action, "description").is_empty());
    let inputs = action.get("inputs").and_then(Node::as_map).expect("inputs");
    for name in ["files", "args"] {
        let input = inputs.get(name).unwrap_or_else(|| panic!("input {name}"));
        assert!(!text(input, "description").is_empty());
    }
    let runs = action.get("runs").expect("runs");
    assert_eq!(text(runs, "using"), "composite");
    let steps = runs.get("steps").and_then(Node::as_seq).expect("steps");
    assert!(!steps.is_empty());
    for step in steps {
        // A composite action's `run` step must name its shell.
        assert_eq!(text(step, "shell"), "bash");
        assert!(!text(step, "run").is_empty());
    }
}

/// The validate step, with its `${{ inputs.* }}` filled in, run on two services, one invalid.
#[test]
fn the_validate_step_annotates_every_service() {
    let action = action();
    let steps = action
        .get("runs")
        .and_then(|r| r.get("steps"))
        .and_then(Node::as_seq)
        .expect("steps");
    let run = steps
        .iter()
        .map(|s| text(s, "run"))
        .find(|r| r.starts_with("streaming-events validate"))
        .expect("a validate step");
    let dir = std::env::temp_dir().join(format!("streaming-events-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, topic) in [("good", "orders"), ("bad", "")] {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(
            dir.join(name).join("serverless.yml"),
            format!(
                "service: {name}\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  worker:\n    handler: h.worker\n    events:\n      - msk:\n          arn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc\n          topic: {topic}\n"
            ),
        )
        .unwrap();
    }
    let command = run.replace("${{ inputs.args }}", "--strict").replace(
        "${{ inputs.files }}",
        "good/serverless.yml bad/serverless.yml",
    );
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[0], "streaming-events");
    let out = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(&dir)
        .args(&words[1..])
        .output()
        .expect("the binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&out.stderr);
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::error file=bad/serverless.yml,line=")),
        "{annotations}"
    );
    assert!(
        !annotations.contains("file=good/serverless.yml"),
        "{annotations}"
    );
}
