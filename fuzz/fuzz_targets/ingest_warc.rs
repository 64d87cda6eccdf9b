//! Any bytes read as a warc file: no panic, reasons for every rejection, indexable articles.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    newsdex::fuzz::ingest(newsdex::ingest::Format::Warc, data);
});
