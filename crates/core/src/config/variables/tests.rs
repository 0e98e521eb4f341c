//! Behaviour tables for the variable engine. The parser table covers, as behaviour, every case
//! of the reference's own parser suite (outcomes checked against serverless 3.40's parser); the
//! resolver table covers its resolver suite's rules and the edge rules of the variables issue,
//! each expressed with our real sources through a fake environment.

use super::context::VariableContext;
use super::parse::{parse, Literal, Piece, Source};
use super::resolve::resolve_variables;
use crate::env::FakeEnvironment;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use streaming_events_diagnostics::SourceMap;
use streaming_events_yaml::load;

/// How the reference's parser treats an input.
#[derive(Debug, PartialEq)]
enum Parsed {
    /// No variable: the text stays as written.
    Text,
    /// Variables, described as `type(params):address|fallback…` per variable.
    Vars(Vec<String>),
    Error,
}

fn describe_sources(sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| match s {
            Source::Literal(Literal::String(t)) => format!("'{t}'"),
            Source::Literal(Literal::Number(n)) => format!("{n}"),
            Source::Literal(Literal::Bool(b)) => format!("{b}"),
            Source::Literal(Literal::Null) => "null".to_string(),
            Source::Reference {
                kind,
                params,
                address,
                ..
            } => {
                let mut out = kind.clone();
                if !params.is_empty() {
                    let params: Vec<String> = params.iter().map(template_text).collect();
                    out.push_str(&format!("({})", params.join(",")));
                }
                if let Some(address) = address {
                    out.push_str(&format!(":{}", template_text(address)));
                }
                out
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn template_text(t: &super::parse::Template) -> String {
    t.pieces
        .iter()
        .map(|p| match p {
            Piece::Text(s) => s.clone(),
            Piece::Var(v) => format!("${{{}}}", describe_sources(&v.sources)),
        })
        .collect()
}

fn outcome(text: &str) -> Parsed {
    match parse(text) {
        Err(_) => Parsed::Error,
        Ok(parsed) if !parsed.has_variables() => Parsed::Text,
        Ok(parsed) => Parsed::Vars(
            parsed
                .pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Var(v) => Some(describe_sources(&v.sources)),
                    Piece::Text(_) => None,
                })
                .collect(),
        ),
    }
}

fn vars(list: &[&str]) -> Parsed {
    Parsed::Vars(list.iter().map(|s| s.to_string()).collect())
}

#[test]
fn parser_table() {
    let table: Vec<(&str, Parsed)> = vec![
        // Valid: position in the string, forms of params, addresses and fallbacks.
        ("${type:address}foo", vars(&["type:address"])),
        ("foo${type:address}", vars(&["type:address"])),
        ("foo${type:address}bar", vars(&["type:address"])),
        ("${type:}", vars(&["type"])),
        ("${type(param)}", vars(&["type(param)"])),
        ("${type(param1, param2)}", vars(&["type(param1,param2)"])),
        (
            r#"${type(param1, ",},${\"param2", param3)}"#,
            vars(&[r#"type(param1,,},${"param2,param3)"#]),
        ),
        (
            "${type(param1, ',},${param2' )}",
            vars(&["type(param1,,},${param2)"]),
        ),
        (
            "${type(param1, 232, param3)}",
            vars(&["type(param1,232,param3)"]),
        ),
        (
            "${type(param1, true, param3)}",
            vars(&["type(param1,true,param3)"]),
        ),
        (
            // `null` (like `false` and `0`) is no value: the reference keeps truthy literals only.
            "${type(param1, null, param3) }",
            vars(&["type(param1,,param3)"]),
        ),
        ("${type(param):address}", vars(&["type(param):address"])),
        (
            r#"${type(param):",},${\"address"}"#,
            vars(&[r#"type(param):,},${"address"#]),
        ),
        (
            "${type(param):'}$address' }",
            vars(&["type(param):}$address"]),
        ),
        (
            r#"${type1(param1), type2(param2):"address2", type3:, type4:address4}"#,
            vars(&["type1(param1)|type2(param2):address2|type3|type4:address4"]),
        ),
        (
            r#"${type(param), "foo, bar"}"#,
            vars(&["type(param)|'foo, bar'"]),
        ),
        (
            "${type(param), 'foo, bar' }",
            vars(&["type(param)|'foo, bar'"]),
        ),
        ("${type(param), 232}", vars(&["type(param)|232"])),
        ("${type(param), true}", vars(&["type(param)|true"])),
        ("${type(param), false }", vars(&["type(param)|false"])),
        ("${type(param), null}", vars(&["type(param)|null"])),
        ("${type()}", vars(&["type"])),
        ("${type(,,)}", vars(&["type(,)"])),
        (
            "${type(${innerType(innerParam, ${deep:}):innerAddress}, foo${bar:}): address}",
            vars(&["type(${innerType(innerParam,${deep}):innerAddress},foo${bar}):address"]),
        ),
        (
            "${type(param):${innerType(innerParam):innerAddress}}",
            vars(&["type(param):${innerType(innerParam):innerAddress}"]),
        ),
        (
            "${type(param):foo${innerType(innerParam)}}",
            vars(&["type(param):foo${innerType(innerParam)}"]),
        ),
        ("${type.dot(param)}", vars(&["type.dot(param)"])),
        ("${AWS::${type:address}}", vars(&["type:address"])),
        ("${type1:}elo${type2:}", vars(&["type1", "type2"])),
        ("${s:${s:}, 1}", vars(&["s:${s}|1"])),
        ("${s:, s:${s:}}", vars(&["s|s:${s}"])),
        ("${type:foo:bar}", vars(&["type:foo:bar"])),
        (
            "${self:custom.${opt:stage}.arn}",
            vars(&["self:custom.${opt:stage}.arn"]),
        ),
        // Invalid.
        ("${type(${invalid.notation}):address}", Parsed::Error),
        (
            "${type(params):${innerType(innerParam):${sdfs.fefef}",
            Parsed::Error,
        ),
        ("${type:address", Parsed::Error),
        ("${type(foo)", Parsed::Error),
        (r#"${type("\u")}"#, Parsed::Error),
        ("${type:foo, elo}", Parsed::Error),
        ("${opt:stage, dev}", Parsed::Error),
        ("${type('foo')bar}", Parsed::Error),
        (r#"${type:"address"marko}"#, Parsed::Error),
        ("${type:foo, --}", Parsed::Error),
        ("${type:foo, 000:}", Parsed::Error),
        ("${type:foo, 000()}", Parsed::Error),
        ("${type:foo, aa--}", Parsed::Error),
        (r#"${type:foo,"dev",20}"#, Parsed::Error),
        ("${type(${AWS::Region})}", Parsed::Error),
        ("${type(foo})", Parsed::Error),
        ("${type(foo,})", Parsed::Error),
        ("${type('foo'bar)}", Parsed::Error),
        // Foreign and unused: the text stays.
        ("${}", Parsed::Text),
        ("${${AWS::Region}}", Parsed::Text),
        ("${type}", Parsed::Text),
        ("${AWS::Region}", Parsed::Text),
        ("${foo::Region}", Parsed::Text),
        ("${Database}", Parsed::Text),
        ("foo ${stageVariables.stageName} var", Parsed::Text),
        ("fo${bla${foo}}o  ${so,ur${inner.type}ce} var", Parsed::Text),
        ("fo$o b$$ar ()", Parsed::Text),
        ("foo\\${elo:}", Parsed::Text),
        ("${ self:x }", Parsed::Text),
        ("${env.TOPIC}", Parsed::Text),
    ];
    for (input, expected) in table {
        assert_eq!(outcome(input), expected, "{input}");
    }
}

#[test]
fn escapes_keep_the_text() {
    let parsed = parse("foo\\${elo:}").unwrap();
    assert_eq!(parsed.pieces, vec![Piece::Text("foo${elo:}".into())]);
    let parsed = parse("\\\\${self:x}").unwrap();
    assert_eq!(
        parsed.pieces.len(),
        2,
        "an escaped backslash before a variable"
    );
}

/// A string with each variable shown as `<type:address>` (`~` for an address with variables).
fn rendered(text: &str) -> String {
    match parse(text) {
        Err(_) => "ERR".to_string(),
        Ok(parsed) => parsed
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(t) => t.clone(),
                Piece::Var(v) => match &v.sources[0] {
                    Source::Reference { kind, address, .. } => format!(
                        "<{kind}:{}>",
                        address.as_ref().map_or(String::new(), |a| a
                            .as_literal()
                            .unwrap_or_else(|| "~".into()))
                    ),
                    Source::Literal(_) => "<literal>".into(),
                },
            })
            .collect(),
    }
}

/// `$` and `\` next to a variable. Every row was checked against serverless 3.40's parser
/// (and the parser as a whole against it on 40,000 generated strings of these characters).
#[test]
fn dollars_and_backslashes_next_to_a_variable() {
    let table = [
        // A `$` run right before `${` is part of the variable.
        ("q${self:service}", "q<self:service>"),
        ("q$${self:service}", "q<self:service>"),
        ("q$$${self:service}", "q<self:service>"),
        ("$${self:a}$", "<self:a>$"),
        ("a$$", "a$$"),
        // `$` and the character after it are text; that character means nothing.
        ("$\\${x:y}", "$\\<x:y>"),
        ("${self:a$}x}", "<self:a$}x>"),
        ("${self:a$,b}", "<self:a$,b>"),
        ("${self:a$}", "ERR"),
        ("${Foo$}${self:x}}", "${Foo$}<self:x>}"),
        // Backslashes escape at the top level only, and only before a single `$`.
        ("\\${self:x}", "${self:x}"),
        ("\\\\${self:x}", "\\<self:x>"),
        ("\\\\\\${self:x}", "\\${self:x}"),
        ("\\$${self:x}", "\\$<self:x>"),
        ("\\$$${self:x}", "\\$<self:x>"),
        ("\\\\$${x:y}", "\\\\<x:y>"),
        ("\\\\${Foo}", "\\${Foo}"),
        ("${self:a\\${self:b}}", "<self:~>"),
        ("${Foo\\${self:x}}", "${Foo\\<self:x>}"),
        // `${}` and lookalikes end at their own `}`, inside text like `${Foo …}` too.
        ("$${${}\\${Foo}\\", "$${${}\\${Foo}\\"),
        ("${self:a${}}", "ERR"),
        ("${aws: :x}${self:y}", "${aws: :x}<self:y>"),
        ("${self:${aws::x}}", "ERR"),
    ];
    for (text, expected) in table {
        assert_eq!(rendered(text), expected, "{text:?}");
    }
}

#[test]
fn lookalikes_are_reported_for_known_sources_only() {
    assert_eq!(parse("${env.TOPIC}").unwrap().lookalikes.len(), 1);
    // `_` ends the reference's type, so this one is text of another kind; warned about too.
    assert_eq!(parse("${env.ORDERS_TOPIC}").unwrap().lookalikes.len(), 1);
    assert!(parse("${stageVariables.stageName}")
        .unwrap()
        .lookalikes
        .is_empty());
    assert!(parse("${Foo.Arn}").unwrap().lookalikes.is_empty());
}

/// Resolves `yaml` with a fake environment; `Ok(json)` or `Err(error codes)`.
fn resolve_with(
    yaml: &str,
    env: FakeEnvironment,
    stage: Option<&str>,
) -> Result<Value, Vec<String>> {
    let mut sources = SourceMap::new();
    let file = sources.add("serverless.yml", yaml);
    let root = load(yaml, file).expect("test YAML loads");
    let context = VariableContext {
        env: &env,
        service_dir: PathBuf::from("/service"),
        cli_stage: stage.map(str::to_string),
        cli_region: None,
        options: BTreeMap::from([("custom-flag".to_string(), "on".to_string())]),
        params: BTreeMap::from([("cliParam".to_string(), "from-cli".to_string())]),
        vars: BTreeMap::from([("ssm:/config/topic".to_string(), "ssm-topic".to_string())]),
        dotenv: crate::config::dotenv::Dotenv::from_values(BTreeMap::from([(
            "SE_FROM_DOTENV".to_string(),
            "dotenv-value".to_string(),
        )])),
    };
    let (node, diagnostics) = resolve_variables(root, &context, &mut sources);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.id.to_string())
        .collect();
    if errors.is_empty() {
        Ok(node.to_json())
    } else {
        Err(errors)
    }
}

#[test]
fn dotenv_values_win_over_the_process_environment() {
    // The `.env` value was computed from the process's value where it had one (dotenv-expand
    // expands the process's value), so it is the one `${env:}` reads.
    let env = FakeEnvironment::new().with_var("SE_FROM_DOTENV", "process-value");
    let resolved = resolve_with("v: ${env:SE_FROM_DOTENV}", env, Some("dev")).unwrap();
    assert_eq!(resolved["v"], json!("dotenv-value"));
}

/// `provider.stage` with variables and no `--stage`: the stage is resolved first, without the
/// `.env` values, and chooses the file; a name it looked for in vain that the file defines is
/// an error (both checked against serverless 3.40).
#[test]
fn the_stage_with_variables_chooses_the_dotenv_file() {
    let run = |qa_file: &str| {
        let yaml = "useDotenv: true\nprovider:\n  stage: ${env:SE_STAGE_NAME, 'qa'}\nv: ${env:SE_DS_TOPIC}\n";
        let env = FakeEnvironment::new()
            .with_file("/service/.env.qa", qa_file)
            .with_file("/service/.env.dev", "SE_DS_TOPIC=dev-topic\n");
        let mut sources = SourceMap::new();
        let file = sources.add("serverless.yml", yaml);
        let root = load(yaml, file).expect("test YAML loads");
        let dotenv =
            crate::config::dotenv::load(&env, &root, std::path::Path::new("/service"), None);
        assert!(dotenv.pending.is_some());
        let context = VariableContext {
            env: &env,
            service_dir: PathBuf::from("/service"),
            cli_stage: None,
            cli_region: None,
            options: BTreeMap::new(),
            params: BTreeMap::new(),
            vars: BTreeMap::new(),
            dotenv,
        };
        let (node, diagnostics) = resolve_variables(root, &context, &mut sources);
        let errors: Vec<&str> = diagnostics.iter().map(|d| d.code.id).collect();
        (node.to_json()["v"].clone(), errors)
    };
    assert_eq!(run("SE_DS_TOPIC=qa-topic\n"), (json!("qa-topic"), vec![]));
    let (_, errors) = run("SE_DS_TOPIC=qa-topic\nSE_STAGE_NAME=qa\n");
    assert_eq!(errors, vec!["DOTENV_LOAD_ERROR"]);
}

#[test]
fn failed_lookups_are_remembered() {
    // Ten references to a failing value, ten times over: one error, resolved at once.
    let mut yaml = String::from("custom:\n  l0: ${env:SE_NEVER_SET}\n");
    for level in 1..=12 {
        let items = vec![format!("'${{self:custom.l{}}}'", level - 1); 10].join(", ");
        yaml.push_str(&format!("  l{level}: [{items}]\n"));
    }
    assert_eq!(error_of(&yaml), vec!["VARIABLE_NOT_RESOLVED".to_string()]);
}

/// No file of the variables folder imports one that imports it: the resolver imports the
/// sources, which reach it through their `Host` trait; both share `context.rs`.
#[test]
fn the_variables_files_import_downwards_only() {
    let files = [
        ("context.rs", include_str!("context.rs")),
        ("parse.rs", include_str!("parse.rs")),
        ("sources.rs", include_str!("sources.rs")),
        ("resolve.rs", include_str!("resolve.rs")),
    ];
    // Each file may name only the files listed before it (parse.rs stands alone).
    let allowed: &[(&str, &[&str])] = &[
        ("context.rs", &[]),
        ("parse.rs", &[]),
        ("sources.rs", &["context"]),
        ("resolve.rs", &["context", "parse", "sources"]),
    ];
    for (name, text) in files {
        let code = text.split("\n#[cfg(test)]").next().unwrap_or(text);
        let may = allowed.iter().find(|(n, _)| *n == name).unwrap().1;
        for module in ["context", "parse", "sources", "resolve"] {
            let named = code.contains(&format!("super::{module}"))
                || code.contains(&format!("variables::{module}"));
            assert!(
                !named || may.contains(&module),
                "{name} imports {module}.rs, which would close a cycle"
            );
        }
    }
}

fn resolve(yaml: &str) -> Result<Value, Vec<String>> {
    resolve_with(yaml, FakeEnvironment::new(), Some("dev"))
}

fn value_of(yaml: &str) -> Value {
    resolve(yaml).unwrap_or_else(|e| panic!("{yaml}: {e:?}"))["v"].clone()
}

fn error_of(yaml: &str) -> Vec<String> {
    resolve(yaml).expect_err(yaml)
}

#[test]
fn resolver_table() {
    // An escape protects one level only: what `self` yields is resolved again.
    assert_eq!(
        value_of("k: kv\ne: 'pre-\\${self:k}'\nv: ${self:e}"),
        json!("pre-kv")
    );
    assert_eq!(
        value_of("k: kv\nv: 'pre-\\${self:k}'"),
        json!("pre-${self:k}")
    );
    // A text fallback is resolved like any string a variable yields.
    assert_eq!(
        value_of("s: d\nv: ${env:SE_NOT_SET, 'g-${self:s}'}"),
        json!("g-d")
    );
    assert_eq!(
        value_of("s: d\nv: x-${env:SE_NOT_SET, 'g-${self:s}'}"),
        json!("x-g-d")
    );
    // A value that is exactly one variable keeps the result's type.
    assert_eq!(value_of("n: 234\nv: ${self:n}"), json!(234));
    assert_eq!(
        value_of("o: {a: [1, {b: true}]}\nv: ${self:o}"),
        json!({"a": [1, {"b": true}]})
    );
    // Interpolation: numbers and booleans as JavaScript prints them, lists joined with commas.
    assert_eq!(value_of("n: 234\nv: foo${self:n}"), json!("foo234"));
    assert_eq!(value_of("l: [a, b, 3]\nv: x-${self:l}"), json!("x-a,b,3"));
    assert_eq!(value_of("b: false\nv: is-${self:b}"), json!("is-false"));
    // Variables in params and addresses.
    assert_eq!(
        value_of("f: 'true'\nv: ${strToBool(${self:f})}"),
        json!(true)
    );
    assert_eq!(
        value_of("s: dev\nt: {dev: x}\nv: ${self:t.${self:s}}"),
        json!("x")
    );
    // Other properties, deep ones, list indexes, values that are themselves variables.
    assert_eq!(
        value_of("a: {b: [x, {c: deep}]}\nv: ${self:a.b.1.c}"),
        json!("deep")
    );
    assert_eq!(
        value_of("a: ${self:b}\nb: ${self:c}\nc: end\nv: ${self:a}"),
        json!("end")
    );
    // Fallbacks: on a missing value, a null fallback, a property that does not exist.
    assert_eq!(value_of("v: ${env:SE_NOT_SET, 'foo'}"), json!("foo"));
    assert_eq!(value_of("v: ${env:SE_NOT_SET, null}"), Value::Null);
    assert_eq!(
        value_of("v: ${self:not.existing, 'notExistingFallback'}"),
        json!("notExistingFallback")
    );
    assert_eq!(
        value_of("v: ${env:SE_NOT_SET, env:SE_ALSO_NOT_SET, 5}"),
        json!(5)
    );
    assert_eq!(
        value_of("v: ${opt:unset, self:w}\nw: second"),
        json!("second")
    );
    // '', false and 0 are values: the fallback is not taken.
    assert_eq!(value_of("e: ''\nv: ${self:e, 'x'}"), json!(""));
    assert_eq!(value_of("f: false\nv: ${self:f, true}"), json!(false));
    assert_eq!(value_of("z: 0\nv: ${self:z, 7}"), json!(0));
    // Sources: opt, sls, aws:region, param (CLI, then stage section, then default), --var.
    assert_eq!(
        value_of("v: ${opt:stage}-${sls:stage}-${aws:region}"),
        json!("dev-dev-us-east-1")
    );
    assert_eq!(value_of("v: ${opt:custom-flag}"), json!("on"));
    assert_eq!(
        value_of("v: ${opt:}"),
        json!({"stage": "dev", "custom-flag": "on"})
    );
    assert_eq!(value_of("v: ${strToBool('true')}"), json!(true));
    assert_eq!(value_of("params: {dev: {p: stage-value}, default: {p: default-value, q: dq}}\nv: ${param:p}/${param:q}/${param:cliParam}"), json!("stage-value/dq/from-cli"));
    assert_eq!(value_of("stages: {dev: {params: {p: v4-stage}}, default: {params: {q: v4-default}}}\nv: ${param:p}/${param:q}"), json!("v4-stage/v4-default"));
    assert_eq!(value_of("v: ${ssm:/config/topic}"), json!("ssm-topic"));
    assert_eq!(value_of("v: ${env:SE_FROM_DOTENV}"), json!("dotenv-value"));
    // Not variables: AWS pseudo parameters and Fn::Sub references stay as written.
    assert_eq!(
        value_of("v: {Fn::Sub: 'arn:${AWS::Partition}:s3:::${Bucket}/${self:n}'}\nn: k")["Fn::Sub"],
        json!("arn:${AWS::Partition}:s3:::${Bucket}/k")
    );
}

#[test]
fn stage_precedence() {
    let yaml = "provider: {stage: prod, region: eu-west-1}\nv: ${sls:stage}|${opt:stage, 'none'}|${self:provider.stage}|${aws:region}|${self:provider.region}";
    let with_flag = resolve_with(yaml, FakeEnvironment::new(), Some("dev")).unwrap();
    assert_eq!(with_flag["v"], json!("dev|dev|prod|eu-west-1|eu-west-1"));
    let without = resolve_with(yaml, FakeEnvironment::new(), None).unwrap();
    assert_eq!(without["v"], json!("prod|none|prod|eu-west-1|eu-west-1"));
}

#[test]
fn values_from_sources_are_resolved_again() {
    let env = FakeEnvironment::new()
        .with_var("SE_NESTED", "${self:service}-x")
        .with_file(
            "/service/config.yml",
            "kafka:\n  topic: ${self:service}.events\n  arn: !GetAtt Stream.Arn\n",
        )
        .with_file("/service/data.json", "{\"size\": 42}")
        .with_file("/service/state.tfstate", "{\"outputs\": {\"arn\": \"x\"}}")
        .with_file("/service/note.txt", "plain text");
    let yaml = "service: svc\na: ${env:SE_NESTED}\nb: ${file(./config.yml):kafka}\nc: ${file(./data.json):size}\nd: ${file(./missing.yml), 'fallback'}\ne: ${file(./missing.yml):x, 9}\nf: ${file(state.tfstate):outputs.arn}\ng: ${file(note.txt)}\nh: ${file(missing.js), 'no-js'}";
    let out = resolve_with(yaml, env, Some("dev")).unwrap();
    assert_eq!(out["a"], json!("svc-x"));
    assert_eq!(
        out["b"],
        json!({"topic": "svc.events", "arn": {"Fn::GetAtt": ["Stream", "Arn"]}})
    );
    assert_eq!(out["c"], json!(42));
    assert_eq!(out["d"], json!("fallback"));
    assert_eq!(out["e"], json!(9));
    assert_eq!(out["f"], json!("x"));
    assert_eq!(out["g"], json!("plain text"));
    assert_eq!(out["h"], json!("no-js"));
}

#[test]
fn resolver_errors() {
    // A missing value without fallback.
    assert_eq!(error_of("v: ${env:SE_NOT_SET}"), ["VARIABLE_NOT_RESOLVED"]);
    assert_eq!(
        error_of("v: ${self:nothing.here}"),
        ["VARIABLE_NOT_RESOLVED"]
    );
    // null, or an object, inside a longer string.
    assert_eq!(
        error_of("v: elo${env:SE_NOT_SET, null}"),
        ["VARIABLE_RESULT_INVALID"]
    );
    assert_eq!(
        error_of("o: {a: 1}\nv: x-${self:o}"),
        ["VARIABLE_RESULT_INVALID"]
    );
    // Cycles, direct and deep, and a reference to the root that contains itself.
    assert!(error_of("a: ${self:b}\nb: ${self:a}").contains(&"VARIABLE_CYCLE".to_string()));
    assert!(error_of("a: ${self:b}\nb: ${self:c}\nc: ${self:a}")
        .contains(&"VARIABLE_CYCLE".to_string()));
    assert!(error_of("v: ${self:}").contains(&"VARIABLE_CYCLE".to_string()));
    assert!(error_of("v: ${env:SE_NOT_SET, '${self:v}'}").contains(&"VARIABLE_CYCLE".to_string()));
    // Errors in params and addresses.
    assert_eq!(
        error_of("v: ${strToBool(${env:SE_NOT_SET})}"),
        ["VARIABLE_NOT_RESOLVED"]
    );
    assert_eq!(
        error_of("v: ${self:${env:SE_NOT_SET}}"),
        ["VARIABLE_NOT_RESOLVED"]
    );
    assert_eq!(
        error_of("v: ${strToBool(maybe)}"),
        ["VARIABLE_RESULT_INVALID"]
    );
    assert_eq!(error_of("v: ${strToBool:}"), ["VARIABLE_RESULT_INVALID"]);
    // Unquoted params are literals: `true` and non-zero numbers stay; `false`, `null` and zero
    // are no input at all, so strToBool has nothing to convert.
    assert_eq!(value_of("v: ${strToBool(true)}"), json!(true));
    assert_eq!(value_of("v: ${strToBool(1.0)}"), json!(true));
    assert_eq!(value_of("v: ${strToBool(TRUE)}"), json!(true));
    assert_eq!(value_of("v: ${strToBool('0')}"), json!(false));
    for input in ["false", "0", "null", "0.0"] {
        assert_eq!(
            error_of(&format!("v: ${{strToBool({input})}}")),
            ["VARIABLE_RESULT_INVALID"],
            "{input}"
        );
    }
    assert_eq!(
        error_of("o: {}\nv: ${opt:${self:o}}"),
        ["VARIABLE_RESULT_INVALID"]
    );
    // Sources: unknown, needing AWS, unparsable.
    assert_eq!(error_of("v: ${nosuch:x}"), ["VARIABLE_SOURCE_UNKNOWN"]);
    assert_eq!(
        error_of("v: ${ssm:/other/path}"),
        ["VARIABLE_SOURCE_OFFLINE"]
    );
    assert_eq!(error_of("v: ${aws:accountId}"), ["VARIABLE_SOURCE_OFFLINE"]);
    assert_eq!(
        error_of("v: ${opt:stage, dev}"),
        ["VARIABLE_SYNTAX_INVALID"]
    );
    assert_eq!(
        error_of("v: ${self:unterminated"),
        ["VARIABLE_SYNTAX_INVALID"]
    );
    let with_js = resolve_with(
        "v: ${file(./handler.js):x}",
        FakeEnvironment::new().with_file("/service/handler.js", "module.exports = {}"),
        Some("dev"),
    );
    assert_eq!(with_js.unwrap_err(), ["VARIABLE_FILE_INVALID"]);
    assert_eq!(error_of("v: ${file:}"), ["VARIABLE_SYNTAX_INVALID"]);
}

#[test]
fn hostile_variables_end_in_errors() {
    // Nesting 1,000 deep.
    let deep = format!("v: {}x{}", "${self:".repeat(1000), "}".repeat(1000));
    assert_eq!(error_of(&deep), ["VARIABLE_SYNTAX_INVALID"]);
    // Doubling strings: 40 levels would be a terabyte.
    let mut yaml = String::from("l0: xxxxxxxxxxxxxxxx\n");
    for i in 1..40 {
        yaml.push_str(&format!("l{i}: ${{self:l{}}}${{self:l{}}}\n", i - 1, i - 1));
    }
    assert!(error_of(&yaml).contains(&"VARIABLE_RESULT_TOO_LARGE".to_string()));
    // A long chain of lookups.
    let mut chain = String::new();
    for i in 0..200 {
        chain.push_str(&format!("c{i}: ${{self:c{}}}\n", i + 1));
    }
    chain.push_str("c200: end\n");
    assert!(error_of(&chain).contains(&"VARIABLE_TOO_DEEP".to_string()));
}
