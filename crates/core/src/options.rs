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
    /// `--previous FILE`: the template deployed now, to find the changes CloudFormation or
    /// Lambda would refuse (`deployed`).
    pub previous: Option<PathBuf>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub template: Option<Value>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Notes (severity note: the event kinds not compiled); apart from `diagnostics`, which
    /// they never make fail.
    pub notes: Vec<Diagnostic>,
    /// Per role: the size of each policy and its limit.
    pub iam_report: Vec<RoleReport>,
}

/// A policy's size against IAM's limit for it, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicySize {
    pub size: usize,
    pub limit: usize,
}

impl PolicySize {
    pub fn new(size: usize, limit: usize) -> PolicySize {
        PolicySize { size, limit }
    }

    /// How much of the limit is used, rounded down.
    pub fn percent(&self) -> usize {
        self.size * 100 / self.limit.max(1)
    }

    pub fn to_json(self) -> Value {
        serde_json::json!({"size": self.size, "limit": self.limit, "percent": self.percent()})
    }
}

/// One role of the stack in the IAM report (`--iam-report`): its inline policies, and the
/// managed policies its streaming permissions spilled into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleReport {
    pub role: String,
    pub inline: PolicySize,
    /// `(logical id, size)` of each managed policy.
    pub managed: Vec<(String, PolicySize)>,
}

impl RoleReport {
    /// The report as text, a line per policy.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{}: inline policies {} of {} characters ({}%)",
            self.role,
            self.inline.size,
            self.inline.limit,
            self.inline.percent()
        )];
        for (id, size) in &self.managed {
            lines.push(format!(
                "  {id}: managed policy {} of {} characters ({}%)",
                size.size,
                size.limit,
                size.percent()
            ));
        }
        lines
    }

    /// `{"role", "inline": {size, limit, percent}, "managed": [{"id", size, limit, percent}]}`.
    pub fn to_json(&self) -> Value {
        let managed: Vec<Value> = self
            .managed
            .iter()
            .map(|(id, size)| {
                let mut entry = serde_json::json!({"id": id});
                if let (Some(entry), Value::Object(size)) = (entry.as_object_mut(), size.to_json())
                {
                    entry.extend(size);
                }
                entry
            })
            .collect();
        serde_json::json!({"role": self.role, "inline": self.inline.to_json(), "managed": managed})
    }
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
