//! `documentDb`: Amazon DocumentDB change streams (a seventh kind, issue 15; the reference has
//! no such event, see docs/features.md).
//!
//! ```yaml
//! functions:
//!   sync:
//!     handler: handler.sync
//!     events:
//!       - documentDb:
//!           arn: arn:aws:rds:us-east-1:123456789012:cluster:shop-docs
//!           database: shop
//!           collection: orders
//!           fullDocument: UpdateLookup
//!           basicAuthArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:docdb/shop-AbCdEf
//!           startingPosition: LATEST
//! ```
//! gives `SyncEventSourceMappingDocumentDBShopdocsShopOrders` (function, `DocumentDB`, cluster,
//! database, collection, as the MSK id is function, `MSK`, cluster, topic), with
//! `DocumentDBEventSourceConfig`, a `BASIC_AUTH` source access configuration, and SAM's
//! permissions scoped: the secret, `rds:DescribeDBClusters` on the cluster,
//! `rds:DescribeDBClusterParameters` on the account's cluster parameter groups,
//! `rds:DescribeDBSubnetGroups` on its subnet groups, and the VPC network-interface actions.

use super::{
    missing_timestamp, prop, prop_span, CompileContext, EventCompiler, FunctionTarget,
    MappingProperties, PlannedMapping,
};
use crate::config::service::Event;
use crate::config::{Function, Service};
use crate::iam::{actions, Statement};
use crate::naming;
use crate::schema::defs;
use crate::schema::export::{doc, PropertyDoc};
use crate::schema::filter::FilterSource;
use crate::schema::Schema;
use serde_json::{json, Map, Value};
use streaming_events_diagnostics::{codes, Diagnostic};
use streaming_events_yaml::Node;

pub struct DocumentDbCompiler;

/// What the editor schema says about the event (the shared properties are in
/// `defs::MAPPING_DOCS` and `features::DOCS`).
#[rustfmt::skip]
const DOCS: &[PropertyDoc] = &[
    doc("", "An Amazon DocumentDB change stream the function reads (streaming-events only; docs/features.md §13).", "an `AWS::Lambda::EventSourceMapping`", ""),
    doc("arn", "The DocumentDB cluster's ARN (`arn:aws:rds:REGION:ACCOUNT:cluster:NAME`) or an intrinsic function giving it.", "`EventSourceArn`", "none (required)"),
    doc("database", "The database to read (1–63 characters).", "`DocumentDBEventSourceConfig.DatabaseName`", "none (required)"),
    doc("collection", "The collection to read (1–57 characters).", "`DocumentDBEventSourceConfig.CollectionName`", "every collection of the database"),
    doc("fullDocument", "What an update event carries.", "`DocumentDBEventSourceConfig.FullDocument`", "not set: Default")
        .values(&[("Default", "only the changes"), ("UpdateLookup", "the changes and a copy of the whole document")]),
    doc("basicAuthArn", "The Secrets Manager secret with the cluster's user name and password.", "`SourceAccessConfigurations` (`BASIC_AUTH`)", "none (required)"),
];

/// A DocumentDB cluster ARN (`arn:<partition>:rds:<region>:<account>:cluster:<identifier>`).
pub const CLUSTER_ARN_PATTERN: &str =
    r"^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[a-zA-Z][a-zA-Z0-9-]{0,62}$";

/// The cluster part of the logical id: the identifier after `cluster:` of a literal ARN or of
/// an `Fn::Sub` template (variables without `${}`), the `Ref`/`Fn::GetAtt` resource, or the
/// import name.
fn cluster_name(arn: &Node) -> Option<String> {
    let from_text = |text: &str| {
        text.rsplit_once(":cluster:")
            .map(|(_, id)| id.replace(['$', '{', '}'], ""))
            .filter(|id| !id.is_empty())
    };
    if let Some(text) = arn.as_str() {
        return from_text(text);
    }
    let map = arn.as_map()?;
    if let Some(sub) = map.get("Fn::Sub") {
        let template = sub
            .as_str()
            .or_else(|| sub.as_seq().and_then(|l| l.first()).and_then(Node::as_str))?;
        return from_text(template);
    }
    if let Some(get_att) = map.get("Fn::GetAtt") {
        return match get_att.as_seq() {
            Some(items) => items.first().and_then(Node::as_str).map(str::to_string),
            None => get_att
                .as_str()
                .and_then(|s| s.split('.').next())
                .map(str::to_string),
        };
    }
    map.get("Fn::ImportValue")
        .or_else(|| map.get("Ref"))
        .and_then(Node::as_str)
        .map(str::to_string)
}

fn text(min: usize, max: usize) -> Schema {
    Schema::aws(Schema::Str {
        pattern: None,
        min_len: Some(min),
        max_len: Some(max),
    })
}

fn event_object() -> Schema {
    let mut props = vec![
        (
            "arn",
            Schema::any_of(
                "a DocumentDB cluster ARN or an intrinsic function",
                vec![
                    Schema::aws(Schema::pattern(CLUSTER_ARN_PATTERN)),
                    defs::cf_function(),
                ],
            ),
        ),
        ("database", text(1, 63)),
        ("collection", text(1, 57)),
        ("fullDocument", Schema::Enum(&["Default", "UpdateLookup"])),
        ("basicAuthArn", defs::secret_arn()),
        ("batchSize", defs::batch_size()),
        ("maximumBatchingWindow", defs::maximum_batching_window()),
        ("enabled", Schema::Bool),
        ("startingPosition", defs::typed_starting_position()),
        (
            "startingPositionTimestamp",
            Schema::Number {
                min: None,
                max: None,
            },
        ),
        super::features::secrets_kms_schema(),
    ];
    props.extend(super::features::schema_props("documentDb"));
    Schema::Object {
        props,
        required: &["arn", "database", "basicAuthArn"],
        additional: false,
        min_props: None,
    }
}

impl EventCompiler for DocumentDbCompiler {
    fn kind(&self) -> &'static str {
        "documentDb"
    }

    fn docs(&self) -> Vec<&'static [PropertyDoc]> {
        vec![DOCS, super::features::DOCS]
    }

    fn schema(&self) -> Schema {
        event_object()
    }

    /// Lambda does not filter DocumentDB change streams; `check` refuses `filterPatterns`.
    fn filter_source(&self, _event: &Node) -> FilterSource {
        FilterSource::AmazonMq
    }

    fn check(&self, service: &Service, function: &Function, event: &Event) -> Vec<Diagnostic> {
        let mut out = super::features::check(service, function, event);
        let e = &event.value;
        let path = event.path(function);
        if let Some(patterns) = e.as_map().and_then(|m| m.entry("filterPatterns")) {
            out.push(Diagnostic::error_at(
                codes::FUNCTION_DOCUMENTDB_FILTER_PATTERNS_UNSUPPORTED,
                format!("{path}.filterPatterns"),
                patterns.key_span,
                format!("Lambda does not filter Amazon DocumentDB change streams, but function '{}' sets filterPatterns on a documentDb event.", function.key),
                "remove filterPatterns and filter in the function, or narrow the stream with `collection:`",
            ));
        }
        if let Some(arn) = prop(e, "arn") {
            if cluster_name(arn).is_none() {
                out.push(Diagnostic::error_at(
                    codes::FUNCTION_EVENT_INVALID,
                    format!("{path}.arn"),
                    arn.span,
                    "No cluster name can be taken from this arn: use a literal cluster ARN, Fn::Sub ending in :cluster:<name>, Ref, Fn::GetAtt or Fn::ImportValue.".to_string(),
                    "the cluster name becomes part of the mapping's logical id",
                ));
            }
        }
        if prop(e, "startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP")
            && prop(e, "startingPositionTimestamp").is_none()
        {
            out.push(missing_timestamp(
                codes::FUNCTION_DOCUMENTDB_STARTING_POSITION_TIMESTAMP_INVALID,
                function,
                event,
                true,
            ));
        }
        out
    }

    fn plan(&self, _service: &Service, function: &Function, event: &Event) -> PlannedMapping {
        let e = &event.value;
        let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
        let cluster = prop(e, "arn").and_then(cluster_name).unwrap_or_default();
        let database = prop(e, "database")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let collection = prop(e, "collection")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let mut identity = Map::new();
        identity.insert("arn".into(), arn.clone());
        identity.insert("database".into(), json!(database));
        identity.insert("collection".into(), json!(collection));
        let cluster_text = arn
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| crate::js::to_js_compact(&arn));
        PlannedMapping {
            event_index: event.index,
            logical_id: naming::documentdb_event_logical_id(
                &function.key,
                &cluster,
                database,
                collection,
            ),
            source_key: if collection.is_empty() {
                format!("every collection of database {database} of cluster {cluster_text}")
            } else {
                format!("collection {collection} of database {database} of cluster {cluster_text}")
            },
            identity_json: crate::js::to_js_compact(&Value::Object(identity)),
            source_span: prop_span(e, "arn"),
            source_path: format!("{}.arn", event.path(function)),
        }
    }

    fn compile(
        &self,
        cx: &mut CompileContext<'_>,
        target: &FunctionTarget,
        event: &Event,
        plan: &PlannedMapping,
        suffix: &str,
    ) {
        let e = &event.value;
        let arn = prop(e, "arn").map(Node::to_json).unwrap_or(Value::Null);
        let secret = prop(e, "basicAuthArn")
            .map(Node::to_json)
            .unwrap_or(Value::Null);
        let mut config = Map::new();
        for (key, from) in [
            ("DatabaseName", "database"),
            ("CollectionName", "collection"),
            ("FullDocument", "fullDocument"),
        ] {
            if let Some(value) = prop(e, from) {
                config.insert(key.into(), value.to_json());
            }
        }
        let at_timestamp =
            prop(e, "startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP");
        let mut properties = MappingProperties::new(e);
        properties
            .set("FunctionName", target.function_name())
            .set("EventSourceArn", arn.clone())
            .copy("StartingPosition", "startingPosition");
        if at_timestamp {
            properties.copy("StartingPositionTimestamp", "startingPositionTimestamp");
        }
        properties
            .set("DocumentDBEventSourceConfig", Value::Object(config))
            .set(
                "SourceAccessConfigurations",
                json!([{"Type": "BASIC_AUTH", "URI": secret}]),
            )
            .copy_truthy("BatchSize", "batchSize")
            .copy("MaximumBatchingWindowInSeconds", "maximumBatchingWindow")
            .copy("Enabled", "enabled");
        super::features::emit(cx, target, e, &mut properties);
        let account = "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}";
        cx.grant(target, Statement::allow(actions::SECRETS, vec![secret]));
        cx.grant(
            target,
            Statement::allow(actions::DOCUMENTDB_CLUSTER, vec![arn]),
        );
        cx.grant(
            target,
            Statement::allow(
                actions::DOCUMENTDB_CLUSTER_PARAMETERS,
                vec![json!({"Fn::Sub": format!("{account}:cluster-pg:*")})],
            ),
        );
        cx.grant(
            target,
            Statement::allow(
                actions::DOCUMENTDB_SUBNET_GROUPS,
                vec![json!({"Fn::Sub": format!("{account}:subgrp:*")})],
            ),
        );
        cx.grant(target, Statement::allow_any_resource(actions::VPC));
        super::features::grant_secrets_kms(cx, target, e);
        let resource = super::mapping_resource(target.depends_on(), properties.into_map());
        cx.template
            .add_resource(naming::with_suffix(&plan.logical_id, suffix), resource);
    }
}

#[cfg(test)]
mod tests {
    use crate::events::test_support::{compile, resource, service, streaming_statements};
    use serde_json::json;

    const CLUSTER: &str = "arn:aws:rds:us-east-1:123456789012:cluster:shop-docs";
    const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:docdb-AbCdEf";

    fn event(extra: &str) -> String {
        service(&format!("      - documentDb:\n          arn: {CLUSTER}\n          database: shop\n          basicAuthArn: {SECRET}\n{extra}"))
    }

    #[test]
    fn mapping_and_scoped_permissions() {
        let t = compile(&event("          collection: orders\n          fullDocument: UpdateLookup\n          startingPosition: AT_TIMESTAMP\n          startingPositionTimestamp: 1700000000\n")).unwrap();
        let p = &resource(&t, "FnEventSourceMappingDocumentDBShopdocsShopOrders")["Properties"];
        assert_eq!(
            p["DocumentDBEventSourceConfig"],
            json!({"DatabaseName": "shop", "CollectionName": "orders", "FullDocument": "UpdateLookup"})
        );
        assert_eq!(p["StartingPositionTimestamp"], 1_700_000_000);
        assert_eq!(
            p["SourceAccessConfigurations"],
            json!([{"Type": "BASIC_AUTH", "URI": SECRET}])
        );
        let statements = streaming_statements(&t);
        let actions: Vec<String> = statements.iter().map(|s| s["Action"].to_string()).collect();
        assert_eq!(actions.len(), 5, "{actions:?}");
        assert_eq!(statements[1]["Resource"], json!([CLUSTER]));
        assert_eq!(
            statements[2]["Resource"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster-pg:*"}])
        );
    }

    #[test]
    fn filters_and_a_missing_timestamp_are_refused() {
        assert_eq!(
            compile(&event(
                "          filterPatterns:\n            - fullDocument: {a: [1]}\n"
            ))
            .unwrap_err(),
            ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"],
            "strict mode: the unknown property is the error"
        );
        assert_eq!(
            compile(&event("          startingPosition: AT_TIMESTAMP\n")).unwrap_err(),
            ["FUNCTION_DOCUMENTDB_STARTING_POSITION_TIMESTAMP_INVALID"]
        );
    }

    #[test]
    fn cluster_names_from_intrinsics() {
        let t = compile(&service(&format!("      - documentDb:\n          arn: !Sub 'arn:${{AWS::Partition}}:rds:${{AWS::Region}}:${{AWS::AccountId}}:cluster:docs'\n          database: shop\n          basicAuthArn: {SECRET}\n"))).unwrap();
        assert!(t["Resources"]
            .get("FnEventSourceMappingDocumentDBDocsShop")
            .is_some());
    }
}
