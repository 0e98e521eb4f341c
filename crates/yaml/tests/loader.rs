//! The loader as the rest of the tool sees it: values as js-yaml 4 gives them (checked against
//! js-yaml 4.1 by hand when these cases were written), CloudFormation tags in long form, merge
//! keys, and the line/column of nodes.

use serde_json::json;
use streaming_events_yaml::{load, LoadErrorKind, Node, CFN_TAGS};

fn value(yaml: &str) -> serde_json::Value {
    load(yaml, 0)
        .unwrap_or_else(|e| panic!("{yaml}: {e:?}"))
        .to_json()
}

fn error(yaml: &str) -> LoadErrorKind {
    load(yaml, 0).expect_err(yaml).kind
}

fn at<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
    path.iter().fold(node, |n, key| match key.parse::<usize>() {
        Ok(i) => &n.as_seq().expect("a list")[i],
        Err(_) => n.as_map().and_then(|m| m.get(key)).expect("a key"),
    })
}

#[test]
fn js_yaml_scalars() {
    assert_eq!(
        value("a: yes\nb: on\nc: 0755\nd: 0o17\ne: 0x1F\nf: 0b101\ng: 2024-01-15\nh: True\ni: ~\nj: '0755'\nk: 1.50\nl: 1e3\nm: .inf\nn: 1_000\n"),
        json!({"a": "yes", "b": "on", "c": 755, "d": 15, "e": 31, "f": 5, "g": "2024-01-15T00:00:00.000Z", "h": true, "i": null, "j": "0755", "k": 1.5, "l": 1000, "m": null, "n": "1_000"})
    );
    assert_eq!(
        value("t: 2024-01-15T10:20:30.123"),
        json!({"t": "2024-01-15T10:20:30.123Z"})
    );
    assert_eq!(
        value("s: !!str 123\nb: !!bool true"),
        json!({"s": "123", "b": true})
    );
}

#[test]
fn every_short_form_tag_in_every_form() {
    for (short, long) in CFN_TAGS {
        assert_eq!(
            value(&format!("a: !{short} x")),
            json!({"a": {long: if short == "GetAtt" { json!(["x", ""]) } else { json!("x") }}}),
            "{short} scalar"
        );
        assert_eq!(
            value(&format!("a: !{short} [x, 1]")),
            json!({"a": {long: ["x", 1]}}),
            "{short} sequence"
        );
        assert_eq!(
            value(&format!("a: !{short} {{k: v}}")),
            json!({"a": {long: {"k": "v"}}}),
            "{short} mapping"
        );
    }
    assert_eq!(
        value("a: !GetAtt Table.StreamArn"),
        json!({"a": {"Fn::GetAtt": ["Table", "StreamArn"]}})
    );
    assert_eq!(
        value("a: !GetAtt A.B.C"),
        json!({"a": {"Fn::GetAtt": ["A", "B.C"]}})
    );
    assert_eq!(
        value("a: !Join ['', [!Ref AWS::Partition, !Sub '${AWS::Region}']]"),
        json!({"a": {"Fn::Join": ["", [{"Ref": "AWS::Partition"}, {"Fn::Sub": "${AWS::Region}"}]]}})
    );
    assert_eq!(value("a: !Ref 123"), json!({"a": {"Ref": "123"}}));
    assert_eq!(error("a: !Unknown x"), LoadErrorKind::UnknownTag);
}

#[test]
fn merge_keys_as_js_yaml() {
    // Explicit keys win over merged ones; merged keys keep the merge's position.
    assert_eq!(
        value("b: &b {x: 1, y: 2}\na:\n  y: 3\n  <<: *b\n  z: 4\n"),
        json!({"b": {"x": 1, "y": 2}, "a": {"y": 3, "x": 1, "z": 4}})
    );
    // With a list of sources, the first that has a key wins.
    assert_eq!(
        value("b1: &b1 {x: 1}\nb2: &b2 {x: 2, w: 5}\na:\n  <<: [*b1, *b2]\n"),
        json!({"b1": {"x": 1}, "b2": {"x": 2, "w": 5}, "a": {"x": 1, "w": 5}})
    );
    // An explicit key after the merge overrides in place.
    let text = "b: &b {x: 1, y: 2}\na:\n  <<: *b\n  x: 9\n";
    assert_eq!(
        value(text),
        json!({"b": {"x": 1, "y": 2}, "a": {"x": 9, "y": 2}})
    );
    assert_eq!(error("a: {x: 1, x: 2}"), LoadErrorKind::DuplicateKey);
    assert_eq!(error("a:\n  <<: 5\n"), LoadErrorKind::InvalidMerge);
}

#[test]
fn integer_keys_come_first_as_in_javascript() {
    assert_eq!(
        serde_json::to_string(&value("a: {2: x, 1: y, b: z, 0: w}")).unwrap(),
        r#"{"a":{"0":"w","1":"y","2":"x","b":"z"}}"#
    );
}

#[test]
fn positions_of_deep_merged_and_aliased_values() {
    let text =
        "service: s\nfunctions:\n  worker:\n    events:\n      - kafka:\n          topic: orders\n";
    let root = load(text, 0).unwrap();
    let topic = at(
        &root,
        &["functions", "worker", "events", "0", "kafka", "topic"],
    );
    assert_eq!((topic.span.start.line, topic.span.start.column), (6, 18));
    assert_eq!(
        &text[topic.span.start.offset as usize..topic.span.end.offset as usize],
        "orders"
    );

    let text = "defaults: &d\n  batchSize: 10\nevent:\n  <<: *d\n  topic: t\n";
    let root = load(text, 0).unwrap();
    let merged = at(&root, &["event", "batchSize"]);
    assert_eq!(
        (merged.span.start.line, merged.span.start.column),
        (2, 14),
        "defined"
    );
    let via = merged
        .via
        .as_ref()
        .expect("merged values remember the merge");
    assert_eq!((via.start.line, via.start.column), (4, 3), "used");

    let text = "arn: &a arn:aws:kinesis:us-east-1:1:stream/s\nevents:\n  - stream: *a\n";
    let root = load(text, 0).unwrap();
    let aliased = at(&root, &["events", "0", "stream"]);
    assert_eq!(
        (aliased.span.start.line, aliased.span.start.column),
        (1, 9),
        "defined"
    );
    let via = aliased
        .via
        .as_ref()
        .expect("aliased values remember the alias");
    assert_eq!((via.start.line, via.start.column), (3, 13), "used");
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let text = "a: café\nb: x\n";
    let root = load(text, 0).unwrap();
    let b = at(&root, &["b"]);
    assert_eq!(
        &text[b.span.start.offset as usize..b.span.end.offset as usize],
        "x"
    );
}

#[test]
fn json_goes_through_the_same_model() {
    let text = "{\n  \"service\": \"s\",\n  \"n\": 1.5\n}";
    let root = load(text, 0).unwrap();
    assert_eq!(root.to_json(), json!({"service": "s", "n": 1.5}));
    assert_eq!(at(&root, &["n"]).span.start.line, 3);
}

#[test]
fn hostile_inputs_are_errors_not_crashes() {
    let deep = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(error(&deep), LoadErrorKind::TooDeep);
    let mut deep_block = String::new();
    for i in 0..300 {
        deep_block.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
    }
    assert_eq!(error(&deep_block), LoadErrorKind::TooDeep);
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    assert_eq!(error(&bomb), LoadErrorKind::AliasBudget);
    assert_eq!(error("a: *nothing"), LoadErrorKind::UnknownAnchor);
    assert_eq!(error("a: 1\n---\nb: 2\n"), LoadErrorKind::MultipleDocuments);
    assert_eq!(error("a: [1, 2"), LoadErrorKind::Syntax);
    assert!(load("", 0).unwrap().is_null());
}

#[test]
fn many_plain_values_are_too_many_not_an_alias_bomb() {
    let items = vec!["1"; streaming_events_yaml::MAX_NODES + 1].join(",");
    let e = load(&format!("x: [{items}]\n"), 0).expect_err("too many values");
    assert_eq!(e.kind, LoadErrorKind::TooManyValues);
    assert!(!e.message.contains("alias"), "{}", e.message);
}

#[test]
fn large_mappings_load_in_linear_time_and_still_find_duplicates() {
    // 100,000 keys: a quadratic duplicate check would take about a minute.
    let mut yaml: String = (0..100_000).map(|i| format!("k{i}: {i}\n")).collect();
    assert_eq!(load(&yaml, 0).unwrap().as_map().unwrap().len(), 100_000);
    yaml.push_str("k7: again\n");
    let e = load(&yaml, 0).expect_err("a duplicate");
    assert_eq!(e.kind, LoadErrorKind::DuplicateKey);
    assert!(e.related.is_some_and(|r| r.start.line == 8));
    // A merge, then an explicit key overriding one merged key, in a large mapping.
    let mut merged = String::from("base: &b\n");
    merged.extend((0..100).map(|i| format!("  m{i}: {i}\n")));
    merged.push_str("x:\n  <<: *b\n  m50: override\n");
    merged.extend((0..100).map(|i| format!("  e{i}: {i}\n")));
    let v = value(&merged);
    assert_eq!(v["x"]["m50"], json!("override"));
    assert_eq!(v["x"].as_object().unwrap().len(), 200);
    assert_eq!(
        error(&format!("{merged}  e5: twice\n")),
        LoadErrorKind::DuplicateKey
    );
}

#[test]
fn messages_quote_at_most_a_little_of_a_value() {
    let key = "k".repeat(800_000);
    let e = load(&format!("{key}: 1\n{key}: 2\n"), 0).expect_err("a duplicate");
    assert!(e.message.len() < 200, "{} bytes", e.message.len());
    let e = load(&format!("x: !!int {key}\n"), 0).expect_err("not an int");
    assert!(e.message.len() < 300, "{} bytes", e.message.len());
}
