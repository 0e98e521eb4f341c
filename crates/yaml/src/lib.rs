//! The YAML loader of streaming-events: `saphyr-parser` events turned into a [`Node`] tree in
//! which every node keeps its span, with `js-yaml` 4 semantics (what the Serverless Framework
//! uses) and CloudFormation short-form tags in long form.
//!
//! Architecture invariant: this crate knows nothing about AWS beyond the names of the 17
//! CloudFormation short-form tags. It never panics on any input and never recurses deeper than
//! [`MAX_DEPTH`].

mod js_number;
mod line_index;
mod load;
mod node;
mod scalar;

pub use js_number::format_js_number;
pub use line_index::LineIndex;
pub use load::{load, LoadError, LoadErrorKind, CFN_TAGS, MAX_DEPTH, MAX_NODES};
pub use node::{number_to_json, Entry, FileId, Mapping, Node, Pos, Span, Value};
pub use scalar::{resolve_plain_scalar, Resolved};
