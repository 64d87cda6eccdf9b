//! The JSON API. Each endpoint is a command line command over HTTP and answers with the same
//! JSON the command writes with `--format json` (written by the same code): `/api/search` is
//! `search --format json`, `/api/count` is `count --format json`, `/api/stats` is
//! `stats --format json`, `/api/export` streams what `export` writes and `/api/export/meta` is its
//! `.meta.json`. What the page needs beyond the commands (facets, KWIC rows for a page of hits,
//! the positions of matches in an article) has endpoints of its own.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State as StateOf};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::{OutputFormat, TextStyle, TrecRun, write_results};
use crate::report::count::{Bucketing, CountTable, NONE_BUCKET, count as count_table};
use crate::report::export::{
    Column, ExportFormat, ExportOptions, Labelled, Provenance, export as write_export,
};
use crate::search::TallyBy;
use crate::serve::params::Params;
use crate::serve::{ApiError, State};

type St = StateOf<Arc<State>>;
type Answer = std::result::Result<Response, ApiError>;

/// Most KWIC rows one request returns.
const MAX_KWIC_ROWS: usize = 2000;
/// Most values per facet.
const MAX_FACET_VALUES: usize = 100;

fn json(body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(value)?;
    out.push(b'\n');
    Ok(out)
}

/// `GET /api/search`: one page of hits, as `newsdex search --format json` prints it.
pub(crate) async fn search(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let mut req = p.request()?;
    req.limit = p.number("limit", 10, st.opts.max_page)?;
    req.offset = p.number("offset", 0, st.opts.max_offset)?;
    let body = st
        .blocking(move |e| {
            let mut out = Vec::new();
            // `limit=0`: only the number of hits (and whether the query was relaxed).
            let mut ask = req.clone();
            ask.limit = req.limit.max(1);
            let mut results = e.search(&ask)?;
            results.hits.truncate(req.limit);
            write_results(&mut out, &req, &results, OutputFormat::Json, &PLAIN, &TREC)?;
            Ok(out)
        })
        .await?;
    Ok(json(body))
}

const PLAIN: TextStyle = TextStyle { color: false };
const TREC: TrecRun = TrecRun {
    qid: String::new(),
    run_name: String::new(),
};

fn bucketing(name: &str) -> std::result::Result<Bucketing, ApiError> {
    name.parse()
        .map_err(|e: String| ApiError::bad_request(format!("`by={name}`: {e}")))
}

/// `GET /api/count`: matches over time or by outlet, as `newsdex count --format json` prints it.
/// Several `q` are counted side by side.
pub(crate) async fn count(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let queries = p.all("q");
    if queries.is_empty() {
        return Err(ApiError::bad_request(
            "no query: add q=WORDS to the address",
        ));
    }
    let requests = queries
        .into_iter()
        .map(|q| p.request_for(q))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let by = bucketing(p.get("by").unwrap_or("month"))?;
    let share = p.flag("share")?;
    let body = st
        .blocking(move |e| {
            // Written by the same code as `newsdex count --format json`.
            let table = count_table(e, &requests, by, share)?;
            let mut out = Vec::new();
            crate::output::count::write(&mut out, &table, crate::output::count::CountFormat::Json)?;
            Ok(out)
        })
        .await?;
    Ok(json(body))
}

#[derive(Serialize)]
struct FacetValue {
    value: String,
    count: u64,
}

#[derive(Serialize)]
struct Facets {
    total_hits: u64,
    source: Vec<FacetValue>,
    section: Vec<FacetValue>,
    author: Vec<FacetValue>,
    language: Vec<FacetValue>,
}

/// `GET /api/facets`: the hits counted by outlet, section, author and language (most first, at
/// most `limit` values each), from the same counts as `newsdex count --by source`.
pub(crate) async fn facets(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let req = p.request()?;
    let limit = p.number("limit", 12, MAX_FACET_VALUES)?;
    let body = st
        .blocking(move |e| {
            let requests = [req];
            let top = |by| -> Result<(u64, Vec<FacetValue>)> {
                let t: CountTable = count_table(e, &requests, by, false)?;
                let values = t
                    .rows
                    .into_iter()
                    // Articles without a value are not a value one can filter on.
                    .filter(|r| r.bucket != NONE_BUCKET)
                    .take(limit)
                    .map(|r| FacetValue {
                        value: r.bucket,
                        count: r.counts.first().copied().unwrap_or(0),
                    })
                    .collect();
                Ok((t.totals.first().copied().unwrap_or(0), values))
            };
            let (total_hits, source) = top(Bucketing::Source)?;
            to_json(&Facets {
                total_hits,
                source,
                section: top(Bucketing::Section)?.1,
                author: top(Bucketing::Author)?.1,
                language: top(Bucketing::Language)?.1,
            })
        })
        .await?;
    Ok(json(body))
}

/// An article id: 16 hexadecimal digits as hits carry them, or the collection's own id
/// (`docno`), as `newsdex show` takes it. It is only ever looked up as a term, never parsed or
/// used as a path; this refuses what cannot be either.
fn check_id(id: &str) -> std::result::Result<(), ApiError> {
    if !id.is_empty() && id.len() <= 256 && !id.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "`{}` is not an article id: ids are 16 hexadecimal digits, as in search results",
            id.chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect::<String>()
        )))
    }
}

fn not_found_article(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no article with id {:?} in the index (it may have been re-indexed under a new id)",
            id.chars().take(40).collect::<String>()
        ),
    )
}

/// `GET /api/article/<id>`: one article, whole, as `newsdex show --format json` prints it.
pub(crate) async fn article(StateOf(st): St, Path(id): Path<String>) -> Answer {
    check_id(&id)?;
    let id2 = id.clone();
    let found = st
        .blocking(move |e| {
            let Some(a) = e.article(&id2)? else {
                return Ok(None);
            };
            let mut out = Vec::new();
            crate::output::article::write_json(&mut out, &a)?;
            Ok(Some(out))
        })
        .await?;
    Ok(json(found.ok_or_else(|| not_found_article(&id))?))
}

/// Byte ranges of `text` as `[start, end)` character offsets.
fn char_ranges(text: &str, spans: impl Iterator<Item = (usize, usize)>) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let (mut byte, mut chars) = (0, 0);
    for (s, e) in spans {
        chars += text[byte..s].chars().count();
        let start = chars;
        chars += text[s..e].chars().count();
        byte = e;
        out.push([start, chars]);
    }
    out
}

#[derive(Serialize)]
struct Matches {
    id: String,
    /// `[start, end)` character offsets of every occurrence of the query in the title.
    title: Vec<[usize; 2]>,
    /// The same in the body.
    body: Vec<[usize; 2]>,
}

/// `GET /api/matches/<id>?q=...`: where the query occurs in the article (every occurrence, as
/// export's `matches` column and KWIC count them), for the page to mark.
pub(crate) async fn matches(
    StateOf(st): St,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_id(&id)?;
    let req = Params::parse(raw.as_deref())?.request()?;
    let id2 = id.clone();
    let found = st
        .blocking(move |e| {
            let Some(a) = e.article(&id2)? else {
                return Ok(None);
            };
            let m = e.matcher(&req)?;
            let spans = |t: &str| {
                char_ranges(
                    t,
                    m.find(t, a.language.as_deref())
                        .into_iter()
                        .map(|o| (o.start, o.end)),
                )
            };
            Ok(Some(Matches {
                title: spans(&a.title),
                body: spans(&a.body),
                id: a.id,
            }))
        })
        .await?;
    let m = found.ok_or_else(|| not_found_article(&id))?;
    Ok(json(to_json(&m)?))
}

#[derive(Serialize)]
struct KwicRow {
    id: String,
    rank: usize,
    title: String,
    published: Option<String>,
    source: Option<String>,
    left: String,
    #[serde(rename = "match")]
    matched: String,
    right: String,
    /// Characters before the match in the body.
    offset: usize,
}

#[derive(Serialize)]
struct Kwic {
    total_hits: usize,
    /// Hits of this page that the rows come from.
    articles: usize,
    /// True when the page had more occurrences than one answer holds.
    truncated: bool,
    rows: Vec<KwicRow>,
}

/// `GET /api/kwic`: every occurrence of the query in one page of hits (`limit`, `offset`), with
/// `width` words of context each side: the rows `export --kwic` writes for those hits.
pub(crate) async fn kwic(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let mut req = p.request()?;
    req.limit = p.number("limit", 20, st.opts.max_page)?.max(1);
    req.offset = p.number("offset", 0, st.opts.max_offset)?;
    req.snippets = false;
    let width = p.number("width", 8, 50)?;
    let body = st
        .blocking(move |e| {
            let results = e.search(&req)?;
            let m = e.matcher(&req)?;
            let mut rows = Vec::new();
            let mut truncated = false;
            'hits: for h in &results.hits {
                let Some(a) = e.article(&h.id)? else {
                    continue;
                };
                let body = a.body;
                for occ in m.find(&body, h.language.as_deref()) {
                    if rows.len() == MAX_KWIC_ROWS {
                        truncated = true;
                        break 'hits;
                    }
                    let c = crate::search::kwic::context(&body, &occ, width);
                    rows.push(KwicRow {
                        id: h.id.clone(),
                        rank: h.rank,
                        title: h.title.clone(),
                        published: h.published.clone(),
                        source: h.source.clone(),
                        left: c.left,
                        matched: c.matched,
                        right: c.right,
                        offset: c.char_offset,
                    });
                }
            }
            to_json(&Kwic {
                total_hits: results.total_hits,
                articles: results.hits.len(),
                truncated,
                rows,
            })
        })
        .await?;
    Ok(json(body))
}

/// `GET /api/stats`: what is in the index, as `newsdex stats --format json` prints it.
pub(crate) async fn stats(StateOf(st): St) -> Answer {
    let body = st
        .blocking(|e| to_json(&crate::report::stats::stats(e)?))
        .await?;
    Ok(json(body))
}

/// The export a query string asks for: the query (with its filters) and the options.
fn export_request(p: &Params) -> std::result::Result<(Vec<Labelled>, ExportOptions), ApiError> {
    let request = p.request()?;
    let format = match p.get("format").unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "tsv" => ExportFormat::Tsv,
        "jsonl" => ExportFormat::Jsonl,
        "json" => ExportFormat::Json,
        "md" => ExportFormat::Md,
        other => {
            return Err(ApiError::bad_request(format!(
                "`format={other}`: use csv, tsv, jsonl, json or md"
            )));
        }
    };
    let columns = match p.get("fields") {
        Some(list) => Column::parse_list(list)?,
        None => Column::DEFAULT.to_vec(),
    };
    let kwic = match p.get("kwic") {
        Some(_) => Some(p.number("kwic", 0, 1000)?),
        None => None,
    };
    Ok((
        vec![Labelled {
            label: None,
            request,
        }],
        ExportOptions {
            format,
            columns,
            excel: p.flag("excel")?,
            run_name: "newsdex".into(),
            kwic,
        },
    ))
}

fn extension(f: ExportFormat) -> (&'static str, &'static str) {
    match f {
        ExportFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        ExportFormat::Tsv => ("tsv", "text/tab-separated-values; charset=utf-8"),
        ExportFormat::Jsonl => ("jsonl", "application/x-ndjson"),
        ExportFormat::Json => ("json", "application/json"),
        ExportFormat::Md => ("md", "text/markdown; charset=utf-8"),
        ExportFormat::Trec => ("txt", "text/plain; charset=utf-8"),
    }
}

/// A `Write` that hands the export to the response in chunks; it fails (and so stops the
/// export) when the client has gone away.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// `GET /api/export?q=...&format=csv|tsv|jsonl|json|md[&fields=...&kwic=N&excel=true]`: every
/// hit, streamed as `newsdex export` writes it (no page or time limit). A bad query is refused
/// with 400 before anything is sent.
pub(crate) async fn export(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let (queries, opts) = export_request(&p)?;
    // Check the query now, while an error can still be an HTTP status.
    let check = queries[0].request.clone();
    st.blocking(move |e| e.describe_query(&check)).await?;
    let (ext, content_type) = extension(opts.format);
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    let state = Arc::clone(&st);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let done = write_export(&*state.engine, &queries, &opts, &mut w, &mut |_| {})
            .and_then(|_| std::io::Write::flush(&mut w).map_err(Error::from));
        if let Err(e) = done
            && !e.is_broken_pipe()
        {
            // Ends the response abnormally: the client sees a failed download, never a short
            // file that looks whole.
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"newsdex-export.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// `GET /api/export/meta?...`: the provenance of the export with the same parameters (what
/// `newsdex export -o FILE` writes to `FILE.meta.json`).
pub(crate) async fn export_meta(StateOf(st): St, RawQuery(raw): RawQuery) -> Answer {
    let p = Params::parse(raw.as_deref())?;
    let (queries, opts) = export_request(&p)?;
    let body = st
        .blocking(move |e| {
            let hits = e.tally(Some(&queries[0].request), TallyBy::Day)?.0 as usize;
            to_json(&Provenance::new(e, &queries, &opts, hits)?)
        })
        .await?;
    Ok(json(body))
}

/// Any other `/api/...` address.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such API endpoint: use /api/search, /api/count, /api/facets, /api/kwic, \
         /api/article/ID, /api/matches/ID, /api/export, /api/export/meta or /api/stats",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_offsets() {
        assert!(check_id("0123456789abcdef").is_ok());
        assert!(check_id("REUTERS-1987-0042").is_ok());
        let long = "x".repeat(300);
        for bad in ["", "a\u{0}b", "a\nb", long.as_str()] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
        let t = "Peña said peña";
        assert_eq!(
            char_ranges(t, [(0, 5), (11, 16)].into_iter()),
            [[0, 4], [10, 14]]
        );
    }
}
