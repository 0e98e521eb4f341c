//! `package --output-dir DIR FILE...`: several services (files or folders) compiled in one run,
//! each valid one's template at `DIR/<service file path without extension>.template.json`, every
//! service's diagnostics with its file, exit 1 if any failed; and the usage errors found before
//! anything runs.

mod common;

use common::{run_in, scratch, stderr};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The pre-commit fixture's three services (orders valid, search valid with a warning, billing
/// invalid) copied into a scratch folder.
fn monorepo(name: &str) -> PathBuf {
    let dir = scratch(name);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pre-commit");
    for (folder, file) in [
        ("orders", "serverless.yml"),
        ("search", "serverless.yml"),
        ("billing", "serverless.yaml"),
    ] {
        let from = fixture.join("services").join(folder).join(file);
        let to = dir.join("services").join(folder);
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(from, to.join(file)).unwrap();
    }
    dir
}

#[test]
fn three_services_one_invalid_each_valid_one_gets_its_template() {
    let dir = monorepo("three");
    let out = run_in(
        &dir,
        &[
            "package",
            "--format",
            "json",
            "--output-dir",
            "out",
            "services/orders",
            "services/search/serverless.yml",
            "services/billing",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // Each valid service's template is the one `package --config FILE` prints.
    for service in ["orders", "search"] {
        let config = format!("services/{service}/serverless.yml");
        let alone = run_in(&dir, &["package", "--config", &config]);
        assert_eq!(alone.status.code(), Some(0), "{}", stderr(&alone));
        let written = std::fs::read(
            dir.join("out/services")
                .join(service)
                .join("serverless.template.json"),
        )
        .unwrap();
        assert_eq!(written, alone.stdout, "{service}");
    }
    assert!(!dir.join("out/services/billing").exists());
    // Every diagnostic names its service file, in the command line's order.
    let items: Value = serde_json::from_slice(&out.stderr).expect("one JSON array");
    let files: Vec<(&str, &str)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["file"].as_str().unwrap(), i["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files.first(),
        Some(&("services/orders/serverless.yml", "note"))
    );
    assert!(files.contains(&("services/search/serverless.yml", "warning")));
    assert!(files.contains(&("services/billing/serverless.yaml", "error")));
    assert!(
        files
            .iter()
            .all(|(f, s)| *s != "error" || f.contains("billing")),
        "{files:?}"
    );

    // All valid: exit 0, and a second run replaces the templates in place.
    let again = run_in(
        &dir,
        &[
            "package",
            "--output-dir",
            "out",
            "services/orders",
            "services/search",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn templates_that_cannot_be_placed_are_usage_errors_before_anything_runs() {
    let dir = monorepo("usage");
    std::fs::copy(
        dir.join("services/orders/serverless.yml"),
        dir.join("services/orders/serverless.json"),
    )
    .unwrap();
    // A template that would land on another service's file.
    std::fs::copy(
        dir.join("services/search/serverless.yml"),
        dir.join("services/search/serverless.template.json"),
    )
    .unwrap();
    for (args, expected) in [
        (
            &[
                "services/orders/serverless.yml",
                "services/orders/serverless.json",
            ][..],
            "would both write",
        ),
        (
            &["../usage/services/orders"][..],
            "not below the current folder",
        ),
        (
            &["/services/orders/serverless.yml"][..],
            "not below the current folder",
        ),
        (&["-"][..], "standard input has no path"),
    ] {
        let mut all = vec!["package", "--output-dir", "out"];
        all.extend_from_slice(args);
        let out = run_in(&dir, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("OUTPUT_TARGET_INVALID"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(!dir.join("out").exists(), "{args:?} wrote something");
    }
    let out = run_in(
        &dir,
        &[
            "package",
            "--output-dir",
            ".",
            "services/search/serverless.yml",
            "services/search/serverless.template.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("OUTPUT_OVERWRITES_INPUT"),
        "{}",
        stderr(&out)
    );
    // Files without --output-dir, or --output-dir with --output, are refused by the parser.
    for args in [
        &["package", "services/orders"][..],
        &[
            "package",
            "--output-dir",
            "out",
            "--output",
            "t.json",
            "services/orders",
        ][..],
    ] {
        let out = run_in(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_without_a_service_file_is_reported_as_such() {
    let dir = monorepo("empty-folder");
    std::fs::create_dir_all(dir.join("services/empty")).unwrap();
    for command in ["validate", "package"] {
        let mut args = vec![command];
        if command == "package" {
            args.extend(["--output-dir", "out"]);
        }
        args.extend(["services/orders", "services/empty"]);
        let out = run_in(&dir, &args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("CONFIG_FILE_NOT_FOUND")
                && stderr(&out).contains("in the folder services/empty"),
            "{}",
            stderr(&out)
        );
    }
    assert!(dir
        .join("out/services/orders/serverless.template.json")
        .is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
