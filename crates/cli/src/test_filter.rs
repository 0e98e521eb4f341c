//! `streaming-events test-filter`: a mapping's filter patterns tried on sample records. The
//! core reads, decodes and matches; this module only turns the command line into those calls,
//! prints the verdicts (standard output) and the diagnostics (standard error), and picks the
//! exit code: 0 when every record was evaluated (whatever matched), 1 for invalid input (the
//! service, the pattern or a record file), 2 for usage errors.

use super::{key_value, non_empty_path, print_diagnostics, stdin_alias, Color, Format, STDIN};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use streaming_events_core::{
    evaluate, read_pattern, read_records, service_events, Environment, FilterSource, Json, Options,
    OsEnvironment, Verdict,
};
use streaming_events_diagnostics::{codes, Diagnostic, SourceMap};

#[derive(Args)]
pub struct TestFilterArgs {
    /// Files holding records (`-` is standard input): an event as Lambda delivers it
    /// (`Records`, Kafka's `records`, ActiveMQ's `messages`, RabbitMQ's `rmqMessagesByQueue`),
    /// one record of it, or the decoded payload alone (a JSON string for plain text).
    #[arg(value_name = "RECORD", required = true, value_parser = non_empty_path)]
    records: Vec<PathBuf>,
    /// The function whose event's patterns to use (the only streaming event with
    /// filterPatterns, or the one --event names).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["source", "pattern"], required_unless_present = "source")]
    function: Option<String>,
    /// The event's index in the function's `events` list, as in `functions.NAME.events[N]`.
    #[arg(long, value_name = "N", requires = "function")]
    event: Option<usize>,
    /// The source whose records the pattern filters (with --pattern, instead of --function).
    #[arg(long, value_enum, requires = "pattern")]
    source: Option<SourceArg>,
    /// A filter pattern as JSON, or `@FILE` to read it from a file (`@-`: standard input).
    #[arg(long, value_name = "JSON|@FILE", requires = "source")]
    pattern: Option<String>,
    /// The service file (default: serverless.yml, serverless.yaml or serverless.json here).
    #[arg(long, value_name = "FILE", value_parser = non_empty_path, requires = "function")]
    config: Option<PathBuf>,
    /// The stage (default: provider.stage, else dev).
    #[arg(long, value_name = "NAME", requires = "function")]
    stage: Option<String>,
    /// The region (default: provider.region, else us-east-1).
    #[arg(long, value_name = "NAME", requires = "function")]
    region: Option<String>,
    /// A value for ${param:KEY}; repeatable.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = key_value, requires = "function")]
    params: Vec<(String, String)>,
    /// A value for ${opt:KEY}; repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE", value_parser = key_value, requires = "function")]
    options: Vec<(String, String)>,
    /// The value of any variable, by its text inside ${…}; repeatable.
    #[arg(long = "var", value_name = "SOURCE:ADDRESS=VALUE", value_parser = key_value, requires = "function")]
    vars: Vec<(String, String)>,
    /// Treat schema violations as errors (configValidationMode: error).
    #[arg(long, requires = "function")]
    strict: bool,
    /// How verdicts (standard output) and diagnostics (standard error) are printed: human, or
    /// json (one array with an object per record: record {file, index}, matched, filter,
    /// reason).
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// Colour in human diagnostics (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum SourceArg {
    Kinesis,
    Dynamodb,
    Kafka,
    Msk,
    Sqs,
    Activemq,
    Rabbitmq,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

impl SourceArg {
    fn source(self) -> FilterSource {
        match self {
            SourceArg::Kinesis => FilterSource::Kinesis,
            SourceArg::Dynamodb => FilterSource::DynamoDb,
            SourceArg::Kafka | SourceArg::Msk => FilterSource::Kafka,
            SourceArg::Sqs => FilterSource::Sqs,
            SourceArg::Activemq | SourceArg::Rabbitmq => FilterSource::AmazonMq,
        }
    }
}

/// The patterns to try, what they belong to, and the source they filter.
struct Patterns {
    label: String,
    source: FilterSource,
    patterns: Vec<Json>,
}

pub fn run(args: &TestFilterArgs) -> ExitCode {
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
    };
    let fail = |diagnostics: &[Diagnostic], sources: &SourceMap, code: u8| {
        print_diagnostics(format, args.color, diagnostics, sources);
        ExitCode::from(code)
    };
    let env = match environment(args) {
        Ok(env) => env,
        Err(d) => return fail(&[*d], &SourceMap::new(), 2),
    };
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let patterns = match patterns(args, &env, &mut sources, &mut diagnostics) {
        Ok(patterns) => patterns,
        Err(code) => return fail(&diagnostics, &sources, code),
    };
    let mut files = Vec::new();
    for path in &args.records {
        let path = stdin_alias(path);
        let name = shown(&path);
        let read = env.read_file(&path).map_err(|e| {
            Box::new(
                Diagnostic::error(
                    codes::FILTER_RECORD_INVALID,
                    format!("cannot read the record file {name}: {e}"),
                )
                .with_help("pass files that hold records, or `-` for standard input"),
            )
        });
        match read.and_then(|text| read_records(&text, &name, patterns.source, &mut sources)) {
            Ok(records) => files.push((name, records)),
            Err(d) => diagnostics.push(*d),
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return fail(&diagnostics, &sources, 1);
    }
    let mut verdicts = Vec::new();
    for (name, records) in &files {
        for (index, record) in records.iter().enumerate() {
            verdicts.push((
                name.as_str(),
                index,
                evaluate(&patterns.patterns, record, patterns.source),
            ));
        }
    }
    print_diagnostics(format, args.color, &diagnostics, &sources);
    let text = match args.format {
        OutputFormat::Human => human(&patterns, &verdicts),
        OutputFormat::Json => json(&verdicts),
    };
    match super::output::to_stdout(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut diagnostics = Vec::new();
            let code = failure.exit_code(&mut diagnostics);
            print_diagnostics(format, args.color, &diagnostics, &SourceMap::new());
            code
        }
    }
}

/// Standard input stands for `-` when one argument asks for it; two cannot share it.
fn environment(args: &TestFilterArgs) -> Result<OsEnvironment, Box<Diagnostic>> {
    let stdin = Path::new(STDIN);
    let mut readers: Vec<&str> = Vec::new();
    if args.config.as_deref().map(stdin_alias).as_deref() == Some(stdin) {
        readers.push("--config -");
    }
    if matches!(args.pattern.as_deref(), Some("@-" | "@/dev/stdin")) {
        readers.push("--pattern @-");
    }
    let records = args
        .records
        .iter()
        .filter(|p| stdin_alias(p) == stdin)
        .count();
    readers.extend(std::iter::repeat_n("the record file -", records));
    match readers.len() {
        0 => Ok(OsEnvironment::new()),
        1 => Ok(OsEnvironment::new().with_stdin_at(STDIN)),
        _ => Err(Box::new(
            Diagnostic::error(
                codes::STDIN_READ_TWICE,
                format!(
                    "standard input can be read once, and {} all name it",
                    readers.join(", ")
                ),
            )
            .with_help("pass all but one of them as files"),
        )),
    }
}

fn shown(path: &Path) -> String {
    if path == Path::new(STDIN) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// The patterns of `--function` (the service checked as `validate` checks it) or `--pattern`;
/// on failure, the exit code (the diagnostics are in `diagnostics`).
fn patterns(
    args: &TestFilterArgs,
    env: &OsEnvironment,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Patterns, u8> {
    if let (Some(source), Some(pattern)) = (args.source, args.pattern.as_deref()) {
        let source = source.source();
        let (name, text) = match pattern.strip_prefix('@') {
            Some(file) => {
                let path = stdin_alias(Path::new(file));
                let name = shown(&path);
                match env.read_file(&path) {
                    Ok(text) => (name, text),
                    Err(e) => {
                        diagnostics.push(
                            Diagnostic::error(
                                codes::FILTER_PATTERN_INVALID,
                                format!("cannot read the pattern file {name}: {e}"),
                            )
                            .with_help(
                                "pass the pattern as JSON, or @FILE naming a file that holds it",
                            ),
                        );
                        return Err(1);
                    }
                }
            }
            None => ("--pattern".to_string(), std::sync::Arc::from(pattern)),
        };
        let (json, found) = read_pattern(&text, &name, source, sources);
        diagnostics.extend(found);
        return match json {
            Some(json) => Ok(Patterns {
                label: format!("1 filter pattern from {name}"),
                source,
                patterns: vec![json],
            }),
            None => Err(1),
        };
    }
    let Some(function) = args.function.as_deref() else {
        return Err(2);
    };
    let options = options(args, env).map_err(|d| {
        diagnostics.push(*d);
        1u8
    })?;
    let (outcome, events) = service_events(env, &options);
    *sources = outcome.sources;
    diagnostics.extend(outcome.diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(1);
    }
    match events.select(function, args.event) {
        Ok(event) => {
            let count = event.patterns.as_ref().map_or(0, Vec::len);
            Ok(Patterns {
                label: format!(
                    "{} filter pattern{} of {}",
                    count,
                    if count == 1 { "" } else { "s" },
                    event.path
                ),
                source: event.source,
                patterns: event.parsed(),
            })
        }
        Err(d) => {
            diagnostics.push(*d);
            Err(2)
        }
    }
}

/// The run's options, with the service file found as `validate` finds it.
fn options(args: &TestFilterArgs, env: &OsEnvironment) -> Result<Options, Box<Diagnostic>> {
    let (config, config_display) = match args.config.as_deref().map(stdin_alias) {
        Some(path) => {
            let display = shown(&path);
            (path, display)
        }
        None => match ["serverless.yml", "serverless.yaml", "serverless.json"]
            .iter()
            .find(|name| env.is_file(Path::new(name)))
        {
            Some(name) => (PathBuf::from(name), name.to_string()),
            None => {
                return Err(Box::new(
                    Diagnostic::error(codes::CONFIG_FILE_NOT_FOUND, "no serverless.yml, serverless.yaml or serverless.json in the current directory")
                        .with_help("run the command in the service's folder, or pass --config FILE"),
                ))
            }
        },
    };
    Ok(Options {
        config,
        config_display,
        stage: args.stage.clone(),
        region: args.region.clone(),
        params: args.params.iter().cloned().collect::<BTreeMap<_, _>>(),
        options: args.options.iter().cloned().collect(),
        vars: args.vars.iter().cloned().collect(),
        strict: args.strict,
        ..Options::default()
    })
}

/// Why a record missed: the one filter's reason, or each filter's.
fn reason(misses: &[streaming_events_core::Miss]) -> String {
    match misses {
        [one] => one.to_string(),
        several => several
            .iter()
            .enumerate()
            .map(|(i, m)| format!("filter {i}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn human(patterns: &Patterns, verdicts: &[(&str, usize, Verdict)]) -> String {
    let mut text = format!(
        "{}, on {} {} record{}\n",
        patterns.label,
        verdicts.len(),
        source_name(patterns.source),
        if verdicts.len() == 1 { "" } else { "s" }
    );
    for (file, index, verdict) in verdicts {
        match verdict {
            Verdict::Matched(i) => text.push_str(&format!("{file}[{index}]: matched filter {i}\n")),
            Verdict::Missed(misses) => {
                text.push_str(&format!("{file}[{index}]: no match: {}\n", reason(misses)))
            }
        }
    }
    text
}

fn json(verdicts: &[(&str, usize, Verdict)]) -> String {
    let items: Vec<serde_json::Value> = verdicts
        .iter()
        .map(|(file, index, verdict)| {
            let (matched, filter, reason) = match verdict {
                Verdict::Matched(i) => (true, serde_json::json!(i), serde_json::Value::Null),
                Verdict::Missed(misses) => (false, serde_json::Value::Null, reason(misses).into()),
            };
            serde_json::json!({
                "record": {"file": file, "index": index},
                "matched": matched,
                "filter": filter,
                "reason": reason,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
}

fn source_name(source: FilterSource) -> &'static str {
    match source {
        FilterSource::DynamoDb => "DynamoDB",
        FilterSource::Kinesis => "Kinesis",
        FilterSource::Kafka => "Kafka/MSK",
        FilterSource::AmazonMq => "Amazon MQ",
        FilterSource::Sqs => "SQS",
    }
}
