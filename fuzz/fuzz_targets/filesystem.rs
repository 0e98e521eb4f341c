//! The whole pipeline over the real file system, through the same `OsEnvironment` the binary
//! uses. Each input (up to 64 KB: run with `-max_len=65536`) is cut at lines holding `%%` into
//! the service file, a file it may include (`inc.yml`), a JSON file in a subfolder and a `.env`
//! file, written to a scratch folder that also holds what an unlucky service may point at: a
//! symlink to `/dev/zero`, a FIFO, a symlink back to the service, a folder. Starting the input
//! with `#T` also passes `inc.yml` as `--template`.
//!
//! Checked beyond "no panic": the run fails with diagnostics (exit 1) or succeeds with a
//! template that is a JSON object (exit 0); libFuzzer's `-timeout` and `-rss_limit_mb` bound
//! each input's time and memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use streaming_events_core::OsEnvironment;
use streaming_events_core::{run, Options};

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "streaming-events-fuzz-filesystem-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("scratch folder");
        std::fs::create_dir_all(dir.join("folder.yml")).expect("a folder");
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yml"));
            let _ = std::os::unix::fs::symlink("/dev/urandom", dir.join("sub/random.json"));
            let _ = std::os::unix::fs::symlink("serverless.yml", dir.join("self.yml"));
            let _ = std::os::unix::fs::symlink("../inc.yml", dir.join("sub/up.yml"));
            let _ = std::process::Command::new("mkfifo")
                .arg(dir.join("fifo.yml"))
                .status();
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    let mut parts = data
        .split(|&b| b == b'\n')
        .fold(vec![Vec::new()], |mut parts, line| {
            if line == b"%%" && parts.len() < 4 {
                parts.push(Vec::new());
            } else {
                let last = parts.last_mut().expect("one part at least");
                last.extend_from_slice(line);
                last.push(b'\n');
            }
            parts
        });
    parts.resize(4, Vec::new());
    for (name, bytes) in ["serverless.yml", "inc.yml", "sub/other.json", ".env"]
        .iter()
        .zip(&parts)
    {
        std::fs::write(dir.join(name), bytes).expect("scratch file");
    }
    let env = OsEnvironment::new();
    let options = Options {
        config: dir.join("serverless.yml"),
        config_display: "serverless.yml".into(),
        template: data.starts_with(b"#T").then(|| dir.join("inc.yml")),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    if outcome.has_errors() {
        return; // exit 1, with diagnostics
    }
    let template = outcome.template.expect("no errors and no template");
    let text = streaming_events_core::to_js_pretty(&template);
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("the template is JSON");
    assert!(parsed.is_object(), "the template is not an object");
});
