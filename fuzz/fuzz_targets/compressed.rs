//! Any bytes as gzip, bzip2 or zstd (chosen by the first byte) holding a JSON Lines file: the
//! decompressors stay within their output limit and damaged streams are reported, not fatal.
#![no_main]
use newsdex::ingest::{Compression, Format};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let c = match sel % 3 {
        0 => Compression::Gzip,
        1 => Compression::Bzip2,
        _ => Compression::Zstd,
    };
    newsdex::fuzz::compressed(c, Format::JsonLines, rest);
});
