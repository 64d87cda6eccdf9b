//! Any text as a search query (all words, then any word): an answer or a clear error, no panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(q) = std::str::from_utf8(data) {
        newsdex::fuzz::query(q, data.len() % 2 == 1);
    }
});
