//! Issue 13, "bounded and safe": no input hangs the binary, exhausts memory, or makes it
//! overwrite what it must not. Devices are reached through the machine's own `/dev` nodes (or
//! symlinks to them in a scratch folder); FIFOs are created in the scratch folder. Every run
//! has a deadline after which it is killed, so a hang fails the test instead of blocking it.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
mod common;
use common::scratch;

/// Far above what any probe needs (each ends in well under a second in release builds); only
/// there so that a hang fails.
const DEADLINE: Duration = Duration::from_secs(60);

struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_streaming-events"));
    command.env_remove("NO_COLOR").current_dir(dir).args(args);
    command
}

/// Waits for `child` until [`DEADLINE`], killing it then; output is drained on threads so that a
/// full pipe never stalls it.
fn finish(mut child: Child, what: &str) -> Run {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).to_string()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let child = command(dir, args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    finish(child, &args.join(" "))
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o644),
    )
    .expect("mkfifo");
}

fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

const SERVICE: &str = "service: orders
provider:
  name: aws
  runtime: nodejs24.x
functions:
  worker:
    handler: handler.worker
    events:
      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
";

/// A valid service with `custom` entries appended.
fn service_with(custom: &str) -> String {
    format!("{SERVICE}custom:\n{custom}")
}

fn assert_refused(run: &Run, code: i32, expect: &[&str]) {
    assert_eq!(run.code(), Some(code), "{}", run.stderr);
    for text in expect {
        assert!(
            run.stderr.contains(text),
            "expected {text:?} in:\n{}",
            run.stderr
        );
    }
}

// 1. Reads bounded by what is read.

#[test]
fn file_variables_refuse_devices_symlinks_to_them_and_fifos() {
    let dir = scratch("file-devices");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yml")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", dir.join("random.txt")).unwrap();
    mkfifo(&dir.join("pipe.yml"));
    std::fs::write(
        dir.join("serverless.yml"),
        service_with(
            "  a: ${file(/dev/zero)}\n  b: ${file(/dev/urandom)}\n  c: ${file(./zero.yml)}\n  d: ${file(./random.txt)}\n  e: ${file(./pipe.yml)}\n",
        ),
    )
    .unwrap();
    let out = run(&dir, &["package", "--color", "never"]);
    assert_refused(
        &out,
        1,
        &[
            "cannot read /dev/zero: it is a character device, not a regular file",
            "cannot read /dev/urandom: it is a character device",
            "cannot read ./zero.yml: it is a character device",
            "cannot read ./random.txt: it is a character device",
            "cannot read ./pipe.yml: it is a FIFO (named pipe), not a regular file",
            "VARIABLE_FILE_INVALID",
        ],
    );
    assert!(is_fifo(&dir.join("pipe.yml")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_and_template_refuse_devices_and_fifos() {
    let dir = scratch("config-devices");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    mkfifo(&dir.join("pipe.yml"));
    for config in ["/dev/zero", "/dev/urandom", "pipe.yml"] {
        let out = run(&dir, &["validate", "--config", config]);
        assert_refused(
            &out,
            1,
            &[
                "CONFIG_FILE_UNREADABLE",
                &format!("cannot read {config}: it is a"),
            ],
        );
    }
    for template in ["/dev/zero", "pipe.yml"] {
        let out = run(&dir, &["package", "--template", template]);
        assert_refused(&out, 1, &["TEMPLATE_FILE_UNREADABLE", "--template FILE"]);
        assert!(!out.stderr.contains("--config"), "{}", out.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_is_read_where_asked_for_and_bounded() {
    let dir = scratch("stdin");
    // A service on standard input compiles.
    let mut child = command(&dir, &["package", "--config", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(SERVICE.as_bytes()).unwrap();
    drop(stdin);
    let out = finish(child, "--config -");
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    serde_json::from_str::<serde_json::Value>(&out.stdout).expect("a JSON template");

    // A template on standard input extends; both on standard input is a usage error.
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    for (config, code) in [("serverless.yml", 0), ("-", 2)] {
        let mut child = command(&dir, &["package", "--config", config, "--template", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(br#"{"Resources": {}}"#);
        drop(stdin);
        let out = finish(child, "--template -");
        assert_eq!(out.code(), Some(code), "{}", out.stderr);
        if code == 2 {
            assert!(out.stderr.contains("STDIN_READ_TWICE"), "{}", out.stderr);
        }
    }

    // A never-ending one stops at the limit.
    for config in ["-", "/dev/stdin"] {
        let mut child = command(&dir, &["validate", "--config", config])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let chunk = vec![b'#'; 1 << 16];
            while stdin.write_all(&chunk).is_ok() {}
        });
        let out = finish(child, "never-ending stdin");
        writer.join().unwrap();
        assert_refused(
            &out,
            1,
            &[
                "CONFIG_FILE_TOO_LARGE",
                "larger than the limit of 16777216 bytes",
            ],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// 2. One budget across files, each file once.

#[test]
fn one_file_by_many_spellings_is_loaded_once_and_files_share_one_budget() {
    let dir = scratch("budget");
    let mut big = String::with_capacity(9 << 20);
    while big.len() < (9 << 20) {
        big.push_str("a line of plain text that is not YAML at all\n");
    }
    for name in ["one.txt", "two.txt", "three.txt"] {
        std::fs::write(dir.join(name), &big).unwrap();
    }
    std::fs::write(dir.join("values.yml"), "answer: 42\n").unwrap();
    std::os::unix::fs::symlink(dir.join("values.yml"), dir.join("link.yml")).unwrap();
    std::fs::hard_link(dir.join("values.yml"), dir.join("hard.yml")).unwrap();
    let spellings = [
        "./values.yml".to_string(),
        ".//values.yml".to_string(),
        "./link.yml".to_string(),
        "./hard.yml".to_string(),
        format!("/proc/self/root{}", dir.join("values.yml").display()),
        format!(
            "{}/../{}/values.yml",
            dir.display(),
            dir.file_name().unwrap().to_string_lossy()
        ),
    ];
    let custom: String = spellings
        .iter()
        .enumerate()
        .map(|(i, s)| format!("  v{i}: ${{file({s}):answer}}\n"))
        .collect();
    std::fs::write(dir.join("serverless.yml"), service_with(&custom)).unwrap();
    let out = run(&dir, &["package"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);

    // A hundred references to one 11 MiB string cost one read, not a hundred copies.
    std::fs::write(
        dir.join("eleven.yml"),
        format!("k: {}\n", "x".repeat(11 << 20)),
    )
    .unwrap();
    let custom: String = (0..100)
        .map(|i| {
            let spelling = if i % 2 == 0 {
                "./eleven.yml".to_string()
            } else {
                format!("/proc/self/root{}", dir.join("eleven.yml").display())
            };
            format!("  e{i}: ${{file({spelling}):k}}\n")
        })
        .collect();
    std::fs::write(dir.join("serverless.yml"), service_with(&custom)).unwrap();
    let out = run(&dir, &["validate", "--color", "never"]);
    assert_refused(
        &out,
        1,
        &[
            "VARIABLE_RESULT_TOO_LARGE",
            "gives a string of 11534336 bytes",
        ],
    );

    // Three different 9 MiB files pass the 24 MiB budget at the third.
    std::fs::write(
        dir.join("serverless.yml"),
        service_with(
            "  a: ${file(./one.txt)}\n  b: ${file(./two.txt)}\n  c: ${file(./three.txt)}\n",
        ),
    )
    .unwrap();
    let out = run(&dir, &["validate", "--color", "never"]);
    assert_refused(
        &out,
        1,
        &[
            "VARIABLE_FILES_TOO_LARGE",
            "cannot read ./three.txt",
            "may hold 25165824 bytes together",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// 3. Output never destroys anything.

#[test]
fn output_to_dev_null_writes_through_and_leaves_a_character_device() {
    let dir = scratch("dev-null");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    assert!(
        is_char_device(Path::new("/dev/null")),
        "/dev/null is not a character device on this machine"
    );
    let out = run(&dir, &["package", "--output", "/dev/null"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(is_char_device(Path::new("/dev/null")));
    // Through a symlink in the scratch folder too.
    std::os::unix::fs::symlink("/dev/null", dir.join("null.json")).unwrap();
    let out = run(&dir, &["package", "--output", "null.json"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(is_char_device(Path::new("/dev/null")));
    assert!(std::fs::symlink_metadata(dir.join("null.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_to_a_fifo_is_written_to_a_reader_or_refused_without_one() {
    let dir = scratch("fifo-out");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    let fifo = dir.join("out.json");
    mkfifo(&fifo);
    let out = run(&dir, &["package", "--output", "out.json"]);
    assert_refused(
        &out,
        2,
        &[
            "OUTPUT_TARGET_INVALID",
            "it is a FIFO that no process reads",
        ],
    );
    assert!(is_fifo(&fifo));

    // A reader that is there before the binary runs (opened without waiting for a writer).
    let mut reader = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap()
    };
    let out = run(&dir, &["package", "--output", "out.json"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    // The template is in the pipe's buffer; with the writer gone, the read ends there.
    let mut received = String::new();
    reader.read_to_string(&mut received).unwrap();
    serde_json::from_str::<serde_json::Value>(&received).expect("the template");
    assert!(is_fifo(&fifo));

    // /dev/stdout on a pipe is that pipe, reached through /proc/self/fd/1.
    let out = run(&dir, &["package", "--output", "/dev/stdout"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    serde_json::from_str::<serde_json::Value>(&out.stdout).expect("the template on stdout");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_follows_a_symlink_to_a_file_and_refuses_a_dangling_one() {
    let dir = scratch("symlink-out");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    std::fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink("real/template.json", dir.join("link.json")).unwrap();
    let out = run(&dir, &["package", "--output", "link.json"]);
    assert_refused(
        &out,
        2,
        &[
            "OUTPUT_TARGET_INVALID",
            "it is a symbolic link to real/template.json, which does not exist",
        ],
    );
    assert!(!dir.join("real/template.json").exists());

    std::fs::write(dir.join("real/template.json"), "old").unwrap();
    let out = run(&dir, &["package", "--output", "link.json"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(std::fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    let written = std::fs::read_to_string(dir.join("real/template.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&written).expect("the template");
    // No temporary file is left in either folder.
    for folder in [dir.clone(), dir.join("real")] {
        let leftovers: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_refuses_directories_and_sockets_and_names_a_missing_folder() {
    let dir = scratch("bad-targets");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    std::fs::create_dir(dir.join("folder")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    for target in ["folder", "sock"] {
        let out = run(&dir, &["package", "--output", target]);
        assert_refused(&out, 2, &["OUTPUT_TARGET_INVALID"]);
    }
    assert!(dir.join("folder").is_dir());
    let out = run(&dir, &["package", "--output", "missing/template.json"]);
    assert_refused(&out, 1, &["OUTPUT_WRITE_FAILED", "missing/template.json"]);
    let out = run(&dir, &["package", "--output", "/dev/full"]);
    assert_refused(&out, 1, &["OUTPUT_WRITE_FAILED", "No space left on device"]);
    assert!(is_char_device(Path::new("/dev/full")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_never_overwrites_an_input_by_any_path() {
    let dir = scratch("inputs");
    std::fs::write(dir.join("values.yml"), "answer: 42\n").unwrap();
    let service = service_with("  v: ${file(./values.yml):answer}\n");
    std::fs::write(dir.join("serverless.yml"), &service).unwrap();
    std::fs::write(dir.join("base.json"), r#"{"Resources": {}}"#).unwrap();
    std::os::unix::fs::symlink("serverless.yml", dir.join("link.yml")).unwrap();
    std::fs::hard_link(dir.join("serverless.yml"), dir.join("hard.yml")).unwrap();
    let proc_path = format!("/proc/self/root{}", dir.join("serverless.yml").display());
    for target in [
        "serverless.yml",
        "./serverless.yml",
        "link.yml",
        "hard.yml",
        proc_path.as_str(),
        "values.yml",
    ] {
        let out = run(&dir, &["package", "--output", target]);
        assert_refused(&out, 2, &["OUTPUT_OVERWRITES_INPUT"]);
    }
    let out = run(
        &dir,
        &[
            "package",
            "--template",
            "base.json",
            "--output",
            "base.json",
        ],
    );
    assert_refused(&out, 2, &["OUTPUT_OVERWRITES_INPUT", "base.json"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("serverless.yml")).unwrap(),
        service
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("values.yml")).unwrap(),
        "answer: 42\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("base.json")).unwrap(),
        r#"{"Resources": {}}"#
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_runs_to_one_output_each_write_a_whole_template() {
    let dir = scratch("concurrent");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    let children: Vec<Child> = (0..4)
        .map(|_| {
            command(&dir, &["package", "--output", "template.json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = finish(child, "concurrent package");
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
    }
    let written = std::fs::read_to_string(dir.join("template.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&written).expect("a whole template");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_new_output_file_gets_the_usual_permissions_and_a_replaced_one_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("permissions");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    std::fs::write(dir.join("reference"), "").unwrap();
    let usual = std::fs::metadata(dir.join("reference"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let out = run(&dir, &["package", "--output", "new.json"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let mode = std::fs::metadata(dir.join("new.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, usual);
    std::fs::set_permissions(dir.join("new.json"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(&dir, &["package", "--output", "new.json"]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let mode = std::fs::metadata(dir.join("new.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
    let _ = std::fs::remove_dir_all(&dir);
}

// 4. Closed and broken standard streams.

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn broken_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn a_closed_stderr_pipe_neither_panics_nor_stops_the_template() {
    let dir = scratch("stderr-closed");
    // A warning (http is not compiled) goes to stderr; the template still goes to the file.
    std::fs::write(
        dir.join("serverless.yml"),
        format!("{SERVICE}      - http: GET /\n"),
    )
    .unwrap();
    let child = command(&dir, &["package", "--output", "t.json", "--iam-report"])
        .stdout(Stdio::piped())
        .stderr(broken_pipe())
        .spawn()
        .unwrap();
    let out = finish(child, "closed stderr");
    assert_eq!(out.code(), Some(0));
    serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(dir.join("t.json")).unwrap(),
    )
    .expect("the template");
    // An invalid service: exit 1, not a panic's 101.
    std::fs::write(dir.join("bad.yml"), "service: [").unwrap();
    let child = command(&dir, &["validate", "--config", "bad.yml"])
        .stdout(Stdio::piped())
        .stderr(broken_pipe())
        .spawn()
        .unwrap();
    assert_eq!(finish(child, "closed stderr, invalid").code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_closed_stdout_pipe_stops_quietly_and_other_stdout_failures_are_reported() {
    let dir = scratch("stdout-closed");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    for args in [&["package"][..], &["schema"]] {
        let child = command(&dir, args)
            .stdout(broken_pipe())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = finish(child, "closed stdout");
        assert_eq!(out.code(), Some(141), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{args:?}");
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let child = command(&dir, &["package"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child, "stdout on /dev/full");
    assert_refused(
        &out,
        1,
        &[
            "OUTPUT_WRITE_FAILED",
            "cannot write the template to standard output",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// 5. Paths of ${file()} resolve as Node's path.resolve does.

#[test]
fn leading_parent_folders_resolve_against_the_service_folder() {
    let root = scratch("parents");
    let svc = root.join("a/svc");
    std::fs::create_dir_all(&svc).unwrap();
    std::fs::write(root.join("x.yml"), "v: from-root\n").unwrap();
    std::fs::write(root.join("a/x.yml"), "v: from-a\n").unwrap();
    std::fs::write(svc.join("x.yml"), "v: from-svc\n").unwrap();
    let service = SERVICE.replace(
        "    handler: handler.worker\n",
        "    handler: handler.worker\n    description: ${file(../../x.yml):v}-${file(../x.yml):v}-${file(./x.yml):v}\n",
    );
    std::fs::write(svc.join("serverless.yml"), &service).unwrap();
    // The default --config, a relative one, and one with a folder.
    for (dir, args) in [
        (svc.clone(), vec!["package"]),
        (svc.clone(), vec!["package", "--config", "serverless.yml"]),
        (
            root.join("a"),
            vec!["package", "--config", "svc/serverless.yml"],
        ),
        (
            root.clone(),
            vec!["package", "--config", "a/svc/../svc/serverless.yml"],
        ),
    ] {
        let out = run(&dir, &args);
        assert_eq!(out.code(), Some(0), "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("from-root-from-a-from-svc"),
            "{args:?} in {}",
            dir.display()
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

// 6. What reaches the terminal is safe.

#[test]
fn control_characters_are_shown_escaped_and_long_values_are_not_quoted_whole() {
    let dir = scratch("terminal");
    // Escapes in a double-quoted key reach the message; raw bytes reach the snippet.
    std::fs::write(
        dir.join("escaped.yml"),
        format!("{SERVICE}  \"w\\e]0;title\\a\\e[2J\\0\": {{handler: h}}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("raw.yml"), b"service: s\x1b[2J\x1b]0;t\x07\x00\n").unwrap();
    for config in ["escaped.yml", "raw.yml"] {
        let out = run(&dir, &["validate", "--config", config, "--color", "never"]);
        assert_eq!(out.code(), Some(1), "{}", out.stderr);
        assert!(
            !out.stderr.chars().any(|c| c.is_control() && c != '\n'),
            "{config}: a raw control character in {:?}",
            out.stderr
        );
    }
    let escaped = run(
        &dir,
        &["validate", "--config", "escaped.yml", "--color", "never"],
    );
    assert!(
        escaped.stderr.contains(r"w\u{1b}]0;title\u{7}\u{1b}[2J\0"),
        "{}",
        escaped.stderr
    );
    let raw = run(
        &dir,
        &["validate", "--config", "raw.yml", "--color", "never"],
    );
    assert!(raw.stderr.contains("s\u{241b}[2J"), "{}", raw.stderr);

    let key = "k".repeat(800_000);
    for (name, text) in [
        ("duplicate.yml", format!("service: s\n{key}: 1\n{key}: 2\n")),
        ("tag.yml", format!("service: s\nx: !!int {key}\n")),
        ("quote.yml", format!("service: \"{key}\n")),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
        let out = run(&dir, &["validate", "--config", name, "--color", "never"]);
        assert_eq!(out.code(), Some(1), "{name}");
        assert!(
            out.stderr.len() < 4000,
            "{name}: {} bytes",
            out.stderr.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// 7. Messages that say what happened.

#[test]
fn messages_say_what_happened() {
    let dir = scratch("messages");
    std::fs::write(dir.join("serverless.yml"), SERVICE).unwrap();
    // An empty --output (or --config) is a usage error.
    for args in [
        &["package", "--output", ""][..],
        &["package", "--config", ""],
        &["package", "--template", ""],
    ] {
        let out = run(&dir, args);
        assert_eq!(out.code(), Some(2), "{args:?}: {}", out.stderr);
    }
    // --template errors name --template, never --config.
    let out = run(&dir, &["package", "--template", "missing.json"]);
    assert_refused(
        &out,
        1,
        &[
            "TEMPLATE_FILE_UNREADABLE",
            "cannot read missing.json",
            "--template FILE",
        ],
    );
    assert!(!out.stderr.contains("--config"), "{}", out.stderr);
    // Invalid UTF-8 names its offset.
    std::fs::write(dir.join("latin1.yml"), b"service: caf\xe9\n").unwrap();
    let out = run(&dir, &["validate", "--config", "latin1.yml"]);
    assert_refused(&out, 1, &["CONFIG_FILE_UNREADABLE", "byte 12 (0xe9)"]);
    // A plain list of millions of items is too many values, not an alias bomb.
    let items = vec!["1"; 2_100_000].join(",");
    std::fs::write(dir.join("list.yml"), format!("service: s\nx: [{items}]\n")).unwrap();
    let out = run(&dir, &["validate", "--config", "list.yml"]);
    assert_refused(&out, 1, &["YAML_TOO_MANY_VALUES"]);
    assert!(!out.stderr.contains("alias"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `${file()}` that includes itself, directly or through another file, is one cycle error,
/// not a chain that runs out of depth.
#[test]
fn a_self_including_file_is_a_cycle() {
    let dir = scratch("self-include");
    std::fs::write(
        dir.join("serverless.yml"),
        service_with("  direct: ${file(./serverless.yml)}\n"),
    )
    .unwrap();
    let direct = run(&dir, &["validate", "--color", "never"]);
    assert_refused(
        &direct,
        1,
        &[
            "VARIABLE_CYCLE",
            "includes itself: serverless.yml -> serverless.yml",
        ],
    );
    assert_eq!(
        direct.stderr.matches("error[").count(),
        1,
        "{}",
        direct.stderr
    );
    assert!(!direct.stderr.contains("levels deep"), "{}", direct.stderr);
    std::fs::write(dir.join("a.yml"), "x: ${file(./b.yml)}\n").unwrap();
    std::fs::write(dir.join("b.yml"), "y: ${file(./a.yml)}\n").unwrap();
    std::fs::write(
        dir.join("serverless.yml"),
        service_with("  pair: ${file(./a.yml)}\n"),
    )
    .unwrap();
    let pair = run(&dir, &["validate", "--color", "never"]);
    assert_refused(&pair, 1, &["includes itself: a.yml -> b.yml -> a.yml"]);
}
