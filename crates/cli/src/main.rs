//! The `streaming-events` command: the only place that touches stdout, stderr and exit codes.
//! Exit 0 on success, 1 when the service is invalid, 2 on usage errors.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use streaming_events_core::env::{Environment, OsEnvironment};
use streaming_events_core::{run, Options, Outcome};
use streaming_events_diagnostics::{codes, render_human, render_json, Diagnostic, RenderOptions};

#[derive(Parser)]
#[command(
    name = "streaming-events",
    version,
    about = "Compile the streaming event sources of a serverless.yml (stream, kafka, msk, activemq, rabbitmq) into AWS CloudFormation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile the service and write the CloudFormation template.
    Package(PackageArgs),
    /// Run every check, write no template.
    Validate(ServiceArgs),
    /// Print the JSON Schema of the compiled events (for editors).
    Schema,
}

#[derive(Args)]
struct ServiceArgs {
    /// The service file (default: serverless.yml, serverless.yaml or serverless.json here).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The stage (default: provider.stage, else dev).
    #[arg(long, value_name = "NAME")]
    stage: Option<String>,
    /// The region (default: provider.region, else us-east-1).
    #[arg(long, value_name = "NAME")]
    region: Option<String>,
    /// A value for ${param:KEY}; repeatable.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = key_value)]
    params: Vec<(String, String)>,
    /// A value for ${opt:KEY}; repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE", value_parser = key_value)]
    options: Vec<(String, String)>,
    /// The value of any variable, by its text inside ${…} (e.g. 'ssm:/path/x=value'); repeatable.
    #[arg(long = "var", value_name = "SOURCE:ADDRESS=VALUE", value_parser = key_value)]
    vars: Vec<(String, String)>,
    /// Treat schema violations as errors (configValidationMode: error).
    #[arg(long)]
    strict: bool,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Colour in human diagnostics (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
}

#[derive(Args)]
struct PackageArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// Where to write the template (default: stdout; `-` is stdout).
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
    /// Extend this existing template (JSON or YAML) instead of building the core resources.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Binary mode (the Serverless Framework plugin): the configuration as the Framework
    /// resolved it, as JSON; no variable is resolved, and --config only gives positions.
    #[arg(long, value_name = "FILE")]
    resolved: Option<PathBuf>,
    /// Print, per role, each policy's size and how close it is to IAM's limit.
    #[arg(long)]
    iam_report: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match cli.command {
        Command::Schema => {
            let schema = streaming_events_core::schema::service::service_json_schema();
            println!("{}", streaming_events_core::js::to_js_pretty(&schema));
            ExitCode::SUCCESS
        }
        Command::Validate(args) => {
            let outcome = execute(&args, None, None, false);
            report(&args, &outcome);
            if outcome.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Package(args) => {
            let mut outcome = execute(
                &args.service,
                args.template.clone(),
                args.resolved.clone(),
                true,
            );
            if args.template.is_some() {
                // The other events are the given template's; nothing is left out of it.
                outcome.notes.clear();
            }
            report(&args.service, &outcome);
            if args.iam_report {
                for line in &outcome.iam_report {
                    eprintln!("{line}");
                }
            }
            let Some(template) = outcome.template.as_ref().filter(|_| !outcome.has_errors()) else {
                return ExitCode::from(1);
            };
            let mut text = streaming_events_core::js::to_js_pretty(template);
            text.push('\n');
            match args.output.as_deref() {
                None | Some("-") => {
                    let mut stdout = std::io::stdout().lock();
                    if stdout
                        .write_all(text.as_bytes())
                        .and_then(|_| stdout.flush())
                        .is_err()
                    {
                        return ExitCode::from(1);
                    }
                }
                Some(path) => {
                    if let Err(e) = write_atomically(Path::new(path), &text) {
                        eprintln!(
                            "error[{}]: cannot write {path}: {e}",
                            codes::OUTPUT_WRITE_FAILED.id
                        );
                        return ExitCode::from(1);
                    }
                }
            }
            ExitCode::SUCCESS
        }
    }
}

/// Writes next to the target and renames, so a failed run never leaves half a template.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "template.json".into());
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn execute(
    args: &ServiceArgs,
    template: Option<PathBuf>,
    resolved: Option<PathBuf>,
    build: bool,
) -> Outcome {
    let env = OsEnvironment;
    let (config, display) = match &args.config {
        Some(path) => (path.clone(), path.display().to_string()),
        // Binary mode without a service file: positions are the resolved file's.
        None if resolved.is_some() => (PathBuf::new(), String::new()),
        None => match ["serverless.yml", "serverless.yaml", "serverless.json"]
            .iter()
            .find(|name| env.is_file(Path::new(name)))
        {
            Some(name) => (PathBuf::from(name), name.to_string()),
            None => {
                let mut outcome = Outcome::default();
                outcome.diagnostics.push(
                    Diagnostic::error(codes::CONFIG_FILE_NOT_FOUND, "no serverless.yml, serverless.yaml or serverless.json in the current directory")
                        .with_help("run the command in the service's folder, or pass --config FILE"),
                );
                return outcome;
            }
        },
    };
    let options = Options {
        config,
        config_display: display,
        stage: args.stage.clone(),
        region: args.region.clone(),
        params: args.params.iter().cloned().collect::<BTreeMap<_, _>>(),
        options: args.options.iter().cloned().collect(),
        vars: args.vars.iter().cloned().collect(),
        strict: args.strict,
        template,
        resolved,
    };
    run(&env, &options, build)
}

fn report(args: &ServiceArgs, outcome: &Outcome) {
    for note in &outcome.notes {
        eprintln!("{note}");
    }
    if outcome.diagnostics.is_empty() {
        return;
    }
    let text = match args.format {
        Format::Json => render_json(&outcome.diagnostics, &outcome.sources) + "\n",
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stderr().is_terminal()
                }
            };
            render_human(
                &outcome.diagnostics,
                &outcome.sources,
                RenderOptions { color },
            )
        }
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
}
