//! The `${…}` parser never panics and never loops.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = streaming_events_core::parse_variables(text);
    }
});
