//! The whole `package` pipeline against its floor, in one run:
//! `cargo bench -p streaming-events-core --bench package`.
//!
//! The pipeline is `run` plus writing the template (load, variables, validation, compilers, IAM,
//! the last pass, `JSON.stringify`); the floor is what no compiler can avoid on the same input:
//! loading the same service into the node tree and writing a template of the same size (the one
//! the pipeline produced) with the same writer. The services (`common/mod.rs`) have n functions
//! × 5 streaming events; n = 1,000 and 10,000 list `serverless-plugin-split-stacks`.
//!
//! First criterion measures the small services (n = 10 and 60, the example service); then a
//! table gives, for every size, the medians of the pipeline and of the floor, their ratio, and
//! the peak memory of one pipeline run (resident memory above the resting level, measured in
//! a fresh process; Linux only). Set
//! `STREAMING_EVENTS_BENCH_MAX=N` to leave out the sizes above N. Targets and results:
//! docs/performance.md.

mod common;

/// The allocator the `streaming-events` binary uses, so that both sides are measured as shipped.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use common::Shape;
use criterion::{criterion_group, Criterion};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use streaming_events_core::{run, to_js_pretty, FakeEnvironment, Options};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The template the pipeline produces for `text`.
fn template(text: &str) -> Value {
    let env = FakeEnvironment::new().with_file("/svc/serverless.yml", text);
    let options = Options {
        config: PathBuf::from("/svc/serverless.yml"),
        config_display: "serverless.yml".into(),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    match outcome.template {
        Some(template) => template,
        None => panic!("a benchmark service failed: {:?}", outcome.diagnostics),
    }
}

/// The whole pipeline: the service text in, the template's text out.
fn pipeline(text: &str) -> usize {
    to_js_pretty(&template(text)).len()
}

/// The floor on the same input: the node tree of the service, and a template of the same size
/// written with the same writer.
fn floor(text: &str, template: &Value) -> usize {
    let root = streaming_events_yaml::load(text, 0).expect("the benchmark services load");
    std::hint::black_box(&root);
    to_js_pretty(template).len()
}

fn criterion_benches(c: &mut Criterion) {
    let example = std::fs::read_to_string(repo().join("examples/serverless.yml")).expect("example");
    c.bench_function("example service", |b| b.iter(|| pipeline(&example)));
    for n in [10, 60] {
        let text = common::service(n, Shape::default());
        let written = template(&text);
        c.bench_function(&format!("package, {n} functions x 5 events"), |b| {
            b.iter(|| pipeline(&text))
        });
        c.bench_function(&format!("floor, {n} functions x 5 events"), |b| {
            b.iter(|| floor(&text, &written))
        });
    }
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Resident memory in KiB: (current, peak), from /proc/self/status.
fn resident() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The variable that makes the benchmark a child that runs one pipeline and prints the peak
/// resident memory it added: `N,literal` or `N,self`.
const PEAK_CHILD: &str = "STREAMING_EVENTS_BENCH_PEAK";

/// The peak resident memory one pipeline run adds, in MiB, measured in a fresh process (this
/// one has run the others, and freed memory stays resident). Linux only.
fn peak_mib(n: usize, self_references: bool) -> Option<f64> {
    let variant = if self_references { "self" } else { "literal" };
    let output = std::process::Command::new(std::env::current_exe().ok()?)
        .env(PEAK_CHILD, format!("{n},{variant}"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().parse::<u64>().ok()? as f64 / 1024.0)
}

/// The child's side of [`peak_mib`]: prints the KiB one run added to the resting level.
fn peak_child(spec: &str) {
    let (n, variant) = spec.split_once(',').unwrap_or((spec, "literal"));
    let n: usize = n.parse().unwrap_or(1);
    let shape = Shape {
        self_references: variant == "self",
        large: n >= 1_000,
    };
    let text = common::service(n, shape);
    let Some((before, _)) = resident() else {
        return;
    };
    pipeline(&text);
    if let Some((_, peak)) = resident() {
        println!("{}", peak.saturating_sub(before));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn table() {
    let max: usize = std::env::var("STREAMING_EVENTS_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let cases = [
        (1, false, 50),
        (10, false, 50),
        (60, false, 20),
        (1_000, true, 5),
        (10_000, true, 3),
    ];
    println!("\nfunctions  variables  pipeline ms   floor ms   ratio  peak MiB  template KB");
    for (n, large, runs) in cases.into_iter().filter(|(n, _, _)| *n <= max) {
        for self_references in [false, true] {
            let text = common::service(
                n,
                Shape {
                    self_references,
                    large,
                },
            );
            let peak = peak_mib(n, self_references);
            let written = template(&text);
            let size = to_js_pretty(&written).len();
            let whole = median(runs, || {
                pipeline(&text);
            });
            let least = median(runs, || {
                floor(&text, &written);
            });
            println!(
                "{n:>9}  {:>9}  {:>11.2}  {:>9.2}  {:>6.1}  {:>8}  {:>11}",
                if self_references {
                    "${self:}"
                } else {
                    "literal"
                },
                ms(whole),
                ms(least),
                whole.as_secs_f64() / least.as_secs_f64(),
                peak.map_or("n/a".to_string(), |p| format!("{p:.1}")),
                size / 1000,
            );
        }
    }
}

criterion_group!(package, criterion_benches);

fn main() {
    if let Ok(spec) = std::env::var(PEAK_CHILD) {
        peak_child(&spec);
        return;
    }
    package();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench -- --list` and `cargo test --benches` (`--test`) only check that it runs.
    if !std::env::args().any(|a| a == "--list" || a == "--test") {
        table();
    }
}
