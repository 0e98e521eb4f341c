//! Structure-aware: services built from the grammar of functions, events, variables and anchors
//! (with `arbitrary`), so that inputs get past the loader and reach the schema, the compilers and
//! IAM. Checks more than "no panic": a run ends with a template or an error, and the same input
//! gives the same template and the same diagnostics twice.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;
use std::path::PathBuf;
use streaming_events_core::{run, to_js_pretty, FakeEnvironment, Options};

#[derive(Arbitrary, Debug)]
struct Service {
    mode: Mode,
    custom: Vec<(Name, Scalar)>,
    functions: Vec<Function>,
    anchor: bool,
    per_function_roles: bool,
}

#[derive(Arbitrary, Debug)]
enum Mode {
    Warn,
    Error,
    Off,
}

#[derive(Arbitrary, Debug)]
struct Function {
    name: Name,
    own_role: bool,
    statements: bool,
    provisioned: bool,
    events: Vec<Event>,
}

#[derive(Arbitrary, Debug)]
enum Event {
    Stream {
        source: Source,
        batch: Option<Scalar>,
        start: Start,
        consumer: bool,
        filter: Option<Scalar>,
        destination: Option<Name>,
    },
    Kafka {
        topic: Scalar,
        servers: u8,
        auth: u8,
        batch: Option<Scalar>,
    },
    Msk {
        cluster: Name,
        topic: Scalar,
        secret: bool,
    },
    Mq {
        rabbit: bool,
        queue: Scalar,
    },
    Sqs {
        queue: Name,
        batch: Option<Scalar>,
    },
    Other(Name),
}

#[derive(Arbitrary, Debug)]
enum Source {
    Kinesis(Name),
    Dynamo(Name),
    GetAtt(Name),
    Variable(Name),
}

#[derive(Arbitrary, Debug)]
enum Start {
    Default,
    Latest,
    TrimHorizon,
    AtTimestamp(u32),
}

/// A value written literally or through a variable.
#[derive(Arbitrary, Debug)]
enum Scalar {
    Number(i32),
    Text(Name),
    SelfRef(Name),
    Opt,
    Env(Name),
    Fallback(Name, i16),
    Bool(bool),
}

/// Short names from a small alphabet, so that references and collisions happen.
#[derive(Arbitrary, Debug)]
struct Name(u8, u8);

impl Name {
    fn text(&self) -> String {
        const PARTS: &[&str] = &["a", "b", "orders", "Orders", "my-fn", "myDash", "x_y", "q"];
        format!(
            "{}{}",
            PARTS[self.0 as usize % PARTS.len()],
            if self.1 % 3 == 0 {
                String::new()
            } else {
                (self.1 % 7).to_string()
            }
        )
    }
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Number(n) => n.to_string(),
            Scalar::Text(name) => name.text(),
            Scalar::SelfRef(name) => format!("${{self:custom.{}}}", name.text()),
            Scalar::Opt => "${opt:stage}".into(),
            Scalar::Env(name) => format!("${{env:{}}}", name.text().to_uppercase()),
            Scalar::Fallback(name, n) => format!("${{self:custom.{}, {n}}}", name.text()),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

fn render(service: &Service) -> String {
    let mut out = String::new();
    let mode = match service.mode {
        Mode::Warn => "warn",
        Mode::Error => "error",
        Mode::Off => "off",
    };
    let _ = writeln!(out, "service: fuzzed\nconfigValidationMode: {mode}");
    let _ = writeln!(out, "provider:\n  name: aws\n  runtime: nodejs20.x");
    if service.per_function_roles {
        let _ = writeln!(out, "  iam:\n    role:\n      mode: perFunction");
    }
    out.push_str("custom:\n");
    if service.anchor {
        out.push_str("  defaults: &defaults\n    batchSize: 10\n");
    }
    for (name, value) in &service.custom {
        let _ = writeln!(out, "  {}: {}", name.text(), value.text());
    }
    out.push_str("functions:\n");
    for function in &service.functions {
        let _ = writeln!(out, "  {}:\n    handler: h.{}", function.name.text(), function.name.text());
        if function.own_role {
            out.push_str("    role: arn:aws:iam::123456789012:role/own\n");
        }
        if function.statements {
            out.push_str("    iamRoleStatements:\n      - {Effect: Allow, Action: [s3:GetObject], Resource: '*'}\n");
        }
        if function.provisioned {
            out.push_str("    provisionedConcurrency: 1\n");
        }
        out.push_str("    events:\n");
        for event in &function.events {
            render_event(&mut out, event, service.anchor);
        }
    }
    out
}

fn render_event(out: &mut String, event: &Event, anchor: bool) {
    match event {
        Event::Stream { source, batch, start, consumer, filter, destination } => {
            out.push_str("      - stream:\n");
            let arn = match source {
                Source::Kinesis(n) => format!("arn:aws:kinesis:us-east-1:123456789012:stream/{}", n.text()),
                Source::Dynamo(n) => format!("arn:aws:dynamodb:us-east-1:123456789012:table/{}/stream/2024", n.text()),
                Source::GetAtt(n) => format!("!GetAtt {}.StreamArn", n.text()),
                Source::Variable(n) => format!("${{self:custom.{}}}", n.text()),
            };
            let _ = writeln!(out, "          arn: {arn}");
            if matches!(source, Source::GetAtt(_)) {
                out.push_str("          type: dynamodb\n");
            }
            if anchor {
                out.push_str("          <<: *defaults\n");
            } else if let Some(batch) = batch {
                let _ = writeln!(out, "          batchSize: {}", batch.text());
            }
            match start {
                Start::Default => {}
                Start::Latest => out.push_str("          startingPosition: LATEST\n"),
                Start::TrimHorizon => out.push_str("          startingPosition: TRIM_HORIZON\n"),
                Start::AtTimestamp(t) => {
                    let _ = writeln!(out, "          startingPosition: AT_TIMESTAMP\n          startingPositionTimestamp: {t}");
                }
            }
            if *consumer {
                out.push_str("          consumer: true\n");
            }
            if let Some(value) = filter {
                let _ = writeln!(out, "          filterPatterns:\n            - data: {{kind: [{}]}}", value.text());
            }
            if let Some(queue) = destination {
                let _ = writeln!(out, "          destinations:\n            onFailure: arn:aws:sqs:us-east-1:123456789012:{}", queue.text());
            }
        }
        Event::Kafka { topic, servers, auth, batch } => {
            let auth = match auth % 3 {
                0 => "saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:k",
                1 => "vpcSubnet: [subnet-0abc]\n            vpcSecurityGroup: [sg-0abc]",
                _ => "saslPlainAuth: arn:aws:secretsmanager:us-east-1:123456789012:secret:p",
            };
            let servers: Vec<String> = (0..(servers % 3) + 1).map(|i| format!("b{i}:9092")).collect();
            let _ = writeln!(out, "      - kafka:\n          topic: {}\n          bootstrapServers: [{}]\n          accessConfigurations:\n            {auth}", topic.text(), servers.join(", "));
            if let Some(batch) = batch {
                let _ = writeln!(out, "          batchSize: {}", batch.text());
            }
        }
        Event::Msk { cluster, topic, secret } => {
            let _ = writeln!(out, "      - msk:\n          arn: arn:aws:kafka:us-east-1:123456789012:cluster/{}/abc\n          topic: {}", cluster.text(), topic.text());
            if *secret {
                out.push_str("          saslScram512: arn:aws:secretsmanager:us-east-1:123456789012:secret:m\n");
            }
        }
        Event::Mq { rabbit, queue } => {
            let kind = if *rabbit { "rabbitmq" } else { "activemq" };
            let _ = writeln!(out, "      - {kind}:\n          arn: arn:aws:mq:us-east-1:123456789012:broker:b:b-1234\n          queue: {}\n          basicAuthArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:mq", queue.text());
        }
        Event::Sqs { queue, batch } => {
            let _ = writeln!(out, "      - sqs:\n          arn: arn:aws:sqs:us-east-1:123456789012:{}", queue.text());
            if let Some(batch) = batch {
                let _ = writeln!(out, "          batchSize: {}", batch.text());
            }
        }
        Event::Other(name) => {
            let _ = writeln!(out, "      - {}: {{}}", name.text());
        }
    }
}

fn compile(text: &str) -> (Option<String>, Vec<String>) {
    let env = FakeEnvironment::new().with_file("/svc/serverless.yml", text);
    let options = Options {
        config: PathBuf::from("/svc/serverless.yml"),
        config_display: "serverless.yml".into(),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    assert!(
        outcome.template.is_some() || outcome.has_errors(),
        "neither a template nor an error for:\n{text}"
    );
    let diagnostics = outcome.diagnostics.iter().map(|d| format!("{}:{}", d.code.id, d.message)).collect();
    (outcome.template.as_ref().map(to_js_pretty), diagnostics)
}

fuzz_target!(|service: Service| {
    let text = render(&service);
    let first = compile(&text);
    // Deterministic: the same input gives the same template and diagnostics.
    assert_eq!(first, compile(&text), "two runs differ for:\n{text}");
});
