//! Permissions the reference grants on a function's execution role for features other than the
//! five streaming events: `sqs` events, `websocket` events, `schedule` events using EventBridge
//! Scheduler, `cloudFront` events, and the function settings `onError`, `kmsKeyArn`, `tracing`,
//! `fileSystemConfig` and `destinations`. streaming-events does not compile those features'
//! resources, but a role it writes must grant what the reference's role grants, so that
//! switching tools changes no permission.

use crate::config::{Function, Service};
use crate::js::truthy;
use crate::template::sub_literal;
use serde_json::{json, Value};
use streaming_events_yaml::Node;

/// What a role needs besides logs, user statements and streaming permissions.
#[derive(Debug, Default)]
pub struct OtherPermissions {
    pub statements: Vec<Value>,
    /// Extra services allowed to assume the role (`scheduler.amazonaws.com`, …).
    pub principals: Vec<&'static str>,
}

fn raw_events(function: &Function) -> Vec<&Node> {
    function
        .get("events")
        .and_then(Node::as_seq)
        .map(|items| items.iter().collect())
        .unwrap_or_default()
}

fn event_of<'a>(event: &'a Node, kind: &str) -> Option<&'a Node> {
    event.get(kind)
}

fn union(statements: &mut Vec<Value>, statement: Value) {
    if !statements.contains(&statement) {
        statements.push(statement);
    }
}

/// The permissions for `functions`, in the order the reference adds them.
pub fn other_permissions(service: &Service, functions: &[&Function]) -> OtherPermissions {
    let mut out = OtherPermissions::default();
    let provider = &service.provider.node;
    let mut destinations_seen: Vec<Value> = Vec::new();
    for function in functions {
        if let Some(arn) = function.get("onError").and_then(Node::as_str) {
            out.statements
                .push(json!({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [arn]}));
        }
        let kms = function
            .get("kmsKeyArn")
            .or_else(|| provider.get("kmsKeyArn"));
        if let Some(arn) = kms.and_then(Node::as_str) {
            union(
                &mut out.statements,
                json!({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [arn]}),
            );
        }
        let tracing = function.get("tracing").filter(|t| truthy(t)).or_else(|| {
            provider
                .get("tracing")
                .and_then(|t| t.get("lambda"))
                .filter(|t| truthy(t))
        });
        if tracing.is_some() {
            union(
                &mut out.statements,
                json!({"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]}),
            );
        }
        if let Some(arn) = function.get("fileSystemConfig").and_then(|f| f.get("arn")) {
            out.statements.push(json!({"Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], "Resource": [arn.to_json()]}));
        }
        if let Some(destinations) = function.get("destinations") {
            for key in ["onSuccess", "onFailure"] {
                let Some(target) = destinations.get(key) else {
                    continue;
                };
                let identity = target.to_json();
                if destinations_seen.contains(&identity) {
                    continue;
                }
                destinations_seen.push(identity);
                if let Some(statement) = destination_statement(service, target) {
                    out.statements.push(statement);
                }
            }
        }
    }
    let sqs: Vec<Value> = functions
        .iter()
        .flat_map(|f| raw_events(f))
        .filter_map(|e| event_of(e, "sqs"))
        .filter_map(|sqs| match &sqs.value {
            streaming_events_yaml::Value::String(_) => Some(sqs.to_json()),
            _ => sqs.get("arn").map(Node::to_json),
        })
        .collect();
    if !sqs.is_empty() {
        out.statements
            .push(json!({"Effect": "Allow", "Action": super::actions::SQS_QUEUE, "Resource": sqs}));
    }
    if functions
        .iter()
        .flat_map(|f| raw_events(f))
        .any(|e| event_of(e, "websocket").is_some())
    {
        out.statements.push(json!({"Effect": "Allow", "Action": ["execute-api:ManageConnections"], "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*"}]}));
    }
    let mut scheduler = Vec::new();
    for function in functions {
        for event in raw_events(function) {
            let method = event_of(event, "schedule")
                .and_then(|s| s.get("method"))
                .and_then(Node::as_str);
            if method == Some("scheduler") {
                let arn = format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}", sub_literal(&function.name));
                scheduler.push(json!({"Fn::Sub": arn}));
                scheduler.push(json!({"Fn::Sub": format!("{arn}:*")}));
            }
        }
    }
    if !scheduler.is_empty() {
        out.principals.push("scheduler.amazonaws.com");
        out.statements.push(
            json!({"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": scheduler}),
        );
    }
    if functions
        .iter()
        .flat_map(|f| raw_events(f))
        .any(|e| event_of(e, "cloudFront").is_some())
    {
        out.principals.push("edgelambda.amazonaws.com");
        out.statements.push(json!({"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:TagResource"], "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*"}]}));
    }
    out
}

/// An async invocation destination: the action follows its type or its ARN; a function name
/// becomes its ARN through `Fn::Sub` (a `Fn::GetAtt` would make the role depend on itself).
fn destination_statement(service: &Service, target: &Node) -> Option<Value> {
    if target.as_map().is_some() {
        let action = match target.get("type").and_then(Node::as_str)? {
            "function" => "lambda:InvokeFunction",
            "sqs" => "sqs:SendMessage",
            "sns" => "sns:Publish",
            "eventBus" => "events:PutEvents",
            _ => return None,
        };
        let arn = target.get("arn").map(Node::to_json).unwrap_or(Value::Null);
        return Some(json!({"Effect": "Allow", "Action": action, "Resource": arn}));
    }
    let text = target.as_str()?;
    let action = if !text.starts_with("arn:") || text.contains(":function:") {
        "lambda:InvokeFunction"
    } else if text.contains(":sqs:") {
        "sqs:SendMessage"
    } else if text.contains(":sns:") {
        "sns:Publish"
    } else if text.contains(":event-bus/") {
        "events:PutEvents"
    } else {
        return None;
    };
    let resource = if text.starts_with("arn:") {
        json!(text)
    } else {
        let name = service
            .functions
            .iter()
            .find(|f| f.key == text)
            .map(|f| f.name.as_str())
            .unwrap_or(text);
        let name = sub_literal(name);
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}")})
    };
    Some(json!({"Effect": "Allow", "Action": action, "Resource": resource}))
}

/// Adds the permissions to a role resource built by [`super::core`] or [`super::roles`].
pub fn apply(role: &mut Value, permissions: OtherPermissions) {
    if let Some(statements) = super::role_statements_mut(role) {
        for statement in permissions.statements {
            statements.push(statement);
        }
    }
    for principal in permissions.principals {
        let services = role
            .get_mut("Properties")
            .and_then(|p| p.get_mut("AssumeRolePolicyDocument"))
            .and_then(|d| d.get_mut("Statement"))
            .and_then(|s| s.get_mut(0))
            .and_then(|s| s.get_mut("Principal"))
            .and_then(|p| p.get_mut("Service"))
            .and_then(Value::as_array_mut);
        if let Some(services) = services {
            if !services.iter().any(|s| s == principal) {
                services.push(json!(principal));
            }
        }
    }
}
