//! An [`Article`] as a tantivy document.

use tantivy::{DateTime, TantivyDocument};

use crate::index::analysis;
use crate::index::schema::Fields;
use crate::ingest::article::Article;

/// Turns an article into a tantivy document. The title goes `title_weight` times into the `text`
/// field that ranking uses (BM25F with an integer title weight; 1 = plain BM25 over title + body).
pub fn to_document(f: &Fields, a: &Article, title_weight: u32) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, a.id());
    doc.add_text(f.path, &a.path);
    if let Some(d) = &a.docno {
        doc.add_text(f.docno, d);
    }
    add_title_and_body(
        &mut doc,
        f,
        a.language.as_deref(),
        &a.title,
        &a.body,
        title_weight,
    );
    if let Some(p) = a.published {
        doc.add_date(
            f.published,
            DateTime::from_timestamp_secs(p.utc.unix_timestamp()),
        );
        doc.add_i64(
            f.day,
            i64::from(p.local_day.to_julian_day() - UNIX_EPOCH_JULIAN_DAY),
        );
    }
    if let (Some(from), Some(_)) = (a.language_source, &a.language) {
        doc.add_text(f.language_source, from.as_str());
    }
    if let Some(ds) = a.date_source {
        doc.add_text(f.date_source, ds.as_str());
    }
    if let Some(c) = a.crawled {
        doc.add_date(
            f.crawled,
            DateTime::from_timestamp_secs(c.utc.unix_timestamp()),
        );
    }
    doc.add_u64(f.record, a.record);
    if let (Some(from), Some(_)) = (a.source_from, &a.source) {
        doc.add_text(f.source_from, from.as_str());
    }
    if let (Some(from), Some(_)) = (a.section_from, &a.section) {
        doc.add_text(f.section_from, from.as_str());
    }
    let mut opt = |field, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            doc.add_text(field, v);
        }
    };
    opt(f.source, &a.source);
    opt(f.url, &a.url);
    opt(f.section, &a.section);
    opt(f.language, &a.language);
    for au in &a.authors {
        doc.add_text(f.authors, au);
    }
    for t in &a.tags {
        doc.add_text(f.tags, t);
    }
    doc.add_text(f.format, a.format);
    doc.add_u64(f.word_count, a.word_count());
    let id = a.id();
    doc.add_u64(f.article_key, u64::from_str_radix(&id, 16).unwrap_or(0));
    let sig = crate::index::clusters::signature(a);
    doc.add_u64(f.exact_hash, sig.exact);
    for b in sig.bands {
        doc.add_u64(f.minhash, b);
    }
    doc
}

/// Adds an article's title and body: as shown (`stored_title`, `stored_body`), analysed in the
/// article's `language` (`title`, `body`, and `text` with the title `title_weight` times, their
/// values marked with the language, [`analysis::marked`]), and as exact word forms (`exact`).
pub fn add_title_and_body(
    doc: &mut TantivyDocument,
    f: &Fields,
    language: Option<&str>,
    title: &str,
    body: &str,
    title_weight: u32,
) {
    doc.add_text(f.stored_title, title);
    doc.add_text(f.stored_body, body);
    let tag = analysis::analysis_of(language);
    let title_marked = analysis::marked(tag, title);
    let body_marked = analysis::marked(tag, body);
    doc.add_text(f.title, &*title_marked);
    doc.add_text(f.body, &*body_marked);
    for _ in 0..title_weight {
        doc.add_text(f.text, &*title_marked);
    }
    doc.add_text(f.text, &*body_marked);
    for _ in 0..title_weight {
        doc.add_text(f.exact, title);
    }
    doc.add_text(f.exact, body);
}

/// Julian day number of 1970-01-01; `day` fields hold days since then.
pub const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;
