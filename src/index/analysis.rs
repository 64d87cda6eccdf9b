//! Per-language analysis of title and body: the `news` tokenizer.
//!
//! Every article's title and body are analysed in the article's own language (its `language`
//! field, `ingest::language`): lower-cased, accent-folded, then stemmed with the Snowball stemmer
//! of that language for the 18 languages tantivy ships one for, and left unstemmed for any other.
//! All languages share the indexed fields (`text`, `title`, `body`); what keeps them apart is a
//! tag on each term: a German article's *Flüchtlinge* is indexed as `de:fluchtling`, a Spanish
//! *caravanas* as `es:caravana`. English terms, and those of an article whose language is
//! unknown, carry no tag, so an English archive is indexed exactly as before languages existed
//! and its ranking cannot move.
//!
//! The indexed fields are given the text with a marker in front (`de\u{1}Die Flüchtlinge …`,
//! [`marked`]); the tokenizer ([`NewsTokenizer`]) reads the marker, picks that language's
//! analyzer and tags the terms. Markers never reach a reader: the text shown in hits is kept in
//! the stored-only fields `stored_title` and `stored_body`. A query is analysed once per language
//! of the index with [`analyzer_for`], which gives the same tagged terms.

use std::borrow::Cow;

use tantivy::tokenizer::{
    AsciiFoldingFilter, BoxTokenStream, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

use crate::index::schema::MAX_TOKEN_LEN;
use crate::index::shared_tokens::{self, SharedStream};
use crate::index::stem_cache::CachedStemmer;
use crate::ingest::language::snowball;

/// Separates the language marker from the text in an indexed value.
pub const MARKER: char = '\u{1}';
/// Separates a term's language tag from the word (`de:fluchtling`). No token holds one: the
/// tokenizer splits words at every character that is not a letter or digit.
pub const TAG_SEP: char = ':';

/// The analysis an article gets, by its language: `None` for English and unknown (untagged
/// terms, English stemming), else the language code its terms are tagged with.
pub fn analysis_of(language: Option<&str>) -> Option<&str> {
    match language {
        None | Some("en") | Some("") => None,
        Some(code) if valid_code(code) => Some(code),
        Some(_) => None,
    }
}

/// A code that can be a tag: 2 or 3 ASCII lower-case letters.
fn valid_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The value an indexed field gets for `text` in the analysis `tag` (see [`analysis_of`]).
pub fn marked<'a>(tag: Option<&str>, text: &'a str) -> Cow<'a, str> {
    match tag {
        None => Cow::Borrowed(text),
        Some(t) => {
            let mut s = String::with_capacity(t.len() + 1 + text.len());
            s.push_str(t);
            s.push(MARKER);
            s.push_str(text);
            Cow::Owned(s)
        }
    }
}

/// Splits a marked value into its analysis and its text.
pub(crate) fn split_marker(value: &str) -> (Option<&str>, &str) {
    // The marker stands within the first 4 bytes; a marked empty text ("de\u{1}") is shorter.
    let head = (0..=value.len().min(4))
        .rev()
        .find(|&i| value.is_char_boundary(i))
        .map_or("", |end| &value[..end]);
    if let Some(i) = head.find(MARKER)
        && valid_code(&value[..i])
    {
        return (Some(&value[..i]), &value[i + 1..]);
    }
    (None, value)
}

/// The Snowball language of an analysis (`None`: English), `None` for a language without one.
pub(crate) fn stemmer_language(tag: Option<&str>) -> Option<Language> {
    match tag {
        None => Some(Language::English),
        Some(t) => snowball(t),
    }
}

/// The analyzer of one language, without tags: lower-cased, folded, stemmed in that language
/// (`None`: English), unstemmed for a language without a Snowball stemmer.
pub fn base_analyzer(tag: Option<&str>) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match stemmer_language(tag) {
        Some(l) => builder.filter(CachedStemmer::new(l)).build(),
        None => builder.build(),
    }
}

/// The analyzer of one analysis for finding the indexed `terms` (tagged as the index tags them)
/// in a text (snippets, KWIC): every token, offset and position as the index gives them, and the
/// same term wherever the word can stem to one of `terms`; other words are left unstemmed
/// ([`CachedStemmer::for_initials`]).
pub fn marking_analyzer<'a>(
    tag: Option<&str>,
    terms: impl IntoIterator<Item = &'a str>,
) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    let stems = terms.into_iter().map(word_of);
    let inner = match stemmer_language(tag) {
        Some(l) => builder
            .filter(CachedStemmer::for_initials(l, stems))
            .build(),
        None => builder.build(),
    };
    TextAnalyzer::from(Tagged {
        inner,
        tag: tag.map(str::to_string),
    })
}

/// The analyzer of one analysis as the index sees it: its terms tagged (`de:fluchtling`), English
/// untagged. For analysing queries, snippets and feedback in a given language.
pub fn analyzer_for(tag: Option<&str>) -> TextAnalyzer {
    TextAnalyzer::from(Tagged {
        inner: base_analyzer(tag),
        tag: tag.map(str::to_string),
    })
}

/// Prefixes every token of an analyzer with a language tag.
#[derive(Clone)]
struct Tagged {
    inner: TextAnalyzer,
    tag: Option<String>,
}

impl Tokenizer for Tagged {
    type TokenStream<'a> = TaggedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TaggedStream<'a> {
        TaggedStream {
            inner: self.inner.token_stream(text),
            tag: self.tag.as_deref(),
        }
    }
}

/// The `news` tokenizer: reads the marker of an indexed value and analyses the text with that
/// language's analyzer, tagging the terms; an unmarked value is English. The analysis is shared
/// with the other fields that index the same text ([`shared_tokens`]).
#[derive(Clone, Default)]
pub struct NewsTokenizer;

impl Tokenizer for NewsTokenizer {
    type TokenStream<'a> = SharedStream;

    fn token_stream<'a>(&'a mut self, value: &'a str) -> SharedStream {
        let (tag, text) = split_marker(value);
        shared_tokens::stemmed(tag, text)
    }
}

/// Tokens of an analyzer, each with the tag and [`TAG_SEP`] in front when there is a tag.
pub struct TaggedStream<'a> {
    inner: BoxTokenStream<'a>,
    tag: Option<&'a str>,
}

impl TokenStream for TaggedStream<'_> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        if let Some(tag) = self.tag {
            let text = &mut self.inner.token_mut().text;
            text.insert(0, TAG_SEP);
            text.insert_str(0, tag);
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// A word as the analysis `tag` indexes it (`de:fluchtling`; untagged for English).
pub fn tagged(tag: Option<&str>, word: &str) -> String {
    match tag {
        None => word.to_string(),
        Some(t) => format!("{t}{TAG_SEP}{word}"),
    }
}

/// The language tag of an indexed term (`de` of `de:fluchtling`), `None` for an English one.
pub fn tag_of(term: &str) -> Option<&str> {
    term.split_once(TAG_SEP).map(|(t, _)| t)
}

/// The word of an indexed term without its tag.
pub fn word_of(term: &str) -> &str {
    term.split_once(TAG_SEP).map_or(term, |(_, w)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = s.next() {
            out.push(t.text.clone());
        }
        out
    }

    /// A marked value is split whatever follows the marker: nothing, or a letter of two or
    /// more bytes (the first 4 bytes then end inside it).
    #[test]
    fn markers_are_found_before_any_text() {
        for (value, expected) in [
            ("de\u{1}", (Some("de"), "")),
            ("fr\u{1}Élections", (Some("fr"), "Élections")),
            ("de\u{1}Über", (Some("de"), "Über")),
            ("es\u{1}x", (Some("es"), "x")),
            ("deu\u{1}Ära", (Some("deu"), "Ära")),
            ("Élections", (None, "Élections")),
            ("de", (None, "de")),
            ("", (None, "")),
            ("DE\u{1}x", (None, "DE\u{1}x")),
        ] {
            assert_eq!(split_marker(value), expected, "{value:?}");
        }
        // The words of a marked text are that language's, never the tag itself.
        let mut news = TextAnalyzer::from(NewsTokenizer);
        let mut words = Vec::new();
        let mut stream = news.token_stream("fr\u{1}Élections");
        while let Some(t) = stream.next() {
            words.push(t.text.clone());
        }
        drop(stream);
        assert_eq!(words, ["fr:elect"]);
        assert!(news.token_stream("de\u{1}").next().is_none());
    }

    #[test]
    fn each_language_is_stemmed_and_tagged_english_is_not_tagged() {
        let mut news = TextAnalyzer::from(NewsTokenizer);
        assert_eq!(
            tokens(&mut news, "Migrants' caravans reached Peña Nieto"),
            ["migrant", "caravan", "reach", "pena", "nieto"],
            "English as before languages"
        );
        let de = marked(
            analysis_of(Some("de")),
            "Flüchtlinge, Flüchtlingen; des Flüchtlings",
        );
        assert_eq!(
            tokens(&mut news, &de),
            ["de:fluchtling", "de:fluchtling", "de:des", "de:fluchtling"]
        );
        let es = marked(Some("es"), "caravanas migrantes, tercer país seguro");
        assert_eq!(
            tokens(&mut news, &es),
            ["es:caravan", "es:migrant", "es:terc", "es:pais", "es:segur"]
        );
        // A language without a stemmer: folded, unstemmed, tagged.
        assert_eq!(
            tokens(&mut news, &marked(Some("pl"), "Uchodźcy")),
            ["pl:uchodzcy"]
        );
        // The query side analyses the same way.
        assert_eq!(
            tokens(&mut analyzer_for(Some("de")), "Flüchtling"),
            ["de:fluchtling"]
        );
        assert_eq!(tokens(&mut analyzer_for(None), "caravans"), ["caravan"]);
        assert_eq!(analysis_of(Some("en")), None);
        assert_eq!(analysis_of(None), None);
        assert_eq!(analysis_of(Some("de")), Some("de"));
        assert_eq!(
            (tag_of("de:fluchtling"), word_of("de:fluchtling")),
            (Some("de"), "fluchtling")
        );
        assert_eq!((tag_of("caravan"), word_of("caravan")), (None, "caravan"));
        // Text that merely starts like a marker is English text.
        assert_eq!(tokens(&mut news, "de Gaulle"), ["de", "gaull"]);
    }
}
