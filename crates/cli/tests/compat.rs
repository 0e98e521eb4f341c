//! The compatibility corpus (`tests/compat/cases`, vendored from the shared corpus) run against
//! the built binary, with the comparison rules of `tests/compat/compare.py`:
//! streaming resources exactly (DependsOn as a list, filter patterns parsed), every expected
//! Lambda function present, IAM compared as a permission set, and error cases rejected with a
//! diagnostic that names the offending property (whole word) — always required here, as
//! `compare.py --strict-path` does.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The role the framework creates for the functions that bring none.
const DEFAULT_ROLE: &str = "IamRoleLambdaExecution";
const STREAMING_TYPES: [&str; 2] = [
    "AWS::Lambda::EventSourceMapping",
    "AWS::Kinesis::StreamConsumer",
];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/cases")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// DependsOn as a list; filter patterns parsed.
fn normalise_resource(resource: &Value) -> Value {
    let mut out = resource.clone();
    let Some(object) = out.as_object_mut() else {
        return out;
    };
    let depends = match object.remove("DependsOn") {
        None => Value::Array(Vec::new()),
        Some(Value::String(s)) => Value::Array(vec![Value::String(s)]),
        Some(other) => other,
    };
    object.insert("DependsOn".into(), depends);
    if let Some(filters) = object
        .get_mut("Properties")
        .and_then(|p| p.get_mut("FilterCriteria"))
        .and_then(|c| c.get_mut("Filters"))
        .and_then(Value::as_array_mut)
    {
        for filter in filters {
            if let Some(pattern) = filter.get("Pattern").and_then(Value::as_str) {
                let parsed = serde_json::from_str(pattern)
                    .unwrap_or_else(|_| Value::String(format!("INVALID JSON {pattern}")));
                filter["Pattern"] = parsed;
            }
        }
    }
    out
}

/// Deep comparison with strict JSON types where 10 equals 10.0; reports each difference.
fn diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            if a.as_f64() != b.as_f64() {
                out.push(format!("~ {path}: expected {a}, got {b}"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("- {path}.{key}: missing (expected {})", a[key]));
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("+ {path}.{key}: unexpected {}", b[key]));
            }
            for (key, value) in a {
                if let Some(other) = b.get(key) {
                    diff(value, other, &format!("{path}.{key}"), out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "~ {path}: expected {} item(s) {expected}, got {} item(s) {actual}",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(x, y, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("~ {path}: expected {a}, got {b}")),
    }
}

fn as_list(value: Option<&Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// Canonical JSON (sorted keys) for resources in permission triples.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&map[*k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Value::Number(n) => n.as_f64().map(|f| f.to_string()).unwrap_or_default(),
        other => other.to_string(),
    }
}

fn statement_triples(statement: &Value, into: &mut BTreeSet<(String, String, String)>) {
    let effect = statement
        .get("Effect")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    for action in as_list(statement.get("Action")) {
        let action = action.as_str().unwrap_or("").to_string();
        if action.to_lowercase().starts_with("logs:") {
            continue;
        }
        for resource in as_list(statement.get("Resource")) {
            into.insert((effect.clone(), action.clone(), canonical(&resource)));
        }
    }
}

/// Whether a policy resource's `Roles` name `role`.
fn attached_to_role(properties: Option<&Value>, role: &str) -> bool {
    as_list(properties.and_then(|p| p.get("Roles")))
        .iter()
        .any(|r| r == role || r.get("Ref").and_then(Value::as_str) == Some(role))
}

/// The permissions of one role: its inline policies and the policies attached to it.
fn role_triples(
    resources: &serde_json::Map<String, Value>,
    role: &str,
) -> BTreeSet<(String, String, String)> {
    let only: serde_json::Map<String, Value> = resources
        .iter()
        .filter(|(id, r)| {
            *id == role
                || (matches!(
                    r.get("Type").and_then(Value::as_str),
                    Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
                ) && attached_to_role(r.get("Properties"), role))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    candidate_triples(&only, false, &[])
}

/// `functionRoles` (compare.py): each listed function runs under exactly that role, and the
/// role grants exactly the listed permissions (logs left out).
fn compare_function_roles(
    expected: &Value,
    resources: &serde_json::Map<String, Value>,
    report: &mut Vec<String>,
) {
    let Some(roles) = expected.get("functionRoles").and_then(Value::as_object) else {
        return;
    };
    for (function, spec) in roles {
        let want = spec.get("role").and_then(Value::as_str).unwrap_or("");
        let got = resources
            .get(function)
            .and_then(|f| f.get("Properties"))
            .and_then(|p| p.get("Role"))
            .and_then(|r| r.get("Fn::GetAtt"))
            .and_then(|a| a.get(0))
            .and_then(Value::as_str);
        if got != Some(want) || !resources.contains_key(want) {
            report.push(format!(
                "~ Resources.{function}.Properties.Role: expected {{\"Fn::GetAtt\":[\"{want}\",\"Arn\"]}}, got {got:?}"
            ));
            continue;
        }
        let mut wanted = BTreeSet::new();
        for statement in as_list(spec.get("statements")) {
            statement_triples(&statement, &mut wanted);
        }
        let granted = role_triples(resources, want);
        for t in wanted.difference(&granted) {
            report.push(format!(
                "- IAM permission {t:?} (role of {function}): not granted"
            ));
        }
        for t in granted.difference(&wanted) {
            report.push(format!(
                "+ IAM permission {t:?} (role of {function}): not expected"
            ));
        }
    }
}

/// The permissions the template grants; with `default_role_only`, those of
/// `IamRoleLambdaExecution` and the policies attached to it (the service's own roles under
/// `resources` are left out, as `compare.py --default-role-iam` does).
fn candidate_triples(
    resources: &serde_json::Map<String, Value>,
    default_role_only: bool,
    own_roles: &[&str],
) -> BTreeSet<(String, String, String)> {
    let mut triples = BTreeSet::new();
    for (id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        let properties = resource.get("Properties");
        if default_role_only
            && id != DEFAULT_ROLE
            && !(matches!(kind, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
                && attached_to_role(properties, DEFAULT_ROLE))
        {
            continue;
        }
        // The roles `functionRoles` names are compared one by one, not in the service-wide set.
        if own_roles.contains(&id.as_str())
            || (matches!(kind, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
                && own_roles.iter().any(|r| attached_to_role(properties, r)))
        {
            continue;
        }
        let documents: Vec<Value> = match kind {
            "AWS::IAM::Role" => as_list(properties.and_then(|p| p.get("Policies")))
                .iter()
                .filter_map(|p| p.get("PolicyDocument").cloned())
                .collect(),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => properties
                .and_then(|p| p.get("PolicyDocument"))
                .cloned()
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        for document in documents {
            for statement in as_list(document.get("Statement")) {
                statement_triples(&statement, &mut triples);
            }
        }
    }
    triples
}

fn compare_template(expected: &Value, template: &Value, default_role_only: bool) -> Vec<String> {
    let mut report = Vec::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return vec!["! the template has no Resources".into()];
    };
    let empty = serde_json::Map::new();
    let expected_resources = expected
        .get("resources")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let candidates: serde_json::Map<String, Value> = resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type")
                .and_then(Value::as_str)
                .is_some_and(|t| STREAMING_TYPES.contains(&t))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (id, resource) in expected_resources {
        match candidates.get(id) {
            None => report.push(format!("- Resources.{id}: missing")),
            Some(actual) => diff(
                &normalise_resource(resource),
                &normalise_resource(actual),
                &format!("Resources.{id}"),
                &mut report,
            ),
        }
    }
    for id in candidates
        .keys()
        .filter(|k| !expected_resources.contains_key(*k))
    {
        report.push(format!("+ Resources.{id}: unexpected"));
    }
    for id in as_list(expected.get("lambdaLogicalIds")) {
        let id = id.as_str().unwrap_or("");
        if resources
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Value::as_str)
            != Some("AWS::Lambda::Function")
        {
            report.push(format!("- Resources.{id}: missing AWS::Lambda::Function"));
        }
    }
    let expected_statements = expected.get("iamStatements");
    let mut expected_triples = BTreeSet::new();
    for statement in as_list(expected_statements) {
        statement_triples(&statement, &mut expected_triples);
    }
    if expected_statements.is_none_or(Value::is_null)
        && resources.contains_key("IamRoleLambdaExecution")
    {
        report.push(
            "+ IamRoleLambdaExecution: unexpected (the reference creates no default role here)"
                .into(),
        );
    }
    let own_roles: Vec<&str> = expected
        .get("functionRoles")
        .and_then(Value::as_object)
        .map(|roles| {
            roles
                .values()
                .filter_map(|spec| spec.get("role").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    compare_function_roles(expected, resources, &mut report);
    let actual_triples = candidate_triples(resources, default_role_only, &own_roles);
    for t in expected_triples.difference(&actual_triples) {
        report.push(format!("- IAM permission {t:?}: not granted"));
    }
    for t in actual_triples.difference(&expected_triples) {
        report.push(format!("+ IAM permission {t:?}: not expected"));
    }
    report
}

/// The property name of a config path: `a.events[0].kafka.vpcSubnet[0]` → `vpcSubnet`.
fn last_segment(path: &str) -> Option<String> {
    let segment = path.rsplit('.').next()?;
    let segment = segment.split('[').next()?.to_string();
    (!segment.is_empty()).then_some(segment)
}

fn mentions_word(text: &str, word: &str) -> bool {
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    lower.match_indices(&word).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Environment variables a fixture needs (`env.json` next to its serverless.yml).
fn fixture_env(case: &Path) -> Vec<(String, String)> {
    let path = case.join("env.json");
    if !path.exists() {
        return Vec::new();
    }
    read_json(&path)
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn run_case(case: &Path, scratch: &Path) -> Vec<String> {
    let output = scratch.join(format!(
        "{}.json",
        case.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_file(&output);
    let run = Command::new(env!("CARGO_BIN_EXE_streaming-events"))
        .current_dir(scratch)
        .envs(fixture_env(case))
        .args(["package", "--config"])
        .arg(case.join("serverless.yml"))
        .args([
            "--stage",
            "dev",
            "--region",
            "us-east-1",
            "--color",
            "never",
            "--output",
        ])
        .arg(&output)
        .output()
        .expect("the binary runs");
    let diagnostics = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stderr),
        String::from_utf8_lossy(&run.stdout)
    );
    let expected_path = case.join("expected.json");
    if expected_path.exists() {
        if !run.status.success() {
            return vec![format!(
                "~ expected a template, the run failed ({:?}): {diagnostics}",
                run.status.code()
            )];
        }
        let template = read_json(&output);
        // A case whose service declares roles with statements of its own marks it with an
        // empty `default-role-iam` file.
        let default_role_only = case.join("default-role-iam").exists();
        return compare_template(&read_json(&expected_path), &template, default_role_only);
    }
    let expected = read_json(&case.join("expected-error.json"));
    let mut report = Vec::new();
    if run.status.code() != Some(1) {
        report.push(format!(
            "~ exit code: expected 1 (rejected), got {:?}",
            run.status.code()
        ));
    }
    if output.exists() {
        report.push("~ a rejected service must not write the output file".into());
    }
    let path = expected
        .get("path")
        .and_then(Value::as_str)
        .and_then(last_segment);
    let code = expected.get("code").and_then(Value::as_str);
    let named = match (&path, code) {
        (Some(segment), _) => mentions_word(&diagnostics, segment),
        (None, Some(code)) => diagnostics.contains(code),
        (None, None) => true,
    };
    if !named {
        report.push(format!(
            "~ diagnostics must name {path:?} / {code:?}; got: {diagnostics}"
        ));
    }
    if let Some(code) = code.filter(|c| c.starts_with("FUNCTION_")) {
        if !diagnostics.contains(code) {
            report.push(format!(
                "~ diagnostics must carry the code {code}; got: {diagnostics}"
            ));
        }
    }
    report
}

fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists())
        .collect();
    cases.sort();
    cases
}

#[test]
fn compat_corpus() {
    let cases = case_dirs(&cases_dir());
    assert!(
        cases.len() >= 145,
        "the vendored corpus is incomplete: {} cases",
        cases.len()
    );
    check_cases(&cases, "compat");
}

/// Services using every variable source, fallbacks, nesting and interpolation, with the
/// expectations recorded from `serverless package` (3.40) the same way as the corpus.
#[test]
fn variable_fixtures_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/variables");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 6);
    check_cases(&cases, "variables");
}

/// The generated IAM services (scripts/generate-iam-fixtures.py): the permission set is the
/// reference's, however it is packaged.
#[test]
fn iam_fixtures_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iam");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 3);
    check_cases(&cases, "iam");
}

/// Random services (scripts/generate-differential-case.py) with the reference's output.
#[test]
fn differential_fixtures_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/differential");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 16);
    check_cases(&cases, "differential");
}

/// Services that list serverless-iam-roles-per-function, recorded with the reference and the
/// plugin (`scripts/record-plugin-fixture.py`), per-function roles checked through
/// `functionRoles`.
#[test]
fn iam_plugin_fixtures_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iam-plugin");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 2);
    check_cases(&cases, "iam-plugin");
}

/// The mapping features beyond the reference (issue 15, docs/features.md): one service per
/// feature with its streaming resources and permissions, reviewed against the specification
/// (the reference cannot record them: it refuses these properties).
#[test]
fn feature_fixtures_match_their_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/features");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 6);
    check_cases(&cases, "features");
}

/// One property at a time set to a doubtful value, in `error` and `warn` mode, with the
/// reference's verdict (template or rejection); where a deviation applies (D19) the case carries
/// `deviation.txt` and keeps the reference's result as `reference.json`.
#[test]
fn differential_rejections_match_the_reference() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/differential-invalid");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 60);
    check_cases(&cases, "differential-invalid");
}

fn check_cases(cases: &[PathBuf], label: &str) {
    let scratch =
        std::env::temp_dir().join(format!("streaming-events-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let mut failures = Vec::new();
    for case in cases {
        let report = run_case(case, &scratch);
        if !report.is_empty() {
            failures.push(format!(
                "MISMATCH {}\n  {}",
                case.display(),
                report.join("\n  ")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let passed = cases.len() - failures.len();
    println!("{label}: {passed} passed, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{}\n{passed} passed, {} failed",
        failures.join("\n"),
        failures.len()
    );
}

#[test]
fn comparison_rules_catch_differences() {
    let expected = serde_json::json!({
        "resources": {"A": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"BatchSize": 10, "FilterCriteria": {"Filters": [{"Pattern": "{\"a\":[1]}"}]}}}},
        "iamStatements": [{"Effect": "Allow", "Action": ["kinesis:GetRecords"], "Resource": ["s"]}],
        "lambdaLogicalIds": ["FLambdaFunction"]
    });
    let good = serde_json::json!({"Resources": {
        "A": {"Type": "AWS::Lambda::EventSourceMapping", "DependsOn": [], "Properties": {"BatchSize": 10.0, "FilterCriteria": {"Filters": [{"Pattern": "{\"a\": [1]}"}]}}},
        "FLambdaFunction": {"Type": "AWS::Lambda::Function"},
        "IamRoleLambdaExecution": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kinesis:GetRecords", "Resource": "s"}, {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}}]}}
    }});
    assert!(
        compare_template(&expected, &good, false).is_empty(),
        "{:?}",
        compare_template(&expected, &good, false)
    );
    let mut bad = good.clone();
    bad["Resources"]["A"]["Properties"]["BatchSize"] = serde_json::json!("10");
    bad["Resources"]["IamRoleLambdaExecution"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"][0]["Resource"] = serde_json::json!("other");
    assert_eq!(compare_template(&expected, &bad, false).len(), 3);
    assert!(mentions_word("bad arn: x", "arn"));
    assert!(!mentions_word("EventSourceArn", "arn"));
    assert_eq!(
        last_segment("functions.a.events[0].kafka.vpcSubnet[0]").as_deref(),
        Some("vpcSubnet")
    );
}

/// Real-world-shaped services (files included with `${file()}`, anchors and merge keys, lists of
/// functions and resources, other event kinds, roles of their own under `resources`), with the
/// reference's output or rejection.
#[test]
fn realworld_fixtures_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/realworld");
    let cases = case_dirs(&root);
    assert!(cases.len() >= 8);
    check_cases(&cases, "realworld");
}
