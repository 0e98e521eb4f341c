//! The replacement-hazard fixture set (`tests/fixtures/previous/`): each case is a service as
//! it is deployed (`deployed.yml`), the template that deploy left (its `previous.json`, or
//! what `aws cloudformation get-template` prints, `get-template.json` or `get-template.yml`),
//! and the service changed (`serverless.yml`). The verdict of
//! `validate --config serverless.yml --previous FILE --color never` is the case's `exit-code`
//! and what a user sees on stderr, `expected.txt`.
//!
//! The deployed template is not written by hand: it must be what `package` gives for
//! `deployed.yml` (wrapped as `get-template` prints it), so the pair stays true to what a deploy
//! leaves. `UPDATE_SNAPSHOTS=1 cargo test` rewrites the deployed templates and the snapshots;
//! review the diff before committing.

mod common;

use common::{run_in, stderr};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/previous")
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("tests/fixtures/previous")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

const FORMS: [&str; 3] = ["previous.json", "get-template.json", "get-template.yml"];

/// The deployed template of a case, as its form holds it: the template itself, or
/// `get-template`'s output in JSON or YAML (the body as text, as the Framework submitted it).
fn deployed_file(form: &str, template: &str) -> String {
    let stages = ["Original", "Processed"];
    match form {
        "previous.json" => template.to_string(),
        "get-template.json" => {
            let output = serde_json::json!({"TemplateBody": template, "StagesAvailable": stages});
            serde_json::to_string_pretty(&output).unwrap() + "\n"
        }
        _ => format!(
            "StagesAvailable:\n- Original\n- Processed\nTemplateBody: {}\n",
            serde_json::to_string(template).unwrap()
        ),
    }
}

#[test]
fn each_pair_gives_its_verdict() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 14, "the fixture set is missing cases");
    for case in all {
        let name = case.display().to_string();
        let form = FORMS
            .iter()
            .find(|f| case.join(f).exists())
            .unwrap_or_else(|| {
                panic!("{name}: no previous.json, get-template.json or get-template.yml")
            });
        let deployed = run_in(
            &case,
            &["package", "--config", "deployed.yml", "--output", "-"],
        );
        assert!(
            deployed.status.success(),
            "{name}: deployed.yml does not package: {}",
            stderr(&deployed)
        );
        let expected_file = deployed_file(form, &String::from_utf8_lossy(&deployed.stdout));
        if update {
            std::fs::write(case.join(form), &expected_file).unwrap();
        } else if std::fs::read_to_string(case.join(form)).unwrap_or_default() != expected_file {
            failures.push(format!("{name}: {form} is not what deployed.yml packages to (UPDATE_SNAPSHOTS=1 rewrites it)"));
        }
        let args = [
            "--config",
            "serverless.yml",
            "--previous",
            form,
            "--color",
            "never",
        ];
        let validate = run_in(&case, &[&["validate"][..], &args].concat());
        let text = stderr(&validate);
        let code = validate.status.code().unwrap_or(-1);
        // `package` reports the same and writes the template only when nothing is wrong.
        let package = run_in(&case, &[&["package", "--output", "-"][..], &args].concat());
        assert_eq!(
            package.status.code(),
            Some(code),
            "{name}: package and validate disagree"
        );
        assert_eq!(
            stderr(&package),
            text,
            "{name}: package and validate report differently"
        );
        assert_eq!(
            package.stdout.is_empty(),
            code != 0,
            "{name}: a template must come with exit 0 only"
        );
        if update {
            std::fs::write(case.join("expected.txt"), &text).unwrap();
            std::fs::write(case.join("exit-code"), format!("{code}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let expected_code = std::fs::read_to_string(case.join("exit-code")).unwrap_or_default();
        if text != expected || code.to_string() != expected_code.trim() {
            failures.push(format!(
                "{name}: exit {code} (expected {})\n--- expected\n{expected}\n--- got\n{text}",
                expected_code.trim()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The verdicts the set is there to pin, so that a regenerated snapshot cannot quietly turn an
/// error into a note: (case, exit code, the codes its diagnostics must show).
const VERDICTS: &[(&str, i32, &[&str])] = &[
    (
        "starting-position",
        1,
        &["error[DEPLOY_REPLACEMENT_CONFLICT]"],
    ),
    (
        "starting-position-timestamp",
        1,
        &["error[DEPLOY_REPLACEMENT_CONFLICT]"],
    ),
    ("event-source-arn", 0, &["warning[DEPLOY_REPLACEMENT]"]),
    (
        "self-managed-event-source",
        1,
        &["error[DEPLOY_REPLACEMENT_CONFLICT]"],
    ),
    ("topics", 1, &["error[DEPLOY_PROPERTY_FIXED]"]),
    ("queues", 1, &["error[DEPLOY_PROPERTY_FIXED]"]),
    ("consumer-group-id", 1, &["error[DEPLOY_PROPERTY_FIXED]"]),
    ("virtual-host", 1, &["error[DEPLOY_PROPERTY_FIXED]"]),
    (
        "consumer-stream-arn",
        0,
        &["warning[DEPLOY_REPLACEMENT]: consumer"],
    ),
    (
        "consumer-name",
        0,
        &["warning[DEPLOY_REPLACEMENT]: mapping"],
    ),
    ("renamed-function", 1, &["error[DEPLOY_MAPPING_MOVED]"]),
    ("renamed-stream", 0, &["warning[DEPLOY_MAPPING_MOVED]"]),
    ("batch-size", 0, &["note[DEPLOY_CHANGES]"]),
];

#[test]
fn the_verdicts_are_the_ones_the_set_pins() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        return; // the other test is rewriting the snapshots this one reads
    }
    for (case, code, shown) in VERDICTS {
        let dir = root().join(case);
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap_or_default();
        let exit = std::fs::read_to_string(dir.join("exit-code")).unwrap_or_default();
        assert_eq!(exit.trim(), code.to_string(), "{case}: exit code");
        for head in *shown {
            assert!(
                expected.lines().any(|l| l.starts_with(head)),
                "{case}: no {head} in\n{expected}"
            );
        }
    }
    let unchanged = root().join("unchanged/expected.txt");
    assert_eq!(
        std::fs::read_to_string(unchanged).unwrap_or_default(),
        "",
        "an unchanged service has nothing to say"
    );
}

/// A case folder copied to a scratch folder, for the tests that add files to it.
fn scratch_case(case: &str, name: &str) -> PathBuf {
    let dir = common::scratch(name);
    for file in ["serverless.yml", "previous.json"] {
        std::fs::copy(root().join(case).join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn the_deployed_template_can_come_on_standard_input() {
    use std::io::Write;
    let case = root().join("starting-position");
    let mut child = common::bin()
        .current_dir(&case)
        .args(["validate", "--previous", "-", "--color", "never"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let previous = std::fs::read(case.join("previous.json")).unwrap();
    child.stdin.take().unwrap().write_all(&previous).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.starts_with("error[DEPLOY_REPLACEMENT_CONFLICT]"),
        "{text}"
    );
    assert!(text.contains("(deployed in <stdin>)"), "{text}");
}

#[test]
fn usage_errors_of_previous_exit_2() {
    let dir = scratch_case("starting-position", "usage");
    // Standard input once.
    let out = run_in(&dir, &["validate", "--config", "-", "--previous", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("STDIN_READ_TWICE"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("--config and --previous"),
        "{}",
        stderr(&out)
    );
    // One deployed template is one stack's: not for several services at once.
    let out = run_in(
        &dir,
        &[
            "validate",
            "serverless.yml",
            "serverless.yml",
            "--previous",
            "previous.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // The template never replaces the deployed one it was compared with.
    let out = run_in(
        &dir,
        &[
            "package",
            "--previous",
            "previous.json",
            "--output",
            "previous.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("OUTPUT_OVERWRITES_INPUT"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::read_to_string(dir.join("previous.json"))
        .unwrap()
        .contains("TRIM_HORIZON"));
}

#[test]
fn what_cannot_be_a_deployed_template_is_refused() {
    let dir = scratch_case("unchanged", "unreadable");
    std::fs::create_dir(dir.join("folder")).unwrap();
    for (previous, code) in [
        ("/dev/zero", "PREVIOUS_TEMPLATE_UNREADABLE"),
        ("folder", "PREVIOUS_TEMPLATE_UNREADABLE"),
        ("serverless.yml", "PREVIOUS_TEMPLATE_INVALID"),
    ] {
        let out = run_in(
            &dir,
            &["validate", "--previous", previous, "--format", "json"],
        );
        assert_eq!(out.status.code(), Some(1), "{previous}: {}", stderr(&out));
        let entries: serde_json::Value = serde_json::from_str(&stderr(&out)).unwrap();
        let codes: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert_eq!(codes, [code], "{previous}");
    }
}

#[test]
fn notes_and_warnings_keep_the_template_and_machine_formats_carry_them() {
    let dir = root().join("batch-size");
    let out = run_in(
        &dir,
        &[
            "package",
            "--previous",
            "get-template.yml",
            "--format",
            "json",
            "--output",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let entries: serde_json::Value = serde_json::from_str(&stderr(&out)).unwrap();
    assert_eq!(entries[0]["code"], "DEPLOY_CHANGES");
    assert_eq!(entries[0]["severity"], "note");
    assert_eq!(entries[0]["file"], "serverless.yml");
    assert_eq!(entries[0]["line"], 14);
    let template: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        template["Resources"]["WorkerEventSourceMappingKinesisOrders"]["Properties"]["BatchSize"],
        50
    );
}

/// Every valid service of the compatibility corpus, compared with its own template, has nothing
/// to say: no hazard and no change comes from the comparison itself.
#[test]
fn a_service_compared_with_its_own_template_is_silent() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/cases");
    let mut checked = 0;
    let mut noisy = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("tests/compat/cases")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists() && p.join("expected.json").exists())
        .collect();
    cases.sort();
    let dir = common::scratch("corpus");
    for case in cases {
        let previous = dir.join("previous.json");
        let packaged = run_in(&case, &["package", "--output", previous.to_str().unwrap()]);
        if !packaged.status.success() {
            continue;
        }
        let out = run_in(
            &case,
            &[
                "validate",
                "--previous",
                previous.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        let entries: serde_json::Value = serde_json::from_str(&stderr(&out)).unwrap_or_default();
        let ours: Vec<String> = entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["code"].as_str())
            .filter(|c| c.starts_with("DEPLOY_") || c.starts_with("PREVIOUS_"))
            .map(str::to_string)
            .collect();
        if !ours.is_empty() {
            noisy.push(format!("{}: {ours:?}", case.display()));
        }
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} corpus cases were compared");
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
}
