//! What went wrong with one file or record ([`Problem`]), and what reading one file produced
//! ([`FileOutcome`]).

use std::fmt;

use serde::Serialize;

use crate::ingest::article::Article;

/// How serious a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The article was indexed, but a value in it was not usable (e.g. an implausible date).
    Warning,
    /// The file or record was not indexed.
    Rejected,
    /// The file was left out on purpose: it is not an article (a README, a word list, a data
    /// table). Reported, but never a failure (`--strict` ignores it).
    Skipped,
}

/// Something that went wrong with one file or record, with enough to find it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    /// Record number within the file, for multi-article formats.
    pub record: Option<u64>,
    pub severity: Severity,
    pub reason: String,
}

impl Problem {
    pub fn warning(path: &str, record: Option<u64>, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            record,
            severity: Severity::Warning,
            reason: reason.into(),
        }
    }

    pub fn skipped(path: &str, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            record: None,
            severity: Severity::Skipped,
            reason: reason.into(),
        }
    }

    pub fn rejected(path: &str, record: Option<u64>, reason: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            record,
            severity: Severity::Rejected,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Warning => "warning",
            Severity::Rejected | Severity::Skipped => "skipped",
        };
        match self.record {
            Some(r) => write!(f, "{what}: {} (record {r}): {}", self.path, self.reason),
            None => write!(f, "{what}: {}: {}", self.path, self.reason),
        }
    }
}

/// Called by a multi-record reader after each record it has read, with the outcome so far. A read
/// in parts ([`read_file_in_parts`](crate::ingest::read_file_in_parts)) hands the articles
/// gathered so far on when there are enough of them, so a file of millions of records is never
/// held whole; a whole read passes [`keep_all`].
pub type Flush<'a> = dyn FnMut(&mut FileOutcome) + 'a;

/// The [`Flush`] of a whole read: every article stays in the outcome.
pub fn keep_all(_: &mut FileOutcome) {}

#[derive(Debug, Default)]
pub struct FileOutcome {
    pub articles: Vec<Article>,
    pub problems: Vec<Problem>,
    /// 128-bit hash of the file's bytes, to tell real changes from touched files.
    pub content_hash: u128,
    /// Dates like `03/04/2018` read month first because no `--date-order` was given.
    pub ambiguous_dates: u64,
}
