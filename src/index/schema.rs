//! The index schema: the only place where field names and their analysis are spelled out.
//!
//! | field         | kind                         | used for                                           |
//! |---------------|------------------------------|----------------------------------------------------|
//! | `id`          | raw, stored                  | stable article identity (file key + record)        |
//! | `path`        | raw, stored                  | the file the article came from; deletes per file   |
//! | `docno`       | raw, stored                  | the collection's own id (SMART `.I`, Reuters NEWID)|
//! | `text`        | `news` text: never written   | ranked search: stems of title (×weight) + body     |
//! | `exact`       | `forms` text, positions      | the words of title (×weight) + body as written     |
//! | `title`       | `news` text, positions       | `title:` searches (indexed only)                   |
//! | `body`        | `news` text, positions       | `body:` searches: never written (see below)        |
//! | `published`   | date, indexed + fast         | date filters, sorting, counts over time            |
//! | `day`         | i64 fast                     | the article's local calendar day (days since 1970) |
//! | `date_source` | raw, stored                  | where `published` came from                        |
//! | `crawled`     | date, stored                 | when a crawler fetched the page (kept beside `published`) |
//! | `record`      | u64, stored                  | position of the article in a file that holds many  |
//! | `source_from` | raw, stored                  | where `source` came from (record, meta, title, url, path) |
//! | `section_from`| raw, stored                  | where `section` came from                          |
//! | `source`      | keyword, fast                | the outlet: exact filters and counts               |
//! | `authors`     | keyword, multi-valued, fast  | author filters and counts                          |
//! | `url`         | simple text, stored          | `url:` searches                                    |
//! | `section`     | keyword, fast                | section filters and counts                         |
//! | `language`    | keyword, fast                | language filters                                   |
//! | `tags`        | keyword, multi-valued        | subject codes from wire formats                    |
//! | `format`      | keyword, fast                | which reader produced the article                  |
//! | `word_count`  | u64 fast                     | length filters and export                          |
//! | `article_key` | u64 fast                     | the id as a number: an article's place in clusters |
//! | `exact_hash`  | u64 fast                     | normalised headline + body hash: exact copies      |
//! | `minhash`     | u64 fast, multi-valued       | MinHash bands of the body's shingles: near copies  |
//! | `language_source` | raw, stored              | where `language` came from (declared, detected)    |
//! | `stored_title`| stored only                  | the headline as shown                              |
//! | `stored_body` | stored only                  | the body as shown, snippets                        |
//! | `body_at`     | u64 fast                     | where the body starts among `exact`'s positions    |
//!
//! Each article's words are indexed once with positions, in `exact`: the forms as written
//! (lower-cased, folded), the title `title_weight` times and then the body. `text` and `body`
//! hold no postings: they are in the schema for the query grammar and a Quickwit cluster's
//! mapping. A local index answers a stemmed `text` word from the postings of the forms the index
//! met with that stem, written beside each commit ([`crate::index::forms`]), and `body:` from the
//! same positions at or after the article's `body_at` ([`crate::search::forms`]): the same hits
//! and scores as postings of stems gave, which cost tantivy as much again as `exact`.
//!
//! `text`, `title` and `body` are analysed in the article's language ([`crate::index::analysis`]):
//! their values carry a language marker that the `news` tokenizer reads, and the terms of any
//! language but English are tagged (`de:fluchtling`). The text as written is kept in the
//! stored-only `stored_title` and `stored_body`, so no marker is ever shown.
//!
//! Clusters themselves (`cluster`, `copies`, `first_seen`) are not stored in documents, which
//! never change once added: they are derived per commit from the last three fields
//! (`index::clusters`).

use tantivy::Index;

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, NumericOptions,
    STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    TokenizerManager,
};

/// Bumped whenever the schema or an analyzer changes in a way that needs a rebuild.
pub const SCHEMA_VERSION: u32 = 11;

/// How many times, by default, the title is repeated in the `text` field that ranking uses (an
/// index setting: `newsdex index --title-weight N`). This is BM25F
/// (Robertson, Zaragoza & Taylor 2004) with integer field weights: title and body share one
/// term-frequency saturation and one length normalisation, instead of two BM25 scores being
/// added, which over-rewards a word that happens to stand in both title and body.
pub const DEFAULT_TITLE_WEIGHT: u32 = 2;

/// Analyzer for title and body: lower-cased, accent-folded, stemmed in the article's language
/// ([`crate::index::analysis::NewsTokenizer`]).
pub const NEWS_TOKENIZER: &str = "news";
/// Analyzer for exact-match metadata (outlet, section, authors, tags): whole value, case- and accent-folded.
pub const KEYWORD_TOKENIZER: &str = "keyword";
/// Analyzer for URLs: words, lower-cased and accent-folded, no stemming.
pub const PLAIN_TOKENIZER: &str = "plain";
/// Analyzer of the `exact` field: the plain words of a text marked with its language
/// ([`crate::index::forms::FormsTokenizer`]).
pub const FORMS_TOKENIZER: &str = "forms";

/// Tokens longer than this are dropped rather than indexed (base64 blobs, runaway URLs).
pub(crate) const MAX_TOKEN_LEN: usize = 64;

/// Handles to every field of the schema.
#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    pub text: Field,
    pub exact: Field,
    pub path: Field,
    pub docno: Field,
    pub title: Field,
    pub body: Field,
    pub published: Field,
    pub day: Field,
    pub date_source: Field,
    pub crawled: Field,
    pub record: Field,
    pub source_from: Field,
    pub section_from: Field,
    pub source: Field,
    pub authors: Field,
    pub url: Field,
    pub section: Field,
    pub language: Field,
    pub tags: Field,
    pub format: Field,
    pub word_count: Field,
    pub article_key: Field,
    pub exact_hash: Field,
    pub minhash: Field,
    pub language_source: Field,
    pub stored_title: Field,
    pub stored_body: Field,
    pub body_at: Field,
}

impl Fields {
    /// Looks the fields up in a schema built by [`build_schema`].
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            text: f("text")?,
            exact: f("exact")?,
            path: f("path")?,
            docno: f("docno")?,
            title: f("title")?,
            body: f("body")?,
            published: f("published")?,
            day: f("day")?,
            date_source: f("date_source")?,
            crawled: f("crawled")?,
            record: f("record")?,
            source_from: f("source_from")?,
            section_from: f("section_from")?,
            source: f("source")?,
            authors: f("authors")?,
            url: f("url")?,
            section: f("section")?,
            language: f("language")?,
            tags: f("tags")?,
            format: f("format")?,
            word_count: f("word_count")?,
            article_key: f("article_key")?,
            exact_hash: f("exact_hash")?,
            minhash: f("minhash")?,
            language_source: f("language_source")?,
            stored_title: f("stored_title")?,
            stored_body: f("stored_body")?,
            body_at: f("body_at")?,
        })
    }
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

fn keyword() -> TextOptions {
    TextOptions::default()
        .set_stored()
        .set_fast("raw")
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        )
}

/// Builds the newsdex schema.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("path", STRING | STORED);
    b.add_text_field("docno", STRING | STORED);
    b.add_text_field(
        "exact",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FORMS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    b.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NEWS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    b.add_text_field("title", text(NEWS_TOKENIZER));
    b.add_text_field("body", text(NEWS_TOKENIZER));
    b.add_date_field(
        "published",
        DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds),
    );
    b.add_i64_field("day", NumericOptions::default().set_fast().set_indexed());
    b.add_text_field("date_source", STRING | STORED);
    b.add_date_field(
        "crawled",
        DateOptions::from(STORED).set_precision(DateTimePrecision::Seconds),
    );
    b.add_u64_field("record", STORED);
    b.add_text_field("source_from", STRING | STORED);
    b.add_text_field("section_from", STRING | STORED);
    b.add_text_field("source", keyword());
    b.add_text_field("authors", keyword());
    b.add_text_field("url", text(PLAIN_TOKENIZER).set_stored());
    b.add_text_field("section", keyword());
    b.add_text_field("language", keyword());
    b.add_text_field("tags", keyword());
    b.add_text_field("format", keyword());
    b.add_u64_field("word_count", STORED | FAST);
    b.add_u64_field("article_key", FAST);
    b.add_u64_field("exact_hash", FAST);
    b.add_u64_field("minhash", FAST);
    b.add_text_field("language_source", STRING | STORED);
    b.add_text_field("stored_title", STORED);
    b.add_text_field("stored_body", STORED);
    b.add_u64_field("body_at", FAST);
    let schema = b.build();
    let fields = Fields::from_schema(&schema).expect("schema just built has every field");
    (schema, fields)
}

/// The English analyzer of title and body (what the `news` tokenizer gives an English or
/// unmarked value): lower-cased, accent-folded, English-stemmed.
pub fn news_analyzer() -> TextAnalyzer {
    crate::index::analysis::base_analyzer(None)
}

/// Registers newsdex's analyzers on an index (needed after every open).
pub fn register_tokenizers(index: &Index) {
    let tm = index.tokenizers();
    tm.register(
        NEWS_TOKENIZER,
        TextAnalyzer::from(crate::index::analysis::NewsTokenizer),
    );
    // Share their analysis of a text with `news` (`index::shared_tokens`).
    tm.register(
        PLAIN_TOKENIZER,
        TextAnalyzer::from(crate::index::shared_tokens::PlainTokenizer),
    );
    tm.register(
        FORMS_TOKENIZER,
        TextAnalyzer::from(crate::index::forms::FormsTokenizer::default()),
    );
    register_keyword(tm);
}

/// newsdex's analyzers with `news` analysing every text in one analysis (`None`: English, else a
/// language tag): for reading a query in that language.
pub fn tokenizer_manager(tag: Option<&str>) -> TokenizerManager {
    let tm = TokenizerManager::default();
    tm.register(NEWS_TOKENIZER, crate::index::analysis::analyzer_for(tag));
    tm.register(PLAIN_TOKENIZER, plain_analyzer());
    tm.register(FORMS_TOKENIZER, plain_analyzer());
    register_keyword(&tm);
    tm
}

fn register_keyword(tm: &TokenizerManager) {
    tm.register(
        KEYWORD_TOKENIZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// The analyzer for URLs and exact word forms (the `exact` field): words, lower-cased and
/// accent-folded, unstemmed.
pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Normalises a keyword value the way the `keyword` analyzer does, for building filter terms.
pub fn normalize_keyword(value: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut out = String::new();
    let mut stream = analyzer.token_stream(value.trim());
    while let Some(tok) = stream.next() {
        out.push_str(&tok.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_analyzer_folds_and_stems() {
        let mut a = news_analyzer();
        let mut s = a.token_stream("Migrants' caravans reached Peña Nieto");
        let mut toks = Vec::new();
        while let Some(t) = s.next() {
            toks.push(t.text.clone());
        }
        assert_eq!(toks, ["migrant", "caravan", "reach", "pena", "nieto"]);
    }

    #[test]
    fn keyword_normalisation_is_whole_value() {
        assert_eq!(
            normalize_keyword(" The Harbor Ledger "),
            "the harbor ledger"
        );
        assert_eq!(normalize_keyword("Zürich Café"), "zurich cafe");
    }
}
