//! newsdex: full-text search for news archives.
//!
//! The layers, each calling only those before it (see `ARCHITECTURE.md`):
//! [`ingest`] turns files into [`Article`](ingest::article::Article)s; [`index`] writes them into
//! a tantivy index; [`search`] answers a [`SearchRequest`](search::SearchRequest) with ranked hits
//! through the [`SearchEngine`](search::SearchEngine) seam; [`output`] formats hits; [`report`]
//! builds export, count, stats and eval on the engine seam. The CLI (`main.rs`, `cli.rs`) is the
//! only front end code in the binary.

pub mod error;
pub mod fuzz;
pub mod index;
pub mod ingest;
pub mod output;
pub mod report;
pub mod search;
pub mod serve;

pub use error::{Error, Result};
