//! What a run takes (the command line's options) and what it gives back (the template, the
//! diagnostics and the reports); plain data every layer may read.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use streaming_events_diagnostics::{Diagnostic, SourceMap};

/// What the command line passes in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The service file.
    pub config: PathBuf,
    /// How the file is named in messages (as the user wrote it).
    pub config_display: String,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub params: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub vars: BTreeMap<String, String>,
    /// `--strict`: `configValidationMode: error` whatever the file says.
    pub strict: bool,
    /// `--template FILE`: extend this template instead of building the core.
    pub template: Option<PathBuf>,
    /// `--resolved FILE`: the configuration as the Framework resolved it (JSON); `config` then
    /// only gives positions (see `config::resolved`), and no variable is resolved.
    pub resolved: Option<PathBuf>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub template: Option<Value>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// One-line notes for stderr (event kinds not compiled).
    pub notes: Vec<String>,
    /// Per role: the size of each policy and its limit.
    pub iam_report: Vec<String>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
