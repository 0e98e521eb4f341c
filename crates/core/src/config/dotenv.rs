//! `useDotenv: true`: variables from `.env.<stage>` (or, only when that file does not exist,
//! `.env`) next to the service file, read and expanded as the reference v3 does it (dotenv 16
//! reads the lines, dotenv-expand 10 expands `$NAME`, `${NAME}` and `${NAME:-default}`).
//!
//! The rules, re-derived from those libraries' behaviour:
//! - **Lines**: `KEY=value` or `KEY: value`, an optional `export `; a key is letters, digits,
//!   `_`, `.` and `-`. A value is single-, double- or back-quoted (a quoted value may span lines;
//!   only in double quotes are `\n` and `\r` turned into a newline and a carriage return), or
//!   unquoted up to a `#` or the end of the line, trimmed. A key given twice keeps the last value
//!   (but its first place in the order below).
//! - **Order**: keys are expanded in JavaScript object order: keys that are array indexes
//!   (`0`, `17`) first, ascending, then the others as they first appear.
//! - **Which value**: a key the process environment already has keeps the process's value, and
//!   that value is what gets expanded; the file's value is used otherwise. The result replaces
//!   the variable for `${env:KEY}`.
//! - **Expansion**: repeatedly, the last `$` not preceded by a backslash starts a reference
//!   `$` `{`? NAME (`[A-Za-z0-9_]+`) (`:-` default up to `}` or `\`)? `}`?; if it does not
//!   start one, expansion stops there. The reference's text is replaced, at its *first*
//!   occurrence in the value, by the first non-empty of: the environment's value (the process's,
//!   else any file value as written), the default, the value the file gave (expanded if that key
//!   came earlier), else nothing; `$$`, `$&`, `` $` `` and `$'` in the replacement mean what
//!   they mean to JavaScript's `String.prototype.replace`. At the end every `\$` becomes `$`.
//! - An expansion that never ends (`A=$A`) makes the reference crash with a stack overflow;
//!   here it is an error, as is a `.env` file that exists but cannot be read.

use crate::env::Environment;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use streaming_events_yaml::Node;

/// Substitutions per value before an expansion counts as never ending.
const MAX_SUBSTITUTIONS: usize = 10_000;
/// The longest value an expansion may produce.
const MAX_VALUE_BYTES: usize = 1024 * 1024;
/// Bytes an expansion may scan in total (each substitution scans the value).
const MAX_SCANNED_BYTES: usize = 64 * 1024 * 1024;

/// The variables the `.env` files define, expanded, and what went wrong reading them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dotenv {
    values: BTreeMap<String, String>,
    pub problems: Vec<DotenvProblem>,
    /// The files could not be chosen yet: no `--stage`, and `provider.stage` holds variables.
    /// The resolver resolves it (without `.env` values, as the reference does) and then calls
    /// [`load_for_stage`] with this folder.
    pub pending: Option<PathBuf>,
}

/// A `.env` file that cannot be used; the reference stops with `DOTENV_LOAD_ERROR` (or crashes).
#[derive(Debug, Clone, PartialEq)]
pub struct DotenvProblem {
    pub file: PathBuf,
    /// The file's text and the byte range of the key concerned, when the file could be read.
    pub text: Option<(String, usize, usize)>,
    pub message: String,
    pub help: String,
}

impl Dotenv {
    /// Values given directly (tests).
    #[cfg(test)]
    pub fn from_values(values: BTreeMap<String, String>) -> Self {
        Dotenv {
            values,
            ..Dotenv::default()
        }
    }

    /// Whether the files define `name` with a non-empty value.
    pub fn defines(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| !v.is_empty())
    }

    /// The value of a variable the files define (after expansion), if they define it.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }
}

/// The variables of the service in `dir` for the stage given on the command line (else
/// `provider.stage`, else `dev`); when `provider.stage` holds variables, the choice waits for
/// the resolver ([`Dotenv::pending`]).
pub fn load(env: &dyn Environment, root: &Node, dir: &Path, cli_stage: Option<&str>) -> Dotenv {
    if root.get("useDotenv").and_then(Node::as_bool) != Some(true) {
        return Dotenv::default();
    }
    let written = root
        .get("provider")
        .and_then(|p| p.get("stage"))
        .and_then(Node::as_str);
    match (cli_stage, written) {
        (Some(stage), _) => load_for_stage(env, dir, stage),
        (None, Some(stage)) if stage.contains("${") => Dotenv {
            pending: Some(dir.to_path_buf()),
            ..Dotenv::default()
        },
        (None, Some(stage)) => load_for_stage(env, dir, stage),
        (None, None) => load_for_stage(env, dir, "dev"),
    }
}

/// `.env.<stage>`, or `.env` when that file does not exist, in `dir`.
pub fn load_for_stage(env: &dyn Environment, dir: &Path, stage: &str) -> Dotenv {
    for name in [format!(".env.{stage}"), ".env".to_string()] {
        let path = dir.join(&name);
        match env.read_file(&path) {
            Ok(text) => return expand_file(env, &path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Dotenv {
                    problems: vec![DotenvProblem {
                        file: path.clone(),
                        text: None,
                        message: format!(
                            "cannot load environment variables from {}: {e}",
                            path.display()
                        ),
                        help: "make the file a readable UTF-8 text file, or remove it".to_string(),
                    }],
                    ..Dotenv::default()
                }
            }
        }
    }
    Dotenv::default()
}

/// Reads and expands one file's variables against the process environment.
fn expand_file(env: &dyn Environment, path: &Path, text: &str) -> Dotenv {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let entries = parse_entries(&normalised);
    // What the environment holds while values are expanded: the process's values, and the
    // file's (as written) for names the process does not have.
    let mut environment: BTreeMap<String, String> = BTreeMap::new();
    let mut parsed: BTreeMap<String, String> = BTreeMap::new();
    for entry in &entries {
        parsed.insert(entry.key.clone(), entry.value.clone());
        let value = env.var(&entry.key).unwrap_or_else(|| entry.value.clone());
        environment.insert(entry.key.clone(), value);
    }
    let mut problems = Vec::new();
    for entry in &entries {
        let start = environment[&entry.key].clone();
        let result = interpolate(&start, |name, default| {
            let from_env = environment.get(name).cloned().or_else(|| env.var(name));
            [
                from_env,
                default.map(str::to_string),
                parsed.get(name).cloned(),
            ]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or_default()
        });
        match result {
            Ok(value) => {
                parsed.insert(entry.key.clone(), value.replace("\\$", "$"));
            }
            Err(reason) => {
                // A value that never finishes expanding is not defined: what refers to it is
                // unresolved (and so unknown to the later checks), not given a half-expanded text.
                parsed.remove(&entry.key);
                problems.push(DotenvProblem {
                file: path.to_path_buf(),
                text: Some((
                    normalised.clone(),
                    entry.offset,
                    entry.offset + entry.key.len(),
                )),
                message: format!("the value of {} {reason}", entry.key),
                help: "a value can refer to other variables ($NAME, ${NAME}, ${NAME:-default}); write \\$ for a literal $".to_string(),
            });
            }
        }
    }
    Dotenv {
        values: parsed,
        problems,
        pending: None,
    }
}

/// One key of a file, in the order the reference expands them.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    value: String,
    /// Byte offset of the key's first definition in the (line-normalised) text.
    offset: usize,
}

/// JavaScript's whitespace (`\s`, and what `trim` removes).
const JS_SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn line_regex() -> &'static Regex {
    static LINE: OnceLock<Regex> = OnceLock::new();
    LINE.get_or_init(|| {
        let s = format!("[{JS_SPACE}]");
        let pattern = format!(
            "(?m)^{s}*(?:export{s}+)?([A-Za-z0-9_.-]+)(?:{s}*={s}*?|:{s}+?)\
             ({s}*'(?:\\\\'|[^'])*'|{s}*\"(?:\\\\\"|[^\"])*\"|{s}*`(?:\\\\`|[^`])*`|[^#\\r\\n]+)?\
             {s}*(?:#[^\\n\\r\\x{{2028}}\\x{{2029}}]*)?$"
        );
        Regex::new(&pattern).expect("the dotenv line pattern is valid")
    })
}

fn quotes_regex() -> &'static Regex {
    static QUOTES: OnceLock<Regex> = OnceLock::new();
    QUOTES.get_or_init(|| {
        Regex::new("(?m)^'((?s:.)*)'$|^\"((?s:.)*)\"$|^`((?s:.)*)`$")
            .expect("the dotenv quote pattern is valid")
    })
}

/// The keys and values of a file, in expansion order.
fn parse_entries(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut positions: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for caps in line_regex().captures_iter(text) {
        let Some(key) = caps.get(1) else { continue };
        let raw = caps.get(2).map_or("", |m| m.as_str());
        let value = raw.trim_matches(is_js_space);
        let double = value.starts_with('"');
        let mut value = quotes_regex()
            .replace_all(value, |c: &regex::Captures<'_>| {
                (1..=3)
                    .find_map(|i| c.get(i))
                    .map_or(String::new(), |m| m.as_str().to_string())
            })
            .into_owned();
        if double {
            value = value.replace("\\n", "\n").replace("\\r", "\r");
        }
        // `obj.__proto__ = …` sets no property in JavaScript.
        if key.as_str() == "__proto__" {
            continue;
        }
        match positions.get(key.as_str()) {
            Some(&at) => entries[at].value = value,
            None => {
                positions.insert(key.as_str().to_string(), entries.len());
                entries.push(Entry {
                    key: key.as_str().to_string(),
                    value,
                    offset: key.start(),
                });
            }
        }
    }
    // Array-index keys come first in JavaScript's property order.
    let index = |key: &str| -> Option<u64> {
        let n: u64 = key.parse().ok()?;
        (n.to_string() == key && n < u64::from(u32::MAX)).then_some(n)
    };
    let (mut indexed, named): (Vec<Entry>, Vec<Entry>) =
        entries.into_iter().partition(|e| index(&e.key).is_some());
    indexed.sort_by_key(|e| index(&e.key));
    indexed.extend(named);
    indexed
}

/// Expands one value; `lookup(name, default)` gives a reference's replacement.
fn interpolate(
    value: &str,
    mut lookup: impl FnMut(&str, Option<&str>) -> String,
) -> Result<String, String> {
    let mut value = value.to_string();
    let mut scanned = 0usize;
    for _ in 0..MAX_SUBSTITUTIONS {
        scanned += value.len();
        if scanned > MAX_SCANNED_BYTES {
            break;
        }
        let bytes = value.as_bytes();
        // The last `$` not preceded by a backslash.
        let Some(at) = (0..bytes.len())
            .rev()
            .find(|&i| bytes[i] == b'$' && (i == 0 || bytes[i - 1] != b'\\'))
        else {
            return Ok(value);
        };
        let Some((group_len, name, default)) = reference_at(&value[at..]) else {
            return Ok(value);
        };
        let group = value[at..at + group_len].to_string();
        let replacement = lookup(&name, default.as_deref());
        // `String.prototype.replace` with a text pattern: its first occurrence.
        let first = value.find(&group).unwrap_or(at);
        let substituted = substitution(&replacement, &value, first, group.len());
        let mut next = String::with_capacity(value.len() + substituted.len());
        next.push_str(&value[..first]);
        next.push_str(&substituted);
        next.push_str(&value[first + group.len()..]);
        if next.len() > MAX_VALUE_BYTES {
            return Err(format!(
                "expands to more than {MAX_VALUE_BYTES} bytes (does it refer to itself?)"
            ));
        }
        value = next;
    }
    Err("does not stop expanding: it refers to itself (the Serverless Framework crashes with a stack overflow here)".to_string())
}

/// At a `$`: the length of the reference it starts, its name and its default.
fn reference_at(text: &str) -> Option<(usize, String, Option<String>)> {
    let bytes = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 1;
    if bytes.get(1) == Some(&b'{') && bytes.get(2).is_some_and(|&c| word(c)) {
        i = 2;
    }
    let name_start = i;
    while bytes.get(i).is_some_and(|&c| word(c)) {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = text[name_start..i].to_string();
    let mut default = None;
    if text[i..].starts_with(":-") {
        let start = i + 2;
        let len = text[start..]
            .find(['}', '\\'])
            .unwrap_or(text.len() - start);
        default = Some(text[start..start + len].to_string());
        i = start + len;
    }
    if bytes.get(i) == Some(&b'}') {
        i += 1;
    }
    Some((i, name, default))
}

/// The replacement text as JavaScript's `GetSubstitution` reads it for a text pattern.
fn substitution(replacement: &str, subject: &str, position: usize, matched_len: usize) -> String {
    if !replacement.contains('$') {
        return replacement.to_string();
    }
    let mut out = String::new();
    let mut chars = replacement.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|&(_, n)| n) {
            Some('$') => {
                out.push('$');
                chars.next();
            }
            Some('&') => {
                out.push_str(&subject[position..position + matched_len]);
                chars.next();
            }
            Some('`') => {
                out.push_str(&subject[..position]);
                chars.next();
            }
            Some('\'') => {
                out.push_str(&subject[position + matched_len..]);
                chars.next();
            }
            _ => out.push('$'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FakeEnvironment;

    fn values(text: &str, env: &FakeEnvironment) -> Vec<(String, String)> {
        let dotenv = expand_file(env, Path::new(".env"), text);
        assert!(dotenv.problems.is_empty(), "{:?}", dotenv.problems);
        let mut order: Vec<String> = parse_entries(text).into_iter().map(|e| e.key).collect();
        order.dedup();
        order
            .into_iter()
            .map(|k| {
                let v = dotenv.get(&k).unwrap_or_default();
                (k, v)
            })
            .collect()
    }

    fn value(text: &str, key: &str) -> String {
        let dotenv = expand_file(&FakeEnvironment::new(), Path::new(".env"), text);
        dotenv
            .get(key)
            .unwrap_or_else(|| panic!("{key} not in {text:?}"))
    }

    #[test]
    fn lines() {
        let env = FakeEnvironment::new();
        let got = values(
            "# comment\nA=1\nexport B = two words # note\nC=\"x\\ny\"\nD='${raw}'\nbad line\n=nokey\nE: colon\n",
            &env,
        );
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("A", "1"),
                ("B", "two words"),
                ("C", "x\ny"),
                ("D", ""),
                ("E", "colon")
            ]
        );
    }

    #[test]
    fn quotes_and_multiline_values() {
        assert_eq!(value("A='it\\'s'\n", "A"), "it\\'s");
        assert_eq!(value("A=\"a\nb\"\n", "A"), "a\nb");
        assert_eq!(value("A=`x#y`\n", "A"), "x#y");
        assert_eq!(value("A='a\\nb'\n", "A"), "a\\nb");
        assert_eq!(value("A=x # c\n", "A"), "x");
        assert_eq!(value("A=\nB=2\n", "A"), "");
        assert_eq!(value("A=1\nA=2\n", "A"), "2");
    }

    #[test]
    fn expansion() {
        assert_eq!(value("BASE=orders\nT=${BASE}-topic\n", "T"), "orders-topic");
        assert_eq!(value("BASE=orders\nT=$BASE-topic\n", "T"), "orders-topic");
        assert_eq!(value("T=${MISSING:-dflt}-x\n", "T"), "dflt-x");
        assert_eq!(value("T=$MISSING:-dflt\n", "T"), "dflt");
        assert_eq!(value("T=a${MISSING}b\n", "T"), "ab");
        assert_eq!(value("T=\\$BASE\nBASE=x\n", "T"), "$BASE");
        // The last `$` does not start a reference: nothing is expanded.
        assert_eq!(value("B=x\nT=$B-$\n", "T"), "$B-$");
        // Later keys are seen as written, earlier ones expanded.
        assert_eq!(value("A=$B\nB=${C}\nC=c\n", "A"), "c");
        // A replacement is put at the first occurrence of the reference's text.
        assert_eq!(value("A=x\nT=\\$A $A\n", "T"), "\\x x");
        assert_eq!(value("T=${P:-x}}\n", "T"), "x}");
        assert_eq!(value("U=$P:-d e f\n", "U"), "d e f");
        assert_eq!(value("V=${Q:-a\\b}\n", "V"), "a\\b}");
        // Array-index keys are expanded first.
        assert_eq!(value("X=$1\n1=one\n", "X"), "one");
    }

    #[test]
    fn replacements_read_dollar_patterns_as_javascript_does() {
        let with = |p: &str, text: &str| {
            let env = FakeEnvironment::new().with_var("P", p);
            expand_file(&env, Path::new(".env"), text)
                .get("T")
                .unwrap_or_default()
        };
        assert_eq!(with("x$$-y", "T=a$P\n"), "ax$-y");
        assert_eq!(with("[$`]", "T=a$P-b\n"), "a[a]-b");
        assert_eq!(with("[$']", "T=a$P-b\n"), "a[-b]-b");
    }

    #[test]
    fn byte_order_mark_and_line_ends() {
        assert_eq!(value("\u{feff}A=1\nB:\nC=2\n", "A"), "1");
        // `B:` takes the next line as its value (the separator's spaces may span lines).
        assert_eq!(value("\u{feff}A=1\nB:\nC=2\n", "B"), "C=2");
        assert_eq!(value("A=1\r\nB=\"x\\ry\"\r\n", "B"), "x\ry");
    }

    #[test]
    fn the_process_environment_wins_and_is_expanded() {
        let env = FakeEnvironment::new()
            .with_var("A", "from-${B}")
            .with_var("P", "process");
        let dotenv = expand_file(&env, Path::new(".env"), "A=file\nB=b\nC=$P\n");
        assert_eq!(dotenv.get("A").as_deref(), Some("from-b"));
        assert_eq!(dotenv.get("C").as_deref(), Some("process"));
    }

    #[test]
    fn endless_expansion_is_a_problem() {
        let dotenv = expand_file(&FakeEnvironment::new(), Path::new(".env"), "A=x$A\n");
        assert_eq!(dotenv.problems.len(), 1);
        let dotenv = expand_file(&FakeEnvironment::new(), Path::new(".env"), "A=$A\n");
        assert_eq!(dotenv.problems.len(), 1);
        // A long value that grows by one character per substitution stops early too.
        let text = format!("B=x$B\nT={}$B\n", "p".repeat(900_000));
        let dotenv = expand_file(&FakeEnvironment::new(), Path::new(".env"), &text);
        assert_eq!(dotenv.problems.len(), 2);
        // `$&` brings the reference back each time: the reference overflows its stack.
        let dotenv = expand_file(&FakeEnvironment::new(), Path::new(".env"), "A=<$&>\nT=$A\n");
        assert_eq!(dotenv.problems.len(), 1);
    }
}
