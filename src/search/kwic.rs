//! Keyword in context: where a query's words and phrases occur in an article's text, and the
//! words around each occurrence (a concordance, one row per occurrence, for coding by hand).

use std::collections::BTreeSet;

use crate::error::Result;
use tantivy::tokenizer::TextAnalyzer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::index::analysis::{analysis_of, analyzer_for, marking_analyzer, tag_of};
use crate::search::{LocalEngine, SearchRequest};

/// A matched span of the body, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub start: usize,
    pub end: usize,
}

/// What the query looks for, in every language: the words it looks for on title and body (as
/// indexed, tagged per language), its exact forms and its quoted phrases, read in an article's
/// own language when the article's body is searched ([`Matcher::find`]).
pub struct Matcher {
    /// Title/body terms of the query, as indexed (`de:fluchtling`, `caravan`).
    terms: BTreeSet<String>,
    /// Exact forms the query looks for (unstemmed words).
    exact: BTreeSet<String>,
    /// The query as typed, for its quoted phrases.
    query: String,
    /// What the query looks for in each analysis met so far.
    by_analysis: Mutex<HashMap<Option<String>, Arc<Analysed>>>,
}

/// What the query looks for in one analysis (language), as its analyzer sees words: phrases
/// (from the query's quotes) and single words.
struct Analysed {
    phrases: Vec<Vec<String>>,
    words: BTreeSet<String>,
    /// Stems only what can be one of the query's words (a body is read once per hit).
    analyzer: TextAnalyzer,
}

fn stems(tag: Option<&str>, text: &str) -> Vec<(String, usize, usize)> {
    tokens(&mut analyzer_for(tag), text)
}

fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = s.next() {
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

impl Matcher {
    pub fn new(engine: &LocalEngine, req: &SearchRequest) -> Result<Matcher> {
        let query = engine.build_query(req)?;
        let f = engine.fields();
        let mut terms = BTreeSet::new();
        let mut exact = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            let field = term.field();
            if let Some(w) = term.value().as_str() {
                if field == f.text || field == f.body || field == f.title {
                    terms.insert(w.to_string());
                } else if field == f.exact {
                    exact.insert(w.to_string());
                }
            }
        });
        Ok(Matcher {
            terms,
            exact,
            query: req.query.clone(),
            by_analysis: Default::default(),
        })
    }

    /// Every occurrence in `body` of an article in `language`, in order; a phrase is one
    /// occurrence.
    pub fn find(&self, body: &str, language: Option<&str>) -> Vec<Occurrence> {
        let tag = analysis_of(language);
        let analysed = {
            let mut known = self.by_analysis.lock().unwrap_or_else(|e| e.into_inner());
            known
                .entry(tag.map(str::to_string))
                .or_insert_with(|| Arc::new(self.analysed(tag)))
                .clone()
        };
        analysed.find(body)
    }

    /// What the query looks for in the analysis `tag`.
    fn analysed(&self, tag: Option<&str>) -> Analysed {
        let mut words: BTreeSet<String> = self
            .terms
            .iter()
            .filter(|t| tag_of(t) == tag)
            .cloned()
            .collect();
        // Exact-form terms are unstemmed: stem them to compare with the body's stems.
        for w in &self.exact {
            words.extend(stems(tag, w).into_iter().map(|(s, _, _)| s));
        }
        let mut phrases: Vec<Vec<String>> = self
            .query
            .split('"')
            .skip(1)
            .step_by(2)
            .map(|p| {
                stems(tag, p)
                    .into_iter()
                    .map(|(s, _, _)| s)
                    .collect::<Vec<_>>()
            })
            .filter(|p| p.len() > 1)
            .collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        // A word counts alone only where the query has it outside quotes: in
        // `"safe third country"` a lone "countries" is not an occurrence.
        let unquoted: String = self
            .query
            .split('"')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ");
        let outside: BTreeSet<String> = stems(tag, &unquoted)
            .into_iter()
            .map(|(s, _, _)| s)
            .collect();
        words.retain(|w| outside.contains(w));
        Analysed::from_stems(tag, phrases, words)
    }
}

impl Analysed {
    /// A matcher for these phrases (longest first) and single words, as the analysis `tag`
    /// indexes them.
    fn from_stems(
        tag: Option<&str>,
        phrases: Vec<Vec<String>>,
        words: BTreeSet<String>,
    ) -> Analysed {
        let analyzer = marking_analyzer(
            tag,
            words
                .iter()
                .chain(phrases.iter().flatten())
                .map(String::as_str),
        );
        Analysed {
            phrases,
            words,
            analyzer,
        }
    }

    /// Every occurrence in `body`, in order; a phrase is one occurrence.
    pub fn find(&self, body: &str) -> Vec<Occurrence> {
        let toks = tokens(&mut self.analyzer.clone(), body);
        let mut out = Vec::new();
        let mut i = 0;
        'scan: while i < toks.len() {
            for p in &self.phrases {
                if toks.len() - i >= p.len()
                    && toks[i..i + p.len()].iter().zip(p).all(|(t, w)| &t.0 == w)
                {
                    out.push(Occurrence {
                        start: toks[i].1,
                        end: toks[i + p.len() - 1].2,
                    });
                    i += p.len();
                    continue 'scan;
                }
            }
            if self.words.contains(&toks[i].0) {
                out.push(Occurrence {
                    start: toks[i].1,
                    end: toks[i].2,
                });
            }
            i += 1;
        }
        out
    }
}

/// An occurrence with its surroundings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub left: String,
    pub matched: String,
    pub right: String,
    /// Characters (Unicode scalar values) before the match in the body.
    pub char_offset: usize,
}

/// `n` whitespace-separated words on each side of the occurrence, on one line.
pub fn context(body: &str, occ: &Occurrence, n: usize) -> Context {
    contexts(body, std::slice::from_ref(occ), n)
        .pop()
        .expect("one context per occurrence")
}

/// [`context`] for every occurrence of one body. The body is split into words once, and the
/// character offset counted on from the previous occurrence, so an article with thousands of
/// occurrences costs one pass, not one pass per occurrence.
pub fn contexts(body: &str, occs: &[Occurrence], n: usize) -> Vec<Context> {
    let words = word_spans(body);
    let (mut counted_to, mut chars_before) = (0, 0);
    occs.iter()
        .map(|occ| {
            if occ.start < counted_to {
                (counted_to, chars_before) = (0, 0);
            }
            chars_before += body[counted_to..occ.start].chars().count();
            counted_to = occ.start;
            Context {
                left: left_words(body, &words, occ.start, n),
                matched: body[occ.start..occ.end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                right: right_words(body, &words, occ.end, n),
                char_offset: chars_before,
            }
        })
        .collect()
}

/// Byte spans of the whitespace-separated words of `body`.
fn word_spans(body: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in body.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, body.len()));
    }
    spans
}

/// The last `n` words before byte `at` (a word cut by `at` counts with its part before it).
fn left_words(body: &str, words: &[(usize, usize)], at: usize, n: usize) -> String {
    let k = words.partition_point(|w| w.1 <= at);
    let mut out: Vec<&str> = Vec::new();
    let cut = words.get(k).filter(|w| w.0 < at).map(|w| &body[w.0..at]);
    let whole = n.saturating_sub(usize::from(cut.is_some()));
    out.extend(
        words[k.saturating_sub(whole)..k]
            .iter()
            .map(|w| &body[w.0..w.1]),
    );
    if n > 0 {
        out.extend(cut);
    }
    out.join(" ")
}

/// The first `n` words after byte `at` (a word cut by `at` counts with its part after it).
fn right_words(body: &str, words: &[(usize, usize)], at: usize, n: usize) -> String {
    let j = words.partition_point(|w| w.1 <= at);
    let mut out: Vec<&str> = Vec::new();
    let mut from = j;
    if n > 0
        && let Some(w) = words.get(j).filter(|w| w.0 < at)
    {
        out.push(&body[at..w.1]);
        from += 1;
    }
    let rest = n - out.len();
    out.extend(
        words[from.min(words.len())..(from + rest).min(words.len())]
            .iter()
            .map(|w| &body[w.0..w.1]),
    );
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(phrases: &[&[&str]], words: &[&str]) -> Analysed {
        Analysed::from_stems(
            None,
            phrases
                .iter()
                .map(|p| p.iter().map(|w| w.to_string()).collect())
                .collect(),
            words.iter().map(|w| w.to_string()).collect(),
        )
    }

    #[test]
    fn phrases_are_one_span_and_words_match_by_stem() {
        let body = "Senators want a safe third country deal. Migrants in the caravan waited; caravans grew.";
        let m = matcher(&[&["safe", "third", "countri"]], &["caravan"]);
        let occ = m.find(body);
        let spans: Vec<&str> = occ.iter().map(|o| &body[o.start..o.end]).collect();
        assert_eq!(spans, ["safe third country", "caravan", "caravans"]);
        let c = context(body, &occ[0], 2);
        assert_eq!(c.left, "want a");
        assert_eq!(c.matched, "safe third country");
        assert_eq!(c.right, "deal. Migrants");
        assert_eq!(c.char_offset, 16);
    }

    /// The one-pass contexts are what splitting the text around each occurrence gives.
    #[test]
    fn contexts_match_splitting_around_each_occurrence() {
        let naive = |body: &str, occ: &Occurrence, n: usize| {
            let before: Vec<&str> = body[..occ.start].split_whitespace().collect();
            let after: Vec<&str> = body[occ.end..].split_whitespace().collect();
            Context {
                left: before[before.len().saturating_sub(n)..].join(" "),
                matched: body[occ.start..occ.end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                right: after[..after.len().min(n)].join(" "),
                char_offset: body[..occ.start].chars().count(),
            }
        };
        let body = "  Peña-caravan\u{a0}caravan,  the migrant-caravan's caravan\n caravan";
        let m = matcher(&[], &["caravan"]);
        let occ = m.find(body);
        assert_eq!(occ.len(), 5);
        for n in 0..4 {
            let want: Vec<Context> = occ.iter().map(|o| naive(body, o, n)).collect();
            assert_eq!(contexts(body, &occ, n), want, "n = {n}");
            let reversed: Vec<Occurrence> = occ.iter().rev().copied().collect();
            let mut got = contexts(body, &reversed, n);
            got.reverse();
            assert_eq!(got, want, "n = {n}, reversed");
        }
    }

    #[test]
    fn offsets_count_characters() {
        let body = "Peña Nieto asked the caravan";
        let m = matcher(&[], &["caravan"]);
        let occ = m.find(body);
        assert_eq!(context(body, &occ[0], 5).char_offset, 21);
    }
}
