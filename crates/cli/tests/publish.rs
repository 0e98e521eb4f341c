//! The crates are publishable: each has the metadata crates.io asks for (description, license,
//! a readme, keywords) and the license file, the workspace's path dependencies carry the
//! version of the crate they name, and `cargo package --workspace` builds every `.crate` (without
//! the verifying build, which would compile everything again; offline, from the lock file).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

fn metadata() -> Value {
    let out = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON")
}

#[test]
fn every_crate_has_its_metadata_license_and_versioned_path_dependencies() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 4, "the workspace's crates");
    let license = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file");
    assert!(
        license.starts_with("MIT License"),
        "LICENSE is the MIT license"
    );
    let version_of = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["version"].as_str().unwrap().to_string())
    };
    for package in packages {
        let name = package["name"].as_str().unwrap();
        assert_eq!(package["license"], "MIT", "{name}");
        let description = package["description"].as_str().unwrap_or_default();
        assert!(description.len() > 20, "{name} has no description");
        assert!(
            !package["keywords"].as_array().unwrap().is_empty(),
            "{name} has no keywords"
        );
        let folder = Path::new(package["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap()
            .to_path_buf();
        let readme = package["readme"].as_str().expect("a readme");
        assert!(folder.join(readme).is_file(), "{name}: {readme}");
        // The crate's own LICENSE (what `cargo package` puts in the .crate) is the workspace's.
        assert_eq!(
            std::fs::read_to_string(folder.join("LICENSE"))
                .ok()
                .as_deref(),
            Some(license.as_str()),
            "{name}'s LICENSE"
        );
        for dependency in package["dependencies"].as_array().unwrap() {
            if dependency["path"].is_null() {
                continue;
            }
            let dep = dependency["name"].as_str().unwrap();
            let version = version_of(dep).expect("a path dependency is a workspace crate");
            assert_eq!(
                dependency["req"],
                format!("={version}"),
                "{name} → {dep}: a path dependency needs the version it is published as"
            );
        }
    }
}

#[test]
fn cargo_package_builds_every_crate() {
    let target =
        std::env::temp_dir().join(format!("streaming-events-publish-{}", std::process::id()));
    let out = cargo()
        .args([
            "package",
            "--workspace",
            "--no-verify",
            "--offline",
            "--allow-dirty",
        ])
        .arg("--target-dir")
        .arg(&target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let version = env!("CARGO_PKG_VERSION");
    for name in [
        "streaming-events-yaml",
        "streaming-events-diagnostics",
        "streaming-events-core",
        "streaming-events",
    ] {
        let file = target
            .join("package")
            .join(format!("{name}-{version}.crate"));
        assert!(file.is_file(), "{name}: {stderr}");
        let list = cargo()
            .args([
                "package",
                "-p",
                name,
                "--list",
                "--offline",
                "--allow-dirty",
            ])
            .output()
            .expect("cargo runs");
        assert!(
            list.status.success(),
            "{}",
            String::from_utf8_lossy(&list.stderr)
        );
        let files = String::from_utf8_lossy(&list.stdout);
        for needed in ["LICENSE", "README.md", "Cargo.toml"] {
            assert!(
                files.lines().any(|l| l == needed),
                "{name} lacks {needed}: {files}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&target);
}
