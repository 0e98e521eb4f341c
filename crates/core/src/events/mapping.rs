//! What every compiler builds a mapping with: the `MappingProperties` builder (properties
//! in the reference's order, copied by the reference's rules for absent and falsy values), the
//! resource itself, and the shared readers of event properties.

use crate::js::{to_js_compact, truthy};
use serde_json::{json, Map, Value};
use streaming_events_yaml::{Node, Span};

/// The `Properties` of an `AWS::Lambda::EventSourceMapping`, in the order they are set.
pub struct MappingProperties<'e> {
    event: &'e Node,
    properties: Map<String, Value>,
}

impl<'e> MappingProperties<'e> {
    pub fn new(event: &'e Node) -> MappingProperties<'e> {
        MappingProperties {
            event,
            properties: Map::new(),
        }
    }

    pub fn set(&mut self, key: &str, value: Value) -> &mut Self {
        self.properties.insert(key.to_string(), value);
        self
    }

    /// The event's `from` as `key`, when it is set (null is absent): `if (event.x !== undefined)`.
    pub fn copy(&mut self, key: &str, from: &str) -> &mut Self {
        if let Some(value) = prop(self.event, from) {
            self.properties.insert(key.to_string(), value.to_json());
        }
        self
    }

    /// The event's `from` as `key`, when it is truthy: the reference's `if (event.x)`.
    pub fn copy_truthy(&mut self, key: &str, from: &str) -> &mut Self {
        if let Some(value) = prop(self.event, from).filter(|n| truthy(n)) {
            self.properties.insert(key.to_string(), value.to_json());
        }
        self
    }

    /// The event's `from` wrapped as `{inner: value}` under `key`, when it is truthy.
    pub fn copy_truthy_as(&mut self, key: &str, from: &str, inner: &str) -> &mut Self {
        if let Some(value) = prop(self.event, from).filter(|n| truthy(n)) {
            self.properties
                .insert(key.to_string(), json!({inner: value.to_json()}));
        }
        self
    }

    /// The event's `from` as `key`, else `default` (null is absent).
    pub fn copy_or(&mut self, key: &str, from: &str, default: Value) -> &mut Self {
        let value = prop(self.event, from).map(Node::to_json).unwrap_or(default);
        self.set(key, value)
    }

    /// The event's `from` as `key` when it is truthy, else `default`.
    pub fn copy_truthy_or(&mut self, key: &str, from: &str, default: Value) -> &mut Self {
        let value = prop(self.event, from)
            .filter(|n| truthy(n))
            .map(Node::to_json)
            .unwrap_or(default);
        self.set(key, value)
    }

    /// The event's `from` as a one-item list under `key`, when it is set.
    pub fn copy_as_list(&mut self, key: &str, from: &str) -> &mut Self {
        if let Some(value) = prop(self.event, from) {
            self.properties
                .insert(key.to_string(), json!([value.to_json()]));
        }
        self
    }

    /// `FilterCriteria` from `filterPatterns`, when there are some.
    pub fn filter_criteria(&mut self) -> &mut Self {
        if let Some(criteria) = prop(self.event, "filterPatterns").and_then(filter_criteria) {
            self.properties.insert("FilterCriteria".into(), criteria);
        }
        self
    }

    /// The properties, at their size: a map built by insertion keeps room for more, and the
    /// template keeps thousands of these.
    pub fn into_map(self) -> Map<String, Value> {
        let mut exact = Map::with_capacity(self.properties.len());
        exact.extend(self.properties);
        exact
    }
}

/// An `AWS::Lambda::EventSourceMapping` resource.
pub fn mapping_resource(
    depends_on: Vec<Value>,
    properties: serde_json::Map<String, Value>,
) -> Value {
    crate::js::object([
        ("Type", "AWS::Lambda::EventSourceMapping".into()),
        ("DependsOn", Value::Array(depends_on)),
        ("Properties", Value::Object(properties)),
    ])
}

/// `StartingPosition`: the configured one, `TRIM_HORIZON` by default (stream, kafka, msk).
pub fn starting_position(event: &Node) -> Value {
    prop(event, "startingPosition")
        .filter(|n| truthy(n))
        .map(Node::to_json)
        .unwrap_or(json!("TRIM_HORIZON"))
}

/// `FilterCriteria` with each pattern serialised as `JSON.stringify(pattern)`.
pub fn filter_criteria(patterns: &Node) -> Option<Value> {
    let list = patterns.as_seq()?;
    let filters: Vec<Value> = list
        .iter()
        .map(|pattern| json!({"Pattern": to_js_compact(&pattern.to_json())}))
        .collect();
    Some(crate::js::object([("Filters", Value::Array(filters))]))
}

/// The value of an optional property (null counts as absent).
pub fn prop<'a>(event: &'a Node, key: &str) -> Option<&'a Node> {
    event.get(key)
}

/// The span of a property, or of the event when it is absent.
pub fn prop_span(event: &Node, key: &str) -> Span {
    event
        .as_map()
        .and_then(|m| m.get(key))
        .map(|n| n.span)
        .unwrap_or(event.span)
}

/// `JSON.stringify` of a node.
pub fn json_text(node: &Node) -> String {
    to_js_compact(&node.to_json())
}
