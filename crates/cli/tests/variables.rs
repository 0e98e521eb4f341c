//! Variable probes run against the built binary: services whose variables multiply ("billion
//! laughs" built from `${self:}` references) must end with a diagnostic, not run for hours. Each
//! run is killed after a generous timeout, so a hang fails the test instead of stalling it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
mod common;
use common::scratch;

/// Long enough for a slow debug build on a busy machine; the probes take well under a second.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `package` on `service`; the exit code and stderr, or a failure when it does not end.
fn package(name: &str, service: &str) -> (Option<i32>, String) {
    let dir = scratch(name);
    std::fs::write(dir.join("serverless.yml"), service).expect("service file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(&dir)
        .args([
            "package",
            "--config",
            "serverless.yml",
            "--output",
            "out.json",
            "--color",
            "never",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Read stderr on a thread so that a full pipe cannot block the child.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the binary") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: still running after {TIMEOUT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = reader.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (status.code(), text)
}

const FUNCTIONS: &str = "functions:
  worker:
    handler: h.worker
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
";

/// `levels` values after `first`, each referring `fan` times to the one before.
fn fan_out(first: &str, levels: usize, item: impl Fn(usize, usize) -> String) -> String {
    let mut service = format!("service: fanout\nprovider:\n  name: aws\ncustom:\n  l0: {first}\n");
    for level in 1..=levels {
        let items: Vec<String> = (0..10).map(|i| item(level, i)).collect();
        service.push_str(&format!("  l{level}: {}\n", items.join("")));
    }
    service + FUNCTIONS
}

fn list_of(level: usize, i: usize) -> String {
    let open = if i == 0 { "[" } else { ", " };
    let close = if i == 9 { "]" } else { "" };
    format!("{open}'${{self:custom.l{}}}'{close}", level - 1)
}

#[test]
fn list_fan_out_of_eleven_levels_ends_with_one_error() {
    let (code, stderr) = package("lists", &fan_out("[a, b]", 11, list_of));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("error[VARIABLE_FAN_OUT]").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn mapping_fan_out_of_eleven_levels_ends_with_one_error() {
    let item = |level: usize, i: usize| {
        let open = if i == 0 { "{" } else { ", " };
        let close = if i == 9 { "}" } else { "" };
        format!("{open}k{i}: '${{self:custom.l{}}}'{close}", level - 1)
    };
    let (code, stderr) = package("mappings", &fan_out("{a: x, b: y}", 11, item));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error[VARIABLE_FAN_OUT]"), "{stderr}");
}

#[test]
fn a_failing_lookup_fanned_out_is_resolved_and_reported_once() {
    let (code, stderr) = package(
        "failures",
        &fan_out("${env:SE_FAN_OUT_NEVER_SET}", 11, list_of),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 1, "{stderr}");
    assert!(stderr.contains("error[VARIABLE_NOT_RESOLVED]"), "{stderr}");
}

#[test]
fn text_fan_out_ends_with_an_error() {
    // Each level doubles a text ten times over: the 1 MiB limit per string or the run's budget
    // ends it.
    let item = |level: usize, _| format!("${{self:custom.l{}}}", level - 1);
    let (code, stderr) = package("texts", &fan_out("abcdefgh", 11, item));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error[VARIABLE_RESULT_TOO_LARGE]")
            || stderr.contains("error[VARIABLE_FAN_OUT]"),
        "{stderr}"
    );
}

#[test]
fn a_moderate_fan_out_still_compiles() {
    // 2 × 10⁴ values: well inside the budget.
    let (code, stderr) = package("moderate", &fan_out("[a, b]", 4, list_of));
    assert_eq!(code, Some(0), "{stderr}");
}
