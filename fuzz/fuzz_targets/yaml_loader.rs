//! The loader never panics, and what it loads converts to JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(node) = streaming_events_yaml::load(text, 0) {
            let _ = node.to_json();
        }
    }
});
