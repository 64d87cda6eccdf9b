//! The library's error type. Every variant's message says what went wrong *and* what to do next,
//! because these messages are printed to the user as they are.

use std::path::PathBuf;

/// Errors raised by the newsdex library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no index at {}: run `newsdex index <DIR>` first (or pass --index / set NEWSDEX_INDEX)", .0.display())]
    NoIndex(PathBuf),

    #[error(
        "the index at {} has nothing committed yet: its first `newsdex index` run is building it \
         (it commits every few seconds), or stopped before its first commit. Search again in a \
         moment; if no `newsdex index` is running, run it again",
        .0.display()
    )]
    NothingCommitted(PathBuf),

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

    #[error(
        "the index at {} is read-only for you (a read-only mount, or another user's folder): \
         searching it works, but adding to it needs write access to the folder (or index a copy \
         elsewhere with --index)",
        .0.display()
    )]
    ReadOnly(PathBuf),

    #[error(
        "the disk holding the index at {} is full ({detail}). Nothing committed was lost: the index \
         still holds its last commit ({committed} articles). Free some space (an index takes about \
         1.3 to 2 times the size of the text it holds) and run `newsdex index` again: it carries on \
         from there",
        path.display()
    )]
    DiskFull {
        path: PathBuf,
        detail: String,
        committed: u64,
    },

    #[error(
        "{} holds no article files, but the index holds articles from {files} files in it. Nothing \
         was changed. If it is a drive or network share that is not mounted, mount it and run \
         again; if the files were deleted on purpose, rebuild the index from what is on disk with \
         `newsdex index --full <DIR>...`",
        path.display()
    )]
    EmptyRoot { path: PathBuf, files: u64 },

    #[error(
        "the index at {} is damaged: {detail}. Run `newsdex check` for details; rebuild it with \
         `newsdex index --full <DIR>` (the articles come back from the archive files)",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error("will not write to {}: {reason}", path.display())]
    UnsafeTarget { path: PathBuf, reason: String },

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

    #[error(
        "cannot add the articles of {path} to the index: {source}. The index keeps its last \
         commit; run `newsdex index` again, and if this comes back, report it as a bug"
    )]
    AddArticle {
        path: String,
        #[source]
        source: tantivy::TantivyError,
    },

    /// A Quickwit cluster (the remote engine, `newsdex push`) failed or refused.
    #[error("{url}: {message}")]
    Remote { url: String, message: String },

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
    /// Turns an error met while opening or reading the index at `dir` into [`Error::Corrupt`]
    /// when it says the index's files are damaged or missing; other errors pass unchanged.
    pub fn in_index(self, dir: &std::path::Path) -> Error {
        match self.damage_detail() {
            Some(detail) => Error::Corrupt {
                path: dir.to_path_buf(),
                detail,
            },
            None => self,
        }
    }

    /// What is damaged, when this error says the index's files are damaged or missing.
    pub fn damage_detail(&self) -> Option<String> {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::OpenReadError;
        let detail = match self {
            Error::Tantivy(T::DataCorruption(c)) => Some(format!("{c:?}")),
            Error::Tantivy(T::OpenReadError(OpenReadError::FileDoesNotExist(p))) => {
                Some(format!("the file {} is missing", p.display()))
            }
            Error::Tantivy(T::OpenReadError(OpenReadError::IoError { io_error, filepath })) => {
                Some(format!("{} cannot be read: {io_error}", filepath.display()))
            }
            // tantivy reports undecodable bytes as I/O errors of these kinds.
            Error::Tantivy(T::IoError(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::InvalidData
                        | std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::Other
                ) =>
            {
                Some(e.to_string())
            }
            Error::Tantivy(e)
                if ["corrupt", "deserialize", "magic"]
                    .iter()
                    .any(|w| e.to_string().to_ascii_lowercase().contains(w)) =>
            {
                Some(e.to_string())
            }
            _ => None,
        };
        detail.map(|d| first_line(&d))
    }

    /// True when the error comes from a full disk or an exhausted quota, however deep tantivy
    /// wrapped it (some of its errors keep only the message).
    pub fn is_disk_full(&self) -> bool {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && matches!(
                    io.kind(),
                    std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
                )
            {
                return true;
            }
            text.push_str(&e.to_string());
            source = e.source();
        }
        [
            "os error 28)",
            "os error 122)",
            "No space left on device",
            "Disk quota exceeded",
        ]
        .iter()
        .any(|m| text.contains(m))
    }

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

/// The message a panic carried (`panic!("...")` with or without arguments), or "" if none.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// What the binary prints when it panics at `file:line` with `message`. A panic inside tantivy
/// (or one of its crates) while it reads index files can come from damaged index data; a panic
/// anywhere else is a bug in newsdex, and the message says so instead of blaming the index.
pub fn panic_report(message: &str, location: Option<(&str, u32)>) -> String {
    // The message may quote archive text: no raw control characters reach the terminal.
    let message: String = message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let at = location
        .map(|(f, l)| format!(" at {f}:{l}"))
        .unwrap_or_default();
    let in_tantivy = location.is_some_and(|(f, _)| {
        std::path::Path::new(f).components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|c| c.starts_with("tantivy"))
        })
    });
    if in_tantivy {
        format!(
            "newsdex: internal error in the index library: {message}{at}.\n  The index may be \
             damaged: `newsdex check` tells, and `newsdex index --full <DIR>` rebuilds it. If \
             `check` finds nothing, this is a bug; please report it with the command you ran."
        )
    } else {
        format!(
            "newsdex: internal error (a bug in newsdex): {message}{at}.\n  Please report it with \
             the command you ran."
        )
    }
}

/// The first line of a (possibly long, multi-line) message, cut to 300 characters.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", line.get(..i).unwrap_or(line)),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_blames_the_index_only_when_it_came_from_tantivy() {
        let ours = panic_report("index out of bounds", Some(("src/search/local.rs", 527)));
        assert!(ours.contains("a bug in newsdex"), "{ours}");
        assert!(!ours.contains("damaged"), "{ours}");
        let theirs = panic_report(
            "attempt to subtract with overflow",
            Some((
                "/root/.cargo/registry/src/index.crates.io-x/tantivy-columnar-0.6.0/src/lib.rs",
                12,
            )),
        );
        assert!(theirs.contains("may be damaged"), "{theirs}");
        assert!(theirs.contains("newsdex check"), "{theirs}");
        let escaped = panic_report("bad \u{1b}[31m text", None);
        assert!(!escaped.contains('\u{1b}'), "{escaped}");
    }
}
