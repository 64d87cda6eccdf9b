//! `newsdex export`: every hit of a query, streamed to CSV, TSV, JSON Lines, JSON, Markdown or a
//! TREC run, with a provenance sidecar (`FILE.meta.json`) that makes the export citable.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::search::{Hit, SearchEngine, SearchRequest};

/// Columns an export can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Id,
    Rank,
    Score,
    Published,
    Source,
    Title,
    Authors,
    Url,
    Path,
    Section,
    Language,
    WordCount,
    Snippet,
    Body,
    /// How many times the query's words (or phrases) occur in the article.
    Matches,
    /// The story's id (the id of the earliest article of its cluster of copies).
    Cluster,
    /// Articles in the cluster (1: no copies).
    Copies,
    /// Earliest publication time in the cluster.
    FirstSeen,
}

impl Column {
    pub const DEFAULT: &[Column] = &[
        Column::Rank,
        Column::Id,
        Column::Published,
        Column::Source,
        Column::Title,
        Column::Authors,
        Column::Url,
        Column::Section,
        Column::WordCount,
        Column::Path,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Rank => "rank",
            Column::Score => "score",
            Column::Published => "published",
            Column::Source => "source",
            Column::Title => "title",
            Column::Authors => "authors",
            Column::Url => "url",
            Column::Path => "path",
            Column::Section => "section",
            Column::Language => "language",
            Column::WordCount => "word_count",
            Column::Snippet => "snippet",
            Column::Body => "body",
            Column::Matches => "matches",
            Column::Cluster => "cluster",
            Column::Copies => "copies",
            Column::FirstSeen => "first_seen",
        }
    }

    /// Parses `--fields id,title,published`.
    pub fn parse_list(spec: &str) -> Result<Vec<Column>> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                ALL.iter()
                    .copied()
                    .find(|c| c.name() == name)
                    .ok_or_else(|| {
                        let names: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
                        Error::Usage(format!(
                            "unknown field `{name}` in --fields: use {}",
                            names.join(", ")
                        ))
                    })
            })
            .collect()
    }

    fn value(self, h: &Hit, body: &str) -> String {
        match self {
            Column::Id => h.id.clone(),
            Column::Rank => h.rank.to_string(),
            Column::Score => format!("{:.4}", h.score),
            Column::Published => h.published.clone().unwrap_or_default(),
            Column::Source => h.source.clone().unwrap_or_default(),
            Column::Title => h.title.clone(),
            Column::Authors => h.authors.join("; "),
            Column::Url => h.url.clone().unwrap_or_default(),
            Column::Path => h.path.clone(),
            Column::Section => h.section.clone().unwrap_or_default(),
            Column::Language => h.language.clone().unwrap_or_default(),
            Column::WordCount => h.word_count.to_string(),
            Column::Snippet => h.snippet.text.clone(),
            Column::Body => body.to_string(),
            Column::Matches => String::new(),
            Column::Cluster => h.cluster.clone(),
            Column::Copies => h.copies.to_string(),
            Column::FirstSeen => h.first_seen.clone().unwrap_or_default(),
        }
    }

    fn json(self, h: &Hit, body: &str) -> serde_json::Value {
        use serde_json::Value;
        let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        match self {
            Column::Rank => Value::from(h.rank),
            Column::Score => Value::from(f64::from(h.score)),
            Column::WordCount => Value::from(h.word_count),
            Column::Authors => Value::from(h.authors.clone()),
            Column::Published => opt(&h.published),
            Column::Source => opt(&h.source),
            Column::Url => opt(&h.url),
            Column::Section => opt(&h.section),
            Column::Language => opt(&h.language),
            Column::Copies => Value::from(h.copies),
            Column::FirstSeen => opt(&h.first_seen),
            other => Value::String(other.value(h, body)),
        }
    }
}

const ALL: &[Column] = &[
    Column::Id,
    Column::Rank,
    Column::Score,
    Column::Published,
    Column::Source,
    Column::Title,
    Column::Authors,
    Column::Url,
    Column::Path,
    Column::Section,
    Column::Language,
    Column::WordCount,
    Column::Snippet,
    Column::Body,
    Column::Matches,
    Column::Cluster,
    Column::Copies,
    Column::FirstSeen,
];

/// Export file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Tsv,
    Jsonl,
    Json,
    Md,
    Trec,
}

/// How to export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub format: ExportFormat,
    pub columns: Vec<Column>,
    /// CSV/TSV for Excel: a UTF-8 BOM, and cells that start with `=`, `+`, `-` or `@` are
    /// prefixed with `'` so a spreadsheet never runs them as formulas.
    pub excel: bool,
    pub run_name: String,
    /// `--kwic N`: one row per occurrence with N words of context.
    pub kwic: Option<usize>,
}

/// A cell Excel would read as a formula gets a leading apostrophe.
pub fn excel_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// One export row: named cells in column order.
type Row = Vec<(&'static str, serde_json::Value)>;

/// Writes rows in one of the export formats; the header comes from the first row.
struct RowWriter<'a> {
    format: ExportFormat,
    excel: bool,
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    rows: u64,
    run_name: String,
    /// Column names, for the header of an export with no rows (a table with a header and no
    /// rows still says what it would have held).
    header: Vec<&'static str>,
}

impl RowWriter<'_> {
    fn cell_text(v: &serde_json::Value) -> String {
        use serde_json::Value;
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().map(Self::cell_text).collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        }
    }

    /// A CSV (or TSV) encoder into `buf`, for one row or the header.
    fn csv_writer(&self, buf: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(if self.format == ExportFormat::Tsv {
                b'\t'
            } else {
                b','
            })
            .buffer_capacity(1024)
            .from_writer(buf)
    }

    fn row(&mut self, row: &Row, docno: &str, rank: usize, score: f32) -> Result<()> {
        let first = self.rows == 0;
        self.rows += 1;
        match self.format {
            ExportFormat::Csv | ExportFormat::Tsv => {
                if first && self.excel {
                    self.out.write_all("\u{feff}".as_bytes())?;
                }
                // Each row is encoded into a reused buffer and handed on at once: memory stays
                // flat however many hits there are.
                let buf = std::mem::take(&mut self.buf);
                let mut w = self.csv_writer(buf);
                if first {
                    w.write_record(row.iter().map(|(k, _)| *k))?;
                }
                let cells = row.iter().map(|(_, v)| Self::cell_text(v));
                if self.excel {
                    w.write_record(cells.map(|c| excel_safe(&c).into_owned()))?;
                } else {
                    w.write_record(cells)?;
                }
                self.buf = w.into_inner().map_err(|e| Error::PlainIo(e.into_error()))?;
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
            ExportFormat::Jsonl | ExportFormat::Json => {
                let obj: serde_json::Map<String, serde_json::Value> = row
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                if self.format == ExportFormat::Json {
                    self.out.write_all(if first { b"[\n" } else { b",\n" })?;
                }
                serde_json::to_writer(&mut *self.out, &obj)?;
                if self.format == ExportFormat::Jsonl {
                    self.out.write_all(b"\n")?;
                }
            }
            ExportFormat::Md => {
                if first {
                    let names: Vec<&str> = row.iter().map(|(k, _)| *k).collect();
                    writeln!(self.out, "| {} |", names.join(" | "))?;
                    writeln!(self.out, "|{}", "---|".repeat(row.len()))?;
                }
                let cells: Vec<String> = row
                    .iter()
                    .map(|(_, v)| {
                        Self::cell_text(v)
                            .replace('|', "\\|")
                            .replace(['\n', '\r'], " ")
                    })
                    .collect();
                writeln!(self.out, "| {} |", cells.join(" | "))?;
            }
            ExportFormat::Trec => {
                let qid = row
                    .iter()
                    .find(|(k, _)| *k == "query")
                    .map_or("1".to_string(), |(_, v)| {
                        Self::cell_text(v).replace(' ', "_")
                    });
                writeln!(
                    self.out,
                    "{qid} Q0 {docno} {rank} {score:.6} {}",
                    self.run_name
                )?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if self.rows == 0 {
            match self.format {
                ExportFormat::Csv | ExportFormat::Tsv => {
                    if self.excel {
                        self.out.write_all("\u{feff}".as_bytes())?;
                    }
                    let mut w = self.csv_writer(Vec::new());
                    w.write_record(&self.header)?;
                    let bytes = w.into_inner().map_err(|e| Error::PlainIo(e.into_error()))?;
                    self.out.write_all(&bytes)?;
                }
                ExportFormat::Md => {
                    writeln!(self.out, "| {} |", self.header.join(" | "))?;
                    writeln!(self.out, "|{}", "---|".repeat(self.header.len()))?;
                }
                _ => {}
            }
        }
        if self.format == ExportFormat::Json {
            self.out
                .write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(())
    }
}

/// One query of an export: a label (the `query` column when several queries are exported) and
/// the request.
pub struct Labelled {
    pub label: Option<String>,
    pub request: SearchRequest,
}

/// Reads a batch of queries: one per line, or `name<TAB>query`; blank lines and `#` comments skipped.
pub fn read_query_batch(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((name, q)) => (name.trim().to_string(), q.trim().to_string()),
            None => (l.trim().to_string(), l.trim().to_string()),
        })
        .collect()
}

/// How many hits [`export`] will write for `queries`, known before it starts (for a progress
/// bar's total): each query's `total_hits`, as `search` counts them.
pub fn hit_count(engine: &dyn SearchEngine, queries: &[Labelled]) -> Result<u64> {
    let mut n = 0;
    for q in queries {
        let mut req = q.request.clone();
        req.limit = 1;
        req.offset = 0;
        req.snippets = false;
        n += engine.search(&req)?.total_hits as u64;
    }
    Ok(n)
}

/// Streams every hit of every query to `out`; `progress` is told how many hits are written.
/// With `kwic`, a row is one occurrence of the query's words (a phrase is one occurrence), with
/// that many words of context on each side.
pub fn export(
    engine: &dyn SearchEngine,
    queries: &[Labelled],
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<usize> {
    let mut w = RowWriter {
        format: opts.format,
        excel: opts.excel,
        out,
        buf: Vec::new(),
        rows: 0,
        run_name: opts.run_name.clone(),
        header: Vec::new(),
    };
    if queries.iter().any(|q| q.label.is_some()) {
        w.header.push("query");
    }
    w.header.extend(opts.columns.iter().map(|c| c.name()));
    if opts.kwic.is_some() {
        w.header.extend(["left", "match", "right", "offset"]);
    }
    let need_matches = opts.kwic.is_some() || opts.columns.contains(&Column::Matches);
    let mut total = 0;
    let mut written = 0u64;
    for q in queries {
        let mut req = q.request.clone();
        req.snippets = opts.columns.contains(&Column::Snippet);
        let matcher = if need_matches {
            Some(engine.matcher(&req)?)
        } else {
            None
        };
        total += engine.for_each_hit(&req, &mut |h, body| {
            let occurrences = matcher
                .as_ref()
                .map(|m| m.find(body, h.language.as_deref()))
                .unwrap_or_default();
            let mut base: Row = Vec::with_capacity(opts.columns.len() + 5);
            if let Some(label) = &q.label {
                base.push(("query", serde_json::Value::String(label.clone())));
            }
            for c in &opts.columns {
                let v = match c {
                    Column::Matches => serde_json::Value::from(occurrences.len()),
                    other => other.json(h, body),
                };
                base.push((c.name(), v));
            }
            let docno = h.docno.as_deref().unwrap_or(&h.id);
            match opts.kwic {
                None => w.row(&base, docno, h.rank, h.score)?,
                Some(n) => {
                    for c in crate::search::kwic::contexts(body, &occurrences, n) {
                        let mut row = base.clone();
                        row.push(("left", serde_json::Value::String(c.left)));
                        row.push(("match", serde_json::Value::String(c.matched)));
                        row.push(("right", serde_json::Value::String(c.right)));
                        row.push(("offset", serde_json::Value::from(c.char_offset)));
                        w.row(&row, docno, h.rank, h.score)?;
                    }
                }
            }
            written += 1;
            progress(written);
            Ok(())
        })?;
    }
    w.finish()?;
    Ok(total)
}

/// What an export was, so it can be reproduced and cited (`FILE.meta.json`).
#[derive(Debug, Serialize)]
pub struct Provenance<'a> {
    pub newsdex_version: &'static str,
    pub exported_at: String,
    /// The queries, as typed and as newsdex understood them (tantivy's query tree).
    pub queries: Vec<ProvenanceQuery>,
    /// Filters, sort and reading options (the first query's; they are the same for all).
    pub request: &'a SearchRequest,
    pub kwic: Option<usize>,
    pub format: ExportFormat,
    pub fields: Vec<&'static str>,
    pub hits: usize,
    pub index: IndexFingerprint,
}

/// One exported query.
#[derive(Debug, Serialize)]
pub struct ProvenanceQuery {
    pub label: Option<String>,
    pub query: String,
    pub parsed: String,
}

/// Identifies the state of the index an export came from.
#[derive(Debug, Serialize)]
pub struct IndexFingerprint {
    pub path: String,
    pub articles: u64,
    /// Opstamp of the last commit.
    pub last_commit: u64,
    pub segments: Vec<String>,
    /// Estimated shingle Jaccard at which two articles count as copies of one story (clusters,
    /// `copies`, `--collapse`), when the engine has clusters.
    pub near_copy_threshold: Option<f32>,
}

impl Provenance<'_> {
    pub fn new<'a>(
        engine: &dyn SearchEngine,
        queries: &'a [Labelled],
        opts: &ExportOptions,
        hits: usize,
    ) -> Result<Provenance<'a>> {
        let req = &queries
            .first()
            .ok_or_else(|| Error::Usage("no query to export".into()))?
            .request;
        let info = engine.info()?;
        Ok(Provenance {
            newsdex_version: env!("CARGO_PKG_VERSION"),
            exported_at: crate::ingest::article::format_rfc3339(time::OffsetDateTime::now_utc()),
            queries: queries
                .iter()
                .map(|q| {
                    Ok(ProvenanceQuery {
                        label: q.label.clone(),
                        query: q.request.query.clone(),
                        parsed: engine.describe_query(&q.request)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            request: req,
            kwic: opts.kwic,
            format: opts.format,
            fields: opts.columns.iter().map(|c| c.name()).collect(),
            hits,
            index: IndexFingerprint {
                path: info.location,
                articles: info.articles,
                last_commit: info.last_commit,
                segments: info.segments,
                near_copy_threshold: info.near_copy_threshold,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(excel_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(excel_safe("-5 dead"), "'-5 dead");
        assert_eq!(excel_safe("@user"), "'@user");
        assert_eq!(excel_safe("Plain title"), "Plain title");
    }

    #[test]
    fn field_lists() {
        assert_eq!(
            Column::parse_list("id, title,published").unwrap(),
            [Column::Id, Column::Title, Column::Published]
        );
        assert!(Column::parse_list("id,headline").is_err());
    }
}
