//! The library's error type. Every variant's message says what went wrong *and* what to do next,
//! because these messages are printed to the user as they are.

use std::path::PathBuf;

/// Errors raised by the newsdex library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no index at {}: run `newsdex index <DIR>` first (or pass --index / set NEWSDEX_INDEX)", .0.display())]
    NoIndex(PathBuf),

    #[error(
        "the index at {} was made by an incompatible newsdex (schema version {found}, this build uses {expected}): rebuild it with `newsdex index --full <DIR>`",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error("index at {} is being written by another newsdex process: wait for it to finish, then try again", .0.display())]
    IndexBusy(PathBuf),

    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Query(#[from] QueryError),

    #[error("bad option: {0}")]
    Usage(String),

    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),

    #[error("index error: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),

    #[error("I/O error: {0}")]
    PlainIo(#[from] std::io::Error),

    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),

    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
}

/// A query the user typed that cannot be run. `position` is a character offset into the query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query: {message}{}", position_hint(.query, *.position))]
pub struct QueryError {
    pub query: String,
    pub position: Option<usize>,
    pub message: String,
}

fn position_hint(query: &str, position: Option<usize>) -> String {
    match position {
        Some(pos) if query.len() <= 200 => {
            format!("\n  {query}\n  {}^", " ".repeat(pos))
        }
        Some(pos) => format!(" (at character {pos})"),
        None => String::new(),
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error is a closed output pipe (`newsdex search ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::PlainIo(e) | Error::Io { source: e, .. } => {
                e.kind() == std::io::ErrorKind::BrokenPipe
            }
            Error::Csv(e) => {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            }
            Error::Json(e) => e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
