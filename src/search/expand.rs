//! Queries built from articles rather than typed: pseudo-relevance feedback (`--expand`, RM3)
//! and "more like this article" (`newsdex similar`). Both only choose weighted terms; the engine
//! ranks them like any other query.

use std::collections::{HashMap, HashSet};

use tantivy::schema::Value as _;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::error::Result;
use crate::index::analysis::{analysis_of, analyzer_for, word_of};
use crate::index::schema::Fields;

/// Articles read for feedback: the first pass's best.
pub const FEEDBACK_DOCS: usize = 10;
/// Terms added to the query.
pub const FEEDBACK_TERMS: usize = 20;
/// Weight of the original query against the feedback terms (RM3's interpolation).
pub const ORIGINAL_WEIGHT: f32 = 0.5;
/// Terms of the article that a "more like this" query keeps.
pub const SIMILAR_TERMS: usize = 25;

/// The stop words of `lang` as the index holds them in the analysis `tag` (stemmed, tagged), to
/// keep them out of feedback and similarity terms.
fn stop_stems(lang: &str, tag: Option<&str>) -> HashSet<String> {
    let mut analyzer = analyzer_for(tag);
    let mut out = HashSet::new();
    for w in crate::ingest::stopwords::stop_words(lang) {
        let mut s = analyzer.token_stream(w);
        while let Some(t) = s.next() {
            out.insert(t.text.clone());
        }
    }
    out
}

/// A term worth adding: a word of two or more characters that is not a number or a stop word.
fn useful(term: &str, stops: &HashSet<String>) -> bool {
    let word = word_of(term);
    word.chars().count() >= 2
        && word.chars().count() <= 30
        && !word.chars().all(|c| c.is_ascii_digit())
        && !stops.contains(term)
}

/// The stop words to leave out of an article's terms: those of its own language, or of `lang`
/// (the query's) for an English or unknown one, as its analysis indexes them.
struct Stops<'a> {
    lang: &'a str,
    by_tag: HashMap<Option<String>, HashSet<String>>,
}

impl<'a> Stops<'a> {
    fn new(lang: &'a str) -> Stops<'a> {
        Stops {
            lang,
            by_tag: HashMap::new(),
        }
    }

    fn of(&mut self, tag: Option<&str>) -> &HashSet<String> {
        let lang = self.lang;
        self.by_tag
            .entry(tag.map(str::to_string))
            .or_insert_with(|| stop_stems(tag.unwrap_or(lang), tag))
    }
}

/// The analysis of an article: its language's tag (`None`: English or unknown).
fn tag_of_doc<'d>(doc: &'d TantivyDocument, fields: &Fields) -> Option<&'d str> {
    analysis_of(doc.get_first(fields.language).and_then(|v| v.as_str()))
}

/// The analysed words of an article's headline and body (in its language, tagged as the index
/// holds them), with their counts, and the total.
fn article_terms(doc: &TantivyDocument, fields: &Fields) -> (HashMap<String, u32>, u32) {
    let mut analyzer = analyzer_for(tag_of_doc(doc, fields));
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut total = 0;
    for field in [fields.stored_title, fields.stored_body] {
        for v in doc.get_all(field) {
            if let Some(text) = v.as_str() {
                let mut s = analyzer.token_stream(text);
                while let Some(t) = s.next() {
                    *counts.entry(t.text.clone()).or_default() += 1;
                    total += 1;
                }
            }
        }
    }
    (counts, total)
}

/// RM3's feedback model from the first pass's best articles (`ranked`, best first, with their
/// scores): each article's words in proportion to their share of it, each article weighted by
/// its share of the scores. The [`FEEDBACK_TERMS`] heaviest terms, weights summing to 1.
pub fn feedback_terms(
    searcher: &Searcher,
    fields: &Fields,
    ranked: &[(f32, DocAddress)],
    lang: &str,
) -> Result<Vec<(String, f32)>> {
    let mut stops = Stops::new(lang);
    let docs = &ranked[..ranked.len().min(FEEDBACK_DOCS)];
    let score_sum: f32 = docs.iter().map(|(s, _)| s.max(0.0)).sum();
    let mut model: HashMap<String, f32> = HashMap::new();
    for (score, addr) in docs {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let (counts, total) = article_terms(&doc, fields);
        if total == 0 {
            continue;
        }
        let stops = stops.of(tag_of_doc(&doc, fields));
        let p_doc = if score_sum > 0.0 {
            score.max(0.0) / score_sum
        } else {
            1.0 / docs.len() as f32
        };
        for (term, n) in counts {
            if useful(&term, stops) {
                *model.entry(term).or_default() += p_doc * n as f32 / total as f32;
            }
        }
    }
    Ok(top(model, FEEDBACK_TERMS))
}

/// The distinctive terms of one article, for "more like this": each word's count in the article
/// times its idf in the index, the [`SIMILAR_TERMS`] heaviest, weights scaled so the heaviest is 1.
/// Words no other article has are left out (they cannot find anything).
pub fn similar_terms(
    searcher: &Searcher,
    fields: &Fields,
    doc: &TantivyDocument,
    lang: &str,
    doc_freq: &dyn Fn(&str) -> Result<u64>,
) -> Result<Vec<(String, f32)>> {
    let stops = Stops::new(lang).of(tag_of_doc(doc, fields)).clone();
    let (counts, _) = article_terms(doc, fields);
    let n = searcher.num_docs() as f32;
    let mut scored: HashMap<String, f32> = HashMap::new();
    for (term, tf) in counts {
        if !useful(&term, &stops) {
            continue;
        }
        let df = doc_freq(&term)? as f32;
        if df < 2.0 {
            continue;
        }
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        scored.insert(term, tf as f32 * idf);
    }
    let mut terms = top(scored, SIMILAR_TERMS);
    let max = terms.first().map_or(1.0, |t| t.1);
    for t in &mut terms {
        t.1 /= max;
    }
    Ok(terms)
}

/// The `k` heaviest terms (ties by the term, so the choice is stable), normalised to sum to 1.
fn top(model: HashMap<String, f32>, k: usize) -> Vec<(String, f32)> {
    let mut terms: Vec<(String, f32)> = model.into_iter().filter(|t| t.1 > 0.0).collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(k);
    let sum: f32 = terms.iter().map(|t| t.1).sum();
    if sum > 0.0 {
        for t in &mut terms {
            t.1 /= sum;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_terms_are_stable_and_normalised() {
        let m: HashMap<String, f32> = [("b", 1.0), ("a", 1.0), ("c", 2.0), ("d", 0.0)]
            .iter()
            .map(|(t, w)| (t.to_string(), *w))
            .collect();
        let t = top(m, 3);
        assert_eq!(
            t.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            ["c", "a", "b"]
        );
        assert!((t.iter().map(|x| x.1).sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn stop_words_and_numbers_are_not_useful() {
        let stops = stop_stems("en", None);
        assert!(!useful("the", &stops));
        assert!(!useful("1987", &stops));
        assert!(!useful("x", &stops));
        assert!(useful("caravan", &stops));
    }
}
