//! Architecture invariants of `crates/core/src`, read from the source (see ARCHITECTURE.md):
//!
//! - every module imports only modules of its own layer or below, in this order:
//!   `js, env, naming, options` → `config` → `schema` → `template` → `iam` → `events` →
//!   `deployed` → `package`, `test_filter` → `lib`;
//! - the import graph between files has no cycle;
//! - every module other than `lib.rs` is private to the crate (`pub(crate)` or private), so
//!   that `lib.rs` is the whole public face;
//! - no function is longer than 100 lines unless a comment right above it says why
//!   (`// Long because …`).
//!
//! An import is any `crate::…`, `super::…` or child-module path in non-test code (a file's
//! test module, the first `#[cfg(test)]` at the start of a line, and what follows it, is not
//! scanned, nor are files named `tests.rs` or `test_support.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: &[&[&str]] = &[
    &["js", "env", "naming", "options"],
    &["config"],
    &["schema"],
    &["template"],
    &["iam"],
    &["events"],
    &["deployed"],
    &["package", "test_filter"],
    &["lib"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Module path of a file: `config/variables/resolve.rs` → `[config, variables, resolve]`,
/// `config/mod.rs` → `[config]`, `lib.rs` → `[]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn module_file(path: &[String]) -> Option<PathBuf> {
    if path.is_empty() {
        return Some(src().join("lib.rs"));
    }
    let joined: PathBuf = path.iter().collect();
    let file = src().join(&joined).with_extension("rs");
    if file.exists() {
        return Some(file);
    }
    let dir = src().join(&joined).join("mod.rs");
    dir.exists().then_some(dir)
}

/// The deepest module file a path names (`crate::iam::Statement` → `iam`).
fn resolve(path: &[String]) -> Option<PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|n| module_file(&path[..n]).filter(|_| n > 0))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("tests.rs")
            && !path.ends_with("test_support.rs")
        {
            out.push(path);
        }
    }
}

/// The non-test code of a file, without comments.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        if line.trim_start().starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Expands a `use` tree (`crate::{a, b::{c, d}}`) into its paths.
fn expand_use(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    fn go(prefix: &str, tree: &str, out: &mut Vec<String>) {
        match tree.find('{') {
            None => out.push(format!("{prefix}{tree}")),
            Some(open) => {
                let head = &tree[..open];
                let inner = &tree[open + 1..tree.len() - 1];
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            go(&format!("{prefix}{head}"), &inner[start..i], out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                if start < inner.len() {
                    go(&format!("{prefix}{head}"), &inner[start..], out);
                }
            }
        }
    }
    let mut out = Vec::new();
    go("", &tree, &mut out);
    out
}

fn segments(path: &str) -> Vec<String> {
    let mut segments: Vec<String> = path
        .split("::")
        .map(|s| s.split(" as ").next().unwrap_or(s).to_string())
        .filter(|s| !s.is_empty() && s != "*")
        .collect();
    // `use super::{self, x}` names the module itself.
    if segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
        segments.pop();
    }
    segments
}

/// The modules declared in a module's folder (`events/` for `events/mod.rs`).
fn child_modules(module: &[String]) -> Vec<String> {
    let dir: PathBuf = src().join(module.iter().collect::<PathBuf>());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|p| {
            if p.is_dir() {
                p.join("mod.rs")
                    .exists()
                    .then(|| p.file_name()?.to_str().map(str::to_string))?
            } else {
                let name = p.file_stem()?.to_str()?.to_string();
                (p.extension().is_some_and(|e| e == "rs") && name != "mod" && name != "tests")
                    .then_some(name)
            }
        })
        .collect();
    out.sort();
    out
}

/// The files a file imports.
fn imports_of(file: &Path) -> BTreeSet<PathBuf> {
    let here = module_path(file);
    let code = code_of(file);
    let mut paths: Vec<String> = Vec::new();
    // `use` statements (a tree may span lines).
    let mut rest = code.as_str();
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        paths.extend(expand_use(&rest[..end]));
        rest = &rest[end..];
    }
    // Paths written inline (`crate::naming::lambda_logical_id(…)`).
    for start in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(tail[..len].to_string());
            }
            rest = &rest[at + start.len()..];
        }
    }
    // Child modules named inline (`stream::StreamCompiler` in `events/mod.rs`).
    for child in child_modules(&here) {
        let pattern = format!("{child}::");
        let mut rest = code.as_str();
        while let Some(at) = rest.find(&pattern) {
            let before = rest[..at].chars().last();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(format!("self::{pattern}"));
            }
            rest = &rest[at + pattern.len()..];
        }
    }
    let mut out = BTreeSet::new();
    for path in paths {
        let mut segs = segments(&path);
        if segs.is_empty() {
            continue;
        }
        let absolute: Vec<String> = match segs[0].as_str() {
            "crate" => segs.split_off(1),
            "self" => {
                let mut base = here.clone();
                base.extend(segs.split_off(1));
                base
            }
            "super" => {
                let mut base = here.clone();
                while segs.first().is_some_and(|s| s == "super") {
                    segs.remove(0);
                    base.pop();
                }
                base.extend(segs);
                base
            }
            first => {
                // A child module (`pub use service::Function` in `config/mod.rs`).
                let mut child = here.clone();
                child.push(first.to_string());
                if module_file(&child).is_none() {
                    continue;
                }
                child.extend(segs.split_off(1));
                child
            }
        };
        if let Some(target) = resolve(&absolute) {
            if target != file {
                out.insert(target);
            }
        }
    }
    out
}

fn layer_of(file: &Path) -> usize {
    let path = module_path(file);
    let top = path.first().map(String::as_str).unwrap_or("lib");
    LAYERS
        .iter()
        .position(|layer| layer.contains(&top))
        .unwrap_or_else(|| panic!("{} belongs to no layer: add it to LAYERS", file.display()))
}

fn name(file: &Path) -> String {
    file.strip_prefix(src()).unwrap().display().to_string()
}

fn graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let imports = imports_of(&f);
            (f, imports)
        })
        .collect()
}

#[test]
fn imports_run_down_the_layers() {
    let mut upward = Vec::new();
    for (file, imports) in graph() {
        for target in imports {
            if layer_of(&target) > layer_of(&file) {
                upward.push(format!("{} imports {}", name(&file), name(&target)));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up the layer order:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_import_graph_has_no_cycle() {
    let graph = graph();
    // Tarjan would name every cycle; one path per cycle found by DFS is enough to fix them.
    let mut state: BTreeMap<&PathBuf, u8> = BTreeMap::new();
    let mut stack: Vec<&PathBuf> = Vec::new();
    let mut cycles = Vec::new();
    fn visit<'a>(
        node: &'a PathBuf,
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<&'a PathBuf, u8>,
        stack: &mut Vec<&'a PathBuf>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                0 => visit(next, graph, state, stack, cycles),
                1 => {
                    let start = stack.iter().position(|n| *n == next).unwrap();
                    let names: Vec<String> = stack[start..].iter().map(|f| name(f)).collect();
                    cycles.push(format!("{} → {}", names.join(" → "), name(next)));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node, 2);
    }
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            visit(node, &graph, &mut state, &mut stack, &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn lib_rs_is_the_only_public_face() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let public: Vec<&str> = lib.lines().filter(|l| l.starts_with("pub mod ")).collect();
    assert!(
        public.is_empty(),
        "modules must be private to the crate (re-export what the binary needs): {public:?}"
    );
}

#[test]
fn functions_are_at_most_100_lines_unless_a_comment_says_why() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut long = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim_start();
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "]
                .iter()
                .any(|p| line.starts_with(p));
            if !is_fn || line.ends_with(';') {
                i += 1;
                continue;
            }
            let indent = lines[i].len() - line.len();
            let closing = " ".repeat(indent) + "}";
            let end = (i + 1..lines.len())
                .find(|&j| lines[j] == closing)
                .unwrap_or(i);
            let length = end - i + 1;
            let explained = (0..i)
                .rev()
                .take_while(|&j| {
                    let l = lines[j].trim_start();
                    l.starts_with("//") || l.starts_with("#[")
                })
                .any(|j| lines[j].contains("Long because"));
            if length > 100 && !explained {
                long.push(format!("{}:{} ({length} lines)", name(&file), i + 1));
            }
            i += 1;
        }
    }
    assert!(
        long.is_empty(),
        "functions over 100 lines (split them, or say why in a `// Long because …` comment):\n{}",
        long.join("\n")
    );
}
