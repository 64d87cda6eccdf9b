//! One article whole (`newsdex show`): a readable page for a terminal, or JSON.

use std::io::{self, Write};

use crate::output::sanitize::{for_terminal, for_terminal_text};
use crate::search::ArticleView;

/// One line of text with control characters (terminal escapes) shown escaped; archives are
/// hostile.
fn clean(s: &str) -> String {
    for_terminal(s).into_owned()
}

/// `value (from provenance)`, or just `value`.
fn with_origin(value: &str, from: Option<&str>) -> String {
    match from {
        Some(f) => format!("{} (from {f})", clean(value)),
        None => clean(value),
    }
}

/// The article as a page: title, one metadata line per known field (with where it came from),
/// a blank line, the body.
pub fn write_text(out: &mut dyn Write, a: &ArticleView) -> io::Result<()> {
    let title = if a.title.is_empty() {
        "(untitled)".to_string()
    } else {
        clean(&a.title)
    };
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count().clamp(3, 78)))?;
    let mut field = |name: &str, value: String| writeln!(out, "{name:<10} {value}");
    field("id", a.id.clone())?;
    if let Some(d) = &a.docno {
        field("docno", clean(d))?;
    }
    let place = if a.record > 0 {
        format!("{}, record {}", clean(&a.path), a.record)
    } else {
        clean(&a.path)
    };
    field("file", place)?;
    if let Some(f) = &a.format {
        field("format", f.clone())?;
    }
    match &a.published {
        Some(p) => field("published", with_origin(p, a.date_source.as_deref()))?,
        None => field("published", "unknown".into())?,
    }
    if let Some(c) = &a.crawled {
        field("crawled", c.clone())?;
    }
    if let Some(s) = &a.source {
        field("outlet", with_origin(s, a.source_from.as_deref()))?;
    }
    if let Some(s) = &a.section {
        field("section", with_origin(s, a.section_from.as_deref()))?;
    }
    if !a.authors.is_empty() {
        field("authors", clean(&a.authors.join("; ")))?;
    }
    if let Some(u) = &a.url {
        field("url", clean(u))?;
    }
    if let Some(l) = &a.language {
        let l = match &a.language_source {
            Some(from) => format!("{} ({from})", clean(l)),
            None => clean(l),
        };
        field("language", l)?;
    }
    if !a.tags.is_empty() {
        field("tags", clean(&a.tags.join(", ")))?;
    }
    let noun = if a.word_count == 1 { "word" } else { "words" };
    field("length", format!("{} {noun}", a.word_count))?;
    writeln!(out)?;
    writeln!(out, "{}", for_terminal_text(a.body.trim_end()))?;
    out.flush()
}

/// The article as one pretty-printed JSON object (the [`ArticleView`] keys).
pub fn write_json(out: &mut dyn Write, a: &ArticleView) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, a)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> ArticleView {
        ArticleView {
            id: "00ff00ff00ff00ff".into(),
            docno: None,
            path: "/a/b.csv".into(),
            record: 3,
            format: Some("csv".into()),
            title: "Bad\u{1b}[31m title".into(),
            published: Some("2018-10-25T00:00:00Z".into()),
            date_source: Some("url".into()),
            crawled: None,
            source: Some("Planet".into()),
            source_from: Some("title".into()),
            section: None,
            section_from: None,
            authors: vec!["Ann Lee".into()],
            url: None,
            language: None,
            language_source: None,
            tags: vec![],
            word_count: 1,
            body: "Body.".into(),
        }
    }

    #[test]
    fn text_page_names_provenance_and_strips_escapes() {
        let mut out = Vec::new();
        write_text(&mut out, &view()).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains('\u{1b}'));
        assert!(s.contains("/a/b.csv, record 3"));
        assert!(s.contains("outlet     Planet (from title)"));
        assert!(s.contains("published  2018-10-25T00:00:00Z (from url)"));
        assert!(s.contains("length     1 word\n"));
        assert!(s.ends_with("\nBody.\n"));
    }
}
