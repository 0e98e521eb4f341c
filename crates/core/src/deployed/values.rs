//! Comparing CloudFormation values of two templates without a stack to resolve them in: equal
//! when they are written the same (intrinsic functions compared structurally), different when
//! both are plain values that differ, and unknown when an intrinsic function stands where they
//! differ (CloudFormation resolves it only at deploy time). Also who a mapping's function is,
//! and what it reads, in terms that survive a renamed logical id.

use crate::js::to_js_compact;
use serde_json::{json, Map, Value};

/// How two values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Same {
    Yes,
    No,
    /// An intrinsic function makes the answer CloudFormation's.
    Unknown,
}

impl Same {
    /// Both: `No` if either is, `Yes` if both are, else `Unknown`.
    pub fn and(self, other: Same) -> Same {
        match (self, other) {
            (Same::No, _) | (_, Same::No) => Same::No,
            (Same::Yes, Same::Yes) => Same::Yes,
            _ => Same::Unknown,
        }
    }

    /// Either: `Yes` if either is, `No` if both are, else `Unknown`.
    pub fn or(self, other: Same) -> Same {
        match (self, other) {
            (Same::Yes, _) | (_, Same::Yes) => Same::Yes,
            (Same::No, Same::No) => Same::No,
            _ => Same::Unknown,
        }
    }
}

/// Compares two values that may be absent (absent and present differ).
pub fn compare(a: Option<&Value>, b: Option<&Value>) -> Same {
    match (a, b) {
        (None, None) => Same::Yes,
        (Some(a), Some(b)) => {
            if normal(a) == normal(b) {
                Same::Yes
            } else if differ_certainly(a, b) {
                Same::No
            } else {
                Same::Unknown
            }
        }
        _ => Same::No,
    }
}

/// Whether two values that are not written the same certainly differ: they differ where no
/// intrinsic function stands (a list of another length, another key, another plain value).
fn differ_certainly(a: &Value, b: &Value) -> bool {
    if is_intrinsic(a) || is_intrinsic(b) {
        return false;
    }
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() != y.len() || x.iter().zip(y).any(|(a, b)| differ_certainly(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() != y.len()
                || x.iter().any(|(k, a)| match y.get(k) {
                    Some(b) => differ_certainly(a, b),
                    None => true,
                })
        }
        _ => normal(a) != normal(b),
    }
}

/// `{"Ref": …}`, `{"Fn::…": …}` or `{"Condition": …}`: a value CloudFormation computes.
pub fn is_intrinsic(value: &Value) -> bool {
    match value {
        Value::Object(map) if map.len() == 1 => map
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// A value as CloudFormation reads it: scalars as their text (`5` and `"5"` are one value to
/// a property typed as a number), `Fn::GetAtt: "A.B"` as `["A", "B"]`.
fn normal(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(_) => Value::String(to_js_compact(value)),
        Value::String(s) => Value::String(s.clone()),
        Value::Array(items) => Value::Array(items.iter().map(normal).collect()),
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get("Fn::GetAtt").filter(|_| map.len() == 1) {
                if let Some((resource, attribute)) = text.split_once('.') {
                    return json!({"Fn::GetAtt": [resource, attribute]});
                }
            }
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normal(v))).collect())
        }
    }
}

/// A value for a message: compact JSON (strings without quotes), cut at 120 characters.
pub fn show(value: Option<&Value>) -> String {
    let text = match value {
        None => return "(absent)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => to_js_compact(v),
    };
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Who a mapping invokes, as far as the template says.
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionId {
    /// The function's name (`FunctionName` of the template's function, or a literal name or
    /// ARN), and the qualifier (an alias or version).
    Named(Value, Option<String>),
    /// A function of the template without a `FunctionName` (CloudFormation names it after its
    /// logical id and the stack).
    Resource(String, Option<String>),
    /// Anything else (an import, a parameter), compared as written.
    Other(Value),
}

/// The function a mapping's `FunctionName` names, in `resources` (the template's).
pub fn function_id(function_name: Option<&Value>, resources: &Map<String, Value>) -> FunctionId {
    let Some(value) = function_name else {
        return FunctionId::Other(Value::Null);
    };
    if let Some(id) = referenced_resource(value) {
        if let Some(resource) = resources
            .get(id)
            .filter(|r| r["Type"] == "AWS::Lambda::Function")
        {
            return match resource
                .get("Properties")
                .and_then(|p| p.get("FunctionName"))
            {
                Some(name) => FunctionId::Named(name.clone(), None),
                None => FunctionId::Resource(id.to_string(), None),
            };
        }
    }
    if let Some(Value::Array(args)) = value.get("Fn::Join") {
        if let [Value::String(sep), Value::Array(parts)] = args.as_slice() {
            if let ([target, Value::String(qualifier)], ":") = (parts.as_slice(), sep.as_str()) {
                return match function_id(Some(target), resources) {
                    FunctionId::Named(name, None) => {
                        FunctionId::Named(name, Some(qualifier.clone()))
                    }
                    FunctionId::Resource(id, None) => {
                        FunctionId::Resource(id, Some(qualifier.clone()))
                    }
                    _ => FunctionId::Other(value.clone()),
                };
            }
        }
    }
    if let Value::String(text) = value {
        return literal_function(text);
    }
    FunctionId::Other(value.clone())
}

/// `name`, `name:qualifier`, `account:function:name[:qualifier]` or a function ARN.
fn literal_function(text: &str) -> FunctionId {
    let tail = match text.split_once("function:") {
        Some((_, tail)) => tail,
        None => text,
    };
    match tail.split_once(':') {
        Some((name, qualifier)) => {
            FunctionId::Named(Value::String(name.into()), Some(qualifier.into()))
        }
        None => FunctionId::Named(Value::String(tail.into()), None),
    }
}

/// The logical id a `Ref` or `Fn::GetAtt [id, "Arn"]` names.
fn referenced_resource(value: &Value) -> Option<&str> {
    let map = value.as_object().filter(|m| m.len() == 1)?;
    if let Some(Value::String(id)) = map.get("Ref") {
        return Some(id);
    }
    match map.get("Fn::GetAtt")? {
        Value::Array(parts) if parts.len() == 2 && parts[1] == "Arn" => parts[0].as_str(),
        Value::String(text) => text.strip_suffix(".Arn"),
        _ => None,
    }
}

/// Whether two mappings invoke the same function.
pub fn same_function(a: &FunctionId, b: &FunctionId) -> Same {
    match (a, b) {
        (FunctionId::Named(x, qx), FunctionId::Named(y, qy)) => {
            let qualifier = if qx == qy { Same::Yes } else { Same::No };
            compare(Some(x), Some(y)).and(qualifier)
        }
        (FunctionId::Resource(x, qx), FunctionId::Resource(y, qy)) => {
            if x == y && qx == qy {
                Same::Yes
            } else {
                Same::No
            }
        }
        (FunctionId::Other(x), FunctionId::Other(y)) if normal(x) == normal(y) => Same::Yes,
        _ => Same::Unknown,
    }
}

/// What a mapping reads, one value per part Lambda tells mappings apart by: the source's ARN
/// (a consumer of the template stands for its stream and name), the self-managed Kafka
/// cluster, the topic and the queue.
pub fn source_parts(properties: &Value, resources: &Map<String, Value>) -> [Option<Value>; 4] {
    let arn = properties.get("EventSourceArn").map(|arn| {
        match arn
            .get("Ref")
            .and_then(Value::as_str)
            .and_then(|id| resources.get(id))
            .filter(|r| r["Type"] == "AWS::Kinesis::StreamConsumer")
        {
            Some(consumer) => json!({"consumer": [
                consumer["Properties"]["StreamARN"],
                consumer["Properties"]["ConsumerName"],
            ]}),
            None => arn.clone(),
        }
    });
    let part = |key: &str| properties.get(key).cloned();
    [
        arn,
        part("SelfManagedEventSource"),
        part("Topics"),
        part("Queues"),
    ]
}

/// Whether two mappings read the same source.
pub fn same_source(a: &[Option<Value>; 4], b: &[Option<Value>; 4]) -> Same {
    a.iter().zip(b).fold(Same::Yes, |same, (x, y)| {
        same.and(compare(x.as_ref(), y.as_ref()))
    })
}

/// A Kafka mapping's consumer group, when the template sets one.
pub fn consumer_group(properties: &Value) -> Option<&Value> {
    [
        "AmazonManagedKafkaEventSourceConfig",
        "SelfManagedKafkaEventSourceConfig",
    ]
    .iter()
    .find_map(|key| properties.get(*key)?.get("ConsumerGroupId"))
}

/// The URI of a RabbitMQ mapping's `VIRTUAL_HOST` access configuration.
pub fn virtual_host(properties: &Value) -> Option<&Value> {
    properties
        .get("SourceAccessConfigurations")?
        .as_array()?
        .iter()
        .find(|c| c["Type"] == "VIRTUAL_HOST")
        .and_then(|c| c.get("URI"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_structurally_and_intrinsics_leave_it_open() {
        let v = |j: Value| j;
        assert_eq!(compare(Some(&v(json!(5))), Some(&v(json!("5")))), Same::Yes);
        assert_eq!(
            compare(Some(&json!("LATEST")), Some(&json!("TRIM_HORIZON"))),
            Same::No
        );
        assert_eq!(compare(None, Some(&json!(1))), Same::No);
        assert_eq!(compare(None, None), Same::Yes);
        let getatt = json!({"Fn::GetAtt": ["S", "Arn"]});
        assert_eq!(
            compare(Some(&getatt), Some(&json!({"Fn::GetAtt": "S.Arn"}))),
            Same::Yes
        );
        assert_eq!(
            compare(Some(&getatt), Some(&json!("arn:aws:kinesis:r:1:stream/s"))),
            Same::Unknown
        );
        assert_eq!(
            compare(Some(&getatt), Some(&json!({"Fn::GetAtt": ["T", "Arn"]}))),
            Same::Unknown
        );
        // A list of another length differs whatever its items are.
        assert_eq!(
            compare(Some(&json!([getatt.clone()])), Some(&json!([]))),
            Same::No
        );
        assert_eq!(
            compare(
                Some(&json!([getatt, "a"])),
                Some(&json!([{"Ref": "X"}, "b"]))
            ),
            Same::No
        );
    }

    #[test]
    fn functions_are_known_by_their_deployed_name() {
        let resources = json!({
            "ALambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-dev-a"}},
            "BLambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-dev-a"}},
            "CLambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {}}
        });
        let resources = resources.as_object().unwrap();
        let id = |v: Value| function_id(Some(&v), resources);
        let a = id(json!({"Fn::GetAtt": ["ALambdaFunction", "Arn"]}));
        let b = id(json!({"Fn::GetAtt": ["BLambdaFunction", "Arn"]}));
        assert_eq!(same_function(&a, &b), Same::Yes);
        assert_eq!(
            same_function(
                &a,
                &id(json!("arn:aws:lambda:us-east-1:1:function:svc-dev-a"))
            ),
            Same::Yes
        );
        let aliased = id(
            json!({"Fn::Join": [":", [{"Fn::GetAtt": ["ALambdaFunction", "Arn"]}, "provisioned"]]}),
        );
        assert_eq!(
            aliased,
            FunctionId::Named(json!("svc-dev-a"), Some("provisioned".into()))
        );
        assert_eq!(same_function(&a, &aliased), Same::No);
        let c = id(json!({"Fn::GetAtt": ["CLambdaFunction", "Arn"]}));
        assert_eq!(same_function(&c, &c.clone()), Same::Yes);
        assert_eq!(same_function(&a, &c), Same::Unknown);
        assert_eq!(same_function(&a, &id(json!("svc-dev-b"))), Same::No);
    }

    #[test]
    fn a_consumer_of_the_template_stands_for_its_stream_and_name() {
        let resources = json!({
            "XConsumer": {"Type": "AWS::Kinesis::StreamConsumer", "Properties": {"StreamARN": "arn:s", "ConsumerName": "c"}},
            "YConsumer": {"Type": "AWS::Kinesis::StreamConsumer", "Properties": {"StreamARN": "arn:s", "ConsumerName": "c"}}
        });
        let resources = resources.as_object().unwrap();
        let x = source_parts(&json!({"EventSourceArn": {"Ref": "XConsumer"}}), resources);
        let y = source_parts(&json!({"EventSourceArn": {"Ref": "YConsumer"}}), resources);
        assert_eq!(same_source(&x, &y), Same::Yes);
        let topic = source_parts(
            &json!({"EventSourceArn": "arn:k", "Topics": ["a"]}),
            resources,
        );
        let other = source_parts(
            &json!({"EventSourceArn": "arn:k", "Topics": ["b"]}),
            resources,
        );
        assert_eq!(same_source(&topic, &other), Same::No);
    }
}
