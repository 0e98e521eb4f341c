//! The benchmark services, shared by `benches/package.rs` and `examples/bench-service.rs` (which
//! `bench/run.sh` runs to write them for the release binary and the reference): n functions, each
//! with five streaming events — a Kinesis stream with a filter, a DynamoDB stream, self-managed
//! Kafka, MSK and RabbitMQ.

/// How a benchmark service is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    /// Every event reads its shared values (batch size, starting position, account, bootstrap
    /// servers, secret, cluster, broker) from `custom` through `${self:custom.…}`.
    pub self_references: bool,
    /// A service beyond one stack: lists `serverless-plugin-split-stacks` (the 500-resource and
    /// 1 MB limits become warnings), sets `versionFunctions: false` (one output per version
    /// would pass the 200-output limit, which nested stacks do not lift) and gives each function
    /// its own role (one shared role cannot hold thousands of sources within IAM's quotas).
    pub large: bool,
}

/// The shared values, as literals.
const LITERALS: [(&str, &str); 7] = [
    ("batch", "100"),
    ("position", "LATEST"),
    ("account", "'123456789012'"),
    ("servers", "[b-1.example.com:9096, b-2.example.com:9096]"),
    (
        "secret",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf",
    ),
    (
        "cluster",
        "arn:aws:kafka:us-east-1:123456789012:cluster/main/abc",
    ),
    (
        "broker",
        "arn:aws:mq:us-east-1:123456789012:broker:rabbit:b-1",
    ),
];

/// The service of `functions` functions, as YAML.
pub fn service(functions: usize, shape: Shape) -> String {
    let mut out = String::from(
        "service: bench\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: nodejs20.x\n",
    );
    if shape.large {
        out.push_str("  versionFunctions: false\n  iam:\n    role:\n      mode: perFunction\n");
        out.push_str("plugins:\n  - serverless-plugin-split-stacks\n");
    }
    let value = |key: &str| -> String {
        if shape.self_references {
            format!("${{self:custom.{key}}}")
        } else {
            let (_, literal) = LITERALS.iter().find(|(k, _)| *k == key).expect("a key");
            literal.trim_matches('\'').to_string()
        }
    };
    if shape.self_references {
        out.push_str("custom:\n");
        for (key, literal) in LITERALS {
            out.push_str(&format!("  {key}: {literal}\n"));
        }
    }
    let (batch, position, account) = (value("batch"), value("position"), value("account"));
    let (servers, secret) = (value("servers"), value("secret"));
    let (cluster, broker) = (value("cluster"), value("broker"));
    out.push_str("functions:\n");
    for i in 0..functions {
        out.push_str(&format!(
            "  fn{i}:
    handler: handler.handler
    events:
      - stream:
          type: kinesis
          arn: arn:aws:kinesis:us-east-1:{account}:stream/clicks-{i}
          batchSize: {batch}
          startingPosition: {position}
          filterPatterns:
            - data:
                kind: [click]
      - stream:
          type: dynamodb
          arn: arn:aws:dynamodb:us-east-1:{account}:table/t{i}/stream/2024-01-01T00:00:00.000
          batchSize: {batch}
          startingPosition: {position}
      - kafka:
          topic: topic-{i}
          bootstrapServers: {servers}
          accessConfigurations:
            saslScram512Auth: {secret}
          batchSize: {batch}
      - msk:
          arn: {cluster}
          topic: topic-{i}
          batchSize: {batch}
      - rabbitmq:
          arn: {broker}
          queue: queue-{i}
          basicAuthArn: {secret}
          batchSize: {batch}
"
        ));
    }
    out
}
