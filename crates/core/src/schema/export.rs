//! The schemas as JSON Schema (draft-07), for editors and `streaming-events schema`: the same
//! schemas the validator runs, with what it coerces accepted too, a `${…}` variable accepted
//! wherever a value can go (its value is checked when the service is compiled), and every
//! property described from the [`PropertyDoc`] tables that sit next to the schemas (each event
//! kind's file, `defs.rs` for the properties the kinds share, `service.rs` for the rest).

use super::Schema;
use serde_json::{json, Value};

/// What the editor shows for one property: `path` is the property's config path below its
/// scope (an event kind, `function`, `provider` or the top level), without list indexes
/// (`destinations.onFailure.arn`); `cloudformation` the property it becomes (empty when it
/// becomes none), `default` what applies when it is absent (empty when nothing does), `values`
/// a description for each value of an enum.
#[derive(Debug, Clone, Copy)]
pub struct PropertyDoc {
    pub path: &'static str,
    pub text: &'static str,
    pub cloudformation: &'static str,
    pub default: &'static str,
    pub values: &'static [(&'static str, &'static str)],
}

/// A property's documentation (see [`PropertyDoc`]).
pub const fn doc(
    path: &'static str,
    text: &'static str,
    cloudformation: &'static str,
    default: &'static str,
) -> PropertyDoc {
    PropertyDoc {
        path,
        text,
        cloudformation,
        default,
        values: &[],
    }
}

impl PropertyDoc {
    /// The same, with a description for each value of its enum.
    pub const fn values(self, values: &'static [(&'static str, &'static str)]) -> PropertyDoc {
        PropertyDoc { values, ..self }
    }
}

/// The documentation of one scope: tables mounted at a path prefix (`""`, or `"vpc."` for a
/// table written relative to `vpc`); the first table with the property wins.
pub type DocScope = Vec<(&'static str, &'static [PropertyDoc])>;

/// What stands for a variable in the export: a string holding `${…}`.
const VARIABLE: &str = "#/definitions/variable";

/// The schema as JSON Schema (draft-07), for editors and `streaming-events schema`; a
/// `${…}` string is accepted in its place.
pub fn to_json_schema(schema: &Schema) -> Value {
    or_variable(definition(schema))
}

/// `value`, or a `${…}` string instead.
pub fn or_variable(value: Value) -> Value {
    if value == json!({}) {
        return value;
    }
    let variable = json!({"$ref": VARIABLE});
    match value {
        Value::Object(mut map) if map.len() == 1 && map.contains_key("anyOf") => {
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.push(variable);
            }
            Value::Object(map)
        }
        other => json!({"anyOf": [other, variable]}),
    }
}

/// The schema as JSON Schema without the variable alternative at its top (its parts keep
/// theirs): what a `definitions` entry holds.
pub fn definition(schema: &Schema) -> Value {
    match schema {
        Schema::Any => json!({}),
        // What the validator coerces is accepted too: "true"/"false", numbers written as text,
        // a single value where a list is expected, and null (absent) for a property.
        // Ajv also reads 1 and 0 as booleans, and (`coerceTypes: 'array'`) a one-item list as
        // its item.
        Schema::Bool => or_one_item_list(
            json!({"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}, {"enum": [1, 0]}]}),
        ),
        Schema::Integer { .. } | Schema::Number { .. } => or_one_item_list(number_json(schema)),
        Schema::Str { .. } => or_one_item_list(string_json(schema)),
        Schema::Enum(values) => json!({"enum": values}),
        Schema::StrEnum(values) => {
            json!({"anyOf": [{"type": "string", "enum": values}, {"type": "array", "items": {"enum": values}, "minItems": 1, "maxItems": 1}]})
        }
        Schema::ConstTrue => json!({"const": true}),
        Schema::ConstFalse => json!({"const": false}),
        Schema::ConstNumber(n) => json!({"const": n}),
        Schema::Array { .. } => array_json(schema),
        Schema::Object { .. } => object_json(schema, true),
        Schema::AnyOf {
            options,
            description,
        } => {
            json!({"description": description, "anyOf": options.iter().map(definition).collect::<Vec<_>>()})
        }
        Schema::Intrinsic { only } => {
            let pattern = match only {
                Some(list) => format!("^({})$", list.join("|")),
                None => "^(Ref|Fn::.+)$".to_string(),
            };
            json!({"type": "object", "minProperties": 1, "maxProperties": 1, "patternProperties": {pattern: {}}, "additionalProperties": false})
        }
        Schema::Map { keys, values } => {
            json!({"type": "object", "patternProperties": {*keys: to_json_schema(values)}, "additionalProperties": false})
        }
        // A closed object's keys need a value (null is not "absent" there).
        Schema::Closed(inner) => match &**inner {
            Schema::Object { .. } => object_json(inner, false),
            other => definition(other),
        },
        Schema::Checked(inner, _) | Schema::Aws(inner) => definition(inner),
    }
}

/// `scalar`, or a list holding one such value (Ajv's `coerceTypes: 'array'` reads it as its item).
fn or_one_item_list(scalar: Value) -> Value {
    json!({"anyOf": [
        scalar.clone(),
        {"type": "array", "items": scalar, "minItems": 1, "maxItems": 1}
    ]})
}

fn number_json(schema: &Schema) -> Value {
    let (Schema::Integer { min, max } | Schema::Number { min, max }) = schema else {
        return json!({});
    };
    let mut out = serde_json::Map::new();
    let kind = if matches!(schema, Schema::Integer { .. }) {
        "integer"
    } else {
        "number"
    };
    out.insert("type".into(), kind.into());
    if let Some(min) = min {
        out.insert("minimum".into(), json!(min));
    }
    if let Some(max) = max {
        out.insert("maximum".into(), json!(max));
    }
    json!({"anyOf": [
        Value::Object(out),
        {"type": "string", "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"}
    ]})
}

fn string_json(schema: &Schema) -> Value {
    let Schema::Str {
        pattern,
        min_len,
        max_len,
    } = schema
    else {
        return json!({});
    };
    let mut out = serde_json::Map::new();
    // A number or a boolean is coerced to text (only checkable where no pattern applies).
    let kinds = if pattern.is_none() {
        json!(["string", "number", "boolean"])
    } else {
        json!("string")
    };
    out.insert("type".into(), kinds);
    if let Some(p) = pattern {
        out.insert("pattern".into(), (*p).into());
    }
    if let Some(m) = min_len {
        out.insert("minLength".into(), json!(m));
    }
    if let Some(m) = max_len {
        out.insert("maxLength".into(), json!(m));
    }
    Value::Object(out)
}

fn array_json(schema: &Schema) -> Value {
    let Schema::Array {
        items,
        min_items,
        max_items,
    } = schema
    else {
        return json!({});
    };
    let mut out = serde_json::Map::new();
    out.insert("type".into(), "array".into());
    out.insert("items".into(), to_json_schema(items));
    if let Some(m) = min_items {
        out.insert("minItems".into(), json!(m));
    }
    if let Some(m) = max_items {
        out.insert("maxItems".into(), json!(m));
    }
    // A scalar stands for a one-item list (objects and lists are not wrapped).
    if min_items.unwrap_or(0) <= 1 && max_items.is_none_or(|m| m >= 1) {
        let scalar =
            json!({"allOf": [to_json_schema(items), {"type": ["string", "number", "boolean"]}]});
        json!({"anyOf": [Value::Object(out), scalar]})
    } else {
        Value::Object(out)
    }
}

/// An object's properties; `null_is_absent`: an optional property may be null (written
/// without a value), as the validator treats it.
fn object_json(schema: &Schema, null_is_absent: bool) -> Value {
    let Schema::Object {
        props,
        required,
        additional,
        min_props,
    } = schema
    else {
        return json!({});
    };
    let mut properties = serde_json::Map::new();
    for (name, schema) in props {
        let property = to_json_schema(schema);
        let property = if required.contains(name) || property == json!({}) || !null_is_absent {
            property
        } else {
            json!({"anyOf": [property, {"type": "null"}]})
        };
        properties.insert((*name).to_string(), property);
    }
    let mut out = serde_json::Map::new();
    out.insert("type".into(), "object".into());
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    out.insert("additionalProperties".into(), json!(additional));
    if let Some(m) = min_props {
        out.insert("minProperties".into(), json!(m));
    }
    Value::Object(out)
}

/// The JSON Schema of the compiled events, from the `(kind, schema)` pairs the validator uses
/// (the compilers' registry provides them; this layer knows no compiler).
pub fn events_json_schema(kinds: &[(&str, Schema)]) -> Value {
    let mut definitions = serde_json::Map::new();
    for (kind, schema) in kinds {
        definitions.insert(kind.to_string(), definition(schema));
    }
    let any_of: Vec<Value> = kinds
        .iter()
        .map(|(kind, _)| {
            json!({
                "type": "object",
                "properties": {*kind: or_variable(json!({"$ref": format!("#/definitions/{kind}")}))},
                "required": [kind],
                "additionalProperties": false
            })
        })
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "streaming-events: Serverless Framework event source mapping events",
        "definitions": definitions,
        "anyOf": any_of
    })
}

/// The document's identity, the variable definition, and every property's description: the
/// top level's from `root`, each definition's from its entry of `scopes` (by name).
pub fn finish(mut schema: Value, root: &DocScope, scopes: &[(&str, DocScope)]) -> Value {
    let Some(out) = schema.as_object_mut() else {
        return schema;
    };
    let mut ordered = serde_json::Map::new();
    ordered.insert(
        "$schema".into(),
        "http://json-schema.org/draft-07/schema#".into(),
    );
    ordered.insert(
        "$id".into(),
        format!(
            "urn:streaming-events:schema:serverless:{}",
            env!("CARGO_PKG_VERSION")
        )
        .into(),
    );
    for (key, value) in std::mem::take(out) {
        if key != "$schema" && key != "$id" {
            ordered.insert(key, value);
        }
    }
    *out = ordered;
    if let Some(Value::Object(definitions)) = out.get_mut("definitions") {
        for (name, definition) in definitions.iter_mut() {
            let scope = scopes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.as_slice())
                .unwrap_or_default();
            document(definition, scope, "");
        }
        definitions.insert(
            "variable".into(),
            json!({
                "type": "string",
                "pattern": r"\$\{.+\}",
                "description": "A Serverless Framework variable (${self:…}, ${opt:…}, ${env:…}, ${sls:…}, ${param:…}, ${file(…)}, ${ssm:…}, …): streaming-events resolves it and checks the value it gives when the service is compiled.",
                "markdownDescription": "A Serverless Framework variable (`${self:…}`, `${opt:…}`, `${env:…}`, `${sls:…}`, `${param:…}`, `${file(…)}`, `${ssm:…}`, …): streaming-events resolves it and checks the value it gives when the service is compiled."
            }),
        );
    }
    if let Some(Value::Object(properties)) = out.get_mut("properties") {
        document_properties(properties, root, "");
    }
    schema
}

fn find<'a>(
    scope: &'a [(&'static str, &'static [PropertyDoc])],
    path: &str,
) -> Option<&'a PropertyDoc> {
    scope.iter().find_map(|(prefix, table)| {
        let rest = path.strip_prefix(prefix)?;
        table.iter().find(|d| d.path == rest)
    })
}

/// Descriptions for every property below `node`, whose config path is `path`.
fn document(node: &mut Value, scope: &[(&'static str, &'static [PropertyDoc])], path: &str) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("properties", Value::Object(properties)) => {
                        document_properties(properties, scope, path)
                    }
                    ("anyOf" | "allOf" | "oneOf" | "items", value) => document(value, scope, path),
                    _ => {}
                }
            }
            if let Some(Value::Object(patterns)) = map.get_mut("patternProperties") {
                for value in patterns.values_mut() {
                    document(value, scope, path);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                document(item, scope, path);
            }
        }
        _ => {}
    }
}

fn document_properties(
    properties: &mut serde_json::Map<String, Value>,
    scope: &[(&'static str, &'static [PropertyDoc])],
    path: &str,
) {
    for (name, property) in properties.iter_mut() {
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        if let Some(doc) = find(scope, &here) {
            describe(property, doc);
        }
        document(property, scope, &here);
    }
}

/// Puts `doc` on the property's schema: `description` and `markdownDescription`, and on each
/// enum of its alternatives `enumDescriptions` and `markdownEnumDescriptions` (a `$ref` is
/// wrapped in `allOf` so that its description is not a sibling a validator ignores).
fn describe(property: &mut Value, doc: &PropertyDoc) {
    let mut plain = doc.text.to_string();
    let mut markdown = doc.text.to_string();
    if !doc.cloudformation.is_empty() {
        plain.push_str(&format!(" CloudFormation: {}.", doc.cloudformation));
        markdown.push_str(&format!("\n\n**CloudFormation:** {}", doc.cloudformation));
    }
    if !doc.default.is_empty() {
        plain.push_str(&format!(" Default: {}.", doc.default));
        markdown.push_str(&format!("\n\n**Default:** {}", doc.default));
    }
    if property.get("$ref").is_some() {
        *property = json!({"allOf": [property.take()]});
    }
    describe_enums(property, doc.values);
    if let Value::Object(map) = property {
        map.insert("description".into(), plain.into());
        map.insert("markdownDescription".into(), markdown.into());
    }
}

fn describe_enums(node: &mut Value, values: &[(&str, &str)]) {
    let Value::Object(map) = node else {
        if let Value::Array(items) = node {
            for item in items {
                describe_enums(item, values);
            }
        }
        return;
    };
    if let Some(Value::Array(options)) = map.get("enum") {
        let described: Option<Vec<String>> = options
            .iter()
            .map(|option| {
                let text = option.as_str().unwrap_or_default();
                let found = values.iter().find(|(v, _)| *v == text);
                match (found, text, option.as_i64()) {
                    (Some((_, d)), _, _) => Some(d.to_string()),
                    (None, "true" | "false", _) => {
                        Some(format!("{text}, written as text (read as the boolean)"))
                    }
                    (None, _, Some(1)) => Some("1, read as true".to_string()),
                    (None, _, Some(0)) => Some("0, read as false".to_string()),
                    _ => None,
                }
            })
            .collect();
        if let Some(described) = described {
            map.insert("enumDescriptions".into(), json!(described));
            map.insert("markdownEnumDescriptions".into(), json!(described));
        }
    }
    for key in ["anyOf", "allOf", "items"] {
        if let Some(value) = map.get_mut(key) {
            describe_enums(value, values);
        }
    }
}
