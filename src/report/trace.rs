//! `newsdex trace`: the dated chain of a quotation's appearances. The earliest article first, then
//! each outlet's first appearance, each with its story (cluster of copies), the sentence that
//! carries the quotation, and whether the wording there is the query's own (exact) or differs
//! (matched only through stems: "said" for "says", "migrants" for "migrant").

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::error::Result;
use crate::output::sanitize::for_terminal as safe;
use crate::search::{Hit, SearchEngine, SearchRequest, SortOrder};

/// One appearance in the chain.
#[derive(Clone, Debug, Serialize)]
pub struct Appearance {
    /// 1 = the earliest article.
    pub step: usize,
    /// `first` for the earliest article, `outlet-first` for an outlet's first appearance.
    pub role: &'static str,
    pub published: Option<String>,
    pub source: Option<String>,
    pub title: String,
    pub id: String,
    pub path: String,
    pub url: Option<String>,
    /// The story it belongs to (the id of the earliest article of its cluster of copies).
    pub cluster: String,
    pub copies: u32,
    /// True when it is a copy of the earliest article's story.
    pub same_story_as_first: bool,
    /// `exact` when the body has the query's words in the query's form, `stemmed` otherwise.
    pub wording: &'static str,
    /// The sentence that carries the quotation (keyword in context).
    pub sentence: String,
}

/// The chain for one query.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    pub query: String,
    /// Articles that match.
    pub articles: usize,
    /// Outlets among them.
    pub outlets: usize,
    pub chain: Vec<Appearance>,
}

/// A quotation given without quotes is searched as one phrase.
pub fn phrase_query(q: &str) -> String {
    let q = q.trim();
    if q.contains('"') || q.split_whitespace().count() < 2 {
        q.to_string()
    } else {
        format!("\"{}\"", q.replace(['“', '”'], ""))
    }
}

/// Sort key: dated before undated, then time, then id (deterministic).
fn when(h: &Hit) -> (bool, String, String) {
    (
        h.published.is_none(),
        h.published.clone().unwrap_or_default(),
        h.id.clone(),
    )
}

/// An article the chain may show: the hit, the body's sentence with the match, and whether the
/// query's words appear there as typed (`exact`) or only as stems (`stemmed`).
type Seen = (Hit, String, &'static str);

/// Builds the chain for `req` (sorted oldest first whatever `req.sort` says).
pub fn trace(engine: &dyn SearchEngine, req: &SearchRequest) -> Result<Trace> {
    let mut req = req.clone();
    req.sort = SortOrder::Oldest;
    req.collapse = false;
    req.snippets = false;
    let matcher = engine.matcher(&req)?;
    let wanted = words(&req.query.replace('"', " "));
    // Per outlet, its earliest article, with the body's sentence and wording.
    let mut first: BTreeMap<String, Seen> = BTreeMap::new();
    let mut earliest: Option<Seen> = None;
    let mut articles = 0;
    engine.for_each_hit(&req, &mut |hit, body| {
        articles += 1;
        let outlet = hit.source.clone().unwrap_or_default().to_lowercase();
        let better = |old: &Option<&Seen>| old.is_none_or(|(o, _, _)| when(hit) < when(o));
        let for_outlet = better(&first.get(&outlet));
        let overall = better(&earliest.as_ref());
        if !for_outlet && !overall {
            return Ok(());
        }
        let (sentence, wording) = sentence_and_wording(&matcher, hit, body, &wanted);
        let entry = (hit.clone(), sentence, wording);
        if overall {
            earliest = Some(entry.clone());
        }
        if for_outlet {
            first.insert(outlet, entry);
        }
        Ok(())
    })?;
    let outlets = first.len();
    Ok(Trace {
        query: req.query.clone(),
        articles,
        outlets,
        chain: chain(earliest, first),
    })
}

/// The body's sentence around the first match and its wording (the headline when only the
/// headline matched).
fn sentence_and_wording(
    matcher: &crate::search::kwic::Matcher,
    hit: &Hit,
    body: &str,
    wanted: &[String],
) -> (String, &'static str) {
    let occ = matcher.find(body, hit.language.as_deref());
    let Some(o) = occ.first() else {
        return (hit.title.clone(), "exact");
    };
    let exact = occ
        .iter()
        .any(|o| words(&body[o.start..o.end]) == wanted || wanted.is_empty());
    (
        sentence_around(body, o.start, o.end),
        if exact { "exact" } else { "stemmed" },
    )
}

/// The earliest article, then every other outlet's earliest, oldest first.
fn chain(earliest: Option<Seen>, first: BTreeMap<String, Seen>) -> Vec<Appearance> {
    let mut chain = Vec::new();
    let Some(e) = earliest else {
        return chain;
    };
    let story = e.0.cluster.clone();
    let mut rest: Vec<Seen> = first
        .into_values()
        .filter(|(h, _, _)| h.id != e.0.id)
        .collect();
    rest.sort_by_key(|(h, _, _)| when(h));
    for (role, (h, sentence, wording)) in
        std::iter::once(("first", e)).chain(rest.into_iter().map(|x| ("outlet-first", x)))
    {
        chain.push(Appearance {
            step: chain.len() + 1,
            role,
            same_story_as_first: h.cluster == story,
            published: h.published,
            source: h.source,
            title: h.title,
            id: h.id,
            path: h.path,
            url: h.url,
            cluster: h.cluster,
            copies: h.copies,
            wording,
            sentence,
        });
    }
    chain
}

/// Lower-cased words (letters and digits), curly apostrophes folded.
fn words(text: &str) -> Vec<String> {
    text.replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The sentence of `body` holding bytes `start..end`, on one line.
fn sentence_around(body: &str, start: usize, end: usize) -> String {
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let s = body[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_end(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let e = body[end..]
        .char_indices()
        .find(|&(_, c)| is_end(c))
        .map_or(body.len(), |(i, c)| {
            end + i + if c == '\n' { 0 } else { c.len_utf8() }
        });
    let text: String = body[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
    // Very long "sentences" (tables, run-on text) are cut around the match.
    if text.chars().count() > 400 {
        let m: String = body[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let at = text.find(&m).unwrap_or(0);
        let from = text.floor_char_boundary(at.saturating_sub(180));
        let to = text.ceil_char_boundary((at + m.len() + 180).min(text.len()));
        return format!("…{}…", &text[from..to]);
    }
    text
}

/// Output formats of `trace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    Text,
    Jsonl,
    Csv,
    Md,
}

const COLUMNS: [&str; 13] = [
    "step",
    "role",
    "published",
    "source",
    "title",
    "cluster",
    "copies",
    "same_story_as_first",
    "wording",
    "sentence",
    "id",
    "url",
    "path",
];

fn row(a: &Appearance) -> [String; 13] {
    [
        a.step.to_string(),
        a.role.to_string(),
        a.published.clone().unwrap_or_default(),
        a.source.clone().unwrap_or_default(),
        a.title.clone(),
        a.cluster.clone(),
        a.copies.to_string(),
        a.same_story_as_first.to_string(),
        a.wording.to_string(),
        a.sentence.clone(),
        a.id.clone(),
        a.url.clone().unwrap_or_default(),
        a.path.clone(),
    ]
}

/// Writes the chain. Text from archives is printed without control characters (they were
/// removed at ingest); Markdown cells escape `|` and markup.
pub fn write(out: &mut dyn Write, t: &Trace, format: TraceFormat) -> Result<()> {
    match format {
        TraceFormat::Jsonl => {
            for a in &t.chain {
                serde_json::to_writer(&mut *out, a)?;
                out.write_all(b"\n")?;
            }
        }
        TraceFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(COLUMNS)?;
            for a in &t.chain {
                w.write_record(row(a))?;
            }
            w.flush()?;
        }
        TraceFormat::Md => {
            writeln!(out, "| {} |", COLUMNS[..10].join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(10))?;
            for a in &t.chain {
                let cells: Vec<String> = row(a)[..10].iter().map(|c| md_cell(c)).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
        }
        TraceFormat::Text => {
            writeln!(
                out,
                "{} for {}: {} articles in {} outlets; earliest first, then each outlet's first",
                if t.chain.is_empty() {
                    "No appearances"
                } else {
                    "Appearances"
                },
                safe(&t.query),
                t.articles,
                t.outlets
            )?;
            for a in &t.chain {
                let date = a.published.as_deref().unwrap_or("undated");
                let story = if a.step == 1 {
                    format!("story {}", a.cluster)
                } else if a.same_story_as_first {
                    "same story as #1".to_string()
                } else {
                    format!("story {}", a.cluster)
                };
                let copies = if a.copies > 1 {
                    format!(", {} copies", a.copies)
                } else {
                    String::new()
                };
                writeln!(out)?;
                writeln!(
                    out,
                    "{:>3}. {}  {}  [{}{}; {} wording]",
                    a.step,
                    safe(date),
                    safe(a.source.as_deref().unwrap_or("unknown outlet")),
                    story,
                    copies,
                    a.wording
                )?;
                writeln!(out, "     {}", safe(&a.title))?;
                writeln!(out, "     {}", safe(&a.sentence))?;
                writeln!(out, "     {}", safe(&a.path))?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_is_cut_at_sentence_ends() {
        let body = "First one. The minister said \"we will not yield\" today! Last.";
        let at = body.find("we will").unwrap();
        assert_eq!(
            sentence_around(body, at, at + 16),
            "The minister said \"we will not yield\" today!"
        );
    }

    #[test]
    fn unquoted_quotation_becomes_a_phrase() {
        assert_eq!(phrase_query("we will not yield"), "\"we will not yield\"");
        assert_eq!(phrase_query("\"a b\" c"), "\"a b\" c");
        assert_eq!(phrase_query("word"), "word");
    }

    #[test]
    fn md_cells_are_escaped() {
        assert_eq!(md_cell("a|b\n<x>"), "a\\|b \\<x\\>");
    }
}
