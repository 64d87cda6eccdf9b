//! What one outlet repeats in every article, learned over the index after an indexing run:
//! lines that open or close a large share of an outlet's articles ("Source: Planet",
//! "See Full Web Article") and the site suffix of its titles (" | Planet Politics"). They are
//! removed from the stored title and body (so from snippets and `show`) and from the ranking
//! fields, and a shared suffix names the outlet when the record named none (`source_from` =
//! `title`).
//!
//! This needs many articles of one outlet at once, so it is an index-layer pass, not part of a
//! reader: after a run that read files, every stored article is grouped by its site (the URL's
//! host, else its outlet), counted, and the articles that carry learned lines or suffixes are
//! rewritten. What was learned is kept in `newsdex-boilerplate.json` beside the index, so
//! articles added by later runs lose the same lines even when they are too few to learn from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{DocAddress, Index, IndexWriter, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::schema::Fields;
use crate::ingest::alias::Aliases;
use crate::ingest::article::Provenance;
use crate::ingest::finish::{site_of_host, url_host};

const FILE: &str = "newsdex-boilerplate.json";
/// A site needs this many articles before anything is learned from it.
const MIN_ARTICLES: usize = 5;
/// A line or suffix is boilerplate when at least this share of a site's articles have it.
const MIN_SHARE: f64 = 0.5;
/// How many lines at each end of a body are looked at.
const EDGE_LINES: usize = 3;

/// What was learned for one site.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteBoilerplate {
    /// Lines (trimmed) to drop where they open or close a body.
    pub lines: BTreeSet<String>,
    /// The outlet name a shared title suffix gives ("Planet" from " | Planet Politics").
    pub suffix_name: Option<String>,
}

/// Everything learned, by site key (a URL's site such as `planet.com`, or an outlet name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    pub sites: BTreeMap<String, SiteBoilerplate>,
}

impl Learned {
    pub fn load(dir: &Path) -> Learned {
        std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, dir: &Path) -> Result<()> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, dir.join(FILE)).map_err(|e| Error::io(dir, e))
    }
}

/// Separators before a site suffix in a title.
const SUFFIX_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · "];

/// A title's suffix after its last separator, when it is short enough to be a site name.
fn title_suffix(title: &str) -> Option<(&str, &str)> {
    let (pos, sep) = SUFFIX_SEPARATORS
        .iter()
        .filter_map(|s| title.rfind(s).map(|p| (p, *s)))
        .max_by_key(|(p, _)| *p)?;
    let head = title[..pos].trim_end();
    let suffix = title[pos + sep.len()..].trim();
    let words = suffix.split_whitespace().count();
    (!head.is_empty() && (1..=6).contains(&words) && suffix.chars().count() <= 60)
        .then_some((head, suffix))
}

/// The first and last few non-empty lines of a body, trimmed.
fn edge_lines(body: &str) -> Vec<&str> {
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut out: Vec<&str> = lines.iter().take(EDGE_LINES).copied().collect();
    let tail = lines.len().saturating_sub(EDGE_LINES).max(out.len());
    out.extend(lines[tail..].iter().copied());
    out.sort_unstable();
    out.dedup();
    out
}

/// `body` without learned lines at its start and end (inner paragraphs are never touched).
fn strip_lines(body: &str, lines: &BTreeSet<String>) -> Option<String> {
    let all: Vec<&str> = body.lines().collect();
    let (mut start, mut end) = (0, all.len());
    loop {
        let before = (start, end);
        while start < end && all[start].trim().is_empty() {
            start += 1;
        }
        if start < end && lines.contains(all[start].trim()) {
            start += 1;
        }
        while end > start && all[end - 1].trim().is_empty() {
            end -= 1;
        }
        if end > start && lines.contains(all[end - 1].trim()) {
            end -= 1;
        }
        if (start, end) == before {
            break;
        }
    }
    if start == 0 && end == all.len() {
        return None;
    }
    Some(all[start..end].join("\n"))
}

/// The site an article belongs to: its URL's site, else its outlet.
fn site_key(doc: &TantivyDocument, f: &Fields) -> Option<String> {
    let text = |field| doc.get_first(field).and_then(|v| v.as_str());
    if let Some(host) = text(f.url).and_then(url_host) {
        return Some(site_of_host(&host));
    }
    text(f.source).map(|s| s.trim().to_lowercase())
}

/// The run of leading words shared by the most suffixes, at least `need` of them ("Planet" from
/// "Planet Politics", "Planet Sport", "Planet"); of equally shared ones, the longest.
fn shared_suffix_name(suffixes: &[&str], need: usize) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in suffixes {
        let words: Vec<&str> = s.split_whitespace().collect();
        for k in 1..=words.len() {
            *counts.entry(words[..k].join(" ")).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(name, n)| *n >= need && name.chars().any(char::is_alphabetic))
        .max_by_key(|(name, n)| (*n, name.split_whitespace().count()))
        .map(|(name, _)| name)
}

/// Learns each site's boilerplate from the committed articles and rewrites the articles that
/// carry it (through `writer`; the caller commits). Returns how many articles were rewritten.
/// An outlet named by a shared title suffix goes through `aliases` (`--alias`) like any other.
pub(crate) fn refine(
    index: &Index,
    fields: &Fields,
    writer: &mut IndexWriter<crate::index::ArticleDoc>,
    opts: &RefineOptions<'_>,
    dir: &Path,
) -> Result<u64> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let sites = gather_sites(&searcher, fields)?;
    let learned = learn(&sites, dir, opts.fresh)?;
    let mut rewritten = 0;
    for (key, seen) in &sites {
        let Some(site) = learned.sites.get(key) else {
            continue;
        };
        for addr in &seen.docs {
            let doc: TantivyDocument = searcher.doc(*addr)?;
            if let Some(new) = rewrite(&searcher, *addr, &doc, fields, site, opts)? {
                let id = doc
                    .get_first(fields.id)
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                writer.delete_term(Term::from_field_text(fields.id, id));
                writer.add_document(new.into())?;
                rewritten += 1;
            }
        }
    }
    Ok(rewritten)
}

/// How [`refine`] rewrites articles.
pub(crate) struct RefineOptions<'a> {
    /// How many times the title counts in the ranking fields.
    pub(crate) title_weight: u32,
    /// A rebuild (`--full`): learn afresh instead of adding to what earlier runs learned.
    pub(crate) fresh: bool,
    /// `--alias`: outlet names for names learned from title suffixes.
    pub(crate) aliases: &'a Aliases,
}

/// One site's articles, with their edge lines and title suffixes counted.
#[derive(Default)]
struct Seen {
    docs: Vec<DocAddress>,
    lines: HashMap<String, usize>,
    suffixes: Vec<String>,
}

/// Every live article grouped by its site. Segments are read in parallel (reading every stored
/// article back is most of this pass) and joined in segment order, so each site's lists are
/// those one pass in order gives.
fn gather_sites(searcher: &tantivy::Searcher, fields: &Fields) -> Result<HashMap<String, Seen>> {
    let per_segment = searcher
        .segment_readers()
        .par_iter()
        .enumerate()
        .map(|(ord, seg)| gather_segment(ord as u32, seg, fields))
        .collect::<Result<Vec<_>>>()?;
    let mut sites: HashMap<String, Seen> = HashMap::new();
    for part in per_segment {
        for (key, seen) in part {
            let into = sites.entry(key).or_default();
            into.docs.extend(seen.docs);
            into.suffixes.extend(seen.suffixes);
            for (line, n) in seen.lines {
                *into.lines.entry(line).or_default() += n;
            }
        }
    }
    Ok(sites)
}

/// The live articles of one segment (number `ord` of the searcher's) grouped by site.
fn gather_segment(
    ord: u32,
    seg: &tantivy::SegmentReader,
    fields: &Fields,
) -> Result<HashMap<String, Seen>> {
    let mut sites: HashMap<String, Seen> = HashMap::new();
    let store = seg.get_store_reader(64)?;
    for doc_id in seg.doc_ids_alive() {
        let doc: TantivyDocument = store.get(doc_id)?;
        let Some(key) = site_key(&doc, fields) else {
            continue;
        };
        let seen = sites.entry(key).or_default();
        seen.docs.push(DocAddress::new(ord, doc_id));
        let title = doc.get_first(fields.stored_title).and_then(|v| v.as_str());
        if let Some((_, suffix)) = title.and_then(title_suffix) {
            seen.suffixes.push(suffix.to_string());
        }
        let body = doc
            .get_first(fields.stored_body)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        for line in edge_lines(body) {
            if line.chars().count() <= 200 {
                *seen.lines.entry(line.to_string()).or_default() += 1;
            }
        }
    }
    Ok(sites)
}

/// What each site repeats, added to what earlier runs learned (unless `fresh`), saved when it
/// changed.
fn learn(sites: &HashMap<String, Seen>, dir: &Path, fresh: bool) -> Result<Learned> {
    let mut learned = if fresh {
        Learned::default()
    } else {
        Learned::load(dir)
    };
    let before = if fresh { None } else { Some(learned.clone()) };
    for (key, seen) in sites {
        let n = seen.docs.len();
        if n < MIN_ARTICLES {
            continue;
        }
        let need = ((n as f64 * MIN_SHARE).ceil() as usize).max(3);
        let entry = learned.sites.entry(key.clone()).or_default();
        for (line, count) in &seen.lines {
            if *count >= need {
                entry.lines.insert(line.clone());
            }
        }
        let suffixes: Vec<&str> = seen.suffixes.iter().map(String::as_str).collect();
        if entry.suffix_name.is_none() {
            entry.suffix_name = shared_suffix_name(&suffixes, need);
        }
    }
    learned
        .sites
        .retain(|_, s| !s.lines.is_empty() || s.suffix_name.is_some());
    if before.as_ref() != Some(&learned) {
        learned.save(dir)?;
    }
    Ok(learned)
}

/// The article without its site's boilerplate, or `None` when it has none.
fn rewrite(
    searcher: &tantivy::Searcher,
    addr: DocAddress,
    doc: &TantivyDocument,
    f: &Fields,
    site: &SiteBoilerplate,
    opts: &RefineOptions<'_>,
) -> Result<Option<TantivyDocument>> {
    let text = |field| doc.get_first(field).and_then(|v| v.as_str());
    let title = text(f.stored_title).unwrap_or("");
    let body = text(f.stored_body).unwrap_or("");
    let new_body = strip_lines(body, &site.lines);
    let mut new_title = None;
    let mut new_source = None;
    if let Some(name) = &site.suffix_name
        && let Some((head, suffix)) = title_suffix(title)
        && (suffix == name || suffix.starts_with(&format!("{name} ")))
    {
        new_title = Some(head.to_string());
        let guessed = matches!(text(f.source_from), None | Some("url"));
        // `--alias Planet="Planet Media"` renames the learned name as it renames a read one.
        let named = match opts.aliases.lookup(name) {
            Some(alias) if !alias.is_empty() => (alias.to_string(), Provenance::Given),
            _ => (name.clone(), Provenance::Title),
        };
        if guessed && text(f.source) != Some(named.0.as_str()) {
            new_source = Some(named);
        }
    }
    if new_body.is_none() && new_title.is_none() {
        return Ok(None);
    }
    let title = new_title.as_deref().unwrap_or(title);
    let body = new_body.as_deref().unwrap_or(body);
    let mut out = TantivyDocument::new();
    for (field, value) in doc.field_values() {
        let replaced = field == f.stored_title
            || field == f.stored_body
            || field == f.word_count
            || (new_source.is_some() && (field == f.source || field == f.source_from));
        if !replaced {
            out.add_field_value(field, value);
        }
    }
    crate::index::document::add_title_and_body(
        &mut out,
        f,
        text(f.language),
        title,
        body,
        opts.title_weight,
    );
    // `day` is a fast field only (not stored): carried over from the column.
    let seg = searcher.segment_reader(addr.segment_ord);
    if let Some(day) = seg.fast_fields().i64("day")?.first(addr.doc_id) {
        out.add_i64(f.day, day);
    }
    if let Some((name, from)) = new_source {
        out.add_text(f.source, name);
        out.add_text(f.source_from, from.as_str());
    }
    let words = |s: &str| {
        s.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count() as u64
    };
    out.add_u64(f.word_count, words(title) + words(body));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_shared_names() {
        assert_eq!(
            title_suffix("Vote delayed | Planet Politics"),
            Some(("Vote delayed", "Planet Politics"))
        );
        assert_eq!(title_suffix("No suffix here"), None);
        assert_eq!(
            shared_suffix_name(&["Planet Politics", "Planet Sport", "Planet", "Other"], 3),
            Some("Planet".to_string())
        );
        assert_eq!(shared_suffix_name(&["A b", "C d"], 2), None);
    }

    #[test]
    fn only_edge_lines_are_stripped() {
        let lines: BTreeSet<String> = ["Source: Planet", "See Full Web Article"]
            .into_iter()
            .map(String::from)
            .collect();
        let body = "Source: Planet\n\nThe vote was held.\n\nSource: Planet\n\nIt passed.\n\nSee Full Web Article\n";
        assert_eq!(
            strip_lines(body, &lines).as_deref(),
            Some("The vote was held.\n\nSource: Planet\n\nIt passed.")
        );
        assert_eq!(strip_lines("Plain body.", &lines), None);
    }
}
