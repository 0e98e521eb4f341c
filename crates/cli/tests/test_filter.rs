//! `streaming-events test-filter`: the worked examples of `docs/test-filter.md` (each a folder
//! of `tests/fixtures/test-filter/`, run and compared with its `expected.txt`, standard output,
//! and `exit-code`; the document must show each folder's files and command line verbatim), and
//! the command line's contract: both forms, misses explained, payloads that are not JSON, `-`,
//! `@FILE`, bad input (exit 1, with positions) and usage errors (exit 2).
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p streaming-events --test test_filter` rewrites the
//! examples' `expected.txt` and `exit-code`; review them before committing.

mod common;

use common::{run_in, scratch, stderr};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/test-filter");
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("tests/fixtures/test-filter")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn args_of(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .expect("args")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Runs an example: `test-filter ARGS` in its folder, its `stdin` file on standard input.
fn run_example(case: &Path) -> std::process::Output {
    let mut child = common::bin()
        .current_dir(case)
        .arg("test-filter")
        .args(args_of(case))
        .args(["--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let input = std::fs::read(case.join("stdin")).unwrap_or_default();
    let mut stdin = child.stdin.take().expect("stdin");
    let _ = stdin.write_all(&input);
    drop(stdin);
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn the_worked_examples_print_what_they_show() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let cases = examples();
    assert!(cases.len() >= 7, "one example per source at least");
    for case in cases {
        let out = run_example(&case);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let code = out.status.code().unwrap_or(-1).to_string();
        if update {
            std::fs::write(case.join("expected.txt"), &stdout).unwrap();
            std::fs::write(case.join("exit-code"), format!("{code}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let expected_code = std::fs::read_to_string(case.join("exit-code")).unwrap_or_default();
        if stdout != expected || code != expected_code.trim() {
            failures.push(format!(
                "{}: exit {code}\n--- expected\n{expected}\n--- got\n{stdout}\n--- stderr\n{}",
                case.display(),
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The command line as the document writes it: arguments with other characters than letters,
/// digits and `-_.@/=` in single quotes (an example's `stdin` file is piped in after it).
fn shell_line(case: &Path) -> String {
    let quoted: Vec<String> = args_of(case)
        .iter()
        .map(|a| {
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.@/=".contains(c))
            {
                a.clone()
            } else {
                format!("'{a}'")
            }
        })
        .collect();
    format!("streaming-events test-filter {}", quoted.join(" "))
}

#[test]
fn the_document_shows_each_example_as_committed() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/test-filter.md"),
    )
    .expect("docs/test-filter.md");
    let mut missing = Vec::new();
    for case in examples() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let line = shell_line(&case);
        if !doc.contains(&line) {
            missing.push(format!("{name}: the command line `{line}`"));
        }
        for entry in std::fs::read_dir(&case).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            if matches!(file.as_str(), "args" | "exit-code") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if !doc.contains(&text) {
                missing.push(format!("{name}: {file}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/test-filter.md must show these verbatim:\n{}",
        missing.join("\n")
    );
}

const SERVICE: &str = "service: shop
provider:
  name: aws
  runtime: nodejs20.x
functions:
  worker:
    handler: index.handler
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          filterPatterns:
            - data:
                order:
                  type: [buy]
";

/// `{"order": {"type": "sell"}}`, base64.
const SELL: &str = "eyJvcmRlciI6IHsidHlwZSI6ICJzZWxsIn19";

fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn json_out(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn a_miss_names_the_field_and_the_decoded_value_in_json() {
    let record = format!(r#"{{"kinesis": {{"partitionKey": "1", "data": "{SELL}"}}}}"#);
    let dir = folder("miss", &[("serverless.yml", SERVICE), ("r.json", &record)]);
    let out = run_in(
        &dir,
        &[
            "test-filter",
            "--function",
            "worker",
            "r.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json_out(&out),
        serde_json::json!([{
            "record": {"file": "r.json", "index": 0},
            "matched": false,
            "filter": null,
            "reason": "data.order.type: \"sell\" does not match [\"buy\"]"
        }])
    );
}

#[test]
fn a_payload_that_is_not_json_is_dropped_and_says_so() {
    // "plain text", base64, as a Kinesis record and as an SQS body.
    let kinesis = r#"{"kinesis": {"partitionKey": "1", "data": "cGxhaW4gdGV4dA=="}}"#;
    let dir = folder(
        "not-json",
        &[("serverless.yml", SERVICE), ("k.json", kinesis)],
    );
    let out = run_in(
        &dir,
        &[
            "test-filter",
            "--function",
            "worker",
            "k.json",
            "--format",
            "json",
        ],
    );
    let verdicts = json_out(&out);
    assert_eq!(verdicts[0]["matched"], false);
    let reason = verdicts[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("not JSON (\"plain text\")") && reason.contains("drops"),
        "{reason}"
    );
    let sqs = r#"{"messageId": "1", "body": "plain text"}"#;
    std::fs::write(dir.join("s.json"), sqs).unwrap();
    let plain = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            r#"{"body": [{"prefix": "plain"}]}"#,
            "s.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(json_out(&plain)[0]["matched"], true, "{}", stderr(&plain));
    let fields = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            r#"{"body": {"kind": ["a"]}}"#,
            "s.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(json_out(&fields)[0]["matched"], false);
}

#[test]
fn records_come_from_standard_input_and_patterns_from_files() {
    let dir = folder("stdin", &[("p.json", r#"{"body": {"kind": ["refund"]}}"#)]);
    let mut child = common::bin()
        .current_dir(&dir)
        .args([
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            "@p.json",
            "-",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(br#"{"Records": [{"messageId": "1", "body": "{\"kind\": \"refund\"}"}, {"messageId": "2", "body": "{\"kind\": \"sale\"}"}]}"#)
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verdicts = json_out(&out);
    assert_eq!(
        verdicts[0]["record"],
        serde_json::json!({"file": "<stdin>", "index": 0})
    );
    assert_eq!(verdicts[0]["matched"], true);
    assert_eq!(verdicts[1]["matched"], false);
    assert_eq!(verdicts[1]["filter"], serde_json::Value::Null);
}

#[test]
fn bad_input_exits_1_with_a_positioned_diagnostic() {
    let dir = folder(
        "bad",
        &[
            ("serverless.yml", SERVICE),
            (
                "broken.json",
                "{\n  \"Records\": [\n    {\"kinesis\": {\"data\": \"eyJ9\"}},\n  ]\n}\n",
            ),
            ("p.json", "{\"body\": {\"kind\": [{\"wildcard\": \"a*\"}]}}"),
            ("ok.json", "{\"kind\": \"a\"}"),
        ],
    );
    let broken = run_in(
        &dir,
        &[
            "test-filter",
            "--function",
            "worker",
            "broken.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        broken.stdout.is_empty(),
        "no verdicts when an input is invalid"
    );
    assert!(stderr(&broken).contains("error[FILTER_RECORD_INVALID]: the record is not JSON: expected a JSON value, found ']'\n --> broken.json:4:3"), "{}", stderr(&broken));
    let not_json = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            "{\"body\": {\"kind\": [\"a\"]",
            "ok.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(not_json.status.code(), Some(1));
    assert!(stderr(&not_json).contains("error[FILTER_PATTERN_INVALID]: the filter pattern is not JSON: expected `,` or `}`, found the end of the text\n --> --pattern:1:24"), "{}", stderr(&not_json));
    let rejected = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            "@p.json",
            "ok.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(rejected.status.code(), Some(1));
    let text = stderr(&rejected);
    assert!(text.contains("error[FILTER_PATTERN_INVALID]: the `wildcard` operator is not supported by Lambda event filtering\n --> p.json:1:20") && text.contains("= at: pattern.body.kind[0].wildcard"), "{text}");
    let unreadable = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "sqs",
            "--pattern",
            "@missing.json",
            "ok.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(unreadable.status.code(), Some(1));
    assert!(stderr(&unreadable).contains("cannot read the pattern file missing.json"));
    let missing = run_in(
        &dir,
        &[
            "test-filter",
            "--function",
            "worker",
            "missing.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing)
        .contains("error[FILTER_RECORD_INVALID]: cannot read the record file missing.json"));
    // A record of another source: a Kinesis event read as DynamoDB.
    std::fs::write(
        dir.join("k.json"),
        format!(r#"{{"Records": [{{"kinesis": {{"data": "{SELL}"}}}}]}}"#),
    )
    .unwrap();
    let wrong = run_in(
        &dir,
        &[
            "test-filter",
            "--source",
            "dynamodb",
            "--pattern",
            r#"{"eventName": ["INSERT"]}"#,
            "k.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stderr(&wrong).contains(" --> k.json:1:14"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn a_service_with_errors_exits_1_before_any_record() {
    let service = SERVICE.replace("type: [buy]", "type: buy");
    let dir = folder(
        "invalid-service",
        &[("serverless.yml", &service), ("r.json", "{}")],
    );
    let out = run_in(
        &dir,
        &[
            "test-filter",
            "--function",
            "worker",
            "r.json",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("error[FILTER_PATTERN_INVALID]"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out)
        .contains("functions.worker.events[0].stream.filterPatterns[0].data.order.type"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = folder("usage", &[("serverless.yml", SERVICE), ("r.json", "{}")]);
    for (args, says) in [
        (&["test-filter", "r.json"][..], "--function"),
        (
            &["test-filter", "--source", "sqs", "r.json"][..],
            "--pattern",
        ),
        (
            &[
                "test-filter",
                "--function",
                "worker",
                "--source",
                "sqs",
                "--pattern",
                "{}",
                "r.json",
            ][..],
            "cannot be used with",
        ),
        (
            &["test-filter", "--function", "nope", "r.json"][..],
            "error[FILTER_TEST_TARGET_INVALID]: the service has no function `nope`",
        ),
        (
            &[
                "test-filter",
                "--function",
                "worker",
                "--event",
                "3",
                "r.json",
            ][..],
            "functions.worker.events[3] is not a streaming event",
        ),
        (
            &["test-filter", "--source", "sqs", "--pattern", "@-", "-"][..],
            "error[STDIN_READ_TWICE]",
        ),
    ] {
        let out = run_in(&dir, &[args, &["--color", "never"]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}
