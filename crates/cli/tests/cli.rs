//! The command-line contract, run against the built binary: commands, flags, exit codes,
//! stdout vs `--output`, and the bad inputs of the foundation issue.

use serde_json::Value;
use std::path::{Path, PathBuf};
mod common;
use common::{bin, run_in, scratch, stderr};

const SERVICE: &str = "service: orders
provider:
  name: aws
  runtime: nodejs24.x
  stage: qa
functions:
  worker:
    handler: handler.worker
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
      - http: GET /
";

const INVALID: &str = "service: orders
provider:
  name: aws
functions:
  worker:
    handler: h
    events:
      - kafka:
          topic: t
";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/serverless.yml")
}

#[test]
fn help_and_version_exit_zero_usage_errors_exit_two() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["package", "--help"],
        &["validate", "--help"],
        &["schema", "--help"],
    ] {
        assert_eq!(
            bin().args(args).output().unwrap().status.code(),
            Some(0),
            "{args:?}"
        );
    }
    for args in [
        &[][..],
        &["frobnicate"],
        &["package", "--no-such-flag"],
        &["package", "--param", "novalue"],
        &["package", "--format", "xml"],
    ] {
        assert_eq!(
            bin().args(args).output().unwrap().status.code(),
            Some(2),
            "{args:?}"
        );
    }
}

#[test]
fn package_writes_to_stdout_dash_or_file_identically() {
    let dir = scratch("outputs");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    let stdout = run_in(&dir, &["package"]);
    assert_eq!(stdout.status.code(), Some(0), "{}", stderr(&stdout));
    let dash = run_in(&dir, &["package", "--output", "-"]);
    let file = run_in(&dir, &["package", "--output", "out/template.json"]);
    assert_eq!(
        file.status.code(),
        Some(1),
        "a missing output folder is an error"
    );
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let file = run_in(&dir, &["package", "--output", "out/template.json"]);
    assert_eq!(file.status.code(), Some(0));
    assert!(file.stdout.is_empty());
    let written = std::fs::read(dir.join("out/template.json")).unwrap();
    assert_eq!(stdout.stdout, dash.stdout);
    assert_eq!(
        stdout.stdout, written,
        "same template wherever it goes, byte for byte"
    );
    // JSON.stringify(template, null, 2): parse and print again gives the same text.
    let template: Value = serde_json::from_slice(&written).unwrap();
    let reprinted = serde_json::to_string_pretty(&template).unwrap() + "\n";
    assert_eq!(String::from_utf8(written).unwrap(), reprinted);
    // provider.stage is used when --stage is absent; --stage wins when given.
    assert_eq!(
        template["Resources"]["WorkerLambdaFunction"]["Properties"]["FunctionName"],
        "orders-qa-worker"
    );
    let staged = run_in(&dir, &["package", "--stage", "prod"]);
    let staged: Value = serde_json::from_slice(&staged.stdout).unwrap();
    assert_eq!(
        staged["Resources"]["WorkerLambdaFunction"]["Properties"]["FunctionName"],
        "orders-prod-worker"
    );
    // The event kinds left alone are named on one stderr line.
    assert!(stderr(&stdout).contains("http"), "{}", stderr(&stdout));
}

#[test]
fn output_is_deterministic() {
    let first = bin()
        .args(["package", "--config"])
        .arg(example())
        .output()
        .unwrap();
    let second = bin()
        .args(["package", "--config"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn invalid_service_exits_one_and_leaves_output_untouched() {
    let dir = scratch("invalid");
    std::fs::write(dir.join("serverless.yml"), INVALID).unwrap();
    std::fs::write(dir.join("template.json"), "previous").unwrap();
    let out = run_in(
        &dir,
        &["package", "--output", "template.json", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.join("template.json")).unwrap(),
        "previous"
    );
    let text = stderr(&out);
    assert!(
        text.contains("error[INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION]"),
        "{text}"
    );
    assert!(text.contains("--> serverless.yml:8:9"), "{text}");
    assert!(
        text.contains("bootstrapServers") && text.contains("accessConfigurations"),
        "every problem is reported: {text}"
    );
    let fresh = run_in(&dir, &["package", "--output", "new.json"]);
    assert_eq!(fresh.status.code(), Some(1));
    assert!(!dir.join("new.json").exists());
    assert_eq!(run_in(&dir, &["validate"]).status.code(), Some(1));
}

#[test]
fn validate_checks_without_writing() {
    let dir = scratch("validate");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    let out = run_in(&dir, &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn config_discovery_and_json_services() {
    let dir = scratch("discovery");
    let none = run_in(&dir, &["package"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("CONFIG_FILE_NOT_FOUND"));
    let json = r#"{"service": "j", "provider": {"name": "aws"}, "functions": {"f": {"handler": "h", "events": [{"stream": "arn:aws:dynamodb:us-east-1:1:table/T/stream/x"}]}}}"#;
    std::fs::write(dir.join("serverless.json"), json).unwrap();
    let out = run_in(&dir, &["package"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let template: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(template["Resources"]["FEventSourceMappingDynamodbT"].is_object());
}

#[test]
fn diagnostics_as_json_and_in_colour() {
    let dir = scratch("formats");
    std::fs::write(dir.join("serverless.yml"), INVALID).unwrap();
    let out = run_in(&dir, &["validate", "--format", "json"]);
    let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
    let first = &items[0];
    for key in [
        "code", "severity", "message", "file", "line", "column", "path", "help",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(first["file"], "serverless.yml");
    assert_eq!(first["line"], 8);
    let coloured = run_in(&dir, &["validate", "--color", "always"]);
    assert!(stderr(&coloured).contains("\x1b["));
    let plain = run_in(&dir, &["validate", "--color", "never"]);
    assert!(!stderr(&plain).contains("\x1b["));
    let no_color = bin()
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .args(["validate"])
        .output()
        .unwrap();
    assert!(!stderr(&no_color).contains("\x1b["));
}

#[test]
fn warn_mode_reports_and_still_compiles() {
    let dir = scratch("warn");
    let service = "service: w\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    events:\n      - stream:\n          arn: arn:aws:kinesis:us-east-1:1:stream/s\n          batchSiz: 5\n";
    std::fs::write(dir.join("serverless.yml"), service).unwrap();
    let out = run_in(&dir, &["package", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stderr(&out);
    assert!(
        text.contains("warning[INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION]"),
        "{text}"
    );
    assert!(text.contains("did you mean `batchSize`?"), "{text}");
    let strict = run_in(&dir, &["package", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn merge_mode_extends_an_existing_template() {
    let dir = scratch("merge");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    let base = run_in(&dir, &["package"]);
    let mut template: Value = serde_json::from_slice(&base.stdout).unwrap();
    let resources = template["Resources"].as_object_mut().unwrap();
    resources.retain(|_, r| r["Type"] != "AWS::Lambda::EventSourceMapping");
    let statements = resources["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array_mut()
        .unwrap();
    statements.retain(|s| {
        s["Action"][0]
            .as_str()
            .is_some_and(|a| a.starts_with("logs:"))
    });
    std::fs::write(
        dir.join("existing.json"),
        serde_json::to_string(&template).unwrap(),
    )
    .unwrap();
    let merged = run_in(&dir, &["package", "--template", "existing.json"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert!(merged["Resources"]["WorkerEventSourceMappingKinesisClicks"].is_object());
    let statements = merged["Resources"]["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .to_string();
    assert!(statements.contains("kinesis:GetRecords"));
    let broken = run_in(&dir, &["package", "--template", "serverless.yml.missing"]);
    assert_eq!(broken.status.code(), Some(1));
}

#[test]
fn schema_command_prints_a_json_schema() {
    let out = bin().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    for kind in ["stream", "kafka", "msk", "activemq", "rabbitmq"] {
        assert!(schema["definitions"][kind].is_object(), "{kind}");
    }
    // Editors read it for the whole file: top level, provider, functions and their events.
    assert_eq!(
        schema["required"],
        serde_json::json!(["service", "provider"])
    );
    // (each through `anyOf`, beside a `${…}` variable)
    let provider = schema["properties"]["provider"]["anyOf"].to_string();
    assert!(
        provider.contains("\"#/definitions/provider\""),
        "{provider}"
    );
    assert!(
        provider.contains("\"#/definitions/variable\""),
        "{provider}"
    );
    let events = schema["definitions"]["function"]["properties"]["events"].to_string();
    assert!(
        events.contains("\"items\":{\"$ref\":\"#/definitions/event\"}"),
        "{events}"
    );
    // What the validator coerces is accepted: "250" for a number, a scalar for a list, null.
    let batch_size = &schema["definitions"]["kafka"]["properties"]["batchSize"];
    let text = batch_size.to_string();
    assert!(text.contains("\"maximum\":10000"), "{text}");
    assert!(
        text.contains("\"type\":\"string\"") && text.contains("\"type\":\"null\""),
        "{text}"
    );
}

#[test]
fn bad_inputs_exit_one_with_a_located_message() {
    let dir = scratch("bad");
    let deep = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not-yaml.yml", b"service: [unclosed\n".to_vec(), "YAML_SYNTAX_ERROR"),
        ("empty.yml", Vec::new(), "CONFIG_FILE_EMPTY"),
        ("garbage.yml", garbage, "CONFIG_FILE_UNREADABLE"),
        ("google.yml", b"service: s\nprovider:\n  name: google\n".to_vec(), "PROVIDER_NAME_INVALID"),
        ("list.yml", b"service: s\nprovider:\n  name: aws\nfunctions:\n  - f\n".to_vec(), "LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT"),
        ("string-functions.yml", b"service: s\nprovider:\n  name: aws\nfunctions: abc\n".to_vec(), "NON_OBJECT_FUNCTIONS_CONFIGURATION"),
        ("number.yml", b"service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    events:\n      - 5\n".to_vec(), "FUNCTION_EVENT_INVALID"),
        ("deep.yml", deep.into_bytes(), "YAML_TOO_DEEP"),
        ("bomb.yml", bomb.into_bytes(), "YAML_ALIAS_BOMB"),
        ("object-service.yml", b"service:\n  name: s\nprovider:\n  name: aws\n".to_vec(), "SERVICE_OBJECT_NOTATION"),
        ("no-service.yml", b"provider:\n  name: aws\n".to_vec(), "SERVICE_NAME_MISSING"),
        ("null-event.yml", b"service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    events:\n      - kafka:\n".to_vec(), "FUNCTION_EVENT_INVALID"),
        ("extension.yml", b"service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\nresources:\n  extensions:\n    FLambdaFunction:\n      Type: AWS::SQS::Queue\n".to_vec(), "RESOURCE_EXTENSION_UNSUPPORTED_ATTRIBUTE"),
        ("events-map.yml", b"service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    events:\n      stream: x\n".to_vec(), "FUNCTION_EVENTS_INVALID"),
    ];
    for (name, content, code) in cases {
        std::fs::write(dir.join(name), content).unwrap();
        let out = run_in(&dir, &["package", "--config", name, "--color", "never"]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(text.contains(code), "{name}: expected {code} in {text}");
        if !matches!(code, "CONFIG_FILE_UNREADABLE") {
            assert!(
                text.contains(&format!("--> {name}:")),
                "{name} has a location: {text}"
            );
        }
    }
    let missing = run_in(&dir, &["package", "--config", "missing.yml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("CONFIG_FILE_NOT_FOUND"));
    std::fs::create_dir_all(dir.join("a-directory")).unwrap();
    let directory = run_in(&dir, &["package", "--config", "a-directory"]);
    assert_eq!(directory.status.code(), Some(1));
    assert!(stderr(&directory).contains("CONFIG_FILE_UNREADABLE"));
}

#[test]
fn a_fifty_megabyte_file_is_refused_quickly() {
    let dir = scratch("huge");
    let path = dir.join("huge.yml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let out = run_in(&dir, &["package", "--config", "huge.yml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("CONFIG_FILE_TOO_LARGE"));
}

/// The binary on mutated corpus services: exit 0 with a template, or 1 with a diagnostic.
#[test]
fn mutated_services_exit_zero_or_one_with_a_diagnostic() {
    let dir = scratch("mutations");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/cases");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&cases)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    const GARBAGE: [&str; 6] = ["\t", ": ", "- x\n", "!GetAtt ", "${self:", "[{"];
    let mut runs = 0;
    for (i, case) in names.iter().enumerate().step_by(7) {
        let Ok(text) = std::fs::read_to_string(case.join("serverless.yml")) else {
            continue;
        };
        for (j, garbage) in GARBAGE.iter().enumerate() {
            let mut at = (i * 131 + j * 977) % text.len().max(1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mutated = format!("{}{garbage}{}", &text[..at], &text[at..]);
            std::fs::write(dir.join("serverless.yml"), &mutated).unwrap();
            let out = run_in(&dir, &["package", "--color", "never"]);
            runs += 1;
            match out.status.code() {
                Some(0) => assert!(
                    serde_json::from_slice::<Value>(&out.stdout).is_ok(),
                    "{mutated}"
                ),
                Some(1) => assert!(
                    stderr(&out).contains("error["),
                    "no diagnostic for:\n{mutated}"
                ),
                other => panic!("exit {other:?} for:\n{mutated}\n{}", stderr(&out)),
            }
        }
    }
    assert!(runs >= 100);
}

#[test]
fn unresolved_references_are_errors_at_the_value_that_wrote_them() {
    let dir = scratch("references");
    let service = "service: r\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    role: MissingRole\n    events:\n      - stream: arn:aws:kinesis:us-east-1:1:stream/s\n";
    std::fs::write(dir.join("serverless.yml"), service).unwrap();
    let out = run_in(&dir, &["package", "--color", "never"]);
    // Issue 14: a complete template that refers to nothing is an error (a warning before).
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("error[TEMPLATE_REFERENCE_UNRESOLVED]") && text.contains("MissingRole"),
        "{text}"
    );
    assert!(text.contains("--> serverless.yml:7:11"), "{text}");
    assert!(text.contains("= at: functions.f.role\n"), "{text}");
}

#[test]
fn handler_or_image_as_the_reference_requires() {
    let dir = scratch("handler");
    let base = "service: h\nprovider:\n  name: aws\nfunctions:\n  f:\n";
    std::fs::write(
        dir.join("serverless.yml"),
        format!("{base}    events: []\n"),
    )
    .unwrap();
    let out = run_in(&dir, &["package"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("FUNCTION_NEITHER_HANDLER_NOR_IMAGE_DEFINED_ERROR"));
    let uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc";
    std::fs::write(
        dir.join("serverless.yml"),
        format!("{base}    image: {uri}\n"),
    )
    .unwrap();
    let out = run_in(&dir, &["package"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let template: Value = serde_json::from_slice(&out.stdout).unwrap();
    let properties = &template["Resources"]["FLambdaFunction"]["Properties"];
    assert_eq!(properties["Code"], serde_json::json!({"ImageUri": uri}));
    assert_eq!(properties["PackageType"], "Image");
    assert!(properties.get("Handler").is_none());
    std::fs::write(
        dir.join("serverless.yml"),
        format!("{base}    image: appimage\n"),
    )
    .unwrap();
    assert!(stderr(&run_in(&dir, &["package"])).contains("FUNCTION_IMAGE_UNSUPPORTED"));
}

/// One function with every kind of event compiles in one run, and every reference resolves.
#[test]
fn one_function_with_all_five_kinds() {
    let service = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/services/all-kinds-one-function/serverless.yml");
    let out = bin()
        .args(["package", "--color", "never", "--config"])
        .arg(&service)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let template: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mappings: Vec<&String> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::EventSourceMapping")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(mappings.len(), 6, "{mappings:?}");
    for kind in [
        "Dynamodb", "Kinesis", "Kafka", "MSK", "ActiveMQ", "RabbitMQ",
    ] {
        assert!(
            mappings
                .iter()
                .any(|id| id.contains(&format!("EventSourceMapping{kind}"))),
            "{kind}"
        );
    }
}

/// One run reports every problem: a failed variable makes only its value unknown, so the schema
/// error elsewhere and the compiler's error on another event are still found.
#[test]
fn one_run_reports_a_variable_a_schema_and_a_compiler_error() {
    let dir = scratch("one-channel");
    std::fs::write(
        dir.join("serverless.yml"),
        "service: orders
configValidationMode: error
provider:
  name: aws
  runtime: nodejs20.x
functions:
  reader:
    handler: h.reader
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
          batchSize: ${self:custom.missingSize}
  table:
    handler: h.table
    events:
      - stream:
          arn: arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000
          startingPosition: AT_TIMESTAMP
          startingPositionTimestamp: 1700000000
  consumer:
    handler: h.consumer
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: 20000
",
    )
    .unwrap();
    let out = run_in(&dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
    let found: Vec<(String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        (
            "VARIABLE_NOT_RESOLVED",
            "functions.reader.events[0].stream.batchSize",
        ),
        (
            "FUNCTION_STREAM_STARTING_POSITION_UNSUPPORTED",
            "functions.table.events[0].stream.startingPosition",
        ),
        (
            "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION",
            "functions.consumer.events[0].sqs.batchSize",
        ),
    ];
    for (code, path) in expected {
        assert!(
            found.iter().any(|(c, p)| c == code && p == path),
            "{code} at {path} missing from {found:?}"
        );
    }
    // Nothing is said about the unknown batch size beyond its variable.
    assert_eq!(found.len(), 3, "{found:?}");
}

/// D19: a value AWS refuses is an error in every validation mode, `off` included; what AWS
/// accepts (an unknown property, a falsy value the compilers do not emit) follows the mode.
#[test]
fn values_aws_refuses_are_errors_in_every_mode() {
    for mode in ["warn", "off"] {
        let dir = scratch(&format!("d19-{mode}"));
        std::fs::write(
            dir.join("serverless.yml"),
            format!(
                "service: orders
configValidationMode: {mode}
provider:
  name: aws
  runtime: nodejs20.x
functions:
  reader:
    handler: h.reader
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
          batchSize: 10001
          parallelizationFactor: 11
          bisectBatchOnFailure: true
      - msk:
          arn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc
          topic: orders
          batchSize: 20000
      - kafka:
          topic: orders
          bootstrapServers: [b:9092]
          accessConfigurations: {{saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:x}}
          batchSize: 0
"
            ),
        )
        .unwrap();
        let out = run_in(&dir, &["validate", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", stderr(&out));
        let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
        let errors: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .filter_map(|d| d["path"].as_str())
            .collect();
        assert_eq!(
            errors,
            [
                "functions.reader.events[0].stream.batchSize",
                "functions.reader.events[0].stream.parallelizationFactor",
                "functions.reader.events[1].msk.batchSize",
            ],
            "{mode}"
        );
        let warnings = items
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "warning")
            .count();
        // The unknown property and the falsy batch size are warnings in `warn`, silent in `off`.
        assert_eq!(warnings, if mode == "warn" { 2 } else { 0 }, "{mode}");
    }
}

/// D22: Kinesis and Amazon MQ filter only on `data`, Kafka and MSK only on `value`; DynamoDB keeps
/// its metadata keys. Other top-level keys are warned about, naming the right key.
#[test]
fn filter_keys_the_source_cannot_filter_on_are_warned_about() {
    let dir = scratch("filter-keys");
    std::fs::write(
        dir.join("serverless.yml"),
        "service: orders
provider:
  name: aws
  runtime: nodejs20.x
functions:
  reader:
    handler: h.reader
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
          filterPatterns:
            - partitionKey: [p1]
            - data: {kind: [order]}
      - stream:
          arn: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024
          filterPatterns:
            - eventName: [INSERT]
      - kafka:
          topic: orders
          bootstrapServers: [b:9092]
          accessConfigurations: {saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:x}
          filterPatterns:
            - topic: [orders]
",
    )
    .unwrap();
    let out = run_in(&dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
    let warnings: Vec<(String, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "FILTER_PATTERN_KEY_UNEXPECTED")
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(
        warnings[0].0,
        "functions.reader.events[0].stream.filterPatterns[0].partitionKey"
    );
    assert!(
        warnings[0].1.contains("only on `data`"),
        "{}",
        warnings[0].1
    );
    assert_eq!(
        warnings[1].0,
        "functions.reader.events[2].kafka.filterPatterns[0].topic"
    );
    assert!(
        warnings[1].1.contains("only on `value`"),
        "{}",
        warnings[1].1
    );
}

/// A function with its own role is told what every event source needs, its queues included.
#[test]
fn custom_role_warning_lists_every_event_kinds_needs() {
    let dir = scratch("custom-role-sqs");
    std::fs::write(
        dir.join("serverless.yml"),
        "service: orders
provider:
  name: aws
  runtime: nodejs20.x
functions:
  worker:
    handler: h.worker
    role: arn:aws:iam::123456789012:role/own
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
  queue:
    handler: h.queue
    role: arn:aws:iam::123456789012:role/queue-only
    events:
      - sqs: {arn: arn:aws:sqs:us-east-1:123456789012:other}
",
    )
    .unwrap();
    let out = run_in(&dir, &["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
    let messages: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "IAM_CUSTOM_ROLE_NEEDS")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("kinesis:GetRecords") && messages[0].contains("sqs:ReceiveMessage")
    );
    assert!(messages[0].contains("stream/clicks") && messages[0].contains(":jobs"));
    assert!(messages[1].contains("sqs:DeleteMessage") && messages[1].contains(":other"));
}

/// A stream's on-failure ARN must name a queue, a topic or a bucket (the reference grants
/// `sqs:SendMessage` on anything else); S3 buckets are accepted since issue 15.
#[test]
fn a_stream_destination_that_is_not_sqs_sns_or_s3_is_an_error() {
    for destination in [
        "arn:aws:lambda:us-east-1:123456789012:function:on-failure",
        "{arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default'}",
    ] {
        let dir = scratch("stream-destination");
        std::fs::write(
            dir.join("serverless.yml"),
            format!(
                "service: orders
provider:
  name: aws
  runtime: nodejs20.x
functions:
  worker:
    handler: h.worker
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
          destinations:
            onFailure: {destination}
"
            ),
        )
        .unwrap();
        let out = run_in(&dir, &["package", "--strict", "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{destination}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "no template for {destination}");
        let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
        assert_eq!(
            items[0]["code"], "FUNCTION_STREAM_DESTINATION_UNSUPPORTED",
            "{destination}"
        );
        assert_eq!(
            items[0]["path"],
            "functions.worker.events[0].stream.destinations.onFailure"
        );
    }
}

/// No runtime: the reference's default stays in the template (ids and properties unchanged), with
/// a warning that AWS refuses it.
#[test]
fn the_default_runtime_is_kept_with_a_warning() {
    let dir = scratch("default-runtime");
    std::fs::write(
        dir.join("serverless.yml"),
        "service: orders
provider:
  name: aws
functions:
  worker:
    handler: h.worker
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
  pinned:
    handler: h.pinned
    runtime: python3.12
",
    )
    .unwrap();
    let out = run_in(&dir, &["package", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let template: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        template["Resources"]["WorkerLambdaFunction"]["Properties"]["Runtime"],
        "nodejs16.x"
    );
    let items: Value = serde_json::from_slice(&out.stderr).expect("a JSON array on stderr");
    let warning = &items[0];
    assert_eq!(warning["code"], "RUNTIME_DEFAULT_UNSUPPORTED");
    assert_eq!(warning["severity"], "warning");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("'worker'") && !message.contains("'pinned'"),
        "{message}"
    );
}

/// `FORCE_COLOR` and `CLICOLOR_FORCE` colour the human format when stderr is not a terminal;
/// `NO_COLOR` wins over them; `--color never` over everything.
#[test]
fn force_color_and_clicolor_force_are_honoured_beside_no_color() {
    let dir = scratch("force-color");
    std::fs::write(dir.join("serverless.yml"), INVALID).unwrap();
    let colour = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut command = bin();
        command.current_dir(&dir).arg("validate").args(extra);
        for name in ["FORCE_COLOR", "CLICOLOR_FORCE", "NO_COLOR", "CLICOLOR"] {
            command.env_remove(name);
        }
        for (name, value) in vars {
            command.env(name, value);
        }
        let out = command.output().expect("the binary runs");
        stderr(&out).contains("\u{1b}[")
    };
    assert!(!colour(&[], &[]));
    assert!(colour(&[("FORCE_COLOR", "1")], &[]));
    assert!(colour(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!colour(&[("FORCE_COLOR", "0")], &[]));
    assert!(!colour(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!colour(&[("FORCE_COLOR", "1")], &["--color", "never"]));
    // anstream's rules: CLICOLOR_FORCE beats CLICOLOR=0, NO_COLOR beats CLICOLOR_FORCE.
    assert!(colour(&[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")], &[]));
    assert!(!colour(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]));
    assert!(colour(&[("NO_COLOR", "1")], &["--color", "always"]));
}
