//! newsdex: full-text search for news archives.
//!
//! A file becomes an [`Article`](article::Article) in [`ingest`]; the schema lives in [`schema`];
//! [`index`] writes articles into a tantivy index; [`search`] decides ranking and builds hits;
//! [`output`] formats hits as text, JSON Lines, JSON or CSV.

pub mod article;
pub mod check;
pub mod count;
pub mod error;
pub mod eval;
pub mod export;
pub mod fuzz;
pub mod index;
pub mod ingest;
pub mod kwic;
pub mod manifest;
pub mod output;
pub mod query;
pub mod schema;
pub mod search;
pub mod stats;

pub use error::{Error, Result};
