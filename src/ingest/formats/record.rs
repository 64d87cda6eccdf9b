//! Key recognition shared by the JSON and CSV/TSV readers: a record is a list of (key, value)
//! pairs, and this module decides which of them are the title, body, date, authors and so on.
//!
//! Keys are compared loosely (case-insensitive; `-`, `_`, `.` and spaces ignored), so `publishedAt`
//! and `published_at` are the same key. The user's `--map` wins for the fields it names, and a key
//! it names is never guessed for another field. CSV cells arrive as JSON strings.

use serde_json::Value;

use crate::ingest::Problem;
use crate::ingest::article::{Article, DateSource};
use crate::ingest::formats::markup::fragment_to_text;
use crate::ingest::meta::{FieldMap, Meta, MetaKey, Target, split_authors, strip_by};

/// Body keys, in priority order (`maintext` is news-please's; the last two are JSON Feed's).
const BODY: &[&str] = &[
    "maintext",
    "text",
    "body",
    "content",
    "article",
    "articletext",
    "story",
    "fulltext",
    "contenttext",
    "contenthtml",
];
/// Teaser keys: the body only when the record has no body text at all; otherwise dropped.
const LEAD: &[&str] = &["description", "summary", "abstract", "lead"];
const TITLE: &[&str] = &["title", "headline", "hed"];
const DATE: &[&str] = &[
    "datepublish",
    "published",
    "publishedat",
    "pubdate",
    "date",
    "datepublished",
    "publishdate",
    "createdat",
    "timestamp",
];
/// news-please's modification date: the publication date only when there is no other.
const DATE_MODIFY: &[&str] = &["datemodify"];
const CRAWLED: &[&str] = &["datedownload"];
const AUTHORS: &[&str] = &["authors", "author", "byline", "creator", "writer"];
const SOURCE: &[&str] = &[
    "sourcedomain",
    "outlet",
    "publisher",
    "source",
    "sitename",
    "newspaper",
    "publication",
];
const URL: &[&str] = &["url", "link", "canonicalurl", "permalink", "href"];
const SECTION: &[&str] = &["section", "category"];
/// `meta_lang` is newspaper3k's.
const LANGUAGE: &[&str] = &["language", "lang", "locale", "metalang"];
const TAGS: &[&str] = &["tags", "keywords", "categories"];

/// Keys under which a JSON file wraps its array of records.
pub const WRAPPERS: &[&str] = &[
    "articles", "items", "data", "results", "docs", "hits", "records",
];

/// A key with case, `-`, `_`, `.` and spaces ignored.
pub fn norm_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// One record's fields, with normalised keys and the keys `--map` claimed.
struct Fields<'a> {
    items: &'a [(&'a str, &'a Value)],
    norm: Vec<String>,
    /// Keys named by `--map`: never guessed for any field.
    claimed: Vec<bool>,
    map: &'a FieldMap,
}

impl<'a> Fields<'a> {
    fn new(items: &'a [(&'a str, &'a Value)], map: &'a FieldMap) -> Fields<'a> {
        let norm: Vec<String> = items.iter().map(|(k, _)| norm_key(k)).collect();
        let claimed = items
            .iter()
            .zip(&norm)
            .map(|((k, _), n)| {
                map.entries
                    .iter()
                    .any(|(_, mk)| mk == k || norm_key(mk) == *n)
            })
            .collect();
        Fields {
            items,
            norm,
            claimed,
            map,
        }
    }

    /// The value of the key `--map` names for `target`: exact key first, then loosely.
    fn mapped(&self, target: Target) -> Option<&'a Value> {
        let key = self.map.key_for(target)?;
        if let Some((_, v)) = self.items.iter().find(|(k, _)| *k == key) {
            return Some(v);
        }
        let n = norm_key(key);
        self.items
            .iter()
            .zip(&self.norm)
            .find(|(_, nk)| **nk == n)
            .map(|((_, v), _)| *v)
    }

    /// The values of unclaimed keys matching `candidates`, in candidate priority order.
    fn guessed<'s>(&'s self, candidates: &'s [&'s str]) -> impl Iterator<Item = &'a Value> + 's {
        candidates.iter().flat_map(move |c| {
            self.items
                .iter()
                .zip(&self.norm)
                .zip(&self.claimed)
                .filter(move |((_, n), claimed)| !**claimed && n == c)
                .map(|(((_, v), _), _)| *v)
        })
    }

    /// The first usable value for `target`: the mapped key if it gives one, else the first
    /// guessed key that does.
    fn pick<T>(
        &self,
        target: Option<Target>,
        candidates: &[&str],
        extract: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        if let Some(v) = target.and_then(|t| self.mapped(t))
            && let Some(x) = extract(v)
        {
            return Some(x);
        }
        self.guessed(candidates).find_map(extract)
    }
}

/// True when `keys` include one that can give a title or a body (guessed or mapped), so a CSV
/// header or a JSON wrapper object can be judged before reading records.
pub fn has_text_key<'k>(keys: impl IntoIterator<Item = &'k str>, map: &FieldMap) -> bool {
    let mapped: Vec<&str> = [Target::Title, Target::Body]
        .into_iter()
        .filter_map(|t| map.key_for(t))
        .collect();
    let claimed: Vec<String> = map.entries.iter().map(|(_, k)| norm_key(k)).collect();
    keys.into_iter().any(|k| {
        let n = norm_key(k);
        if mapped.iter().any(|m| *m == k || norm_key(m) == n) {
            return true;
        }
        !claimed.contains(&n)
            && (TITLE.contains(&n.as_str())
                || BODY.contains(&n.as_str())
                || LEAD.contains(&n.as_str()))
    })
}

/// Builds the article for one record, or says why the record has none (no location prefix: the
/// caller adds "line N: " where that helps).
pub fn build(
    path: &str,
    record: u64,
    format: &'static str,
    items: &[(&str, &Value)],
    map: &FieldMap,
    problems: &mut Vec<Problem>,
) -> Result<Article, String> {
    let f = Fields::new(items, map);
    let mut meta = Meta {
        date_kind: Some(DateSource::Meta),
        ..Default::default()
    };
    meta.title = f.pick(Some(Target::Title), TITLE, scalar);
    let body = f
        .pick(Some(Target::Body), BODY, text_value)
        .or_else(|| f.guessed(LEAD).find_map(text_value))
        .unwrap_or_default();
    if meta.title.is_none() && body.is_empty() {
        return Err(no_text_reason(items, map));
    }
    meta.date = f
        .pick(Some(Target::Published), DATE, date_value)
        .or_else(|| f.guessed(DATE_MODIFY).find_map(date_value));
    meta.crawled = f.pick(Some(Target::Crawled), CRAWLED, date_value);
    meta.authors = f
        .pick(Some(Target::Authors), AUTHORS, |v| {
            Some(authors_value(v)).filter(|a| !a.is_empty())
        })
        .unwrap_or_default();
    meta.source = f.pick(Some(Target::Source), SOURCE, name_value);
    meta.url = f.pick(Some(Target::Url), URL, scalar);
    meta.section = f.pick(Some(Target::Section), SECTION, section_value);
    meta.language = f.pick(Some(Target::Language), LANGUAGE, scalar);
    meta.tags = f
        .pick(Some(Target::Tags), TAGS, |v| {
            Some(tags_value(v)).filter(|t| !t.is_empty())
        })
        .unwrap_or_default();
    Ok(meta.into_article(path, record, format, body, problems))
}

/// "no title or body (keys: a, b, c); use --map body=<the key with the longest text>" (no hint
/// when the user already mapped the body).
fn no_text_reason(items: &[(&str, &Value)], map: &FieldMap) -> String {
    let keys: Vec<&str> = items.iter().map(|(k, _)| *k).collect();
    let mut shown = keys.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    if keys.len() > 8 {
        shown.push_str(", ...");
    }
    // A hint only points at prose: a value with a space in it.
    let longest = items
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (*k, s.trim())))
        .filter(|(_, s)| s.contains(' '))
        .map(|(k, s)| (k, s.len()))
        .max_by_key(|(_, len)| *len)
        .map(|(k, _)| k);
    if keys.is_empty() {
        return "no title or body (the record is empty)".to_string();
    }
    if map.key_for(Target::Body).is_some() {
        return format!("no title or body (keys: {shown})");
    }
    match longest {
        Some(k) => format!("no title or body (keys: {shown}); use --map body={k}"),
        None => format!("no title or body (keys: {shown}); use --map body=<key>"),
    }
}

/// A string, or a number as its decimal form; `None` for empty strings and everything else.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(String::from),
        Value::Number(n) => Some(number_string(n)),
        _ => None,
    }
}

/// Integers as they are; fractional numbers (epoch seconds with a fraction) truncated.
fn number_string(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.abs() < 1e17 => format!("{}", f.trunc() as i64),
        _ => n.to_string(),
    }
}

/// A date: a string, an epoch number (seconds or milliseconds; `into_article` tells them apart),
/// or a MongoDB export's `{"$date": ...}` / `{"$numberLong": ...}`.
fn date_value(v: &Value) -> Option<String> {
    let mut v = v;
    // Bounded: `{"$date": {"$numberLong": "..."}}` is the deepest form.
    for _ in 0..3 {
        match v {
            Value::Object(o) => v = o.get("$date").or_else(|| o.get("$numberLong"))?,
            _ => return scalar(v),
        }
    }
    None
}

/// Body text: a string (HTML turned into paragraphs) or a list of paragraph strings.
fn text_value(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => clean_text(s),
        Value::Array(parts) => parts
            .iter()
            .filter_map(Value::as_str)
            .map(clean_text)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        _ => return None,
    };
    Some(text).filter(|t| !t.is_empty())
}

fn clean_text(s: &str) -> String {
    let s = s.trim();
    if looks_like_html(s) {
        fragment_to_text(s)
    } else if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// True when text carries paragraph or line-break markup (`<p>`, `</p>`, `<br>`, `<div>`).
fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let rest = &b[i + off + 1..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let lower: Vec<u8> = rest.iter().take(4).map(u8::to_ascii_lowercase).collect();
        if lower.starts_with(b"p>")
            || lower.starts_with(b"p ")
            || lower.starts_with(b"br")
            || lower.starts_with(b"div")
        {
            return true;
        }
        i += off + 1;
    }
    false
}

/// An outlet: a string, or an object with `name` or `title`.
fn name_value(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o
            .get("name")
            .and_then(scalar)
            .or_else(|| o.get("title").and_then(scalar)),
        _ => scalar(v),
    }
}

/// A section: a string, an object with a name, or the first of a list.
fn section_value(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items.iter().find_map(name_value),
        _ => name_value(v),
    }
}

/// Authors: a byline string (split into names), a list of names, or objects with `name`.
fn authors_value(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        let name = name.trim();
        let name = strip_by(name).unwrap_or(name).trim();
        if !name.is_empty()
            && name.chars().any(char::is_alphabetic)
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    };
    match v {
        Value::String(s) => split_authors(s).iter().for_each(|n| push(n)),
        Value::Array(items) => {
            for item in items {
                if let Some(n) = name_value(item) {
                    push(&n);
                }
            }
        }
        Value::Object(_) => {
            if let Some(n) = name_value(v) {
                push(&n);
            }
        }
        _ => {}
    }
    out
}

/// Tags: a list (of strings or objects with `name`) or a comma/semicolon-separated string.
fn tags_value(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match v {
        Value::String(s) => {
            let mut m = Meta::default();
            m.set(MetaKey::Tags, s);
            out = m.tags;
        }
        Value::Array(items) => {
            for t in items.iter().filter_map(name_value) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(v: &Value) -> Vec<(&str, &Value)> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    fn build_ok(v: &Value, map: &FieldMap) -> Article {
        let mut p = Vec::new();
        let a = build("/x/a.json", 0, "json", &items(v), map, &mut p).unwrap();
        assert!(p.is_empty(), "{p:?}");
        a
    }

    #[test]
    fn body_priority_and_teaser_only_as_fallback() {
        let v = json!({"content": "Second choice.", "maintext": "First choice.",
                       "description": "A teaser.", "title": "T"});
        let a = build_ok(&v, &FieldMap::default());
        assert_eq!(a.body, "First choice.");
        let v = json!({"summary": "Only a teaser here.", "headline": "H"});
        let a = build_ok(&v, &FieldMap::default());
        assert_eq!(a.body, "Only a teaser here.");
        assert_eq!(a.title, "H");
    }

    #[test]
    fn html_body_becomes_paragraphs_and_lists_join() {
        let v = json!({"title": "T", "body": "<p>One  line.</p><p>Two<br>three.</p>"});
        assert_eq!(
            build_ok(&v, &FieldMap::default()).body,
            "One line.\n\nTwo\n\nthree."
        );
        let v = json!({"title": "T", "text": ["Para one.", "", "Para two."]});
        assert_eq!(
            build_ok(&v, &FieldMap::default()).body,
            "Para one.\n\nPara two."
        );
        // A lone angle bracket is not markup.
        let v = json!({"title": "T", "text": "Rates rose 2 points (x < y) overnight."});
        assert_eq!(
            build_ok(&v, &FieldMap::default()).body,
            "Rates rose 2 points (x < y) overnight."
        );
    }

    #[test]
    fn mapped_key_is_not_guessed_elsewhere_and_falls_back() {
        let map = FieldMap::parse("section=text,body=story_text").unwrap();
        let v = json!({"title": "T", "text": "Metro", "story_text": "The real story."});
        let a = build_ok(&v, &map);
        assert_eq!(a.body, "The real story.");
        assert_eq!(a.section.as_deref(), Some("Metro"));
        // The mapped key missing: the usual keys still work, but `text` stays claimed.
        let v = json!({"title": "T", "text": "Metro", "content": "Fallback body."});
        assert_eq!(build_ok(&v, &map).body, "Fallback body.");
    }

    #[test]
    fn mongo_dates_and_float_epochs() {
        let v = json!({"title": "T", "date": {"$date": "2018-10-25T14:03:00Z"}});
        let a = build_ok(&v, &FieldMap::default());
        assert_eq!(a.published.unwrap().local_day.to_string(), "2018-10-25");
        let v = json!({"title": "T", "timestamp": 1540476180.75});
        let a = build_ok(&v, &FieldMap::default());
        assert_eq!(a.published.unwrap().to_rfc3339(), "2018-10-25T14:03:00Z");
    }

    #[test]
    fn rejection_lists_keys_and_suggests_the_longest_text() {
        let v = json!({"id": 7, "ts": 1540476180, "story_text": "A long text about the harbour."});
        let mut p = Vec::new();
        let err = build(
            "/x/a.json",
            0,
            "json",
            &items(&v),
            &FieldMap::default(),
            &mut p,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "no title or body (keys: id, ts, story_text); use --map body=story_text"
        );
    }

    #[test]
    fn header_check_sees_guessed_and_mapped_keys() {
        let none = FieldMap::default();
        assert!(has_text_key(["id", "Full Text"], &none));
        assert!(!has_text_key(["id", "story_text"], &none));
        let map = FieldMap::parse("body=story_text").unwrap();
        assert!(has_text_key(["id", "story_text"], &map));
        let map = FieldMap::parse("section=title").unwrap();
        assert!(!has_text_key(["id", "title"], &map));
    }
}
