//! What variables can read besides the service itself, and the small vocabulary the resolver and
//! the sources share. Imports neither of them, so that neither imports the other.

use crate::env::Environment;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What variables can read besides the service itself.
pub struct VariableContext<'a> {
    pub env: &'a dyn Environment,
    /// The folder of the service file; `${file(…)}` paths are relative to it.
    pub service_dir: PathBuf,
    pub cli_stage: Option<String>,
    pub cli_region: Option<String>,
    /// `--option KEY=VALUE` (stage and region come from their own flags).
    pub options: BTreeMap<String, String>,
    /// `--param KEY=VALUE`.
    pub params: BTreeMap<String, String>,
    /// `--var 'source:address=value'`: values for any variable, by its text inside `${…}`.
    pub vars: BTreeMap<String, String>,
    /// Variables read from `.env` files (`useDotenv: true`), already expanded.
    pub dotenv: crate::config::dotenv::Dotenv,
}

/// A failed resolution; the diagnostic is already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

/// What a source or a lookup yields: a value, nothing (`None`, so a fallback applies), or a
/// failure.
pub type Outcome = Result<Option<streaming_events_yaml::Node>, Failed>;

/// `functions.a.events.0.kafka` → `functions.a.events[0].kafka`.
pub fn display_path(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('.') {
        if !out.is_empty() && segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

pub const MAX_STRING: usize = 1024 * 1024;
