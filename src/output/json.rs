//! JSON Lines and JSON output. The field set is pinned by `tests/json_format.rs`.

use std::io::{self, Write};

use serde::Serialize;

use crate::search::{Hit, SearchRequest, SearchResults};

/// One hit as JSON. Keys are stable: adding one is a format change.
#[derive(Debug, Serialize)]
pub struct JsonHit<'a> {
    pub rank: usize,
    pub score: f32,
    pub id: &'a str,
    pub path: &'a str,
    /// Position of the article in its file (0 for a file of one article).
    pub record: u64,
    pub title: &'a str,
    /// RFC 3339 in UTC, or null when the article has no known date.
    pub published: Option<&'a str>,
    pub date_source: Option<&'a str>,
    pub source: Option<&'a str>,
    pub authors: &'a [String],
    pub url: Option<&'a str>,
    pub section: Option<&'a str>,
    pub language: Option<&'a str>,
    /// `declared` (the file said so) or `detected` (read from the text).
    pub language_source: Option<&'a str>,
    pub word_count: u64,
    /// The story's id: the id of the earliest article of its cluster of copies (its own id when
    /// it has none).
    pub cluster: &'a str,
    /// Articles in the cluster, this one included (1: no copies).
    pub copies: u32,
    /// Earliest publication time in the cluster (RFC 3339, UTC).
    pub first_seen: Option<&'a str>,
    /// Plain text of the passage.
    pub snippet: &'a str,
    /// `[start, end)` character offsets (Unicode scalar values) of the matched words in `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// Number of articles matching the query (the same on every line).
    pub total_hits: usize,
    /// Every word was required and fewer than 10 articles had them all, so the hits are ranked
    /// with any word instead (the same on every line).
    pub relaxed: bool,
}

impl<'a> JsonHit<'a> {
    pub fn new(h: &'a Hit, total_hits: usize, relaxed: bool) -> JsonHit<'a> {
        let text = &h.snippet.text;
        let char_at = |byte: usize| text[..byte.min(text.len())].chars().count();
        JsonHit {
            rank: h.rank,
            score: h.score,
            id: &h.id,
            path: &h.path,
            record: h.record,
            title: &h.title,
            published: h.published.as_deref(),
            date_source: h.date_source.as_deref(),
            source: h.source.as_deref(),
            authors: &h.authors,
            url: h.url.as_deref(),
            section: h.section.as_deref(),
            language: h.language.as_deref(),
            language_source: h.language_source.as_deref(),
            word_count: h.word_count,
            cluster: &h.cluster,
            copies: h.copies,
            first_seen: h.first_seen.as_deref(),
            snippet: text,
            highlights: h
                .snippet
                .highlights
                .iter()
                .map(|r| [char_at(r.start), char_at(r.end)])
                .collect(),
            total_hits,
            relaxed,
        }
    }
}

pub fn write_lines(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    for h in &results.hits {
        serde_json::to_writer(
            &mut *out,
            &JsonHit::new(h, results.total_hits, results.relaxed),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[derive(Serialize)]
struct Document<'a> {
    query: &'a str,
    sort: crate::search::SortOrder,
    total_hits: usize,
    relaxed: bool,
    hits: Vec<JsonHit<'a>>,
}

pub fn write_document(
    out: &mut dyn Write,
    req: &SearchRequest,
    results: &SearchResults,
) -> io::Result<()> {
    let doc = Document {
        query: &req.query,
        sort: req.sort,
        total_hits: results.total_hits,
        relaxed: results.relaxed,
        hits: results
            .hits
            .iter()
            .map(|h| JsonHit::new(h, results.total_hits, results.relaxed))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()
}
