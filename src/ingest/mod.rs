//! The ingest layer: where a file on disk becomes [`Article`]s.
//!
//! [`discover`] walks the archive and decides which files are articles; [`read_file`] reads one
//! file (I/O, decoding) and hands its text to the pure parser for its format (one module each).
//! Nothing here touches the index, so every reader is testable on its own.

pub mod alias;
pub mod article;
pub mod date;
pub mod decode;
pub mod decompress;
pub mod discover;
pub mod finish;
pub mod formats;
pub mod language;
pub mod layout;
pub mod meta;
pub mod problem;
pub mod read;
pub mod short_words;
pub mod stopwords;
pub mod words;

pub use decompress::{Compression, decompress};
pub use discover::{
    Discovery, FoundFile, discover, discover_until, is_not_article_name, path_string,
};
pub use problem::{FileOutcome, Flush, Problem, Severity, keep_all};
pub use read::{
    Format, MAX_ARTICLE_BYTES, MAX_FILE_BYTES, ParseOptions, is_reading_a_file, parse_bytes,
    parse_bytes_in_batches, read_file, read_file_guarded, read_file_in_parts,
    read_file_in_parts_guarded,
};
