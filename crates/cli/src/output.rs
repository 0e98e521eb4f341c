//! Where the template goes: standard output, or `--output`, written so that nothing is ever
//! destroyed.
//!
//! - A regular file (or a new one) is replaced atomically: the template goes to a temporary file
//!   with a random name created with `O_EXCL` in the target's folder, is synced, then renamed
//!   onto the target; on any failure (disk full included) the temporary file is removed and the
//!   target is untouched. A replaced file keeps its permissions.
//! - A symbolic link is followed on purpose: its target is what gets replaced (through a
//!   temporary file in the target's folder), and the link stays a link. A link to nothing is
//!   refused.
//! - A character device (`/dev/null`, a terminal) is written through, never replaced; so is a
//!   FIFO that a process reads (one without a reader is refused rather than waited for).
//! - A directory, a socket or a block device is refused.
//! - The service file, the `--template` file and every file the run read are refused, by
//!   identity (device and inode), whatever path names them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use streaming_events_core::{file_type_name, FileId};
use streaming_events_diagnostics::{codes, Diagnostic};

/// Where the template is written.
#[derive(Debug)]
pub enum Target {
    Stdout,
    /// A regular file, existing or not, after following symbolic links; `shown` is how the user
    /// wrote it.
    File {
        path: PathBuf,
        shown: String,
        existing: Option<FileId>,
    },
    /// A character device or a FIFO: written through.
    Device {
        path: PathBuf,
        shown: String,
        id: FileId,
        fifo: bool,
    },
}

/// A failed write.
pub enum Failure {
    /// Standard output is a closed pipe: stop quietly.
    BrokenPipe,
    /// Anything else, reported.
    Other(Box<Diagnostic>),
}

impl Failure {
    /// The status to exit with; the diagnostic, if any, joins `diagnostics`.
    pub fn exit_code(self, diagnostics: &mut Vec<Diagnostic>) -> ExitCode {
        match self {
            // What a shell reports for a process killed by SIGPIPE (128 + 13).
            Failure::BrokenPipe => ExitCode::from(141),
            Failure::Other(d) => {
                // A target found unusable only when written (a FIFO nobody reads) is a usage
                // error, like the ones found before the run.
                let usage = d.code == codes::OUTPUT_TARGET_INVALID;
                diagnostics.push(*d);
                ExitCode::from(if usage { 2 } else { 1 })
            }
        }
    }
}

/// What is written: the whole text given at once, or a template written as it is made.
pub type Writing<'a> = &'a dyn Fn(&mut dyn Write) -> io::Result<()>;

/// A template as `JSON.stringify(template, null, 2)` and a line break, written as it is made
/// (a template of 1,000 functions is 8 MB: it is never held as one string).
pub fn template_text(out: &mut dyn Write, template: &serde_json::Value) -> io::Result<()> {
    streaming_events_core::write_js_pretty(out, template)?;
    out.write_all(b"\n")
}

/// Writes to standard output; a closed pipe is [`Failure::BrokenPipe`], any other failure a
/// diagnostic.
pub fn to_stdout(text: &str) -> Result<(), Failure> {
    stdout_with(&|out| out.write_all(text.as_bytes()))
}

fn stdout_with(writing: Writing) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writing(&mut stdout)
        .and_then(|()| stdout.flush())
        .map_err(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Failure::BrokenPipe
            } else {
                Failure::Other(Box::new(write_failed("standard output", &e)))
            }
        })
}

pub fn write_failed(shown: &str, e: &io::Error) -> Diagnostic {
    // The operating system's reason only: `tempfile` adds the temporary file's random path to
    // its errors, which would make the message differ from run to run.
    let reason = match e.kind() {
        io::ErrorKind::NotFound => "its folder does not exist".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => match e.raw_os_error() {
            Some(code) => io::Error::from_raw_os_error(code).to_string(),
            None => e.kind().to_string(),
        },
    };
    Diagnostic::error(
        codes::OUTPUT_WRITE_FAILED,
        format!("cannot write the template to {shown}: {reason}"),
    )
    .with_help(if shown == "standard output" {
        "write the template to a file with --output FILE"
    } else {
        "check that the folder exists, is writable and has free space, or choose another --output"
    })
}

fn invalid(shown: &str, what: impl std::fmt::Display) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            codes::OUTPUT_TARGET_INVALID,
            format!("cannot write the template to {shown}: {what}"),
        )
        .with_help("pass --output a file path (a new file or a regular file to replace), or - for standard output"),
    )
}

fn overwrites(shown: &str, input: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            codes::OUTPUT_OVERWRITES_INPUT,
            format!("--output {shown} is {input}; writing the template there would destroy it"),
        )
        .with_help("write the template to another file"),
    )
}

/// Decides where `--output PATH` writes, refusing what cannot or must not be written: a
/// directory, socket, block device, a FIFO without a reader, a dangling link, or one of
/// `inputs` (by identity).
pub fn plan(path: &Path, inputs: &[&Path]) -> Result<Target, Box<Diagnostic>> {
    let shown = path.display().to_string();
    let link = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Target::File {
                path: path.to_path_buf(),
                shown,
                existing: None,
            })
        }
        Err(e) => return Err(invalid(&shown, e)),
    };
    // Follow a symbolic link to what it names (all links of a chain).
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound && link.file_type().is_symlink() => {
            let to = std::fs::read_link(path)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            return Err(invalid(
                &shown,
                format!("it is a symbolic link to {to}, which does not exist"),
            ));
        }
        Err(e) => return Err(invalid(&shown, e)),
    };
    // The file a link names, to replace it in its own folder. `/dev/stdout` names a pipe
    // through `/proc/self/fd/1`, which has no path: a pipe is written through the link.
    let resolved = if link.file_type().is_symlink() {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    let id = FileId::of(&meta);
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| FileId::of(&m) == id) {
            return Err(overwrites(
                &shown,
                &format!("the input {}", input.display()),
            ));
        }
    }
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(Target::File {
            path: resolved,
            shown,
            existing: Some(id),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_fifo() {
            return Ok(Target::Device {
                path: resolved,
                shown,
                id,
                fifo: kind.is_fifo(),
            });
        }
    }
    Err(invalid(
        &shown,
        format!("it is {}, not a file", file_type_name(&kind)),
    ))
}

impl Target {
    /// The refusal when the target is one of the files the run read.
    pub fn overwrites_any(&self, read: &[FileId]) -> Option<Box<Diagnostic>> {
        let (shown, id) = match self {
            Target::File {
                shown,
                existing: Some(id),
                ..
            } => (shown, id),
            Target::Device { shown, id, .. } => (shown, id),
            _ => return None,
        };
        read.contains(id)
            .then(|| overwrites(shown, "a file the service reads"))
    }

    pub fn write(&self, text: &str) -> Result<(), Failure> {
        self.write_with(&|out| out.write_all(text.as_bytes()))
    }

    /// Writes what `writing` writes, as [`Target::write`] writes a text (on a failure, a
    /// replaced file is left untouched).
    pub fn write_with(&self, writing: Writing) -> Result<(), Failure> {
        match self {
            Target::Stdout => stdout_with(writing),
            Target::File { path, shown, .. } => replace_file(path, writing)
                .map_err(|e| Failure::Other(Box::new(write_failed(shown, &e)))),
            Target::Device {
                path, shown, fifo, ..
            } => write_through(path, writing, *fifo).map_err(|e| {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    Failure::BrokenPipe
                } else if is_no_reader(&e) {
                    Failure::Other(invalid(shown, "it is a FIFO that no process reads"))
                } else {
                    Failure::Other(Box::new(write_failed(shown, &e)))
                }
            }),
        }
    }
}

/// Temporary file in the target's folder (random name, `O_EXCL`), synced, renamed onto the
/// target; removed on every failure (the `NamedTempFile` is dropped).
fn replace_file(path: &Path, writing: Writing) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "template.json".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets what `fs::write` would give it (0666 less the umask); a replaced one
        // keeps its own permissions.
        let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
        builder.permissions(std::fs::Permissions::from_mode(0o666));
        existing
    };
    let mut temporary = builder.tempfile_in(folder)?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        temporary.as_file().set_permissions(mode)?;
    }
    writing(temporary.as_file_mut())?;
    temporary.flush()?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable once the folder is synced; not every file system can.
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(unix)]
fn write_through(path: &Path, writing: Writing, fifo: bool) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    // Opening a FIFO for writing waits for a reader; without blocking it fails at once (ENXIO)
    // when there is none. Then writes block again, as on any pipe.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).custom_flags(libc::O_NOCTTY);
    if fifo {
        options.custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    if fifo {
        let flags = rustix::fs::fcntl_getfl(&file)?;
        rustix::fs::fcntl_setfl(&file, flags.difference(rustix::fs::OFlags::NONBLOCK))?;
    }
    writing(&mut file)?;
    file.flush()
}

#[cfg(not(unix))]
fn write_through(path: &Path, writing: Writing, _fifo: bool) -> io::Result<()> {
    writing(&mut std::fs::OpenOptions::new().write(true).open(path)?)
}

fn is_no_reader(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ENXIO)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}
