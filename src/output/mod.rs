//! Output: where hits become text, JSON Lines, JSON or CSV (shared by `search` and `export`), and
//! where a count table becomes a table, CSV, JSON or an SVG chart ([`count`]).
//! Nothing here knows about the command line; it writes to any `io::Write`.

pub mod article;
pub mod count;
mod csv_out;
mod json;
pub mod sanitize;
pub mod target;
mod text;

use std::io::{self, Write};

use serde::Serialize;

use crate::search::{SearchRequest, SearchResults};

pub use json::JsonHit;
pub use text::{TextStyle, highlight};

/// Output formats for hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// For people: ranked list with snippets.
    Text,
    /// One JSON object per hit and line.
    Jsonl,
    /// One JSON document: the query, the total and the hits.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A TREC run: `qid Q0 docno rank score run_name`, for trec_eval.
    Trec,
}

/// Names a TREC run's query and system.
#[derive(Clone, Debug)]
pub struct TrecRun {
    pub qid: String,
    pub run_name: String,
}

/// Writes search results in `format`.
pub fn write_results(
    out: &mut dyn Write,
    req: &SearchRequest,
    results: &SearchResults,
    format: OutputFormat,
    style: &TextStyle,
    trec: &TrecRun,
) -> io::Result<()> {
    match format {
        OutputFormat::Trec => {
            for h in &results.hits {
                let docno = h.docno.as_deref().unwrap_or(&h.id);
                writeln!(
                    out,
                    "{} Q0 {} {} {:.6} {}",
                    trec.qid, docno, h.rank, h.score, trec.run_name
                )?;
            }
            out.flush()
        }
        OutputFormat::Text => text::write(out, req, results, style),
        OutputFormat::Jsonl => json::write_lines(out, results),
        OutputFormat::Json => json::write_document(out, req, results),
        OutputFormat::Csv => csv_out::write(out, results),
    }
}
