//! How long the whole compile step takes (load, variables, validation, compilers, IAM, JSON),
//! in-process: `cargo bench -p streaming-events-core`. Targets (on the 2-core CI machine,
//! release build): the example service well under 5 ms, the largest service one stack can
//! hold (45 functions with 225 streaming events, about 450 resources) under 100 ms — the
//! compile step should be invisible next to `serverless package`'s seconds.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use streaming_events_core::to_js_pretty;
use streaming_events_core::FakeEnvironment;
use streaming_events_core::{run, Options};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A service of `functions` functions with one event of each of the five kinds, each with its
/// own role.
fn generated(functions: usize) -> String {
    // Per-function roles: 1,000 sources cannot share one role within IAM's quotas.
    let mut text = String::from("service: bench\nprovider:\n  name: aws\n  runtime: nodejs24.x\n  iam:\n    role:\n      mode: perFunction\nfunctions:\n");
    for i in 0..functions {
        text.push_str(&format!(
            "  f{i}:\n    handler: h.f{i}\n    events:\n      - stream: {{arn: 'arn:aws:kinesis:us-east-1:1:stream/s{i}', consumer: true, filterPatterns: [{{data: {{k: [a]}}}}]}}\n      - kafka: {{accessConfigurations: {{saslScram512Auth: 'arn:aws:secretsmanager:us-east-1:1:secret:k{i}-AbCdEf'}}, bootstrapServers: ['b:9092'], topic: t{i}}}\n      - msk: {{arn: 'arn:aws:kafka:us-east-1:1:cluster/c{i}/u', topic: t{i}}}\n      - activemq: {{arn: 'arn:aws:mq:us-east-1:1:broker:b{i}:b-1', queue: q{i}, basicAuthArn: 'arn:aws:secretsmanager:us-east-1:1:secret:m{i}-AbCdEf'}}\n      - rabbitmq: {{arn: 'arn:aws:mq:us-east-1:1:broker:r{i}:b-2', queue: q{i}, basicAuthArn: 'arn:aws:secretsmanager:us-east-1:1:secret:r{i}-AbCdEf'}}\n"
        ));
    }
    text
}

fn compile(text: &str) -> usize {
    let env = FakeEnvironment::new().with_file("/svc/serverless.yml", text);
    let options = Options {
        config: PathBuf::from("/svc/serverless.yml"),
        config_display: "serverless.yml".into(),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    let template = outcome.template.expect("the benchmark services compile");
    to_js_pretty(&template).len()
}

fn benches(c: &mut Criterion) {
    let example = std::fs::read_to_string(repo().join("examples/serverless.yml")).expect("example");
    let forty =
        std::fs::read_to_string(repo().join("tests/fixtures/iam/forty-functions/serverless.yml"))
            .expect("fixture");
    // The most one stack can hold: about ten resources per function, 500 per stack.
    let large = generated(45);
    c.bench_function("example service", |b| b.iter(|| compile(&example)));
    c.bench_function("40 functions x 5 events (managed policies)", |b| {
        b.iter(|| compile(&forty))
    });
    c.bench_function("45 functions x 5 events, per-function roles", |b| {
        b.iter(|| compile(&large))
    });
}

criterion_group!(package, benches);
criterion_main!(package);
