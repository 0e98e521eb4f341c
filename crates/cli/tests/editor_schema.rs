//! `streaming-events schema`, the JSON Schema editors use, held to what the validator says:
//! every service of the repository (the example, the fixtures, the corpus) is checked both ways,
//! and the schema accepts a service exactly when `validate` finds no schema problem in the
//! service file's own text (a problem in a value a `${…}` variable gives, or in an included
//! file, is not the file's: the schema accepts a variable wherever a value can go). Also: every
//! property has a description, and every enum a description per value.

mod common;

use common::{bin, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn exported() -> Value {
    let out = bin().arg("schema").output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

#[test]
fn the_schema_names_itself_and_compiles() {
    let schema = exported();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let id = schema["$id"].as_str().expect("an $id");
    assert!(id.ends_with(env!("CARGO_PKG_VERSION")), "{id}");
    jsonschema::draft7::new(&schema).expect("the schema compiles as draft-07");
}

/// Every place below `node` where a property is defined, with its path, and every enum.
fn walk(
    node: &Value,
    path: &str,
    properties: &mut Vec<(String, Value)>,
    enums: &mut Vec<(String, Value)>,
) {
    match node {
        Value::Object(map) => {
            if map.contains_key("enum") {
                enums.push((path.to_string(), node.clone()));
            }
            for (key, value) in map {
                if key == "properties" {
                    for (name, property) in value.as_object().unwrap() {
                        let here = format!("{path}.{name}");
                        properties.push((here.clone(), property.clone()));
                        walk(property, &here, properties, enums);
                    }
                } else if key == "definitions" {
                    for (name, definition) in value.as_object().unwrap() {
                        walk(definition, &format!("#{name}"), properties, enums);
                    }
                } else {
                    walk(value, path, properties, enums);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, path, properties, enums);
            }
        }
        _ => {}
    }
}

/// A property without a description is reported with its place: `#kafka.topic` is the
/// `topic` property of the `kafka` definition. Its line goes into the table next to its schema
/// (the kind's `DOCS`, `schema/defs.rs`'s `MAPPING_DOCS`, or `schema/service_docs.rs`).
#[test]
fn every_property_and_every_enum_value_is_described() {
    let schema = exported();
    let (mut properties, mut enums) = (Vec::new(), Vec::new());
    walk(&schema, "", &mut properties, &mut enums);
    assert!(properties.len() > 250, "{} properties", properties.len());
    let undescribed: Vec<&str> = properties
        .iter()
        .filter(|(_, p)| {
            let text = |key: &str| p[key].as_str().is_some_and(|t| t.len() > 10);
            !(text("description") && text("markdownDescription"))
        })
        .map(|(path, _)| path.as_str())
        .collect();
    assert!(
        undescribed.is_empty(),
        "properties without a description: {undescribed:#?}"
    );
    let bare: Vec<String> = enums
        .iter()
        .filter(|(_, e)| {
            let count = e["enum"].as_array().unwrap().len();
            ["enumDescriptions", "markdownEnumDescriptions"]
                .iter()
                .any(|key| e[*key].as_array().map(Vec::len) != Some(count))
        })
        .map(|(path, e)| format!("{path}: {}", e["enum"]))
        .collect();
    assert!(
        bare.is_empty(),
        "enums without a description per value: {bare:#?}"
    );
    // What a description says: a kind's property names its CloudFormation property and default.
    let batch = &schema["definitions"]["kafka"]["properties"]["batchSize"];
    let text = batch["description"].as_str().unwrap();
    assert!(
        text.contains("BatchSize") && text.contains("Default:"),
        "{text}"
    );
}

/// Every service file under `dir` (`serverless.yml`, `serverless.yaml`).
fn services_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            services_under(&path, out);
        } else if matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("serverless.yml" | "serverless.yaml")
        ) {
            out.push(path);
        }
    }
}

/// The value at a diagnostic's config path (`functions.f.events[0].kafka.topic`), as far as the
/// document has it: whether a `${…}` string is on the way (then the value is a variable's).
fn through_variable(document: &Value, path: &str) -> bool {
    let mut node = document;
    let steps = path.split('.').flat_map(|part| {
        let mut pieces = part.split('[');
        let key = pieces.next().unwrap_or_default().to_string();
        std::iter::once(key).chain(pieces.map(|i| i.trim_end_matches(']').to_string()))
    });
    for step in steps {
        if node.as_str().is_some_and(|s| s.contains("${")) {
            return true;
        }
        let next = match node {
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) => map.get(&step),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    node.as_str().is_some_and(|s| s.contains("${"))
}

/// Schema problems that come from a compiler's cross-property `check` rather than from a
/// schema, which the export cannot say: the exported schema accepts them.
const COMPILER_RULES: &[&str] = &["when arn is an intrinsic function"];

/// What `validate` says of the file: its exit code, and the schema problems in the file's own
/// text (the schema code, this file, a config path that meets no variable).
fn verdict(file: &Path, document: &Value) -> Option<(i32, Vec<String>)> {
    let folder = file.parent().unwrap();
    let name = file.file_name().unwrap().to_str().unwrap();
    let out = bin()
        .current_dir(folder)
        .args(["validate", "--format", "json", "--config", name])
        .output()
        .expect("the binary runs");
    let entries: Value = serde_json::from_slice(&out.stderr).ok()?;
    let problems = entries
        .as_array()?
        .iter()
        .filter(|e| e["code"] == "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION")
        .filter(|e| e["file"] == name)
        .filter(|e| !through_variable(document, e["path"].as_str().unwrap_or_default()))
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .filter(|m| !COMPILER_RULES.iter().any(|rule| m.contains(rule)))
        .collect();
    Some((out.status.code()?, problems))
}

#[test]
fn the_schema_accepts_what_the_validator_accepts_and_refuses_what_it_refuses() {
    let schema = exported();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let mut files = vec![root().join("examples/serverless.yml")];
    services_under(&root().join("tests/fixtures"), &mut files);
    services_under(&root().join("tests/compat/cases"), &mut files);
    assert!(files.len() > 300, "{} services", files.len());
    let (mut accepted, mut refused, mut wrong) = (0, 0, Vec::new());
    for file in &files {
        // A file that is not UTF-8 text, or that the loader refuses, has no document to check.
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(node) = streaming_events_yaml::load(&text, 0) else {
            continue;
        };
        let document = node.to_json();
        let Some((code, problems)) = verdict(file, &document) else {
            continue;
        };
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(3)
            .collect();
        let shown = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        // A service `validate` accepts must pass; one with a schema problem of its own must
        // fail; one refused for something else (a shape the schema may or may not see, a
        // compiler's check) is not a claim either way.
        match (code, problems.is_empty(), errors.is_empty()) {
            (0, true, true) => accepted += 1,
            (_, false, false) => refused += 1,
            (0, true, false) => {
                wrong.push(format!("{shown}: valid, but the schema says {errors:?}"))
            }
            (_, false, true) => wrong.push(format!("{shown}: the schema accepts {problems:?}")),
            _ => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        files.len(),
        wrong.join("\n")
    );
    assert!(
        accepted > 200 && refused > 20,
        "{accepted} accepted, {refused} refused"
    );
}
