//! Diagnostics as plain data, the source map that turns their spans into file, line and column,
//! and the renderers: human (like rustc), JSON, GitHub Actions workflow commands and SARIF 2.1.0.
//!
//! Owns the one registry of codes ([`codes`]). Must not decide what is an error: stages create
//! diagnostics, this crate only describes and prints them.

pub mod codes;
mod formats;
mod render;

pub use codes::Code;
pub use formats::{
    render_github, render_gitlab, render_gitlab_services, render_sarif, render_sarif_services,
};
pub use render::{render_human, render_json, render_json_value, RenderOptions};
use streaming_events_yaml::{FileId, LineIndex, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    /// Information, not a problem (event kinds left out of the template).
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A place in a file with a short text; the primary label is where the problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
    pub primary: bool,
}

/// One problem found in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The config path of the offending property (`functions.worker.events[2].kafka.topic`).
    pub path: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            path: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// An error at one place, with its config path and a help line.
    pub fn error_at(
        code: Code,
        path: impl Into<String>,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(code, message)
            .with_path(path)
            .at(span, "")
            .with_help(help)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn note(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// The primary place, with a label.
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: true,
        });
        self
    }

    /// A secondary place (where an aliased or merged value was used, an earlier event, ...).
    pub fn also(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: false,
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
    }
}

/// Errors first, then warnings; each group in file order.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let span = d.primary_span();
        (
            d.severity,
            span.map(|s| s.file).unwrap_or(u32::MAX),
            span.map(|s| s.start.offset).unwrap_or(u32::MAX),
        )
    });
}

/// One loaded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users (relative to where the command runs, as the user gave it).
    pub name: String,
    /// Shared with the environment that read it (one copy of the file in memory).
    pub text: std::sync::Arc<str>,
    pub index: LineIndex,
}

/// Every file a run read, by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<std::sync::Arc<str>>) -> FileId {
        let text = text.into();
        let index = LineIndex::new(&text);
        self.files.push(SourceFile {
            name: name.into(),
            text,
            index,
        });
        (self.files.len() - 1) as FileId
    }

    pub fn get(&self, file: FileId) -> Option<&SourceFile> {
        self.files.get(file as usize)
    }

    /// `(file name, start line, start column, end line, end column)` of a span; the end is the
    /// position just after the span's last character.
    pub fn locate_range(&self, span: Span) -> Option<(&str, usize, usize, usize, usize)> {
        let file = self.get(span.file)?;
        let (end_line, end_column) = if span.end < span.start {
            (span.start.line, span.start.column)
        } else {
            (span.end.line, span.end.column)
        };
        Some((
            &file.name,
            span.start.line as usize,
            span.start.column as usize,
            end_line as usize,
            end_column as usize,
        ))
    }

    /// `(file name, line, column)` of the start of a span.
    pub fn locate(&self, span: Span) -> Option<(&str, usize, usize)> {
        let file = self.get(span.file)?;
        Some((
            &file.name,
            span.start.line as usize,
            span.start.column as usize,
        ))
    }
}
