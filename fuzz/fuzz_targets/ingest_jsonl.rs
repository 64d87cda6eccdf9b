//! Any bytes read as a jsonl file: no panic, reasons for every rejection, indexable articles.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newsdex::fuzz::ingest(newsdex::ingest::Format::JsonLines, data);
});
