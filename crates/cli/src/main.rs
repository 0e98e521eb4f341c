//! The `streaming-events` command: the only place that touches stdout, stderr and exit codes.
//! Exit 0 on success, 1 when the service is invalid, 2 on usage errors (an `--output` that
//! would destroy something included), 141 when standard output is a closed pipe (as a tool
//! killed by `SIGPIPE`).
//!
//! Nothing is written with `print!`/`eprint!`, which panic when a stream is closed: standard
//! error is written best effort (a failure there cannot be reported anywhere), standard output
//! and `--output` through [`output`], which reports every failure.

mod generate;
mod output;
mod services;
mod test_filter;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use streaming_events_core::{run, Options, Outcome};
use streaming_events_core::{Environment, OsEnvironment};
use streaming_events_diagnostics::{
    codes, render_github, render_gitlab, render_human, render_json, render_json_value,
    render_sarif, Diagnostic, RenderOptions, SourceMap,
};

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
    Validate(ValidateArgs),
    /// Print the JSON Schema of the compiled events (for editors).
    Schema,
    /// Try a mapping's filter patterns on sample records, as Lambda would filter them.
    TestFilter(test_filter::TestFilterArgs),
    /// Print the shell completion script for SHELL (e.g. `streaming-events completions bash >
    /// ~/.local/share/bash-completion/completions/streaming-events`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page streaming-events(1), or a subcommand's (`man package`); with --dir,
    /// write them all there.
    Man(ManArgs),
}

#[derive(Args)]
struct ManArgs {
    /// The subcommand whose page to print (streaming-events-PAGE(1)).
    #[arg(value_name = "PAGE", conflicts_with = "dir")]
    page: Option<String>,
    /// Write every page (streaming-events.1, streaming-events-package.1, …) into this existing
    /// folder instead, each under --output's rules.
    #[arg(long, value_name = "DIR", value_parser = non_empty_path)]
    dir: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct ServiceArgs {
    /// The service file (default: serverless.yml, serverless.yaml or serverless.json here; `-`
    /// is standard input).
    #[arg(long, value_name = "FILE", value_parser = non_empty_path)]
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
    /// How diagnostics are printed (on standard error): human, json (one JSON array, `[]` when
    /// there is nothing to say), github (workflow commands that annotate a pull request), sarif
    /// (SARIF 2.1.0, for code scanning) or gitlab (a GitLab code quality report).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Colour in human diagnostics (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// The template deployed now (JSON or YAML: what `aws cloudformation get-template` prints,
    /// or a previous .serverless/cloudformation-template-update-stack.json): report the
    /// changes to its event source mappings and consumers that CloudFormation or Lambda would
    /// refuse, and note what changes in place.
    #[arg(long, value_name = "FILE", value_parser = non_empty_path)]
    previous: Option<PathBuf>,
}

#[derive(Args)]
struct ValidateArgs {
    /// Service files (or folders holding one) to check, each as `--config FILE` would (a
    /// monorepo's, or what pre-commit passes); every service's diagnostics are reported with
    /// its file, and the exit code is 1 if any is invalid.
    #[arg(value_name = "FILE", value_parser = non_empty_path, conflicts_with_all = ["config", "previous"])]
    files: Vec<PathBuf>,
    #[command(flatten)]
    service: ServiceArgs,
}

#[derive(Args)]
struct PackageArgs {
    #[command(flatten)]
    service: ServiceArgs,
    /// Where to write the template (default: stdout; `-` is stdout).
    #[arg(long, value_name = "FILE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    output: Option<String>,
    /// Extend this existing template (JSON or YAML; `-` is standard input) instead of building
    /// the core resources.
    #[arg(long, value_name = "FILE", value_parser = non_empty_path)]
    template: Option<PathBuf>,
    /// Binary mode (the Serverless Framework plugin): the configuration as the Framework
    /// resolved it, as JSON; no variable is resolved, and --config only gives positions.
    #[arg(long, value_name = "FILE")]
    resolved: Option<PathBuf>,
    /// Print, per role, each policy's size and how close it is to IAM's limit.
    #[arg(long)]
    iam_report: bool,
    #[command(flatten)]
    many: ManyServices,
}

/// `package --output-dir DIR FILE...`: several services in one run (see `services.rs`).
#[derive(Args)]
struct ManyServices {
    /// With --output-dir: the service files (or folders holding one) to compile, in parallel.
    #[arg(value_name = "FILE", value_parser = non_empty_path, requires = "output_dir")]
    files: Vec<PathBuf>,
    /// Write each service's template to DIR/<service file path without extension>.template.json
    /// (services/orders/serverless.yml → DIR/services/orders/serverless.template.json).
    #[arg(long, value_name = "DIR", value_parser = non_empty_path, requires = "files",
          conflicts_with_all = ["config", "output", "template", "resolved", "iam_report", "previous"])]
    output_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
    Sarif,
    // GitLab's code quality report (`artifacts: reports: codequality`).
    Gitlab,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn non_empty_path(text: &str) -> Result<PathBuf, String> {
    if text.is_empty() {
        Err("an empty path names no file".to_string())
    } else {
        Ok(PathBuf::from(text))
    }
}

fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

/// mimalloc (its 2.x line) instead of the system's allocator: a run makes hundreds of thousands of
/// small allocations (the node tree, the template as JSON values), and with glibc's malloc a
/// quarter of the instructions went to allocating and freeing (`docs/performance.md` has the
/// measurements). It is built without transparent huge pages (the `no_thp` feature): zeroing
/// 2 MiB pages at first touch cost more start-up time than a small service takes to compile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            let schema = streaming_events_core::service_json_schema();
            let mut text = streaming_events_core::to_js_pretty(&schema);
            text.push('\n');
            print_generated(text.as_bytes())
        }
        Command::Completions { shell } => print_generated(&generate::completions(shell)),
        Command::Man(args) => man(&args),
        Command::Validate(args) if !args.files.is_empty() => {
            services::validate(&args.service, &args.files)
        }
        Command::Validate(ValidateArgs { service: args, .. }) => {
            let env = match environment(&args, None) {
                Ok(env) => env,
                Err(d) => return usage_error(&args, *d),
            };
            let outcome = execute(&env, &args, None, None, false);
            report(&args, &outcome, false);
            if outcome.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Package(PackageArgs {
            service,
            many:
                ManyServices {
                    files,
                    output_dir: Some(dir),
                },
            ..
        }) => services::package(&service, &files, &dir),
        Command::Package(args) => package(&args),
        Command::TestFilter(args) => test_filter::run(&args),
    }
}

/// What a generating subcommand prints, on standard output.
fn print_generated(bytes: &[u8]) -> ExitCode {
    match output::to_stdout(&String::from_utf8_lossy(bytes)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut diagnostics = Vec::new();
            let code = failure.exit_code(&mut diagnostics);
            print_diagnostics(Format::Human, Color::Auto, &diagnostics, &SourceMap::new());
            code
        }
    }
}

/// `man [PAGE]` prints one page; `man --dir DIR` writes them all.
fn man(args: &ManArgs) -> ExitCode {
    let pages = generate::man_pages();
    let Some(dir) = &args.dir else {
        let wanted = match &args.page {
            Some(page) => format!("streaming-events-{page}.1"),
            None => "streaming-events.1".to_string(),
        };
        return match pages.iter().find(|(name, _)| *name == wanted) {
            Some((_, text)) => print_generated(text),
            None => {
                // A usage error, told as clap tells the others.
                let known = generate::page_names().join(", ");
                let message = format!("there is no man page {wanted}; the pages: {known}");
                let error = <Cli as clap::CommandFactory>::command()
                    .error(clap::error::ErrorKind::InvalidValue, message);
                let _ = error.print();
                ExitCode::from(2)
            }
        };
    };
    let mut diagnostics = Vec::new();
    let mut code = ExitCode::SUCCESS;
    for (name, text) in &pages {
        let written = output::plan(&dir.join(name), &[])
            .map_err(output::Failure::Other)
            .and_then(|target| target.write(&String::from_utf8_lossy(text)));
        if let Err(failure) = written {
            code = failure.exit_code(&mut diagnostics);
            break;
        }
    }
    print_diagnostics(Format::Human, Color::Auto, &diagnostics, &SourceMap::new());
    code
}

fn package(args: &PackageArgs) -> ExitCode {
    let service = &args.service;
    let env = match environment(service, args.template.as_deref()) {
        Ok(env) => env,
        Err(d) => return usage_error(service, *d),
    };
    let template = args.template.as_deref().map(stdin_alias);
    // Where the template goes is settled before anything runs: an output that would replace
    // what must not be replaced is a usage error, and the run is not worth doing.
    let target = match args.output.as_deref() {
        None | Some("-") => output::Target::Stdout,
        Some(path) => {
            let inputs: Vec<&Path> = service
                .config
                .iter()
                .map(PathBuf::as_path)
                .chain(template.as_deref())
                .chain(args.resolved.as_deref())
                .chain(service.previous.as_deref())
                .filter(|p| *p != Path::new(STDIN))
                .collect();
            match output::plan(Path::new(path), &inputs) {
                Ok(target) => target,
                Err(d) => return usage_error(service, *d),
            }
        }
    };
    let mut outcome = execute(&env, service, template, args.resolved.clone(), true);
    if args.template.is_some() {
        // The other events are the given template's; nothing is left out of it.
        outcome.notes.clear();
    }
    if let Some(d) = target.overwrites_any(&env.files_read()) {
        outcome.diagnostics.insert(0, *d);
        report(service, &outcome, false);
        return ExitCode::from(2);
    }
    let Some(template) = outcome.template.as_ref().filter(|_| !outcome.has_errors()) else {
        report(service, &outcome, args.iam_report);
        return ExitCode::from(1);
    };
    let written = target.write_with(&|out| output::template_text(out, template));
    let code = match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.exit_code(&mut outcome.diagnostics),
    };
    report(service, &outcome, args.iam_report);
    // The process ends here: freeing the template and the sources one allocation at a time
    // would cost a twentieth of the run, and the operating system takes the memory back whole.
    std::mem::forget(outcome);
    code
}

/// What stands for standard input in `--config` and `--template`.
const STDIN: &str = "-";

/// `/dev/stdin` is standard input, whatever it is (a pipe is not refused as a FIFO there).
fn stdin_alias(path: &Path) -> PathBuf {
    if path == Path::new("/dev/stdin") {
        PathBuf::from(STDIN)
    } else {
        path.to_path_buf()
    }
}

/// The real machine, with standard input standing for `-` when a flag asks for it.
fn environment(
    args: &ServiceArgs,
    template: Option<&Path>,
) -> Result<OsEnvironment, Box<Diagnostic>> {
    let stdin = Path::new(STDIN);
    let reading: Vec<&str> = [
        ("--config", args.config.as_deref()),
        ("--template", template),
        ("--previous", args.previous.as_deref()),
    ]
    .into_iter()
    .filter(|(_, path)| path.map(stdin_alias).as_deref() == Some(stdin))
    .map(|(flag, _)| flag)
    .collect();
    match reading.as_slice() {
        [] => Ok(OsEnvironment::new()),
        [_] => Ok(OsEnvironment::new().with_stdin_at(STDIN)),
        [first, second, ..] => Err(Box::new(
            Diagnostic::error(
                codes::STDIN_READ_TWICE,
                format!("{first} and {second} cannot both read standard input"),
            )
            .with_help("pass one of them as a file"),
        )),
    }
}

fn usage_error(args: &ServiceArgs, diagnostic: Diagnostic) -> ExitCode {
    print_diagnostics(args.format, args.color, &[diagnostic], &SourceMap::new());
    ExitCode::from(2)
}

/// Standard error, best effort: a closed or full stderr cannot be told about itself, and it must
/// not stop the template from being written.
fn write_stderr(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

fn execute(
    env: &OsEnvironment,
    args: &ServiceArgs,
    template: Option<PathBuf>,
    resolved: Option<PathBuf>,
    build: bool,
) -> Outcome {
    let (config, display) = match args.config.as_deref().map(stdin_alias) {
        Some(path) if path == Path::new(STDIN) => (path, "<stdin>".to_string()),
        Some(path) => {
            let display = path.display().to_string();
            (path, display)
        }
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
        previous: args.previous.as_deref().map(stdin_alias),
    };
    run(env, &options, build)
}

/// Everything a run has to say, on standard error, in the chosen format. In the human format:
/// the notes (`note: …` lines), the diagnostics, then with `--iam-report` the report's lines.
/// The machine formats hold the notes as entries of their own (severity note). JSON is one
/// array, `[]` when there is nothing to say; with `--iam-report`, one object
/// `{"diagnostics": [...], "iamReport": [...]}`. GitHub lines print no IAM report; SARIF carries
/// it in the run's `properties.iamReport`.
fn report(args: &ServiceArgs, outcome: &Outcome, iam_report: bool) {
    let mut all = outcome.diagnostics.clone();
    all.extend(outcome.notes.iter().cloned());
    let iam = || -> serde_json::Value {
        outcome
            .iam_report
            .iter()
            .map(streaming_events_core::RoleReport::to_json)
            .collect()
    };
    match args.format {
        Format::Human => {
            let mut notes = String::new();
            for note in &outcome.notes {
                notes.push_str(&format!("note: {}\n", note.message));
            }
            write_stderr(&notes);
            print_diagnostics(
                args.format,
                args.color,
                &outcome.diagnostics,
                &outcome.sources,
            );
            if iam_report {
                let mut lines = String::new();
                for line in outcome.iam_report.iter().flat_map(|r| r.lines()) {
                    lines.push_str(&line);
                    lines.push('\n');
                }
                write_stderr(&lines);
            }
        }
        Format::Json if iam_report => {
            let document = serde_json::json!({
                "diagnostics": render_json_value(&all, &outcome.sources),
                "iamReport": iam(),
            });
            write_stderr(&(serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"));
        }
        Format::Sarif if iam_report => {
            let text = render_sarif(&all, &outcome.sources, env!("CARGO_PKG_VERSION"));
            let with_report = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|mut log| {
                    log["runs"][0]["properties"] = serde_json::json!({"iamReport": iam()});
                    serde_json::to_string_pretty(&log).ok()
                });
            write_stderr(&with_report.map(|t| t + "\n").unwrap_or(text));
        }
        _ => print_diagnostics(args.format, args.color, &all, &outcome.sources),
    }
}

/// Diagnostics on standard error. The human and GitHub formats print nothing when there is
/// nothing to say; JSON prints `[]` and SARIF a run without results.
fn print_diagnostics(
    format: Format,
    color: Color,
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
) {
    let text = match format {
        Format::Json => render_json(diagnostics, sources) + "\n",
        Format::Github => render_github(diagnostics, sources, None),
        Format::Sarif => render_sarif(diagnostics, sources, env!("CARGO_PKG_VERSION")),
        Format::Gitlab => render_gitlab(diagnostics, sources),
        Format::Human => render_human(
            diagnostics,
            sources,
            RenderOptions {
                color: human_colour(color),
            },
        ),
    };
    write_stderr(&text);
}

/// Whether the human format is coloured. `--color always|never` decides; `auto` follows
/// anstream's rules (clap's, cargo's): `NO_COLOR` (set, not empty) turns colour off,
/// `CLICOLOR_FORCE` (set, not empty) on, `CLICOLOR=0` off, else colour when stderr is a terminal
/// whose `TERM` has colours. `FORCE_COLOR` (set, not empty, not `0`; the Node.js and ruff
/// convention, which anstream does not read) turns it on too, unless `NO_COLOR` is set.
fn human_colour(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            let forced = std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0");
            match anstream::AutoStream::choice(&std::io::stderr()) {
                anstream::ColorChoice::Never => forced && !anstyle_query::no_color(),
                _ => true,
            }
        }
    }
}
