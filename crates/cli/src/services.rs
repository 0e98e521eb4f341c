//! Many services in one run: `validate FILE...` and `package --output-dir DIR FILE...`. Each
//! argument is a service file or a folder holding one (`serverless.yml`, `serverless.yaml` or
//! `serverless.json`, as without `--config`); each is checked as `--config FILE` would be, in
//! parallel, and all are reported together in the command line's order (one JSON array, one
//! SARIF run): every diagnostic names its service file, those without a place too (as `file`),
//! and human notes are prefixed with it. The exit code is 1 if any service is invalid.
//!
//! `package --output-dir DIR` writes each valid service's template to
//! `DIR/<the service file's path, relative to the current folder, without its extension>.template.json`
//! (`services/orders/serverless.yml` → `DIR/services/orders/serverless.template.json`): two
//! service files never share a path, so two templates never share one, and a template never
//! lands outside `DIR`. A path that does not stay below the current folder (absolute, or with
//! `..`), standard input, and two arguments that name one template (`serverless.yml` and
//! `serverless.json` of one folder) are usage errors found before anything runs. Every template
//! is written under `--output`'s rules ([`crate::output`]); none overwrites a file any of the
//! services read. An invalid service gets no template (an older one is left as it was).

use crate::{
    environment, execute, human_colour, output, stdin_alias, usage_error, write_stderr, Format,
    ServiceArgs, STDIN,
};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use streaming_events_core::{FileId, Outcome};
use streaming_events_diagnostics::{
    codes, render_github, render_gitlab_services, render_human, render_json_value,
    render_sarif_services, Diagnostic, RenderOptions, SourceMap,
};

/// One service of the run: how its file is shown, and what its run found.
struct Checked {
    shown: String,
    outcome: Outcome,
    files_read: Vec<FileId>,
}

/// The names a folder's service file may have, in the order they are looked for.
const SERVICE_FILES: [&str; 3] = ["serverless.yml", "serverless.yaml", "serverless.json"];

/// A folder stands for the service file in it; anything else is itself.
fn service_file(argument: &Path) -> PathBuf {
    if argument.is_dir() {
        if let Some(found) = SERVICE_FILES
            .iter()
            .map(|name| argument.join(name))
            .find(|path| path.is_file())
        {
            return found;
        }
    }
    argument.to_path_buf()
}

fn shown(file: &Path) -> String {
    if stdin_alias(file) == Path::new(STDIN) {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    }
}

/// Runs one service as `--config FILE` would (a folder without a service file is reported as
/// such); `Err` is the usage error's exit code, already reported.
fn check_one(args: &ServiceArgs, argument: &Path, build: bool) -> Result<Checked, ExitCode> {
    let file = service_file(argument);
    let mut one = args.clone();
    one.config = Some(file.clone());
    let env = environment(&one, None).map_err(|d| usage_error(&one, *d))?;
    let outcome = if file.is_dir() {
        let mut outcome = Outcome::default();
        outcome.diagnostics.push(
            Diagnostic::error(
                codes::CONFIG_FILE_NOT_FOUND,
                format!(
                    "no serverless.yml, serverless.yaml or serverless.json in the folder {}",
                    file.display()
                ),
            )
            .with_help("pass the service file itself, or a folder that holds one"),
        );
        outcome
    } else {
        execute(&env, &one, None, None, build)
    };
    Ok(Checked {
        shown: shown(&file),
        outcome,
        files_read: env.files_read(),
    })
}

/// Every argument checked, in parallel: one thread per core, each on a run of consecutive
/// arguments (so the report keeps the command line's order); standard input can be read once,
/// so `-` keeps it sequential.
fn check_all(args: &ServiceArgs, files: &[PathBuf], build: bool) -> Result<Vec<Checked>, ExitCode> {
    let reads_stdin = files.iter().any(|f| stdin_alias(f) == Path::new(STDIN));
    let workers = if reads_stdin {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    };
    let chunk = files.len().div_ceil(workers.max(1)).max(1);
    let checked: Vec<Result<Checked, ExitCode>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|files| {
                scope.spawn(move || {
                    files
                        .iter()
                        .map(|f| check_one(args, f, build))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    checked.into_iter().collect()
}

/// 1 if any service is invalid, else 0.
fn status(services: &[Checked]) -> u8 {
    u8::from(services.iter().any(|s| s.outcome.has_errors()))
}

/// `validate FILE...`.
pub fn validate(args: &ServiceArgs, files: &[PathBuf]) -> ExitCode {
    match check_all(args, files, false) {
        Ok(services) => {
            report(args, &services);
            ExitCode::from(status(&services))
        }
        Err(code) => code,
    }
}

/// `package --output-dir DIR FILE...`.
pub fn package(args: &ServiceArgs, files: &[PathBuf], dir: &Path) -> ExitCode {
    // Where each template goes is settled before anything runs, as for `--output`.
    let service_files: Vec<PathBuf> = files.iter().map(|f| service_file(f)).collect();
    let inputs: Vec<&Path> = service_files.iter().map(PathBuf::as_path).collect();
    let mut targets = Vec::new();
    for file in &service_files {
        let planned = template_path(dir, file).and_then(|path| {
            match targets.iter().position(|(p, _)| *p == path) {
                Some(i) => Err(invalid_dir(
                    dir,
                    format!(
                        "{} and {} would both write {}",
                        service_files[i].display(),
                        file.display(),
                        path.display()
                    ),
                    "pass each service once; of two service files in one folder, compile one per run",
                )),
                None => Ok(path),
            }
        });
        let target = planned.and_then(|path| Ok((path.clone(), output::plan(&path, &inputs)?)));
        match target {
            Ok(target) => targets.push(target),
            Err(d) => return usage_error(args, *d),
        }
    }
    let mut services = match check_all(args, files, true) {
        Ok(services) => services,
        Err(code) => return code,
    };
    let read: Vec<FileId> = services
        .iter()
        .flat_map(|s| s.files_read.iter().copied())
        .collect();
    let mut code = status(&services);
    for (service, (path, target)) in services.iter_mut().zip(&targets) {
        let outcome = &mut service.outcome;
        if let Some(d) = target.overwrites_any(&read) {
            outcome.diagnostics.insert(0, *d);
            code = 2;
            continue;
        }
        let Some(template) = outcome.template.as_ref().filter(|_| !outcome.has_errors()) else {
            continue;
        };
        let written = match path.parent().map(std::fs::create_dir_all) {
            Some(Err(e)) => Err(output::Failure::Other(Box::new(output::write_failed(
                &path.display().to_string(),
                &e,
            )))),
            _ => target.write_with(&|out| output::template_text(out, template)),
        };
        if let Err(failure) = written {
            // A closed pipe cannot happen here (no target is standard output); a target found
            // unusable only when written is a usage error, any other failure makes the run fail.
            let usage = matches!(&failure, output::Failure::Other(d) if d.code == codes::OUTPUT_TARGET_INVALID);
            let _ = failure.exit_code(&mut outcome.diagnostics);
            code = code.max(if usage { 2 } else { 1 });
        }
    }
    report(args, &services);
    ExitCode::from(code)
}

/// `DIR/<file relative to here, without its extension>.template.json`, or why there is none.
fn template_path(dir: &Path, file: &Path) -> Result<PathBuf, Box<Diagnostic>> {
    if stdin_alias(file) == Path::new(STDIN) {
        return Err(invalid_dir(
            dir,
            "standard input has no path to name its template after",
            "pass the service file by its path, or use --config - with --output",
        ));
    }
    let mut relative = PathBuf::new();
    for component in file.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => {
                return Err(invalid_dir(
                    dir,
                    format!(
                        "{} is not below the current folder, so its template has no place in the folder",
                        file.display()
                    ),
                    BELOW_HERE,
                ))
            }
        }
    }
    let Some(stem) = relative
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
    else {
        return Err(invalid_dir(
            dir,
            format!("{} names no file", file.display()),
            BELOW_HERE,
        ));
    };
    relative.set_file_name(format!("{stem}.template.json"));
    Ok(dir.join(relative))
}

fn invalid_dir(dir: &Path, why: impl std::fmt::Display, help: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            codes::OUTPUT_TARGET_INVALID,
            format!(
                "cannot write the templates to --output-dir {}: {why}",
                dir.display()
            ),
        )
        .with_help(help),
    )
}

/// The help for a service file whose path cannot name a template.
const BELOW_HERE: &str = "run the command in the folder that holds the services, and pass each service file (or its folder) by a path below it";

/// Every service's diagnostics and notes, in the chosen format, on standard error.
fn report(args: &ServiceArgs, services: &[Checked]) {
    let all = |outcome: &Outcome| {
        let mut all = outcome.diagnostics.clone();
        all.extend(outcome.notes.iter().cloned());
        all
    };
    let text = match args.format {
        Format::Human => {
            let mut text = String::new();
            for Checked { shown, outcome, .. } in services {
                for note in &outcome.notes {
                    text.push_str(&format!("note: {shown}: {}\n", note.message));
                }
                text.push_str(&render_human(
                    &outcome.diagnostics,
                    &outcome.sources,
                    RenderOptions {
                        color: human_colour(args.color),
                    },
                ));
            }
            text
        }
        Format::Json => {
            let mut items = Vec::new();
            for Checked { shown, outcome, .. } in services {
                if let serde_json::Value::Array(entries) =
                    render_json_value(&all(outcome), &outcome.sources)
                {
                    items.extend(entries.into_iter().map(|mut entry| {
                        if entry["file"].is_null() {
                            entry["file"] = shown.clone().into();
                        }
                        entry
                    }));
                }
            }
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        Format::Github => services
            .iter()
            .map(|s| render_github(&all(&s.outcome), &s.outcome.sources, Some(&s.shown)))
            .collect(),
        Format::Sarif => {
            let diagnostics: Vec<Vec<Diagnostic>> =
                services.iter().map(|s| all(&s.outcome)).collect();
            let groups: Vec<(&[Diagnostic], &SourceMap, Option<&str>)> = services
                .iter()
                .zip(&diagnostics)
                .map(|(s, d)| (d.as_slice(), &s.outcome.sources, Some(s.shown.as_str())))
                .collect();
            render_sarif_services(&groups, env!("CARGO_PKG_VERSION"))
        }
        Format::Gitlab => {
            let diagnostics: Vec<Vec<Diagnostic>> =
                services.iter().map(|s| all(&s.outcome)).collect();
            let groups: Vec<(&[Diagnostic], &SourceMap, Option<&str>)> = services
                .iter()
                .zip(&diagnostics)
                .map(|(s, d)| (d.as_slice(), &s.outcome.sources, Some(s.shown.as_str())))
                .collect();
            render_gitlab_services(&groups)
        }
    };
    write_stderr(&text);
}
