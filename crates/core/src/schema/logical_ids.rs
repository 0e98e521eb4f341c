//! The service's own logical ids CloudFormation refuses: every key of `resources.Resources`,
//! `Outputs`, `Conditions`, `Parameters` and `Mappings` must be 1 to 255 letters and digits.
//! The reference's schema says the same for `Resources` only, as a warning in its default
//! validation mode, and the deployment fails; here it is an error at the key in every mode.
//!
//! ```yaml
//! resources:
//!   Resources:
//!     orders-queue:            # RESOURCE_LOGICAL_ID_INVALID: `-`
//!       Type: AWS::SQS::Queue
//! ```

use crate::config::Service;
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

/// CloudFormation's limit on logical ids (and on the names of outputs, conditions, parameters
/// and mappings).
pub const MAX_LOGICAL_ID: usize = 255;

/// The sections of `resources` whose keys are logical ids, with what one key names.
const SECTIONS: &[(&str, &str)] = &[
    ("Resources", "resource"),
    ("Outputs", "output"),
    ("Conditions", "condition"),
    ("Parameters", "parameter"),
    ("Mappings", "mapping"),
];

/// Every user logical id CloudFormation would refuse, at its key.
pub fn check_user_logical_ids(service: &Service) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(resources) = service.root.get("resources") else {
        return out;
    };
    for (section, what) in SECTIONS {
        let Some(entries) = resources.get(section).and_then(Node::as_map) else {
            continue;
        };
        for entry in &entries.entries {
            // `Fn::Transform` is the one key of `Resources` that is not a resource.
            if *section == "Resources" && entry.key == "Fn::Transform" {
                continue;
            }
            let Some(problem) = logical_id_problem(&entry.key) else {
                continue;
            };
            out.push(
                Diagnostic::error(
                    codes::RESOURCE_LOGICAL_ID_INVALID,
                    format!(
                        "the {what} logical id '{}' {problem}; CloudFormation accepts 1 to {MAX_LOGICAL_ID} letters and digits",
                        shorten(&entry.key)
                    ),
                )
                .with_path(format!("resources.{section}.{}", entry.key))
                .at(entry.key_span, "this logical id")
                .with_help(help(&entry.key, section)),
            );
        }
    }
    out
}

/// What is wrong with a logical id, if anything.
pub fn logical_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Some(format!("has {}", describe_char(c)));
    }
    let length = id.chars().count();
    (length > MAX_LOGICAL_ID).then(|| format!("is {length} characters long"))
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() || c.is_whitespace() => format!("the character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// A long id cut for the message (the label shows where it is).
fn shorten(id: &str) -> String {
    if id.chars().count() <= 80 {
        return id.to_string();
    }
    let head: String = id.chars().take(60).collect();
    format!("{head}…")
}

fn help(id: &str, section: &str) -> String {
    let kept: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    // Outputs are not referred to inside the template; the other sections are.
    let references = if section == "Outputs" {
        ""
    } else {
        ", and every Ref, Fn::GetAtt, DependsOn, Condition or Fn::FindInMap that names it"
    };
    // Only a short id is worth spelling out without its refused characters.
    if kept.is_empty() || kept == id || kept.chars().count() > MAX_LOGICAL_ID {
        return format!(
            "use a logical id of at most {MAX_LOGICAL_ID} letters and digits{references}"
        );
    }
    format!("rename it to `{kept}` (letters and digits only, at most {MAX_LOGICAL_ID}){references}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_up_to_255_are_accepted() {
        assert_eq!(logical_id_problem("OrdersQueue2"), None);
        assert_eq!(logical_id_problem(&"A".repeat(255)), None);
        assert_eq!(
            logical_id_problem(&"A".repeat(256)),
            Some("is 256 characters long".into())
        );
        assert_eq!(logical_id_problem("orders-queue"), Some("has `-`".into()));
        assert_eq!(logical_id_problem("a b"), Some("has a space".into()));
        assert_eq!(logical_id_problem("Ünicode"), Some("has `Ü`".into()));
        assert_eq!(logical_id_problem(""), Some("is empty".into()));
    }

    #[test]
    fn the_help_names_the_id_without_its_refused_characters() {
        assert!(help("orders-queue", "Resources").contains("`ordersqueue`"));
        assert!(help("orders-queue", "Resources").contains("every Ref"));
        assert!(!help("Orders_Url", "Outputs").contains("every Ref"));
        assert!(!help(&"A".repeat(256), "Resources").contains("rename it"));
    }
}
