//! CSV output (RFC 4180, UTF-8, header row), via the csv crate.

use std::io::{self, Write};

use crate::search::SearchResults;

pub const COLUMNS: &[&str] = &[
    "rank",
    "score",
    "id",
    "published",
    "source",
    "title",
    "authors",
    "url",
    "section",
    "language",
    "word_count",
    "path",
    "snippet",
];

pub fn write(out: &mut dyn Write, results: &SearchResults) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for h in &results.hits {
        w.write_record([
            h.rank.to_string().as_str(),
            &format!("{:.4}", h.score),
            &h.id,
            h.published.as_deref().unwrap_or(""),
            h.source.as_deref().unwrap_or(""),
            &h.title,
            &h.authors.join("; "),
            h.url.as_deref().unwrap_or(""),
            h.section.as_deref().unwrap_or(""),
            h.language.as_deref().unwrap_or(""),
            &h.word_count.to_string(),
            &h.path,
            &h.snippet.text,
        ])?;
    }
    w.flush()
}
