//! Names that would not deploy: two functions that meet on one logical id (D23), and deployed
//! function names Lambda refuses.
//!
//! ```yaml
//! functions:
//!   getUser: {handler: a.h}
//!   GetUser: {handler: b.h}   # FUNCTION_LOGICAL_ID_COLLISION: both are GetUserLambdaFunction
//!   report:
//!     name: nightly report    # FUNCTION_NAME_INVALID: a space
//! ```

use crate::config::{Function, Service};
use crate::naming;
use std::collections::HashMap;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Span;

/// Lambda's limit on function names.
pub const MAX_FUNCTION_NAME: usize = 64;

/// D23 and the deployed function names.
pub fn check_names(service: &Service) -> Vec<Diagnostic> {
    let mut out = function_collisions(service);
    // A service or stage that makes every generated name invalid is reported once.
    let mut shared_reported = false;
    for function in &service.functions {
        let Some((diagnostic, shared)) = function_name(service, function) else {
            continue;
        };
        if shared && std::mem::replace(&mut shared_reported, true) {
            continue;
        }
        out.push(diagnostic);
    }
    out
}

/// The ids every function gets whatever it configures; two functions that share one of them
/// become one resource in the template.
fn function_ids(function: &Function) -> [String; 2] {
    [
        naming::lambda_logical_id(&function.key),
        naming::log_group_logical_id(&function.key),
    ]
}

/// Whether two functions share an id every function gets (what [`function_collisions`]
/// reports).
pub fn functions_collide(a: &Function, b: &Function) -> bool {
    let b_ids = function_ids(b);
    function_ids(a).iter().any(|id| b_ids.contains(id))
}

/// D23: each function whose ids meet an earlier function's, reported at both names (one
/// look-up per id, so a service of many functions stays linear).
pub fn function_collisions(service: &Service) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut first_with: HashMap<String, usize> = HashMap::new();
    for (later, function) in service.functions.iter().enumerate() {
        let ids = function_ids(function);
        let met = ids
            .iter()
            .find_map(|id| first_with.get(id).map(|&earlier| (earlier, id)));
        if let Some((earlier, id)) = met {
            out.push(collision(id, &service.functions[earlier], function));
        }
        for id in ids {
            first_with.entry(id).or_insert(later);
        }
    }
    out
}

fn collision(id: &str, first: &Function, second: &Function) -> Diagnostic {
    Diagnostic::error(
        codes::FUNCTION_LOGICAL_ID_COLLISION,
        format!(
            "functions '{}' and '{}' both get the logical id {id}; CloudFormation would keep one of them, and the other's events would invoke its code",
            first.key, second.key
        ),
    )
    .with_path(format!("functions.{}", second.key))
    .at(second.key_span, "this function")
    .also(first.key_span, "meets this earlier function")
    .with_help(format!(
        "rename one of the functions under `functions` (logical ids keep letters and digits, `-` becomes Dash, `_` Underscore, the first letter is upper-cased); `name: {}` keeps its deployed name",
        second.name
    ))
}

/// What is wrong with a deployed function name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let bad: Vec<char> = name
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        .collect();
    let length = name.chars().count();
    if let Some(c) = bad.first() {
        return Some(format!(
            "has {}, which Lambda refuses (only letters, digits, `-` and `_`)",
            describe_char(*c)
        ));
    }
    if name.is_empty() {
        return Some("is empty".into());
    }
    (length > MAX_FUNCTION_NAME)
        .then(|| format!("is {length} characters long; Lambda accepts at most {MAX_FUNCTION_NAME}"))
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() || c.is_whitespace() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// `FunctionName` over 64 characters or with characters Lambda refuses, pointed at the key
/// that produced it: `name`, or the service, the stage or the function key; `true` with it when
/// the service or the stage is the cause (every generated name has it).
fn function_name(service: &Service, function: &Function) -> Option<(Diagnostic, bool)> {
    let problem = name_problem(&function.name)?;
    let message = format!(
        "the deployed name of function '{}', '{}', {problem}",
        function.key, function.name
    );
    if function.has_custom_name {
        let name = function.get("name")?;
        return Some((
            Diagnostic::error(codes::FUNCTION_NAME_INVALID, message)
                .with_path(format!("functions.{}.name", function.key))
                .at(name.span, "the function's name")
                .with_help("set a name of at most 64 letters, digits, `-` and `_`"),
            false,
        ));
    }
    let (path, span, label, help) = generated_name_source(service, function);
    let mut diagnostic = Diagnostic::error(codes::FUNCTION_NAME_INVALID, message)
        .with_path(path)
        .at(span, label)
        .with_help(help);
    if span != function.key_span {
        diagnostic = diagnostic.also(function.key_span, "the function it names");
    }
    let shared = has_refused_characters(&service.name) || has_refused_characters(&service.stage);
    Some((diagnostic, shared))
}

/// Which part of `<service>-<stage>-<key>` makes the name invalid: the service or the stage
/// when it holds characters Lambda refuses, otherwise (too long) the function key.
fn generated_name_source(
    service: &Service,
    function: &Function,
) -> (String, Span, &'static str, String) {
    let stage_node = service
        .root
        .get("provider")
        .and_then(|p| p.get("stage"))
        .filter(|n| n.as_str() == Some(service.stage.as_str()));
    let service_node = service.root.get("service").filter(|n| n.as_str().is_some());
    if has_refused_characters(&service.name) {
        if let Some(node) = service_node {
            return (
                "service".into(),
                node.span,
                "the service name",
                "use a service name of letters, digits and `-`".into(),
            );
        }
    }
    if has_refused_characters(&service.stage) {
        return match stage_node {
            Some(node) => (
                "provider.stage".into(),
                node.span,
                "the stage",
                "use a stage of letters, digits and `-`".into(),
            ),
            None => (
                format!("functions.{}", function.key),
                function.key_span,
                "this function",
                format!("the stage '{}' (given with --stage) makes the name invalid: use a stage of letters, digits and `-`", service.stage),
            ),
        };
    }
    let mut help = format!(
        "the name is `<service>-<stage>-<function key>`; set a shorter `name:` on the function (at most {MAX_FUNCTION_NAME} characters), or shorten the function key"
    );
    if stage_node.is_none() && service.stage != "dev" {
        help.push_str(&format!(
            " (the stage '{}' comes from --stage)",
            service.stage
        ));
    }
    (
        format!("functions.{}", function.key),
        function.key_span,
        "this function",
        help,
    )
}

/// Holds a character Lambda refuses in function names.
fn has_refused_characters(text: &str) -> bool {
    !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::service::build_service;
    use crate::config::ValidationMode;

    fn service(functions: &[&str], extra: &str) -> Service {
        let mut yaml = format!("service: svc\nprovider:\n  name: aws\n{extra}functions:\n");
        for key in functions {
            yaml.push_str(&format!("  {key}:\n    handler: h.h\n"));
        }
        let root = streaming_events_yaml::load(&yaml, 0).unwrap();
        build_service(root, None, None, ValidationMode::Warn, &[]).unwrap()
    }

    fn codes(service: &Service) -> Vec<&'static str> {
        check_names(service).iter().map(|d| d.code.id).collect()
    }

    #[test]
    fn functions_that_normalise_alike_collide() {
        for pair in [
            ["getUser", "GetUser"],
            ["my-fn", "myDashfn"],
            ["a_b", "AUnderscoreb"],
        ] {
            let s = service(&pair, "");
            let found = function_collisions(&s);
            assert_eq!(found.len(), 1, "{pair:?}");
            assert_eq!(
                found[0].path.as_deref(),
                Some(&*format!("functions.{}", pair[1]))
            );
            assert!(functions_collide(&s.functions[0], &s.functions[1]));
        }
        for pair in [["getUser", "getUsers"], ["my-fn", "my_fn"], ["a1", "A2"]] {
            assert!(codes(&service(&pair, "")).is_empty(), "{pair:?}");
        }
    }

    #[test]
    fn three_alike_are_two_collisions_with_the_first() {
        let s = service(&["getUser", "GetUser", "getUser2", "GetUser2"], "");
        let found = function_collisions(&s);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("'getUser' and 'GetUser'"));
        assert!(found[1].message.contains("'getUser2' and 'GetUser2'"));
    }

    #[test]
    fn the_255_character_cut_makes_long_keys_collide() {
        let a = format!("{}a", "x".repeat(260));
        let b = format!("{}b", "x".repeat(260));
        let s = service(&[&a, &b], "");
        assert_eq!(function_collisions(&s).len(), 1);
    }

    #[test]
    fn function_names_lambda_refuses() {
        assert_eq!(name_problem("svc-dev-f"), None);
        assert_eq!(name_problem(&"a".repeat(64)), None);
        assert!(name_problem(&"a".repeat(65))
            .unwrap()
            .contains("65 characters"));
        assert!(name_problem("a b").unwrap().contains("a space"));
        assert!(name_problem("a.b").unwrap().contains("`.`"));
        assert!(name_problem("a\tb").unwrap().contains("U+0009"));
        assert!(name_problem("é").unwrap().contains("`é`"));
    }

    #[test]
    fn a_stage_with_a_refused_character_is_reported_once_at_the_stage() {
        let s = service(&["one", "two"], "  stage: dev.x\n");
        let found: Vec<Diagnostic> = check_names(&s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.as_deref(), Some("provider.stage"));
        let s = service(&["one"], "  stage: dev_x\n");
        assert!(codes(&s).is_empty(), "`_` is allowed");
    }
}
