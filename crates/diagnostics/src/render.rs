//! Renderers: one for people (rustc's layout), one for tools (a JSON array); the CI formats are
//! in `formats.rs`.

use crate::{Diagnostic, Label, Severity, SourceMap};
use std::fmt::Write;

/// The most characters of a source line a snippet shows.
const MAX_SHOWN: usize = 160;

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours.
    pub color: bool,
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders diagnostics like rustc: `error[CODE]: message`, `--> file:line:col`, the source line
/// with a caret label, then `= help:`.
pub fn render_human(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: RenderOptions,
) -> String {
    let style = Style { on: options.color };
    let mut out = String::new();
    for diagnostic in diagnostics {
        render_one(&mut out, diagnostic, sources, &style);
        out.push('\n');
    }
    out
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &SourceMap, style: &Style) {
    let (level, colour) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Note => ("note", "1;32"),
    };
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(colour, &format!("{level}[{}]", d.code.id)),
        style.paint("1", &format!(": {}", shown(&d.message)))
    );
    let mut labels: Vec<&Label> = d.labels.iter().filter(|l| l.primary).collect();
    labels.extend(d.labels.iter().filter(|l| !l.primary));
    let gutter = labels
        .iter()
        .map(|l| l.span.start.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    for (i, label) in labels.iter().enumerate() {
        let Some(file) = sources.get(label.span.file) else {
            continue;
        };
        let (start, end) = (label.span.start, label.span.end);
        let (start_column, end_column) = (start.column as usize, end.column as usize);
        let arrow = if i == 0 { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            style.paint("1;34", arrow),
            shown(&file.name),
            start.line,
            start.column
        );
        let line_no = start.line as usize;
        let full_line = file.index.line_text(&file.text, line_no);
        // Long lines are shown as a window around the label (columns count characters).
        let skip = start_column.saturating_sub(60);
        let shown_chars: Vec<char> = full_line
            .chars()
            .skip(skip)
            .take(MAX_SHOWN)
            .map(snippet_char)
            .collect();
        let mut text: String = shown_chars
            .iter()
            .map(|&c| {
                if c == '\t' {
                    TAB.to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        if skip > 0 {
            text.insert(0, '…');
        }
        let bar = style.paint("1;34", "|");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{} {bar} {}",
            style.paint("1;34", &format!("{line_no:>gutter$}")),
            text
        );
        // The carets go under the label's characters by their width on a terminal: a tab is
        // four columns, a CJK character or an emoji two, a combining mark none.
        let before = (start_column.max(1) - 1 - skip).min(shown_chars.len());
        let count = if end.line == start.line {
            end_column.saturating_sub(start_column).max(1)
        } else {
            shown_chars.len().saturating_sub(before).max(1)
        };
        let indent = usize::from(skip > 0) + display_width(&shown_chars[..before]);
        let marked = &shown_chars[before..(before + count).min(shown_chars.len())];
        let width = display_width(marked).max(1);
        let marker = if label.primary { "^" } else { "-" };
        let underline = format!("{}{}", " ".repeat(indent), marker.repeat(width));
        let mark_colour = if label.primary { colour } else { "1;34" };
        let tail = if label.text.is_empty() {
            String::new()
        } else {
            format!(" {}", shown(&label.text))
        };
        let _ = writeln!(
            out,
            "{pad} {bar} {}",
            style.paint(mark_colour, &format!("{underline}{tail}"))
        );
    }
    if let Some(path) = d.path.as_ref().filter(|p| !d.message.contains(p.as_str())) {
        let _ = writeln!(
            out,
            "{pad} {} at: {}",
            style.paint("1;34", "="),
            shown(path)
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(
            out,
            "{pad} {} {}",
            style.paint("1;34", "="),
            style.paint("1", &format!("help: {}", shown(help)))
        );
    }
    if let Some(reference) = d.code.reference {
        let _ = writeln!(
            out,
            "{pad} {} note: the Serverless Framework reports this as {reference}",
            style.paint("1;34", "="),
        );
    }
}

/// What a tab of a source line is shown as (rustc shows four spaces too).
const TAB: &str = "    ";

/// How many terminal columns `chars` take (after [`snippet_char`]): a tab four, wide characters
/// (CJK, most emoji) two, combining and other zero-width characters none.
fn display_width(chars: &[char]) -> usize {
    use unicode_width::UnicodeWidthChar;
    chars
        .iter()
        .map(|&c| {
            if c == '\t' {
                TAB.len()
            } else {
                c.width().unwrap_or(1)
            }
        })
        .sum()
}

/// The most characters of a message, label or help the human renderer prints.
const MAX_MESSAGE: usize = 1000;

/// Whether a character would act on a terminal or hide text instead of showing itself: C0 and
/// C1 controls, DEL, and the invisible characters that reorder text (Trojan Source).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Text for a message line: unsafe characters escaped as Rust does (`\u{1b}`, `\0`, `\n`), at
/// most [`MAX_MESSAGE`] characters.
fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(MAX_MESSAGE) {
        if is_unsafe(c) && c != '\n' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        let _ = write!(out, "… ({rest} more characters)");
    }
    out
}

/// A character of a source line in a snippet, shown so that the carets can be placed under it
/// ([`display_width`]). Controls become their Unicode control pictures (`␛`, `␀`), as rustc
/// shows them; other unsafe characters the replacement character; a tab stays a tab (shown as
/// [`TAB`]).
fn snippet_char(c: char) -> char {
    match c {
        '\t' => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if is_unsafe(c) => '\u{fffd}',
        c => c,
    }
}

/// A JSON array of `{code, severity, message, file, line, column, endLine, endColumn, path, help,
/// referenceCode}`.
pub fn render_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    serde_json::to_string_pretty(&render_json_value(diagnostics, sources))
        .unwrap_or_else(|_| "[]".to_string())
}

/// What [`render_json`] prints, as a value (to embed it in a larger document).
pub fn render_json_value(diagnostics: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let location = d.primary_span().and_then(|s| sources.locate_range(s));
            let mut object = serde_json::Map::new();
            object.insert("code".into(), d.code.id.into());
            object.insert("severity".into(), d.severity.as_str().into());
            object.insert("message".into(), d.message.clone().into());
            object.insert("file".into(), location.map(|l| l.0.to_string()).into());
            object.insert("line".into(), location.map(|l| l.1).into());
            object.insert("column".into(), location.map(|l| l.2).into());
            object.insert("endLine".into(), location.map(|l| l.3).into());
            object.insert("endColumn".into(), location.map(|l| l.4).into());
            object.insert("path".into(), d.path.clone().into());
            object.insert("help".into(), d.help.clone().into());
            object.insert("referenceCode".into(), d.code.reference.into());
            serde_json::Value::Object(object)
        })
        .collect();
    serde_json::Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use streaming_events_yaml::{Pos, Span};

    fn render(message: &str, line: &str, column: usize) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("s.yml", format!("{line}\n"));
        let at = |column: usize| Pos::new(column - 1, 1, column);
        let span = Span::new(file, at(column), at(column + 1));
        let d = Diagnostic::error(crate::codes::YAML_SYNTAX_ERROR, message).at(span, "here");
        render_human(&[d], &sources, RenderOptions::default())
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let out = render(
            "bad \u{1b}]0;title\u{7} \u{202e}x\0",
            "a: \u{1b}[2J\0\u{202e}\u{9b}b",
            9,
        );
        assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n'), "{out:?}");
        assert!(
            out.contains(r"bad \u{1b}]0;title\u{7} \u{202e}x\0"),
            "{out}"
        );
        // One column per character in the snippet: the caret stays under column 9 (U+202E).
        assert!(out.contains("a: ␛[2J␀\u{fffd}\u{fffd}b\n"), "{out}");
        assert!(out.contains("  |         ^ here"), "{out}");
    }

    /// The snippet and caret lines for a label on columns `from..to` (characters) of `line`.
    fn marked(line: &str, from: usize, to: usize) -> (String, String) {
        let mut sources = SourceMap::new();
        let file = sources.add("s.yml", format!("{line}\n"));
        let at = |column: usize| {
            Pos::new(
                line.chars().take(column - 1).map(char::len_utf8).sum(),
                1,
                column,
            )
        };
        let span = Span::new(file, at(from), at(to));
        let d = Diagnostic::error(crate::codes::YAML_SYNTAX_ERROR, "m").at(span, "");
        let out = render_human(&[d], &sources, RenderOptions::default());
        let lines: Vec<&str> = out.lines().collect();
        let snippet = lines[3]
            .strip_prefix("1 | ")
            .expect("the snippet")
            .to_string();
        let carets = lines[4]
            .strip_prefix("  | ")
            .expect("the carets")
            .to_string();
        (snippet, carets)
    }

    #[test]
    fn carets_sit_under_wide_characters_tabs_and_emoji_by_their_width() {
        // CJK: two columns each.
        let (snippet, carets) = marked("名前: 注文サービス", 5, 11);
        assert_eq!(snippet, "名前: 注文サービス");
        assert_eq!(carets, "      ^^^^^^^^^^^^");
        // A tab is four columns, in the snippet and before the carets.
        let (snippet, carets) = marked("a:\tbatchSize: 1", 4, 13);
        assert_eq!(snippet, "a:    batchSize: 1");
        assert_eq!(carets, "      ^^^^^^^^^");
        // Emoji (two columns) and a combining accent (none) before the label.
        let (snippet, carets) = marked("k: 🚀e\u{301} topic", 8, 13);
        assert_eq!(snippet, "k: 🚀e\u{301} topic");
        assert_eq!(carets, "       ^^^^^");
        // A wide label is underlined across its whole width.
        let (_, carets) = marked("x: 🚀🚀", 4, 6);
        assert_eq!(carets, "   ^^^^");
    }

    #[test]
    fn long_messages_are_cut() {
        let out = render(&"k".repeat(800_000), "a: 1", 1);
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert!(out.contains("… (799000 more characters)"), "{out}");
    }
}
