//! The whole pipeline on an arbitrary service file: a template or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use streaming_events_core::FakeEnvironment;
use streaming_events_core::{run, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = FakeEnvironment::new().with_file("/svc/serverless.yml", text);
    let options = Options {
        config: PathBuf::from("/svc/serverless.yml"),
        config_display: "serverless.yml".into(),
        ..Options::default()
    };
    let outcome = run(&env, &options, true);
    assert!(outcome.template.is_some() || outcome.has_errors());
});
