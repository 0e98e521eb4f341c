//! The machine formats of `--format` (issue 16): `json` is always one parseable JSON document on
//! standard error (`[]` when there is nothing to say, the notes as entries, the IAM report in an
//! object with `--iam-report`), `github` prints workflow commands, `sarif` a SARIF 2.1.0 log
//! that the schema shipped in `tests/schemas/sarif-2.1.0.json` accepts, `gitlab` a GitLab code
//! quality report.

use serde_json::Value;
use std::path::Path;
use std::process::Output;
mod common;
use common::{run_in, scratch, stderr};

/// Compiles cleanly: nothing to say.
const CLEAN: &str = "service: orders
provider:
  name: aws
  runtime: nodejs22.x
functions:
  worker:
    handler: handler.worker
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
";

/// Compiles, with a note (an `http` event left out) and nothing else.
const WITH_NOTE: &str = "service: orders
provider:
  name: aws
  runtime: nodejs22.x
functions:
  worker:
    handler: handler.worker
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
      - http: GET /
";

/// An error (line 14), a warning (line 10) and a note.
const MIXED: &str = "service: orders
provider:
  name: aws
  runtime: nodejs22.x
functions:
  worker:
    handler: handler.worker
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
          batchSiz: 5
      - http: GET /
  other:
    handler: handler.other
    events:
      - kafka:
          topic: t
";

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|e| panic!("one JSON document on stderr ({e}):\n{}", stderr(output)))
}

#[test]
fn json_is_an_empty_array_when_there_is_nothing_to_say() {
    let dir = scratch("clean");
    std::fs::write(dir.join("serverless.yml"), CLEAN).unwrap();
    for command in ["validate", "package"] {
        let out = run_in(&dir, &[command, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stderr(&out), "[]\n", "{command}");
    }
}

#[test]
fn json_notes_are_entries_and_nothing_else_is_printed() {
    let dir = scratch("note");
    std::fs::write(dir.join("serverless.yml"), WITH_NOTE).unwrap();
    let out = run_in(&dir, &["package", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let items = json(&out);
    let items = items.as_array().expect("an array");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["code"], "EVENTS_NOT_COMPILED");
    assert_eq!(items[0]["severity"], "note");
    assert!(items[0]["message"].as_str().unwrap().contains("http"));
    // The template is still on stdout, whole.
    let template: Value = serde_json::from_slice(&out.stdout).expect("a template on stdout");
    assert!(template["Resources"].is_object());
    // The human format keeps its `note:` line.
    let human = run_in(&dir, &["package", "--color", "never"]);
    assert!(
        stderr(&human).starts_with("note: events of kind http are not compiled"),
        "{}",
        stderr(&human)
    );
}

#[test]
fn json_entries_carry_their_end() {
    let dir = scratch("ends");
    std::fs::write(dir.join("serverless.yml"), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let items = json(&out);
    let items = items.as_array().expect("an array");
    let severities: Vec<&str> = items
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert!(severities.contains(&"error"), "{severities:?}");
    assert!(severities.contains(&"warning"), "{severities:?}");
    assert_eq!(severities.last(), Some(&"note"), "notes come last");
    let typo = items
        .iter()
        .find(|i| i["path"] == "functions.worker.events[0].stream.batchSiz")
        .expect("the unknown property");
    assert_eq!(
        (
            &typo["line"],
            &typo["column"],
            &typo["endLine"],
            &typo["endColumn"]
        ),
        (
            &Value::from(11),
            &Value::from(11),
            &Value::from(11),
            &Value::from(19)
        )
    );
}

#[test]
fn json_with_the_iam_report_is_one_object() {
    let dir = scratch("iam");
    std::fs::write(dir.join("serverless.yml"), WITH_NOTE).unwrap();
    let out = run_in(&dir, &["package", "--format", "json", "--iam-report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let document = json(&out);
    assert_eq!(document["diagnostics"][0]["code"], "EVENTS_NOT_COMPILED");
    let role = &document["iamReport"][0];
    assert_eq!(role["role"], "IamRoleLambdaExecution");
    assert_eq!(role["inline"]["limit"], 10240);
    assert!(role["inline"]["size"].as_u64().unwrap() > 0);
    assert!(role["inline"]["percent"].is_u64());
    assert_eq!(role["managed"], serde_json::json!([]));
    // The human report is unchanged.
    let human = run_in(&dir, &["package", "--iam-report", "--color", "never"]);
    assert!(
        stderr(&human).contains("IamRoleLambdaExecution: inline policies "),
        "{}",
        stderr(&human)
    );
}

#[test]
fn github_prints_one_workflow_command_per_diagnostic() {
    let dir = scratch("github");
    std::fs::write(dir.join("serverless.yml"), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::error file=serverless.yml,line=16,col=9,endLine=16,endColumn=14,title=INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION::"
        )),
        "{text}"
    );
    assert!(
        lines.contains(
            &"::warning file=serverless.yml,line=11,col=11,endLine=11,endColumn=19,title=INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION::at functions.worker.events[0].stream: unrecognized property 'batchSiz'%0Aat: functions.worker.events[0].stream.batchSiz%0Ahelp: did you mean `batchSize`?"
        ),
        "{text}"
    );
    assert!(
        lines.contains(&"::notice title=EVENTS_NOT_COMPILED::events of kind http are not compiled by streaming-events and were left out of the template"),
        "{text}"
    );
    let clean = scratch("github-clean");
    std::fs::write(clean.join("serverless.yml"), CLEAN).unwrap();
    let out = run_in(&clean, &["validate", "--format", "github"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn github_escapes_properties_and_messages() {
    let dir = scratch("github-escapes");
    let name = "a,b:c%.yml";
    std::fs::write(dir.join(name), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "github", "--config", name]);
    let text = stderr(&out);
    assert!(
        text.contains("::error file=a%2Cb%3Ac%25.yml,line=16,"),
        "{text}"
    );
    // A usage error (no file) is a command too.
    let out = run_in(
        &dir,
        &[
            "validate",
            "--format",
            "github",
            "--config",
            "missing,file.yml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.starts_with("::error title=CONFIG_FILE_NOT_FOUND::"),
        "{text}"
    );
    assert!(!text.trim_end().contains('\n'), "one line: {text}");
}

/// The SARIF 2.1.0 schema as published (`tests/schemas/README.md` says where it comes from).
fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json");
    // The published pattern of the `language` properties has a stray `]` that a strict
    // ECMA-262 regex check refuses when the schema itself is validated; it constrains nothing we
    // write (no `language` is set), so the test reads it as intended.
    let text = std::fs::read_to_string(&path).expect("the SARIF schema");
    let erratum = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(erratum), "the erratum is gone: drop this fix");
    let schema: Value =
        serde_json::from_str(&text.replace(erratum, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#)).unwrap();
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_a_valid_sarif_2_1_0_log() {
    let dir = scratch("sarif");
    std::fs::write(dir.join("serverless.yml"), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&log);
    // The schema does reject: a run without its tool is not SARIF.
    let toolless = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(!sarif_schema().is_valid(&toolless));
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "streaming-events");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), streaming_events_diagnostics::codes::ALL.len());
    for (rule, code) in rules.iter().zip(streaming_events_diagnostics::codes::ALL) {
        assert_eq!(rule["id"], code.id);
        assert_eq!(rule["shortDescription"]["text"], code.summary);
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(
            help.ends_with(&format!("docs/errors.md#{}", code.id.to_ascii_lowercase())),
            "{help}"
        );
    }
    let results = runs[0]["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(levels.contains(&"error") && levels.contains(&"warning") && levels.contains(&"note"));
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let typo = results
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                == "functions.worker.events[0].stream.batchSiz"
        })
        .expect("the unknown property");
    let place = &typo["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "serverless.yml");
    assert_eq!(
        place["region"],
        serde_json::json!({"startLine": 11, "startColumn": 11, "endLine": 11, "endColumn": 19})
    );
}

#[test]
fn sarif_without_results_and_with_the_iam_report_is_valid() {
    let dir = scratch("sarif-clean");
    std::fs::write(dir.join("serverless.yml"), CLEAN).unwrap();
    let out = run_in(&dir, &["validate", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let out = run_in(&dir, &["package", "--format", "sarif", "--iam-report"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(
        log["runs"][0]["properties"]["iamReport"][0]["role"],
        "IamRoleLambdaExecution"
    );
    // A file name that needs escaping is a URI reference, and a usage error has no location.
    let name = "my service#1.yml";
    std::fs::write(dir.join(name), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "sarif", "--config", name]);
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20service%231.yml"
    );
    let out = run_in(
        &dir,
        &["validate", "--format", "sarif", "--config", "nope.yml"],
    );
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(
        log["runs"][0]["results"][0]["ruleId"],
        "CONFIG_FILE_NOT_FOUND"
    );
}

#[test]
fn sarif_of_several_services_is_one_valid_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pre-commit");
    let out = run_in(
        &dir,
        &[
            "validate",
            "--format",
            "sarif",
            "services/orders/serverless.yml",
            "services/billing/serverless.yaml",
            "services/missing/serverless.yml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 4);
}

/// Checks an entry against GitLab's code quality format: `description`, `check_name`,
/// `fingerprint`, `severity` (one of GitLab's five) and `location.path` + `location.lines.begin`.
fn assert_code_quality_entry(entry: &Value) {
    for key in ["description", "check_name", "fingerprint"] {
        assert!(
            entry[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {entry}"
        );
    }
    let severity = entry["severity"].as_str().unwrap();
    assert!(
        ["info", "minor", "major", "critical", "blocker"].contains(&severity),
        "{entry}"
    );
    assert!(
        entry["location"]["path"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "{entry}"
    );
    assert!(
        entry["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1),
        "{entry}"
    );
}

#[test]
fn gitlab_is_a_code_quality_report_with_stable_fingerprints() {
    let dir = scratch("gitlab");
    std::fs::write(dir.join("serverless.yml"), CLEAN).unwrap();
    let clean = run_in(&dir, &["validate", "--format", "gitlab"]);
    assert_eq!(
        (clean.status.code(), stderr(&clean).as_str()),
        (Some(0), "[]\n")
    );

    std::fs::write(dir.join("serverless.yml"), MIXED).unwrap();
    let out = run_in(&dir, &["validate", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let entries = report.as_array().expect("an array");
    assert_eq!(entries.len(), 4, "{report}");
    entries.iter().for_each(assert_code_quality_entry);
    let by_severity = |severity: &str| {
        entries
            .iter()
            .find(|e| e["severity"] == severity)
            .unwrap_or_else(|| panic!("a {severity} entry: {report}"))
    };
    // The kafka event of line 16 lacks two properties; line 11 is the misspelt `batchSiz`.
    assert_eq!(by_severity("major")["location"]["lines"]["begin"], 16);
    assert_eq!(by_severity("minor")["location"]["lines"]["begin"], 11);
    let note = by_severity("info");
    assert_eq!(note["check_name"], "EVENTS_NOT_COMPILED");
    assert_eq!(note["location"]["path"], "serverless.yml");
    let fingerprints = |report: &Value| -> Vec<String> {
        report
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let first = fingerprints(&report);
    let unique: std::collections::BTreeSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len(), "{first:?}");
    assert!(first
        .iter()
        .all(|f| f.len() == 32 && f.chars().all(|c| c.is_ascii_hexdigit())));
    // Lines that move keep an issue's fingerprint (GitLab compares them across commits).
    std::fs::write(dir.join("serverless.yml"), format!("# moved\n{MIXED}")).unwrap();
    let moved = json(&run_in(&dir, &["validate", "--format", "gitlab"]));
    assert_eq!(fingerprints(&moved), first);
    assert_eq!(
        moved[0]["location"]["lines"]["begin"],
        report[0]["location"]["lines"]["begin"].as_u64().unwrap() + 1
    );
}

#[test]
fn gitlab_of_several_services_names_each_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pre-commit");
    let out = run_in(
        &dir,
        &[
            "validate",
            "--format",
            "gitlab",
            "services/orders",
            "services/billing",
            "services/missing/serverless.yml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    report
        .as_array()
        .unwrap()
        .iter()
        .for_each(assert_code_quality_entry);
    let paths: std::collections::BTreeSet<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "services/billing/serverless.yaml",
            "services/missing/serverless.yml",
            "services/orders/serverless.yml"
        ]
        .into()
    );
}
