//! The schemas as JSON Schema (draft-07), for editors and `streaming-events schema`: the same
//! schemas the validator runs, with what it coerces accepted too.

use super::Schema;
use serde_json::{json, Value};

/// The schema as JSON Schema (draft-07), for editors and `streaming-events schema`.
pub fn to_json_schema(schema: &Schema) -> Value {
    match schema {
        Schema::Any => json!({}),
        // What the validator coerces is accepted too: "true"/"false", numbers written as text,
        // a single value where a list is expected, and null (absent) for a property.
        Schema::Bool => json!({"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]}),
        Schema::Integer { .. } | Schema::Number { .. } => number_json(schema),
        Schema::Str { .. } => string_json(schema),
        Schema::Enum(values) => json!({"enum": values}),
        Schema::StrEnum(values) => {
            json!({"anyOf": [{"type": "string", "enum": values}, {"type": "array", "items": {"enum": values}, "minItems": 1, "maxItems": 1}]})
        }
        Schema::ConstTrue => json!({"const": true}),
        Schema::ConstFalse => json!({"const": false}),
        Schema::ConstNumber(n) => json!({"const": n}),
        Schema::Array { .. } => array_json(schema),
        Schema::Object { .. } => object_json(schema),
        Schema::AnyOf {
            options,
            description,
        } => {
            json!({"description": description, "anyOf": options.iter().map(to_json_schema).collect::<Vec<_>>()})
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
        Schema::Checked(inner, _) | Schema::Closed(inner) | Schema::Aws(inner) => {
            to_json_schema(inner)
        }
    }
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
    if min_items.unwrap_or(0) <= 1 && max_items.is_none_or(|m| m >= 1) {
        json!({"anyOf": [Value::Object(out), to_json_schema(items)]})
    } else {
        Value::Object(out)
    }
}

fn object_json(schema: &Schema) -> Value {
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
        let property = if required.contains(name) || property == json!({}) {
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
        definitions.insert(kind.to_string(), to_json_schema(schema));
    }
    let any_of: Vec<Value> = kinds
        .iter()
        .map(|(kind, _)| {
            json!({
                "type": "object",
                "properties": {*kind: {"$ref": format!("#/definitions/{kind}")}},
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
