//! Prints a benchmark service (see `benches/common/mod.rs`) as YAML:
//! `cargo run -p streaming-events-core --example bench-service -- N [--self] [--large]`.

#[path = "../benches/common/mod.rs"]
mod common;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(functions) = args.first().and_then(|n| n.parse::<usize>().ok()) else {
        let _ = writeln!(
            std::io::stderr(),
            "usage: bench-service N [--self] [--large]\n  --self   every event reads its shared values through ${{self:custom.…}}\n  --large  serverless-plugin-split-stacks, per-function roles, no versions"
        );
        std::process::exit(2);
    };
    let shape = common::Shape {
        self_references: args.iter().any(|a| a == "--self"),
        large: args.iter().any(|a| a == "--large"),
    };
    let _ = std::io::stdout().write_all(common::service(functions, shape).as_bytes());
}
