//! The CI formats: GitHub Actions workflow commands (annotations), SARIF 2.1.0 (code scanning)
//! and GitLab's code quality report.

use crate::{codes, Diagnostic, Severity, SourceMap};
use serde_json::{json, Value};

/// One GitHub Actions workflow command a line:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`, `::warning` and
/// `::notice` alike. The message carries the help and the config path on lines of their own;
/// values are escaped as the runner unescapes them (`%`, CR and LF everywhere, and `:` and `,`
/// in properties). A diagnostic without a place names `file` when it is given (the service a
/// run of several checked).
pub fn render_github(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    file: Option<&str>,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some((file, line, column, end_line, end_column)) =
            d.primary_span().and_then(|s| sources.locate_range(s))
        {
            properties.push(format!("file={}", escape_property(file)));
            properties.push(format!("line={line}"));
            properties.push(format!("col={column}"));
            properties.push(format!("endLine={end_line}"));
            properties.push(format!("endColumn={end_column}"));
        } else if let Some(file) = file {
            properties.push(format!("file={}", escape_property(file)));
        }
        properties.push(format!("title={}", escape_property(d.code.id)));
        let mut message = d.message.clone();
        if let Some(path) = d.path.as_ref().filter(|p| !d.message.contains(p.as_str())) {
            message.push_str(&format!("\nat: {path}"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// A command's message, as the runner's `unescapeData` reads it back.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value, as the runner's `unescapeProperty` reads it back.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The anchor of a code's section in `docs/errors.md` (`### CODE` → `#code`).
pub fn errors_anchor(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// A SARIF 2.1.0 log with one run: the tool's rules are every code of the registry (its
/// summary, and help pointing at its section of `docs/errors.md`), the results the diagnostics
/// (level, message, the primary place as a region with its end). Columns count Unicode code
/// points, as the source map's do (`columnKind`).
pub fn render_sarif(diagnostics: &[Diagnostic], sources: &SourceMap, version: &str) -> String {
    render_sarif_services(&[(diagnostics, sources, None)], version)
}

/// One run of several services: each with its diagnostics, source map and service file (named
/// by the results that have no place of their own).
pub fn render_sarif_services(
    services: &[(&[Diagnostic], &SourceMap, Option<&str>)],
    version: &str,
) -> String {
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|code| {
            let anchor = errors_anchor(code.id);
            let mut rule = json!({
                "id": code.id,
                "shortDescription": {"text": code.summary},
                "help": {
                    "text": format!("{}. See docs/errors.md#{anchor}", code.summary),
                    "markdown": format!("{}. See [docs/errors.md](docs/errors.md#{anchor}).", code.summary),
                },
            });
            if let Some(reference) = code.reference {
                rule["properties"] = json!({"referenceCode": reference});
            }
            rule
        })
        .collect();
    let results: Vec<Value> = services
        .iter()
        .flat_map(|(diagnostics, sources, file)| {
            diagnostics
                .iter()
                .map(move |d| sarif_result(d, sources, *file))
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "streaming-events",
                "version": version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn sarif_result(d: &Diagnostic, sources: &SourceMap, file: Option<&str>) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let mut result = json!({
        "ruleId": d.code.id,
        "level": level,
        "message": {"text": text},
    });
    if let Some(index) = codes::ALL.iter().position(|c| c.id == d.code.id) {
        result["ruleIndex"] = json!(index);
    }
    let location = d
        .primary_span()
        .and_then(|s| sources.locate_range(s))
        .filter(|l| l.0 != "<stdin>");
    let mut place = serde_json::Map::new();
    if let Some((file, line, column, end_line, end_column)) = location {
        place.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": {"uri": uri_reference(file)},
                "region": {
                    "startLine": line.max(1),
                    "startColumn": column.max(1),
                    "endLine": end_line.max(line).max(1),
                    "endColumn": end_column.max(1),
                },
            }),
        );
    } else if let Some(file) = file.filter(|f| *f != "<stdin>") {
        place.insert(
            "physicalLocation".into(),
            json!({"artifactLocation": {"uri": uri_reference(file)}}),
        );
    }
    if let Some(path) = &d.path {
        place.insert(
            "logicalLocations".into(),
            json!([{"fullyQualifiedName": path, "kind": "member"}]),
        );
    }
    if !place.is_empty() {
        result["locations"] = json!([Value::Object(place)]);
    }
    result
}

/// A file name as a relative URI reference: `/` kept, every byte outside RFC 3986's unreserved
/// characters percent-encoded.
fn uri_reference(path: &str) -> String {
    let mut out = String::new();
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// GitLab's code quality report (the Code Climate subset GitLab reads): one JSON array of
/// `{description, check_name, fingerprint, severity, location: {path, lines: {begin, end}}}`,
/// `[]` when there is nothing to say. Severities: error → `major`, warning → `minor`, note →
/// `info`. The fingerprint is the MD5 of the code, file, config path and message (not the
/// line, so that an issue keeps its identity when lines move), with a counter where two
/// diagnostics would share one. A diagnostic without a place names its group's file (or the
/// service file), at line 1.
pub fn render_gitlab_services(groups: &[(&[Diagnostic], &SourceMap, Option<&str>)]) -> String {
    use md5::{Digest, Md5};
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    let mut items = Vec::new();
    for (diagnostics, sources, file) in groups {
        for d in *diagnostics {
            let place = d.primary_span().and_then(|s| sources.locate_range(s));
            let (path, begin, end) = match place {
                Some((path, line, _, end_line, _)) => (path.to_string(), line, end_line),
                // The group's file, else the first file the run read (the service file).
                None => {
                    let first = sources.get(0).map(|f| f.name.as_str());
                    (file.or(first).unwrap_or(".").to_string(), 1, 1)
                }
            };
            let mut description = d.message.clone();
            if let Some(help) = &d.help {
                description.push_str(&format!(" (help: {help})"));
            }
            let identity = format!(
                "{}\0{path}\0{}\0{}",
                d.code.id,
                d.path.as_deref().unwrap_or_default(),
                d.message
            );
            let count = seen.entry(identity.clone()).or_insert(0);
            *count += 1;
            let mut hasher = Md5::new();
            hasher.update(identity.as_bytes());
            hasher.update(count.to_string().as_bytes());
            let fingerprint: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let severity = match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Note => "info",
            };
            items.push(json!({
                "description": description,
                "check_name": d.code.id,
                "fingerprint": fingerprint,
                "severity": severity,
                "location": {"path": path, "lines": {"begin": begin, "end": end}},
            }));
        }
    }
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// [`render_gitlab_services`] for one service.
pub fn render_gitlab(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    render_gitlab_services(&[(diagnostics, sources, None)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn uris_are_references() {
        assert_eq!(
            uri_reference("svc a/serverless.yml"),
            "svc%20a/serverless.yml"
        );
        assert_eq!(uri_reference("ü#.yml"), "%C3%BC%23.yml");
    }
}
