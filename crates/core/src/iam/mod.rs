//! IAM statements the event sources need: accumulated per role while compiling, then merged
//! and deduplicated (D1) — one statement per (Effect, Action list), resources in first-seen
//! order — and written into the role's policy, with IAM's size limits checked.

pub mod attach;
pub mod custom_roles;
pub mod merge_roles;
pub mod other_permissions;
pub mod own_statements;
pub mod roles;

use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// IAM's limit on the inline policies of one role (whitespace not counted).
pub const MAX_INLINE_POLICY_CHARS: usize = 10_240;
/// IAM's limit on one managed policy document.
pub const MAX_MANAGED_POLICY_CHARS: usize = 6_144;
/// The default quota of managed policies attached to one role.
pub const MAX_MANAGED_POLICIES_PER_ROLE: usize = 10;

/// What a statement's `Resource` is.
#[derive(Debug, Clone, PartialEq)]
enum Resources {
    /// `"Resource": "*"`.
    Star,
    List(Vec<Value>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub effect: &'static str,
    pub actions: Vec<&'static str>,
    resources: Resources,
}

impl Statement {
    pub fn allow(actions: &[&'static str], resources: Vec<Value>) -> Statement {
        Statement {
            effect: "Allow",
            actions: actions.to_vec(),
            resources: Resources::List(resources),
        }
    }

    pub fn allow_any_resource(actions: &[&'static str]) -> Statement {
        Statement {
            effect: "Allow",
            actions: actions.to_vec(),
            resources: Resources::Star,
        }
    }

    pub fn to_json(&self) -> Value {
        let resource = match &self.resources {
            Resources::Star => Value::String("*".into()),
            Resources::List(list) => Value::Array(list.clone()),
        };
        crate::js::object([
            ("Effect", self.effect.into()),
            ("Action", json!(self.actions)),
            ("Resource", resource),
        ])
    }
}

/// The actions each source needs, as the reference grants them.
pub mod actions {
    pub const DYNAMODB_STREAM: &[&str] = &[
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ];
    pub const KINESIS_STREAM: &[&str] = &[
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:ListStreams",
    ];
    pub const KINESIS_STREAM_WITH_CONSUMER: &[&str] = &[
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
    ];
    pub const KINESIS_CONSUMER: &[&str] = &["kinesis:SubscribeToShard"];
    pub const SNS_DESTINATION: &[&str] = &["sns:Publish"];
    pub const SQS_DESTINATION: &[&str] = &["sqs:ListQueues", "sqs:SendMessage"];
    /// What an SQS event source needs (the reference's compiler's list, in its order).
    pub const SQS_QUEUE: &[&str] = &[
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ];
    pub const SECRETS: &[&str] = &["secretsmanager:GetSecretValue"];
    pub const VPC: &[&str] = &[
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
    ];
    pub const MSK: &[&str] = &["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"];
    pub const MQ_BROKER: &[&str] = &["mq:DescribeBroker"];
    // Mapping features beyond the reference (docs/features.md).
    /// An S3 on-failure destination: the bucket, then its objects (`bucket/*`).
    pub const S3_DESTINATION_BUCKET: &[&str] = &["s3:ListBucket"];
    pub const S3_DESTINATION_OBJECTS: &[&str] = &["s3:PutObject"];
    /// MSK with IAM access control: connecting to the cluster (a Kafka-topic destination).
    pub const MSK_CONNECT: &[&str] = &["kafka-cluster:Connect"];
    /// A Kafka-topic on-failure destination of MSK: the destination topic.
    pub const KAFKA_TOPIC_DESTINATION: &[&str] =
        &["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"];
    /// `iamAuth: true` on msk: the cluster, the source topic, the consumer group.
    pub const MSK_IAM_CLUSTER: &[&str] = &[
        "kafka:DescribeClusterV2",
        "kafka-cluster:Connect",
        "kafka-cluster:DescribeClusterDynamicConfiguration",
    ];
    pub const MSK_IAM_TOPIC: &[&str] = &["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"];
    pub const MSK_IAM_GROUP: &[&str] = &["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"];
    /// A Glue schema registry: the registry, then its schemas' versions.
    pub const GLUE_REGISTRY: &[&str] = &["glue:GetRegistry"];
    pub const GLUE_SCHEMA_VERSION: &[&str] = &["glue:GetSchemaVersion"];
    /// The key that encrypts a source's secret (`secretsManagerKmsKeyId`).
    pub const KMS_DECRYPT: &[&str] = &["kms:Decrypt"];
    /// A DocumentDB cluster (SAM's set, scoped): its parameters, subnet groups and itself.
    pub const DOCUMENTDB_CLUSTER_PARAMETERS: &[&str] = &["rds:DescribeDBClusterParameters"];
    pub const DOCUMENTDB_SUBNET_GROUPS: &[&str] = &["rds:DescribeDBSubnetGroups"];
    pub const DOCUMENTDB_CLUSTER: &[&str] = &["rds:DescribeDBClusters"];
}

/// Statements gathered for one role, merged as they arrive.
#[derive(Debug, Clone, Default)]
pub struct PolicyBuilder {
    statements: Vec<Statement>,
    /// The statement of each (Effect, Action list), by index into `statements`, once there
    /// are more than [`SMALL_LIST`] statements; fewer are searched (a role per function holds
    /// a handful, and hashing each key cost more than the search).
    by_actions: Option<HashMap<(&'static str, Vec<&'static str>), usize>>,
    /// Per statement with more than [`SMALL_LIST`] resources, its resources as compact JSON:
    /// merging one more is one hash lookup, not a pass over (and a serialisation of) every
    /// resource merged before. Shorter lists are compared value by value.
    seen: Vec<Option<HashSet<String>>>,
}

/// Up to this many resources, a statement's list is searched instead of hashed.
const SMALL_LIST: usize = 16;

/// Appends `more` to `list`, leaving out what it already holds, in first-seen order.
fn merge_resources(list: &mut Vec<Value>, seen: &mut Option<HashSet<String>>, more: Vec<Value>) {
    for value in more {
        if seen.is_none() && list.len() >= SMALL_LIST {
            *seen = Some(list.iter().map(Value::to_string).collect());
        }
        let new = match seen {
            Some(set) => set.insert(value.to_string()),
            None => !list.contains(&value),
        };
        if new {
            list.push(value);
        }
    }
}

impl PolicyBuilder {
    pub fn new() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// Adds a statement: merged into an earlier one with the same Effect and Action list,
    /// resources deduplicated in first-seen order.
    pub fn add(&mut self, statement: Statement) {
        if let Resources::List(list) = &statement.resources {
            if list.is_empty() {
                return;
            }
        }
        let Some(index) = self.index_of(statement.effect, &statement.actions) else {
            let mut statement = statement;
            let mut seen = None;
            if let Resources::List(list) = &mut statement.resources {
                let given = std::mem::take(list);
                merge_resources(list, &mut seen, given);
            }
            let index = self.statements.len();
            if let Some(by_actions) = &mut self.by_actions {
                by_actions.insert((statement.effect, statement.actions.clone()), index);
            }
            self.statements.push(statement);
            self.seen.push(seen);
            if self.by_actions.is_none() && self.statements.len() > SMALL_LIST {
                let by_actions = self
                    .statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| ((s.effect, s.actions.clone()), i))
                    .collect();
                self.by_actions = Some(by_actions);
            }
            return;
        };
        let seen = &mut self.seen[index];
        match (&mut self.statements[index].resources, statement.resources) {
            (Resources::Star, _) => {}
            (slot @ Resources::List(_), Resources::Star) => {
                *slot = Resources::Star;
                *seen = None;
            }
            (Resources::List(list), Resources::List(more)) => merge_resources(list, seen, more),
        }
    }

    /// The statement with this Effect and Action list, if there is one.
    fn index_of(&self, effect: &'static str, actions: &[&'static str]) -> Option<usize> {
        match &self.by_actions {
            Some(by_actions) => by_actions.get(&(effect, actions.to_vec())).copied(),
            None => self
                .statements
                .iter()
                .position(|s| s.effect == effect && s.actions == actions),
        }
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    pub fn to_json(&self) -> Vec<Value> {
        self.statements.iter().map(Statement::to_json).collect()
    }
}

/// The size IAM counts for a policy document: its JSON without whitespace.
pub fn policy_size(document: &Value) -> usize {
    crate::js::compact_chars(document)
}

/// Splits statements into managed-policy documents of at most `limit` characters each,
/// deterministically (in order, splitting a statement's resources when one alone is too big).
/// Returns `None` when a single permission cannot fit.
pub fn split_into_documents(statements: &[Statement], limit: usize) -> Option<Vec<Vec<Value>>> {
    let empty = json!({"Version": "2012-10-17", "Statement": []});
    let base = policy_size(&empty);
    let mut documents: Vec<Vec<Value>> = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut current_size = base;
    let push = |piece: Value,
                documents: &mut Vec<Vec<Value>>,
                current: &mut Vec<Value>,
                current_size: &mut usize|
     -> bool {
        let size = policy_size(&piece) + usize::from(!current.is_empty());
        if base + size > limit {
            return false;
        }
        if *current_size + size > limit {
            documents.push(std::mem::take(current));
            *current_size = base;
        }
        *current_size += policy_size(&piece) + usize::from(!current.is_empty());
        current.push(piece);
        true
    };
    for statement in statements {
        let whole = statement.to_json();
        if base + policy_size(&whole) <= limit {
            if !push(whole, &mut documents, &mut current, &mut current_size) {
                return None;
            }
            continue;
        }
        let Resources::List(list) = &statement.resources else {
            return None;
        };
        let mut chunk: Vec<Value> = Vec::new();
        for resource in list {
            let mut candidate = chunk.clone();
            candidate.push(resource.clone());
            let piece = Statement {
                effect: statement.effect,
                actions: statement.actions.clone(),
                resources: Resources::List(candidate.clone()),
            }
            .to_json();
            if base + policy_size(&piece) > limit {
                if chunk.is_empty() {
                    return None;
                }
                let full = Statement {
                    effect: statement.effect,
                    actions: statement.actions.clone(),
                    resources: Resources::List(std::mem::take(&mut chunk)),
                }
                .to_json();
                if !push(full, &mut documents, &mut current, &mut current_size) {
                    return None;
                }
                chunk.push(resource.clone());
            } else {
                chunk = candidate;
            }
        }
        if !chunk.is_empty() {
            let full = Statement {
                effect: statement.effect,
                actions: statement.actions.clone(),
                resources: Resources::List(chunk),
            }
            .to_json();
            if !push(full, &mut documents, &mut current, &mut current_size) {
                return None;
            }
        }
    }
    if !current.is_empty() {
        documents.push(current);
    }
    Some(documents)
}

/// The inline policy statements of a role resource, when it has the reference's shape.
pub fn role_statements_mut(role: &mut Value) -> Option<&mut Vec<Value>> {
    role.get_mut("Properties")?
        .get_mut("Policies")?
        .get_mut(0)?
        .get_mut("PolicyDocument")?
        .get_mut("Statement")?
        .as_array_mut()
}

/// Total characters of a role's inline policy documents.
pub fn inline_policies_size(role: &Value) -> usize {
    role.get("Properties")
        .and_then(|p| p.get("Policies"))
        .and_then(Value::as_array)
        .map(|policies| {
            policies
                .iter()
                .filter_map(|p| p.get("PolicyDocument"))
                .map(policy_size)
                .sum()
        })
        .unwrap_or(0)
}

/// Every event source mapping that waits for `role_id` also waits for `ids` (the managed
/// policies that carry its permissions): Lambda checks them when it creates the mapping.
pub fn mappings_wait_for(template: &mut crate::template::Template, role_id: &str, ids: &[Value]) {
    for resource in template.resources_mut().values_mut() {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::Lambda::EventSourceMapping") {
            continue;
        }
        let Some(depends) = resource.get_mut("DependsOn").and_then(Value::as_array_mut) else {
            continue;
        };
        if depends.iter().any(|d| d == role_id) {
            depends.extend(ids.iter().cloned());
        }
    }
}

/// A managed policy resource attached to `role`.
pub fn managed_policy_resource(role_logical_id: &str, statements: Vec<Value>) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "PolicyDocument".into(),
        crate::js::object([
            ("Version", "2012-10-17".into()),
            ("Statement", Value::Array(statements)),
        ]),
    );
    properties.insert("Roles".into(), json!([{"Ref": role_logical_id}]));
    crate::js::object([
        ("Type", "AWS::IAM::ManagedPolicy".into()),
        ("Properties", Value::Object(properties)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_statements_merge_the_same_as_few() {
        // 63 Action lists (every non-empty subset of six actions): past SMALL_LIST statements
        // the builder hashes them; the merge and the order are the same as when it searches.
        const ACTIONS: [&str; 6] = ["a:One", "a:Two", "a:Three", "a:Four", "a:Five", "a:Six"];
        let lists: Vec<Vec<&'static str>> = (1u32..64)
            .map(|bits| {
                (0..6)
                    .filter(|i| bits & (1 << i) != 0)
                    .map(|i| ACTIONS[i])
                    .collect()
            })
            .collect();
        let mut builder = PolicyBuilder::new();
        for resource in ["r1", "r2", "r1"] {
            for list in &lists {
                builder.add(Statement::allow(list, vec![json!(resource)]));
            }
        }
        let statements = builder.to_json();
        assert_eq!(statements.len(), 63);
        for (statement, list) in statements.iter().zip(&lists) {
            assert_eq!(statement["Action"], json!(list));
            assert_eq!(statement["Resource"], json!(["r1", "r2"]));
        }
    }

    #[test]
    fn merges_by_effect_and_actions_and_dedups_resources() {
        let mut builder = PolicyBuilder::new();
        builder.add(Statement::allow(
            actions::SECRETS,
            vec![json!("a"), json!("b"), json!("a")],
        ));
        builder.add(Statement::allow(actions::MQ_BROKER, vec![json!("x")]));
        builder.add(Statement::allow(
            actions::SECRETS,
            vec![json!("c"), json!("b")],
        ));
        builder.add(Statement::allow_any_resource(actions::VPC));
        builder.add(Statement::allow_any_resource(actions::VPC));
        builder.add(Statement::allow(actions::KINESIS_STREAM, vec![]));
        let out = builder.to_json();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0]["Resource"], json!(["a", "b", "c"]));
        assert_eq!(out[2]["Resource"], json!("*"));
    }

    #[test]
    fn long_lists_dedup_as_short_ones_do() {
        // Past SMALL_LIST the resources are hashed; the result is the same first-seen order.
        let arn = |i: usize| json!(format!("arn:aws:kinesis:us-east-1:1:stream/s{}", i % 30));
        let mut builder = PolicyBuilder::new();
        for i in 0..90 {
            builder.add(Statement::allow(
                actions::KINESIS_STREAM,
                vec![arn(i), arn(i + 7)],
            ));
        }
        builder.add(Statement::allow(
            actions::KINESIS_STREAM,
            vec![
                json!({"Fn::GetAtt": ["S", "Arn"]}),
                json!({"Fn::GetAtt": ["S", "Arn"]}),
            ],
        ));
        // First-seen order, the plain way.
        let mut expected: Vec<Value> = Vec::new();
        for value in (0..90)
            .flat_map(|i| [arn(i), arn(i + 7)])
            .chain([json!({"Fn::GetAtt": ["S", "Arn"]})])
        {
            if !expected.contains(&value) {
                expected.push(value);
            }
        }
        assert_eq!(expected.len(), 31);
        assert_eq!(builder.to_json()[0]["Resource"], Value::Array(expected));
    }

    #[test]
    fn split_keeps_every_permission_and_respects_the_limit() {
        let resources: Vec<Value> = (0..400)
            .map(|i| {
                json!(format!(
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:s{i}"
                ))
            })
            .collect();
        let statements = vec![
            Statement::allow(actions::SECRETS, resources.clone()),
            Statement::allow_any_resource(actions::VPC),
        ];
        let documents = split_into_documents(&statements, MAX_MANAGED_POLICY_CHARS).unwrap();
        assert!(documents.len() > 1);
        let mut granted = 0;
        for document in &documents {
            let value = json!({"Version": "2012-10-17", "Statement": document});
            assert!(policy_size(&value) <= MAX_MANAGED_POLICY_CHARS);
            for statement in document {
                granted += statement["Resource"].as_array().map(Vec::len).unwrap_or(1);
            }
        }
        assert_eq!(granted, 401);
    }
}
