//! The index layer: [`Article`](crate::ingest::article::Article)s into a tantivy index and back.
//! [`schema`] is the only place field names are spelled; [`writer`] runs an incremental,
//! committing indexing run over what [`ingest`](crate::ingest) reads, with the [`manifest`] of
//! indexed files; [`check`] verifies an index and [`optimize`] merges it.

pub mod analysis;
pub mod boilerplate;
pub mod check;
pub mod clusters;
pub mod document;
pub mod forms;
pub mod manifest;
pub mod open;
pub mod optimize;
pub mod push;
pub mod quickwit;
pub mod schema;
pub mod shared_tokens;
pub mod stem_cache;
pub mod writer;

pub use document::{ArticleDoc, UNIX_EPOCH_JULIAN_DAY, to_document};
pub(crate) use open::is_segment_file_name;
pub use open::{
    Commit, IndexedFolder, indexed_folders, near_copy_threshold, open_committed, open_index,
};
pub use optimize::{OptimizeSummary, dir_bytes, optimize};
pub use writer::{INTERRUPTED, IndexOptions, IndexSummary, NoProgress, Progress, index_archive};
