//! An [`Article`] as a tantivy document.
//!
//! The writer is given [`ArticleDoc`]s: the article's title and body are held once (twice for a
//! language other than English: as written, and marked for analysis) and handed to the field
//! values that index or store them (`stored_*`, `title`, `exact` with the title `title_weight`
//! times and then the body) as borrowed strings; `body_at` says where the body starts among
//! `exact`'s positions (stemmed words and `body:` are answered from them,
//! [`crate::search::forms`]). A [`TantivyDocument`] copies
//! each value: four copies of every body and seven of every title waited in tantivy's queue of
//! up to 10,000 documents, the largest part of the indexer's heap beyond `--memory`.

use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Field, Value};
use tantivy::{DateTime, TantivyDocument};

use crate::index::analysis;
use crate::index::schema::Fields;
use crate::ingest::article::Article;

/// Turns an article into a tantivy document (every value copied: for reading values back, as
/// the cluster push does). The title goes `title_weight` times into the `exact` field that ranking
/// reads (BM25F with an integer title weight; 1 = plain BM25 over title + body).
pub fn to_document(f: &Fields, a: &Article, title_weight: u32) -> TantivyDocument {
    ArticleDoc::new(f, a.clone(), title_weight).into_tantivy_document()
}

/// An article as the index writer takes it: title and body held once, every other value in a
/// small [`TantivyDocument`]. A whole `TantivyDocument` converts into one (`From`).
#[derive(Debug)]
pub struct ArticleDoc {
    rest: TantivyDocument,
    text: Option<TitleBody>,
}

/// The title and body of an [`ArticleDoc`], and the fields that take them.
#[derive(Debug)]
struct TitleBody {
    fields: TitleBodyFields,
    title: String,
    body: String,
    /// Title and body marked with their analysis ([`analysis::marked`]), for a language other
    /// than English.
    marked: Option<(String, String)>,
    title_weight: u32,
    /// Where the body starts among the `exact` field's positions ([`body_start`]).
    body_at: u64,
}

#[derive(Clone, Copy, Debug)]
struct TitleBodyFields {
    stored_title: Field,
    stored_body: Field,
    title: Field,
    exact: Field,
    body_at: Field,
}

impl ArticleDoc {
    /// The document of article `a` (its title and body are moved, not copied).
    pub fn new(f: &Fields, a: Article, title_weight: u32) -> ArticleDoc {
        let rest = other_values(f, &a);
        let text = TitleBody::new(f, a.language.as_deref(), a.title, a.body, title_weight);
        ArticleDoc {
            rest,
            text: Some(text),
        }
    }
}

impl From<TantivyDocument> for ArticleDoc {
    fn from(rest: TantivyDocument) -> ArticleDoc {
        ArticleDoc { rest, text: None }
    }
}

/// A value of an [`ArticleDoc`]: one of the small document's, or a borrowed title or body.
#[derive(Clone, Debug)]
pub enum ArticleValue<'a> {
    Other(tantivy::schema::document::CompactDocValue<'a>),
    Text(&'a str),
    U64(u64),
}

impl<'a> Value<'a> for ArticleValue<'a> {
    type ArrayIter = std::iter::Empty<Self>;
    type ObjectIter = std::iter::Empty<(&'a str, Self)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        match self {
            ArticleValue::Text(s) => ReferenceValue::Leaf(ReferenceValueLeaf::Str(s)),
            ArticleValue::U64(n) => ReferenceValue::Leaf(ReferenceValueLeaf::U64(*n)),
            // Articles hold no arrays or objects: every other value is a leaf.
            ArticleValue::Other(v) => match v.as_value() {
                ReferenceValue::Leaf(leaf) => ReferenceValue::Leaf(leaf),
                _ => ReferenceValue::Leaf(ReferenceValueLeaf::Null),
            },
        }
    }
}

impl Document for ArticleDoc {
    type Value<'a> = ArticleValue<'a>;
    type FieldsValuesIter<'a> = std::vec::IntoIter<(Field, ArticleValue<'a>)>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        let mut v: Vec<(Field, ArticleValue)> = Vec::with_capacity(32);
        v.extend(
            self.rest
                .field_values()
                .map(|(field, value)| (field, ArticleValue::Other(value))),
        );
        if let Some(tb) = &self.text {
            tb.values(&mut v);
        }
        v.into_iter()
    }
}

impl TitleBody {
    fn new(
        f: &Fields,
        language: Option<&str>,
        title: String,
        body: String,
        title_weight: u32,
    ) -> TitleBody {
        let tag = analysis::analysis_of(language);
        let marked = tag.map(|_| {
            (
                analysis::marked(tag, &title).into_owned(),
                analysis::marked(tag, &body).into_owned(),
            )
        });
        TitleBody {
            fields: TitleBodyFields {
                stored_title: f.stored_title,
                stored_body: f.stored_body,
                title: f.title,
                exact: f.exact,
                body_at: f.body_at,
            },
            body_at: body_start(&title, title_weight),
            title,
            body,
            marked,
            title_weight,
        }
    }

    /// The title and body values: as shown (`stored_title`, `stored_body`), analysed in the
    /// article's language (`title`, marked with the language, [`analysis::marked`]), as word
    /// forms with the title `title_weight` times and then the body (`exact`, marked too: the
    /// forms of each language's stems are told apart, [`crate::index::forms`]), and where the
    /// body starts among `exact`'s positions (`body_at`).
    fn values<'a>(&'a self, v: &mut Vec<(Field, ArticleValue<'a>)>) {
        let f = self.fields;
        let (title, body) = (self.title.as_str(), self.body.as_str());
        let (title_m, body_m) = match &self.marked {
            Some((t, b)) => (t.as_str(), b.as_str()),
            None => (title, body),
        };
        let repeats = self.title_weight as usize;
        let text = ArticleValue::Text;
        v.push((f.stored_title, text(title)));
        v.push((f.stored_body, text(body)));
        v.push((f.title, text(title_m)));
        v.push((f.body_at, ArticleValue::U64(self.body_at)));
        v.extend(std::iter::repeat_n((f.exact, text(title_m)), repeats));
        v.push((f.exact, text(body_m)));
    }
}

/// The position of the body's first word in the `exact` field of an article whose title is
/// `title`, repeated `title_weight` times before the body: tantivy places a value's words at the
/// positions its tokenizer gives them after the end of the field's previous value, plus a gap of
/// one (`tantivy::postings::PostingsWriter::index_text`), and the title's tokens and positions
/// are those of the plain analysis ([`crate::index::shared_tokens`]).
pub fn body_start(title: &str, title_weight: u32) -> u64 {
    use tantivy::tokenizer::TokenStream as _;
    const POSITION_GAP: u64 = 1;
    let mut stream = crate::index::shared_tokens::plain(title);
    let mut end = 0u64;
    while let Some(t) = stream.next() {
        end = end.max((t.position + t.position_length) as u64);
    }
    u64::from(title_weight) * (end + POSITION_GAP)
}

/// Every value of an article's document but its title and body.
fn other_values(f: &Fields, a: &Article) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, a.id());
    doc.add_text(f.path, &a.path);
    if let Some(d) = &a.docno {
        doc.add_text(f.docno, d);
    }
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

/// Adds an article's title and body to a copied document (the values of [`ArticleDoc`]'s).
pub fn add_title_and_body(
    doc: &mut TantivyDocument,
    f: &Fields,
    language: Option<&str>,
    title: &str,
    body: &str,
    title_weight: u32,
) {
    let tb = TitleBody::new(f, language, title.into(), body.into(), title_weight);
    let mut values = Vec::new();
    tb.values(&mut values);
    for (field, value) in values {
        doc.add_field_value(field, value);
    }
}

/// Julian day number of 1970-01-01; `day` fields hold days since then.
pub const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::build_schema;

    /// Every value the writer gets, as (field, text or number), sorted by field: the borrowed
    /// document must index and store exactly what the copied one did.
    fn values<D: Document>(doc: &D) -> Vec<(u32, String)> {
        let mut v: Vec<(u32, String)> = doc
            .iter_fields_and_values()
            .map(|(f, val)| (f.field_id(), format!("{:?}", val.as_leaf())))
            .collect();
        v.sort_by_key(|(f, _)| *f);
        v
    }

    #[test]
    fn title_and_body_go_to_their_six_fields() {
        let (_, f) = build_schema();
        let body = "Several thousand migrants walked on.";
        for (language, title) in [
            (None, "Caravan reaches border"),
            (Some("de"), "Flüchtlinge"),
        ] {
            let a = Article {
                title: title.into(),
                body: body.into(),
                language: language.map(str::to_string),
                authors: vec!["A. Writer".into(), "B. Writer".into()],
                source: Some("Herald".into()),
                ..Default::default()
            };
            let doc = ArticleDoc::new(&f, a.clone(), 3);
            let mark = |t: &str| match language {
                Some(l) => format!("{l}\u{1}{t}"),
                None => t.to_string(),
            };
            let of = |field: Field| -> Vec<String> {
                doc.iter_fields_and_values()
                    .filter(|(fl, _)| *fl == field)
                    .filter_map(|(_, v)| v.as_str().map(str::to_string))
                    .collect()
            };
            assert_eq!(of(f.stored_title), [title]);
            assert_eq!(of(f.stored_body), [body]);
            assert_eq!(of(f.title), [mark(title)]);
            // Stemmed words and `body:` are answered from `exact`'s forms (`search::forms`).
            assert!(of(f.body).is_empty());
            assert!(of(f.text).is_empty());
            let (t, b) = (mark(title), mark(body));
            assert_eq!(of(f.exact), [t.clone(), t.clone(), t, b]);
            assert_eq!(of(f.authors), ["A. Writer", "B. Writer"]);
            // The copied document holds the same values, in the same order per field.
            assert_eq!(values(&to_document(&f, &a, 3)), values(&doc));
        }
    }

    /// `body_at` is the position tantivy gives the body's first word in `exact`, whatever the
    /// title (empty, punctuation only, words the analyzer drops at either end) and its weight.
    #[test]
    fn body_start_is_where_tantivy_puts_the_body() {
        use tantivy::postings::Postings;
        use tantivy::schema::IndexRecordOption;
        use tantivy::{Index, IndexWriter, Term};
        let long = "x".repeat(80);
        let titles = [
            String::new(),
            "   ".to_string(),
            "Caravan reaches border".to_string(),
            "Rain, again!".to_string(),
            format!("Ends with a long token {long}"),
            format!("{long} starts it"),
            "Été à Paris".to_string(),
        ];
        for language in [None, Some("de")] {
            for weight in [1, 2, 3] {
                for title in &titles {
                    let (schema, f) = build_schema();
                    let index = Index::create_in_ram(schema);
                    crate::index::schema::register_tokenizers(&index);
                    let mut w: IndexWriter<ArticleDoc> =
                        index.writer_with_num_threads(1, 15_000_000).unwrap();
                    let a = Article {
                        title: title.clone(),
                        body: "zzfirst words follow".into(),
                        language: language.map(str::to_string),
                        ..Default::default()
                    };
                    let expected = body_start(title, weight);
                    w.add_document(ArticleDoc::new(&f, a, weight)).unwrap();
                    w.commit().unwrap();
                    let searcher = index.reader().unwrap().searcher();
                    let mut postings = searcher
                        .segment_reader(0)
                        .inverted_index(f.exact)
                        .unwrap()
                        .read_postings(
                            &Term::from_field_text(f.exact, "zzfirst"),
                            IndexRecordOption::WithFreqsAndPositions,
                        )
                        .unwrap()
                        .unwrap();
                    let mut positions = Vec::new();
                    postings.positions(&mut positions);
                    assert_eq!(
                        positions,
                        [expected as u32],
                        "title {title:?}, weight {weight}, {language:?}"
                    );
                }
            }
        }
    }
}
