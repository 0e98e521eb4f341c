//! No panic on any input: corpus services are mutated (keys dropped, values swapped for other
//! types, garbage inserted, lines cut) and the whole pipeline must either produce a template
//! or reject the service with at least one located error — never panic.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use streaming_events_core::FakeEnvironment;
use streaming_events_core::{run, Options};

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.iter()
        .filter_map(|d| std::fs::read_to_string(d.join("serverless.yml")).ok())
        .collect()
}

/// Every path to a value in a JSON tree.
fn paths(value: &Value, prefix: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let mut p = prefix.clone();
                p.push(json!(k));
                paths(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = prefix.clone();
                p.push(json!(i));
                paths(v, p, out);
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, key| match key {
        Value::String(k) => v.get_mut(k.as_str()),
        Value::Number(n) => v.get_mut(n.as_u64()? as usize),
        _ => None,
    })
}

const REPLACEMENTS: [fn() -> Value; 9] = [
    || Value::Null,
    || json!(0),
    || json!(-1.5),
    || json!(true),
    || json!(""),
    || json!("${self:nothing}"),
    || json!([]),
    || json!({}),
    || json!({"Fn::GetAtt": ["X", "Arn"]}),
];

/// A structural mutation of the service, written back as JSON (which is YAML).
fn mutate_tree(text: &str, seeds: &[u32]) -> String {
    let Ok(node) = streaming_events_yaml::load(text, 0) else {
        return text.to_string();
    };
    let mut value = node.to_json();
    for seed in seeds {
        let mut all = Vec::new();
        paths(&value, Vec::new(), &mut all);
        let target = all[*seed as usize % all.len()].clone();
        let Some((last, parent_path)) = target.split_last() else {
            continue;
        };
        let Some(parent) = at_mut(&mut value, parent_path) else {
            continue;
        };
        match seed % 3 {
            0 => match (parent, last) {
                (Value::Object(map), Value::String(k)) => {
                    map.shift_remove(k);
                }
                (Value::Array(items), Value::Number(n)) => {
                    let i = n.as_u64().unwrap_or(0) as usize;
                    if i < items.len() {
                        items.remove(i);
                    }
                }
                _ => {}
            },
            _ => {
                if let Some(slot) = at_mut(&mut value, &target) {
                    *slot = REPLACEMENTS[(*seed as usize / 3) % REPLACEMENTS.len()]();
                }
            }
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// A textual mutation: garbage inserted at a byte, or a line removed.
fn mutate_text(text: &str, seed: u32) -> String {
    const GARBAGE: [&str; 8] = ["\t", ": ", "- ", "&a ", "*a", "!Ref", "${", "\u{0}"];
    let mut out = text.to_string();
    if text.is_empty() {
        return out;
    }
    let mut at = seed as usize % text.len();
    while !out.is_char_boundary(at) {
        at -= 1;
    }
    if seed.is_multiple_of(2) {
        out.insert_str(at, GARBAGE[(seed as usize / 2) % GARBAGE.len()]);
    } else {
        let lines: Vec<&str> = text.lines().collect();
        let skip = seed as usize % lines.len().max(1);
        out = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join("\n");
    }
    out
}

fn check(text: String) -> Result<(), TestCaseError> {
    let env = FakeEnvironment::new().with_file("/svc/serverless.yml", text.clone());
    let options = Options {
        config: PathBuf::from("/svc/serverless.yml"),
        config_display: "serverless.yml".into(),
        stage: Some("dev".into()),
        region: Some("us-east-1".into()),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    if outcome.has_errors() {
        prop_assert!(outcome.template.is_none());
        prop_assert!(outcome
            .diagnostics
            .iter()
            .any(|d| d.is_error() && !d.message.is_empty()));
    } else {
        prop_assert!(
            outcome.template.is_some(),
            "no error and no template for:\n{text}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_trees_never_panic(case in 0usize..1000, seeds in prop::collection::vec(any::<u32>(), 1..4)) {
        let corpus = corpus();
        let text = &corpus[case % corpus.len()];
        check(mutate_tree(text, &seeds))?;
    }

    #[test]
    fn mutated_text_never_panics(case in 0usize..1000, seeds in prop::collection::vec(any::<u32>(), 1..4)) {
        let corpus = corpus();
        let mut text = corpus[case % corpus.len()].clone();
        for seed in seeds {
            text = mutate_text(&text, seed);
        }
        check(text)?;
    }
}
