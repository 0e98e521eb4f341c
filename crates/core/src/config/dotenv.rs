//! `useDotenv: true`: variables from `.env.<stage>` (or, when it does not exist, `.env`) next to
//! the service file, as the reference v3 loads them; the process environment wins over them.

use crate::env::Environment;
use std::collections::BTreeMap;
use std::path::Path;
use streaming_events_yaml::Node;

/// The variables of the service in `dir` for the stage given on the command line (else
/// `provider.stage`, else `dev`).
pub fn load(
    env: &dyn Environment,
    root: &Node,
    dir: &Path,
    cli_stage: Option<&str>,
) -> BTreeMap<String, String> {
    if root.get("useDotenv").and_then(Node::as_bool) != Some(true) {
        return BTreeMap::new();
    }
    let stage = cli_stage
        .map(str::to_string)
        .or_else(|| {
            root.get("provider")
                .and_then(|p| p.get("stage"))
                .and_then(Node::as_str)
                .map(str::to_string)
        })
        .filter(|s| !s.contains("${"))
        .unwrap_or_else(|| "dev".to_string());
    let staged = dir.join(format!(".env.{stage}"));
    let path = if env.is_file(&staged) {
        staged
    } else {
        dir.join(".env")
    };
    env.read_file(&path)
        .map(|text| parse(&text))
        .unwrap_or_default()
}

/// `KEY=value` lines: `#` comments, an optional `export `, single or double quotes (`\n` in
/// double quotes is a newline), unquoted values trimmed and cut at ` #`.
pub fn parse(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            continue;
        }
        let value = value.trim();
        let value = if let Some(inner) = value
            .strip_prefix('"')
            .and_then(|v| v.rsplit_once('"').map(|(v, _)| v))
        {
            inner.replace("\\n", "\n")
        } else if let Some(inner) = value
            .strip_prefix('\'')
            .and_then(|v| v.rsplit_once('\'').map(|(v, _)| v))
        {
            inner.to_string()
        } else {
            value.split(" #").next().unwrap_or("").trim().to_string()
        };
        out.insert(key.to_string(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn dotenv_lines() {
        let vars = parse("# comment\nA=1\nexport B = two words # note\nC=\"x\\ny\"\nD='${raw}'\nbad line\n=nokey\n");
        assert_eq!(vars.get("A").map(String::as_str), Some("1"));
        assert_eq!(vars.get("B").map(String::as_str), Some("two words"));
        assert_eq!(vars.get("C").map(String::as_str), Some("x\ny"));
        assert_eq!(vars.get("D").map(String::as_str), Some("${raw}"));
        assert_eq!(vars.len(), 4);
    }
}
