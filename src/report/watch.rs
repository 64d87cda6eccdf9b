//! `newsdex watch`: a saved set of queries, run after each `newsdex index`, reporting only the hits
//! that are new since the last watch. The checkpoint (which articles each query has already
//! shown, and the latest new hits for a feed) lives in the index folder, one file per queries
//! file, so several watch lists can follow one index. No server: cron does the scheduling.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::article::format_rfc3339;
use crate::output::sanitize::for_terminal as safe;
use crate::search::{SearchEngine, SearchRequest, SortOrder};

/// How many of the latest new hits a feed keeps (a reader that polls less often than cron runs
/// still sees them).
pub const FEED_ITEMS: usize = 200;

/// One new hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchHit {
    /// The query's name (the query itself when the file gives no name).
    pub query: String,
    /// When this watch found it (RFC 3339, UTC).
    pub found: String,
    pub id: String,
    pub published: Option<String>,
    pub source: Option<String>,
    pub title: String,
    pub url: Option<String>,
    pub path: String,
    pub cluster: String,
    pub copies: u32,
    pub snippet: String,
}

/// What the last watches saw, for one queries file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The queries file (absolute) this checkpoint belongs to.
    pub queries_file: String,
    /// When the last watch ran.
    pub last_run: Option<String>,
    pub runs: u64,
    /// Per query name: the ids of every article it has shown.
    pub seen: BTreeMap<String, BTreeSet<String>>,
    /// The latest new hits, newest first (for feeds).
    pub recent: Vec<WatchHit>,
}

impl Checkpoint {
    /// Where the checkpoint of `queries_file` lives in the index folder `index_dir`.
    pub fn path(index_dir: &Path, queries_file: &Path) -> PathBuf {
        let abs = std::fs::canonicalize(queries_file).unwrap_or_else(|_| queries_file.into());
        let h = xxhash_rust::xxh3::xxh3_64(abs.to_string_lossy().as_bytes());
        index_dir.join(format!("watch-{h:016x}.json"))
    }

    /// The checkpoint at `path`; an empty one when there is none yet. A damaged file is an
    /// error (not silently a first run that would show every hit again).
    pub fn load(path: &Path) -> Result<Checkpoint> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                Error::Usage(format!(
                    "the watch checkpoint {} cannot be read ({e}): delete it to start over (the next watch then shows every hit once)",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Checkpoint::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the checkpoint atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(self)?;
        std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }
}

/// Runs every `(name, request)` and returns the hits not seen by an earlier watch, recording
/// them in `cp` (newest first per query, in query order).
pub fn watch(
    engine: &dyn SearchEngine,
    queries: &[(String, SearchRequest)],
    cp: &mut Checkpoint,
) -> Result<Vec<WatchHit>> {
    let now = format_rfc3339(time::OffsetDateTime::now_utc());
    let mut new = Vec::new();
    for (name, req) in queries {
        let mut req = req.clone();
        req.sort = SortOrder::Newest;
        req.collapse = false;
        let seen = cp.seen.entry(name.clone()).or_default();
        engine.for_each_hit(&req, &mut |h, _| {
            if !seen.contains(&h.id) {
                new.push(WatchHit {
                    query: name.clone(),
                    found: now.clone(),
                    id: h.id.clone(),
                    published: h.published.clone(),
                    source: h.source.clone(),
                    title: h.title.clone(),
                    url: h.url.clone(),
                    path: h.path.clone(),
                    cluster: h.cluster.clone(),
                    copies: h.copies,
                    snippet: h.snippet.text.clone(),
                });
            }
            Ok(())
        })?;
        for h in new.iter().filter(|h| &h.query == name) {
            seen.insert(h.id.clone());
        }
    }
    cp.runs += 1;
    cp.last_run = Some(now);
    let mut recent = new.clone();
    recent.append(&mut cp.recent);
    recent.truncate(FEED_ITEMS);
    cp.recent = recent;
    Ok(new)
}

/// Output formats of `watch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchFormat {
    Text,
    Jsonl,
    Csv,
    Rss,
    Atom,
}

const COLUMNS: [&str; 10] = [
    "query",
    "found",
    "published",
    "source",
    "title",
    "url",
    "cluster",
    "copies",
    "id",
    "path",
];

/// Writes the new hits (text, JSON Lines, CSV) or the feed of the latest ones (RSS, Atom).
pub fn write(
    out: &mut dyn Write,
    new: &[WatchHit],
    cp: &Checkpoint,
    title: &str,
    format: WatchFormat,
) -> Result<()> {
    match format {
        WatchFormat::Text => {
            if new.is_empty() {
                writeln!(out, "no new hits")?;
            }
            let mut last = None;
            for h in new {
                if last != Some(&h.query) {
                    let n = new.iter().filter(|x| x.query == h.query).count();
                    writeln!(out, "{}: {n} new", safe(&h.query))?;
                    last = Some(&h.query);
                }
                let date = h
                    .published
                    .as_deref()
                    .map_or("undated", |p| p.get(..10).unwrap_or(p));
                let copies = if h.copies > 1 {
                    format!("  (+{} copies)", h.copies - 1)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "  {}  {}  {}{copies}",
                    safe(date),
                    safe(h.source.as_deref().unwrap_or("unknown outlet")),
                    safe(&h.title)
                )?;
                writeln!(out, "      {}", safe(h.url.as_deref().unwrap_or(&h.path)))?;
            }
        }
        WatchFormat::Jsonl => {
            for h in new {
                serde_json::to_writer(&mut *out, h)?;
                out.write_all(b"\n")?;
            }
        }
        WatchFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(COLUMNS)?;
            for h in new {
                w.write_record([
                    h.query.as_str(),
                    &h.found,
                    h.published.as_deref().unwrap_or(""),
                    h.source.as_deref().unwrap_or(""),
                    &h.title,
                    h.url.as_deref().unwrap_or(""),
                    &h.cluster,
                    &h.copies.to_string(),
                    &h.id,
                    &h.path,
                ])?;
            }
            w.flush()?;
        }
        WatchFormat::Rss => write_rss(out, cp, title)?,
        WatchFormat::Atom => write_atom(out, cp, title)?,
    }
    out.flush()?;
    Ok(())
}

/// Escapes text for XML, dropping characters XML 1.0 does not allow.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A link for an item: its URL, else its file.
fn link(h: &WatchHit) -> String {
    h.url
        .clone()
        .unwrap_or_else(|| format!("file://{}", h.path))
}

fn rfc2822(rfc3339: &str) -> Option<String> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    t.format(&time::format_description::well_known::Rfc2822)
        .ok()
}

fn write_rss(out: &mut dyn Write, cp: &Checkpoint, title: &str) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<rss version="2.0"><channel>"#)?;
    writeln!(out, "<title>{}</title>", xml_escape(title))?;
    writeln!(out, "<link>file://{}</link>", xml_escape(&cp.queries_file))?;
    writeln!(
        out,
        "<description>New hits of the queries in {}</description>",
        xml_escape(&cp.queries_file)
    )?;
    if let Some(d) = cp.last_run.as_deref().and_then(rfc2822) {
        writeln!(out, "<lastBuildDate>{d}</lastBuildDate>")?;
    }
    for h in &cp.recent {
        writeln!(out, "<item>")?;
        writeln!(
            out,
            "<title>{}</title>",
            xml_escape(&format!("[{}] {}", h.query, h.title))
        )?;
        writeln!(out, "<link>{}</link>", xml_escape(&link(h)))?;
        writeln!(
            out,
            r#"<guid isPermaLink="false">newsdex:{}:{}</guid>"#,
            xml_escape(&h.query),
            h.id
        )?;
        if let Some(d) = h.published.as_deref().and_then(rfc2822) {
            writeln!(out, "<pubDate>{d}</pubDate>")?;
        }
        if let Some(s) = &h.source {
            writeln!(out, "<category>{}</category>", xml_escape(s))?;
        }
        writeln!(out, "<description>{}</description>", xml_escape(&h.snippet))?;
        writeln!(out, "</item>")?;
    }
    writeln!(out, "</channel></rss>")
}

fn write_atom(out: &mut dyn Write, cp: &Checkpoint, title: &str) -> std::io::Result<()> {
    let updated = cp
        .last_run
        .clone()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<feed xmlns="http://www.w3.org/2005/Atom">"#)?;
    writeln!(out, "<title>{}</title>", xml_escape(title))?;
    writeln!(
        out,
        "<id>urn:newsdex:watch:{:016x}</id>",
        xxhash_rust::xxh3::xxh3_64(cp.queries_file.as_bytes())
    )?;
    writeln!(out, "<updated>{updated}</updated>")?;
    writeln!(out, "<author><name>newsdex watch</name></author>")?;
    for h in &cp.recent {
        writeln!(out, "<entry>")?;
        writeln!(
            out,
            "<title>{}</title>",
            xml_escape(&format!("[{}] {}", h.query, h.title))
        )?;
        writeln!(out, r#"<link href="{}"/>"#, xml_escape(&link(h)))?;
        writeln!(
            out,
            "<id>urn:newsdex:{:016x}:{}</id>",
            xxhash_rust::xxh3::xxh3_64(h.query.as_bytes()),
            h.id
        )?;
        writeln!(
            out,
            "<updated>{}</updated>",
            h.published.as_deref().unwrap_or(&h.found)
        )?;
        if let Some(s) = &h.source {
            writeln!(out, r#"<category term="{}"/>"#, xml_escape(s))?;
        }
        writeln!(out, "<summary>{}</summary>", xml_escape(&h.snippet))?;
        writeln!(out, "</entry>")?;
    }
    writeln!(out, "</feed>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_handles_markup_and_controls() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1b}[31m"),
            "a&lt;b&gt;&amp;&quot;c&apos;[31m"
        );
    }
}
