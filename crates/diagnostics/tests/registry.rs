//! The code registry and `docs/errors.md` list the same codes, each once.

use std::collections::BTreeSet;
use streaming_events_diagnostics::codes;

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md");
    let documented: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(str::trim)
        .collect();
    let unique: BTreeSet<&str> = documented.iter().copied().collect();
    assert_eq!(unique.len(), documented.len(), "a code is documented twice");
    let registered: BTreeSet<&str> = codes::ALL.iter().map(|c| c.id).collect();
    assert_eq!(
        registered.len(),
        codes::ALL.len(),
        "a code is registered twice"
    );
    let missing: Vec<_> = registered.difference(&unique).collect();
    let unknown: Vec<_> = unique.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "codes without an entry in docs/errors.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/errors.md documents unknown codes: {unknown:?}"
    );
}

#[test]
fn codes_are_found_by_id() {
    assert_eq!(
        codes::find("FUNCTION_EVENT_SOURCE_DUPLICATE"),
        Some(codes::FUNCTION_EVENT_SOURCE_DUPLICATE)
    );
    assert_eq!(codes::find("NOPE"), None);
}

#[test]
fn each_documented_code_names_the_frameworks_code_where_it_differs() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md");
    for code in codes::ALL {
        let Some(reference) = code.reference else {
            continue;
        };
        assert_ne!(
            reference, code.id,
            "{}: a reference code equal to ours",
            code.id
        );
        let section = doc
            .split("\n### ")
            .find(|s| s.starts_with(&format!("{}\n", code.id)))
            .unwrap_or_else(|| panic!("{} is not documented", code.id));
        assert!(
            section.contains(reference),
            "the entry of {} does not name the framework's code {reference}",
            code.id
        );
    }
}
