//! Prefix (`immigra*`) and fuzzy (`carvan~1`) words, scored: the index terms such a word stands
//! for are looked up in every segment's term dictionary, and the hits are ranked by the BM25 of
//! the terms they contain, like any other word (tantivy's own prefix and fuzzy queries give every
//! hit the same score).

use std::collections::BTreeSet;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
use tantivy::Searcher;
use tantivy::query::{BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use crate::error::Result;
use crate::index::analysis::tag_of;
use crate::search::forms::{Part, TextTerms};

/// Terms of one prefix or fuzzy word that take part in scoring: the most frequent ones. Every
/// article the word matches is still found; articles with only rarer forms score 0 for it.
pub const MAX_SCORED_TERMS: usize = 100;
/// Terms looked at per word (a one-letter prefix stands for a large part of the dictionary).
const MAX_SCANNED_TERMS: usize = 20_000;

/// What a word with a mark stands for.
#[derive(Clone, Copy, Debug)]
pub enum Expansion {
    Prefix,
    /// Edit distance (1 or 2; a transposition counts as one edit).
    Fuzzy(u8),
}

/// A Levenshtein automaton over the term dictionary.
struct Levenshtein<'a>(&'a DFA);

impl tantivy_fst::Automaton for Levenshtein<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// The terms of `field` that `word` stands for, across the index (at most
/// [`MAX_SCANNED_TERMS`] looked at), with their document frequencies. `tagged`: the field's terms
/// carry language tags, and only those of `word`'s own language count.
fn matching_terms(
    searcher: &Searcher,
    field: Field,
    word: &str,
    kind: Expansion,
    tagged: bool,
) -> Result<Vec<(String, u64)>> {
    let mut found: BTreeSet<Vec<u8>> = BTreeSet::new();
    let dfa = match kind {
        Expansion::Fuzzy(d) => Some(LevenshteinAutomatonBuilder::new(d, true).build_dfa(word)),
        Expansion::Prefix => None,
    };
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let dict = inverted.terms();
        match &dfa {
            None => {
                let mut stream = dict.range().ge(word.as_bytes()).into_stream()?;
                while found.len() < MAX_SCANNED_TERMS && stream.advance() {
                    if !stream.key().starts_with(word.as_bytes()) {
                        break;
                    }
                    found.insert(stream.key().to_vec());
                }
            }
            Some(dfa) => {
                let mut stream = dict.search(Levenshtein(dfa)).into_stream()?;
                while found.len() < MAX_SCANNED_TERMS && stream.advance() {
                    found.insert(stream.key().to_vec());
                }
            }
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for bytes in found {
        if let Ok(text) = String::from_utf8(bytes) {
            if tagged && tag_of(&text) != tag_of(word) {
                continue;
            }
            let df = searcher.doc_freq(&Term::from_field_text(field, &text))?;
            if df > 0 {
                out.push((text, df));
            }
        }
    }
    Ok(out)
}

/// The stems (`text` terms, tagged) that `word` stands for (at most [`MAX_SCANNED_TERMS`]),
/// with how many articles hold their forms ([`TextTerms::forms_doc_freq`]). `tagged`: only
/// those of `word`'s own language count.
fn matching_stems(
    searcher: &Searcher,
    stems: &TextTerms,
    word: &str,
    kind: Expansion,
    tagged: bool,
) -> Result<Vec<(String, u64)>> {
    let found = match kind {
        Expansion::Prefix => stems.terms_beginning(word, MAX_SCANNED_TERMS),
        Expansion::Fuzzy(d) => {
            let dfa = LevenshteinAutomatonBuilder::new(d, true).build_dfa(word);
            stems.terms_matching(Levenshtein(&dfa), MAX_SCANNED_TERMS)
        }
    };
    let mut out = Vec::with_capacity(found.len());
    for text in found {
        if tagged && tag_of(&text) != tag_of(word) {
            continue;
        }
        let df = stems.forms_doc_freq(searcher, &text)?;
        if df > 0 {
            out.push((text, df));
        }
    }
    Ok(out)
}

/// The stems (`text` terms, tagged) that begin with `begun`, in the most articles first, at
/// most `max`.
pub fn words_beginning(
    searcher: &Searcher,
    stems: &TextTerms,
    begun: &str,
    max: usize,
) -> Result<Vec<String>> {
    let terms = matching_stems(searcher, stems, begun, Expansion::Prefix, true)?;
    Ok(most_frequent(terms, max))
}

/// The `max` words of `terms` (word, document frequency) in the most articles, ties by word.
fn most_frequent(mut terms: Vec<(String, u64)>, max: usize) -> Vec<String> {
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(max);
    terms.into_iter().map(|(t, _)| t).collect()
}

/// `matcher` (scoring nothing) ranked by the BM25 of the [`MAX_SCORED_TERMS`] most frequent of
/// the words it stands for, each searched by `word`.
fn ranked(
    matcher: Box<dyn Query>,
    terms: Vec<(String, u64)>,
    word: impl Fn(&str) -> Box<dyn Query>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(ConstScoreQuery::new(matcher, 0.0)))];
    clauses.extend(
        most_frequent(terms, MAX_SCORED_TERMS)
            .iter()
            .map(|t| (Occur::Should, word(t))),
    );
    Box::new(BooleanQuery::new(clauses))
}

/// A prefix or fuzzy word in the body, answered from the forms of the stems it stands for
/// ([`crate::search::forms`]): it matches the articles whose body holds any stem it stands for
/// (at most [`MAX_SCANNED_TERMS`] stems), and is ranked as [`scored`] ranks, by the BM25 of the
/// [`MAX_SCORED_TERMS`] most frequent of them.
pub fn scored_in_body(
    searcher: &Searcher,
    stems: &TextTerms,
    word: &str,
    kind: Expansion,
    tagged: bool,
) -> Result<Box<dyn Query>> {
    let terms = matching_stems(searcher, stems, word, kind, tagged)?;
    if terms.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    let text = stems.text_field();
    let body_word = |t: &str| stems.word(&Term::from_field_text(text, t), Part::Body);
    // Scores nothing: `ranked` wraps it.
    let matcher = BooleanQuery::new(
        terms
            .iter()
            .map(|(t, _)| (Occur::Should, body_word(t)))
            .collect(),
    );
    Ok(ranked(Box::new(matcher), terms, body_word))
}

pub fn scored(
    searcher: &Searcher,
    field: Field,
    word: &str,
    kind: Expansion,
    matcher: Box<dyn Query>,
    tagged: bool,
) -> Result<Box<dyn Query>> {
    let terms = matching_terms(searcher, field, word, kind, tagged)?;
    if terms.is_empty() {
        return Ok(matcher);
    }
    Ok(ranked(matcher, terms, |t| {
        Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))
    }))
}
