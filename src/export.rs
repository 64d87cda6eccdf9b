//! `newsdex export`: every hit of a query, streamed to CSV, TSV, JSON Lines, JSON, Markdown or a
//! TREC run, with a provenance sidecar (`FILE.meta.json`) that makes the export citable.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::search::{Engine, Hit, SearchRequest};

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
}

/// A cell Excel would read as a formula gets a leading apostrophe.
pub fn excel_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Streams every hit of `req` to `out`; `progress` is told (done, total) as hits are written.
pub fn export(
    engine: &Engine,
    req: &SearchRequest,
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<usize> {
    let mut req = req.clone();
    req.snippets = opts.columns.contains(&Column::Snippet);
    let cols = &opts.columns;
    let mut n = 0u64;
    match opts.format {
        ExportFormat::Csv | ExportFormat::Tsv => {
            if opts.excel {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut w = csv::WriterBuilder::new()
                .delimiter(if opts.format == ExportFormat::Tsv {
                    b'\t'
                } else {
                    b','
                })
                .from_writer(out);
            w.write_record(cols.iter().map(|c| c.name()))?;
            let total = engine.for_each_hit(&req, |h, body| {
                let cells: Vec<String> = cols.iter().map(|c| c.value(h, body)).collect();
                if opts.excel {
                    w.write_record(cells.iter().map(|c| excel_safe(c).into_owned()))?;
                } else {
                    w.write_record(&cells)?;
                }
                n += 1;
                progress(n);
                Ok(())
            })?;
            w.flush()?;
            Ok(total)
        }
        ExportFormat::Jsonl | ExportFormat::Json => {
            let array = opts.format == ExportFormat::Json;
            if array {
                out.write_all(b"[\n")?;
            }
            let total = engine.for_each_hit(&req, |h, body| {
                let obj: serde_json::Map<String, serde_json::Value> = cols
                    .iter()
                    .map(|c| (c.name().to_string(), c.json(h, body)))
                    .collect();
                if array && n > 0 {
                    out.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut *out, &obj)?;
                if !array {
                    out.write_all(b"\n")?;
                }
                n += 1;
                progress(n);
                Ok(())
            })?;
            if array {
                out.write_all(b"\n]\n")?;
            }
            out.flush()?;
            Ok(total)
        }
        ExportFormat::Md => {
            let header: Vec<&str> = cols.iter().map(|c| c.name()).collect();
            writeln!(out, "| {} |", header.join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(cols.len()))?;
            let total = engine.for_each_hit(&req, |h, body| {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        c.value(h, body)
                            .replace('|', "\\|")
                            .replace(['\n', '\r'], " ")
                    })
                    .collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
                n += 1;
                progress(n);
                Ok(())
            })?;
            out.flush()?;
            Ok(total)
        }
        ExportFormat::Trec => {
            let total = engine.for_each_hit(&req, |h, _| {
                let docno = h.docno.as_deref().unwrap_or(&h.id);
                writeln!(
                    out,
                    "1 Q0 {docno} {} {:.6} {}",
                    h.rank, h.score, opts.run_name
                )?;
                n += 1;
                progress(n);
                Ok(())
            })?;
            out.flush()?;
            Ok(total)
        }
    }
}

/// What an export was, so it can be reproduced and cited (`FILE.meta.json`).
#[derive(Debug, Serialize)]
pub struct Provenance<'a> {
    pub newsdex_version: &'static str,
    pub exported_at: String,
    pub query: &'a str,
    /// The query as newsdex understood it (tantivy's query tree).
    pub parsed_query: String,
    pub request: &'a SearchRequest,
    pub format: ExportFormat,
    pub fields: Vec<&'static str>,
    pub hits: usize,
    pub index: IndexFingerprint,
}

/// Identifies the state of the index an export came from.
#[derive(Debug, Serialize)]
pub struct IndexFingerprint {
    pub path: String,
    pub articles: u64,
    /// Opstamp of the last commit.
    pub last_commit: u64,
    pub segments: Vec<String>,
}

impl Provenance<'_> {
    pub fn new<'a>(
        engine: &Engine,
        req: &'a SearchRequest,
        opts: &ExportOptions,
        hits: usize,
    ) -> Result<Provenance<'a>> {
        let searcher = engine.searcher();
        let metas = engine.index().load_metas()?;
        Ok(Provenance {
            newsdex_version: env!("CARGO_PKG_VERSION"),
            exported_at: crate::article::format_rfc3339(time::OffsetDateTime::now_utc()),
            query: &req.query,
            parsed_query: format!("{:?}", engine.build_query(req)?),
            request: req,
            format: opts.format,
            fields: opts.columns.iter().map(|c| c.name()).collect(),
            hits,
            index: IndexFingerprint {
                path: engine.path().display().to_string(),
                articles: searcher.num_docs(),
                last_commit: metas.opstamp,
                segments: metas
                    .segments
                    .iter()
                    .map(|s| s.id().uuid_string())
                    .collect(),
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
