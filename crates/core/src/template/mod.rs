//! The CloudFormation document being built: an ordered JSON document with helpers to add
//! resources and outputs, the core resources every service gets ([`core`]), the service's own
//! resources ([`resources`]) and the last pass ([`finalize`]: nulls, quotas, D23; [`references`]: references to
//! nothing).
//!
//! Architecture invariant: the template knows no event kind and no IAM policy; roles and
//! permissions are `iam`'s, mappings are the compilers'.

pub mod core;
pub mod finalize;
pub mod references;
pub mod resources;

use crate::config::{load_file_as, FileRole};
use crate::env::Environment;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};
use streaming_events_yaml::Span;

/// User text made literal inside an `Fn::Sub` string: CloudFormation reads every `${…}` of a
/// `Fn::Sub` as a reference, and `${!…}` as the literal `${…}`. A function name, a stage or a
/// service pasted into one of our `Fn::Sub` strings goes through here, so that
/// `fn-${AWS::AccountId}` stays that text instead of becoming the account id (the reference
/// pastes it as it is). Text without `${` is returned unchanged.
pub fn sub_literal(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("${") {
        std::borrow::Cow::Owned(text.replace("${", "${!"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub root: Map<String, Value>,
    /// The resources generated in this run, each with the function it belongs to (`None` for
    /// the service's own: the bucket, the shared role, spilled policies).
    generated: BTreeMap<String, Option<String>>,
    /// The function whose resources are being added.
    owner: Option<String>,
    /// Generated resources that landed on an id another generated resource already had (D23).
    collisions: Vec<IdCollision>,
    /// Where the resources being added come from in the service file.
    origin: Option<Origin>,
    /// Each generated resource's origin, when one was set while it was added.
    origins: BTreeMap<String, Origin>,
}

/// The place in the service file that produced a generated resource: a function's event, by
/// the function's key and the event's index, its config path and the span of its kind key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub function: String,
    pub event_index: usize,
    /// `functions.<key>.events[<i>].<kind>`.
    pub path: String,
    pub span: Span,
}

/// `value` with less spare capacity. A map built by inserting keeps room for three entries
/// (about 100 bytes each) even when it holds one or two, as `{"Ref": …}`, `{"Fn::GetAtt": …}`
/// and `{"Fn::Join": …}` do, and a list built by pushing keeps room for four: a template holds
/// tens of thousands of them. Each resource is shrunk once, as it is added. Larger maps are
/// left as they are: they waste less, and rebuilding one hashes every key again. The order of
/// every map is kept.
fn shrink(value: &mut Value) {
    match value {
        Value::Object(map) if map.len() <= 2 => {
            let mut exact = Map::with_capacity(map.len());
            for (key, mut item) in std::mem::take(map) {
                shrink(&mut item);
                exact.insert(key, item);
            }
            *map = exact;
        }
        Value::Object(map) => map.values_mut().for_each(shrink),
        Value::Array(items) => {
            items.shrink_to_fit();
            items.iter_mut().for_each(shrink);
        }
        Value::String(text) => text.shrink_to_fit(),
        _ => {}
    }
}

fn shrunk(mut value: Value) -> Value {
    shrink(&mut value);
    value
}

/// Two generated resources on one logical id: the later replaced the earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCollision {
    pub logical_id: String,
    /// The function (key) of the earlier resource, `None` for the service's own.
    pub earlier: Option<String>,
    pub later: Option<String>,
}

impl Default for Template {
    fn default() -> Self {
        Template::new()
    }
}

impl Template {
    /// Merge mode: the template given with `--template` (JSON or YAML).
    pub fn load(
        env: &dyn Environment,
        path: &Path,
        sources: &mut SourceMap,
    ) -> Result<Template, Box<Diagnostic>> {
        let display = path.display().to_string();
        let node = load_file_as(env, path, &display, sources, FileRole::Template)?;
        match node.to_json() {
            Value::Object(map) => Ok(Template::from_value(map)),
            _ => Err(Box::new(
                Diagnostic::error(
                    codes::TEMPLATE_INVALID,
                    format!("{display} is not a CloudFormation template (a mapping with Resources)"),
                )
                .at(node.span, "")
                .with_help("pass the template written by `serverless package` or another CloudFormation template"),
            )),
        }
    }

    pub fn new() -> Template {
        let mut root = Map::new();
        root.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
        root.insert(
            "Description".into(),
            "The AWS CloudFormation template for this Serverless application".into(),
        );
        root.insert("Resources".into(), Value::Object(Map::new()));
        root.insert("Outputs".into(), Value::Object(Map::new()));
        Template::wrap(root)
    }

    fn wrap(root: Map<String, Value>) -> Template {
        Template {
            root,
            generated: BTreeMap::new(),
            owner: None,
            collisions: Vec::new(),
            origin: None,
            origins: BTreeMap::new(),
        }
    }

    /// Wraps an existing template (merge mode); `Resources` is created when absent.
    pub fn from_value(value: Map<String, Value>) -> Template {
        let mut template = Template::wrap(value);
        if !template.root.get("Resources").is_some_and(Value::is_object) {
            template
                .root
                .insert("Resources".into(), Value::Object(Map::new()));
        }
        template
    }

    pub fn resources(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.root
            .get("Resources")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    pub fn resources_mut(&mut self) -> &mut Map<String, Value> {
        section_mut(&mut self.root, "Resources")
    }

    pub fn outputs_mut(&mut self) -> &mut Map<String, Value> {
        section_mut(&mut self.root, "Outputs")
    }

    pub fn has_resource(&self, logical_id: &str) -> bool {
        self.resources().contains_key(logical_id)
    }

    /// Adds a generated resource for the current owner ([`Template::set_owner`]); one that
    /// lands on the id of a resource generated before it is recorded as a collision (D23),
    /// and replaces it as the reference's assignment does.
    pub fn add_resource(&mut self, logical_id: impl Into<String>, resource: Value) {
        let logical_id = logical_id.into();
        if let Some(earlier) = self.generated.get(&logical_id) {
            self.collisions.push(IdCollision {
                logical_id: logical_id.clone(),
                earlier: earlier.clone(),
                later: self.owner.clone(),
            });
        }
        self.generated
            .insert(logical_id.clone(), self.owner.clone());
        match &self.origin {
            Some(origin) => self.origins.insert(logical_id.clone(), origin.clone()),
            None => self.origins.remove(&logical_id),
        };
        self.resources_mut().insert(logical_id, shrunk(resource));
    }

    /// Replaces a resource on purpose (a role given its policies): not a collision.
    pub fn replace_resource(&mut self, logical_id: impl Into<String>, resource: Value) {
        self.resources_mut()
            .insert(logical_id.into(), shrunk(resource));
    }

    /// The function whose resources the next [`Template::add_resource`] calls add (`None`: the
    /// service's own).
    pub fn set_owner(&mut self, function_key: Option<&str>) {
        self.owner = function_key.map(str::to_string);
    }

    /// Whether `logical_id` is a resource generated for the current owner (what one owner may
    /// merge into, as the reference merges SQS mappings of one function).
    pub fn generated_by_owner(&self, logical_id: &str) -> bool {
        self.generated.get(logical_id) == Some(&self.owner)
    }

    /// Where the next [`Template::add_resource`] calls come from (`None`: nowhere in particular).
    pub fn set_origin(&mut self, origin: Option<Origin>) {
        self.origin = origin;
    }

    /// The place in the service file that produced a generated resource.
    pub fn origin(&self, logical_id: &str) -> Option<&Origin> {
        self.origins.get(logical_id)
    }

    /// Whether `logical_id` was generated in this run (not the given template's, in merge mode,
    /// nor the service's own `resources`).
    pub fn is_generated(&self, logical_id: &str) -> bool {
        self.generated.contains_key(logical_id)
    }

    /// The generated resources that met on one logical id, in the order they were added.
    pub fn collisions(&self) -> &[IdCollision] {
        &self.collisions
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.root)
    }
}

fn section_mut<'a>(root: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    if !root.get(key).is_some_and(Value::is_object) {
        root.insert(key.to_string(), Value::Object(Map::new()));
    }
    match root.get_mut(key) {
        Some(Value::Object(map)) => map,
        _ => unreachable!("section was just made an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_resources_on_one_id_are_recorded_and_replacements_are_not() {
        let mut template = Template::new();
        template.set_owner(Some("a"));
        template.add_resource("X", json!({"Type": "A"}));
        assert!(template.generated_by_owner("X"));
        template.replace_resource("X", json!({"Type": "A2"}));
        assert!(template.collisions().is_empty());
        template.set_owner(Some("b"));
        assert!(!template.generated_by_owner("X"));
        template.add_resource("X", json!({"Type": "B"}));
        assert_eq!(
            template.collisions(),
            &[IdCollision {
                logical_id: "X".into(),
                earlier: Some("a".into()),
                later: Some("b".into()),
            }]
        );
        assert_eq!(template.resources()["X"], json!({"Type": "B"}));
        // A resource that was not generated (merge mode's template) is not a collision.
        let mut given = Template::from_value(
            json!({"Resources": {"Y": {"Type": "U"}}})
                .as_object()
                .unwrap()
                .clone(),
        );
        given.add_resource("Y", json!({"Type": "G"}));
        assert!(given.collisions().is_empty());
    }

    #[test]
    fn a_shrunk_resource_keeps_its_values_and_their_order() {
        let resource = json!({"Type": "T", "Properties": {"Z": {"Ref": "X"}, "A": [{"Fn::GetAtt": ["Q", "Arn"]}, {}],
            "M": {"b": 1, "a": {"k": "v", "j": null}, "c": [true, 1.5, "s"]}}});
        let shrunk = shrunk(resource.clone());
        assert_eq!(shrunk, resource);
        assert_eq!(
            crate::js::to_js_compact(&shrunk),
            crate::js::to_js_compact(&resource)
        );
    }

    #[test]
    fn user_text_in_a_sub_string_is_made_literal() {
        assert_eq!(sub_literal("fn-${AWS::AccountId}"), "fn-${!AWS::AccountId}");
        assert_eq!(sub_literal("a${x}b${y}"), "a${!x}b${!y}");
        // Already literal text is escaped again, so that it still reads as written.
        assert_eq!(sub_literal("${!x}"), "${!!x}");
        assert_eq!(sub_literal("$x {y} $"), "$x {y} $");
        assert!(matches!(
            sub_literal("user-directory-prod"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
