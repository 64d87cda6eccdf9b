//! `body:` searches answered from the `text` field.
//!
//! `text` holds each article's title (`title_weight` times) and then its body, with positions;
//! the `body_at` fast field says at which position the body starts
//! ([`crate::index::document::body_start`]). A body word is a `text` word at or after that
//! position, so the index keeps no separate body postings (they were a third of the indexer's
//! postings work and of the index). [`BodyPostings`] is a `text` term's postings restricted to
//! the body: documents where the term occurs only in the title are skipped, and the frequency
//! and positions are the body's. Words score with BM25 over `text`'s statistics (document
//! frequency and average length of title and body); a phrase is its words at their offsets
//! within the body, `slop` being the most their positions may be off in all (as in tantivy's
//! phrase queries), scored by BM25 of how often it occurs.

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

/// The fast field that holds where each article's body starts among `text`'s positions.
pub const BODY_AT: &str = "body_at";

/// A `text` term's postings, restricted to the body: only documents where the term occurs at or
/// after the body's first position, with those occurrences' frequency and positions.
pub struct BodyPostings {
    inner: SegmentPostings,
    starts: Column<u64>,
    /// The body positions of the term in the current document.
    positions: Vec<u32>,
}

impl BodyPostings {
    fn new(inner: SegmentPostings, starts: Column<u64>) -> BodyPostings {
        let mut p = BodyPostings {
            inner,
            starts,
            positions: Vec::new(),
        };
        p.settle();
        p
    }

    /// Moves on from the inner postings' current document to the first whose body holds the
    /// term.
    fn settle(&mut self) -> DocId {
        loop {
            let doc = self.inner.doc();
            if doc == TERMINATED {
                self.positions.clear();
                return doc;
            }
            let start = self.starts.first(doc).unwrap_or(0);
            self.inner.positions(&mut self.positions);
            let title_words = self.positions.partition_point(|&p| u64::from(p) < start);
            if title_words < self.positions.len() {
                self.positions.drain(..title_words);
                return doc;
            }
            self.inner.advance();
        }
    }
}

impl DocSet for BodyPostings {
    fn advance(&mut self) -> DocId {
        self.inner.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.inner.doc() >= target {
            return self.inner.doc();
        }
        self.inner.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Postings for BodyPostings {
    fn term_freq(&self) -> u32 {
        self.positions.len() as u32
    }

    fn append_positions_with_offset(&mut self, offset: u32, output: &mut Vec<u32>) {
        output.extend(self.positions.iter().map(|p| p + offset));
    }
}

/// The body postings of `term` (a `text` term) in one segment; `None` when no article of it has
/// the term.
fn body_postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<BodyPostings>> {
    let Some(postings) = reader
        .inverted_index(term.field())?
        .read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
    else {
        return Ok(None);
    };
    let starts = reader.fast_fields().u64(BODY_AT)?;
    Ok(Some(BodyPostings::new(postings, starts)))
}

/// BM25 over `terms`' statistics, when scoring is on.
fn bm25(scoring: &EnableScoring<'_>, terms: &[Term]) -> tantivy::Result<Option<Bm25Weight>> {
    Ok(match scoring {
        EnableScoring::Enabled {
            statistics_provider,
            ..
        } => Some(Bm25Weight::for_terms(*statistics_provider, terms)?),
        EnableScoring::Disabled { .. } => None,
    })
}

fn fieldnorms(reader: &SegmentReader, field: Field) -> tantivy::Result<FieldNormReader> {
    Ok(reader
        .fieldnorms_readers()
        .get_field(field)?
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)))
}

fn not_matching(doc: DocId) -> TantivyError {
    TantivyError::InvalidArgument(format!("document #({doc}) does not match"))
}

/// A word in the body: `term` is the `text` term (stemmed and tagged like the index's).
#[derive(Clone, Debug)]
pub struct BodyTermQuery {
    term: Term,
    /// The `body` field, which explanations name.
    body: Field,
}

impl BodyTermQuery {
    pub fn new(term: Term, body: Field) -> BodyTermQuery {
        BodyTermQuery { term, body }
    }
}

impl Query for BodyTermQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(BodyTermWeight {
            term: self.term.clone(),
            body: self.body,
            bm25: bm25(&scoring, std::slice::from_ref(&self.term))?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct BodyTermWeight {
    term: Term,
    body: Field,
    bm25: Option<Bm25Weight>,
}

impl BodyTermWeight {
    fn term_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<BodyTermScorer>> {
        let Some(postings) = body_postings(reader, &self.term)? else {
            return Ok(None);
        };
        Ok(Some(BodyTermScorer {
            postings,
            fieldnorms: fieldnorms(reader, self.term.field())?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }
}

impl Weight for BodyTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.term_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let Some(mut scorer) = self.term_scorer(reader, 1.0)? else {
            return Err(not_matching(doc));
        };
        if scorer.seek(doc) != doc {
            return Err(not_matching(doc));
        }
        // Read like a term query's (`search::explain`), naming the field asked for.
        let mut e = Explanation::new("TermQuery", scorer.score());
        e.add_context(format!("Term={:?}", moved_term(&self.term, self.body)));
        if let Some(w) = &self.bm25 {
            e.add_detail(w.explain(
                scorer.fieldnorms.fieldnorm_id(doc),
                scorer.postings.term_freq(),
            ));
        }
        Ok(e)
    }
}

struct BodyTermScorer {
    postings: BodyPostings,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for BodyTermScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for BodyTermScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(
                self.fieldnorms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            ),
            None => 1.0,
        }
    }
}

/// A phrase in the body: `text` terms at their offsets in the phrase, within `slop`.
#[derive(Clone, Debug)]
pub struct BodyPhraseQuery {
    terms: Vec<(usize, Term)>,
    slop: u32,
}

impl BodyPhraseQuery {
    /// A phrase of two or more terms (one term is a [`BodyTermQuery`]).
    pub fn new(terms: Vec<(usize, Term)>, slop: u32) -> BodyPhraseQuery {
        BodyPhraseQuery { terms, slop }
    }
}

impl Query for BodyPhraseQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
        Ok(Box::new(BodyPhraseWeight {
            terms: self.terms.clone(),
            slop: self.slop,
            bm25: bm25(&scoring, &terms)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, t) in &self.terms {
            visitor(t, true);
        }
    }
}

struct BodyPhraseWeight {
    terms: Vec<(usize, Term)>,
    slop: u32,
    bm25: Option<Bm25Weight>,
}

impl BodyPhraseWeight {
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<BodyPhraseScorer>> {
        let Some((_, first)) = self.terms.first() else {
            return Ok(None);
        };
        let mut words = Vec::with_capacity(self.terms.len());
        for (offset, term) in &self.terms {
            match body_postings(reader, term)? {
                Some(p) => words.push((*offset as i64, p)),
                None => return Ok(None),
            }
        }
        // The rarest word leads the intersection.
        words.sort_by_key(|(_, p)| p.size_hint());
        let mut scorer = BodyPhraseScorer {
            words,
            slop: self.slop,
            fieldnorms: fieldnorms(reader, first.field())?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
            count: 0,
            buffer: Vec::new(),
            reach: Vec::new(),
            next_reach: Vec::new(),
        };
        scorer.settle();
        Ok(Some(scorer))
    }
}

impl Weight for BodyPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.phrase_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let Some(mut scorer) = self.phrase_scorer(reader, 1.0)? else {
            return Err(not_matching(doc));
        };
        if scorer.seek(doc) != doc {
            return Err(not_matching(doc));
        }
        let mut e = Explanation::new("Phrase Scorer", scorer.score());
        if let Some(w) = &self.bm25 {
            e.add_detail(w.explain(scorer.fieldnorms.fieldnorm_id(doc), scorer.count));
        }
        Ok(e)
    }
}

/// The articles whose body holds a phrase, and how often.
struct BodyPhraseScorer {
    /// Each word's offset in the phrase and body postings, rarest first.
    words: Vec<(i64, BodyPostings)>,
    slop: u32,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    /// The current document (`TERMINATED` once a word has no more: the others may not be).
    doc: DocId,
    /// Occurrences of the phrase in the current document.
    count: u32,
    buffer: Vec<u32>,
    /// Where a match can stand after the words so far (position less offset), and the slop it
    /// has spent.
    reach: Vec<(i64, u32)>,
    next_reach: Vec<(i64, u32)>,
}

impl BodyPhraseScorer {
    /// From the words' current documents on, the first document holding the phrase.
    fn settle(&mut self) -> DocId {
        loop {
            self.doc = self.align();
            if self.doc == TERMINATED || self.occurrences() > 0 {
                return self.doc;
            }
            self.words[0].1.advance();
        }
    }

    /// Moves every word to the first document, from the current ones, that holds them all.
    fn align(&mut self) -> DocId {
        let mut target = self.words[0].1.doc();
        loop {
            let mut all = true;
            for (_, p) in &mut self.words {
                let d = p.seek(target);
                if d != target {
                    target = d;
                    all = false;
                    break;
                }
            }
            if all || target == TERMINATED {
                return target;
            }
        }
    }

    /// Occurrences of the phrase in the current document: ends of chains that take one position
    /// of each word, in phrase order, whose summed distances from the phrase's own spacing are
    /// at most `slop` (0: the words exactly at their offsets).
    fn occurrences(&mut self) -> u32 {
        self.count = self.chains();
        self.count
    }

    fn chains(&mut self) -> u32 {
        let mut order: Vec<usize> = (0..self.words.len()).collect();
        order.sort_by_key(|&i| self.words[i].0);
        self.reach.clear();
        for (n, &i) in order.iter().enumerate() {
            let (offset, postings) = &mut self.words[i];
            postings.positions(&mut self.buffer);
            let here = self.buffer.iter().map(|&p| i64::from(p) - *offset);
            if n == 0 {
                self.reach.extend(here.map(|p| (p, 0)));
                continue;
            }
            self.next_reach.clear();
            for p in here {
                let best = self
                    .reach
                    .iter()
                    .map(|&(q, spent)| spent as u64 + p.abs_diff(q))
                    .min();
                if let Some(b) = best.filter(|&b| b <= u64::from(self.slop)) {
                    self.next_reach.push((p, b as u32));
                }
            }
            std::mem::swap(&mut self.reach, &mut self.next_reach);
            if self.reach.is_empty() {
                return 0;
            }
        }
        self.reach.len() as u32
    }
}

impl DocSet for BodyPhraseScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.words[0].1.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.words[0].1.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words[0].1.size_hint()
    }
}

impl Scorer for BodyPhraseScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc()), self.count),
            None => 1.0,
        }
    }
}

/// `words` (`text` terms at their offsets) in the body: one word, or a phrase within `slop`.
/// `body` is the field explanations name.
pub fn body_words(mut words: Vec<(usize, Term)>, slop: u32, body: Field) -> Box<dyn Query> {
    match words.len() {
        1 => Box::new(BodyTermQuery::new(words.remove(0).1, body)),
        _ => Box::new(BodyPhraseQuery::new(words, slop)),
    }
}

/// A text term `term` of one field as the same term of field `to`.
pub fn moved_term(term: &Term, to: Field) -> Term {
    Term::from_field_text(to, term.value().as_str().unwrap_or_default())
}

/// A phrase's word offsets and slop, from its debug form (`PhraseQuery` has no accessor for
/// them).
pub fn phrase_shape(debug: &str) -> (Vec<usize>, u32) {
    let offsets = debug
        .split(", Term(field=")
        .filter_map(|part| part.rsplit_once('(').and_then(|(_, n)| n.parse().ok()))
        .collect();
    let slop = debug
        .rsplit_once("slop: ")
        .and_then(|(_, s)| s.split([' ', '}', ')']).next()?.parse().ok())
        .unwrap_or(0);
    (offsets, slop)
}

#[cfg(test)]
mod tests {
    use crate::ingest::article::Article;
    use crate::search::{LocalEngine, SearchEngine, SearchRequest};

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: title.into(),
            body: body.into(),
            path: format!("/a/{title}.txt"),
            ..Default::default()
        }
    }

    /// The titles `query` finds, best first, and their scores.
    fn found(engine: &LocalEngine, query: &str) -> Vec<(String, f32)> {
        let mut req = SearchRequest::new(query);
        req.limit = 20;
        engine
            .search(&req)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.title, h.score))
            .collect()
    }

    fn titles(engine: &LocalEngine, query: &str) -> Vec<String> {
        let mut t: Vec<String> = found(engine, query).into_iter().map(|h| h.0).collect();
        t.sort();
        t
    }

    fn engine() -> LocalEngine {
        LocalEngine::in_memory(&[
            art(
                "Harbour strike",
                "Dock workers walked out at the port on Monday.",
            ),
            art(
                "Port authority",
                "The council met on Tuesday to discuss the budget.",
            ),
            art(
                "Budget vote",
                "The port authority asked the council for more money; the authority of the port \
                 was questioned.",
            ),
            art(
                "Quiet day",
                "Nothing happened at the harbour or the port authority office.",
            ),
            art(
                "Storm warning",
                "Authority figures said the storm would reach the port.",
            ),
        ])
        .unwrap()
    }

    #[test]
    fn body_words_skip_titles() {
        let e = engine();
        // "authority" stands in the title of "Port authority" only, not in its body.
        assert_eq!(
            titles(&e, "body:authority"),
            ["Budget vote", "Quiet day", "Storm warning"]
        );
        assert_eq!(titles(&e, "title:authority"), ["Port authority"]);
        assert_eq!(
            titles(&e, "authority"),
            [
                "Budget vote",
                "Port authority",
                "Quiet day",
                "Storm warning"
            ]
        );
        // More occurrences in a body of like length score higher.
        assert_eq!(found(&e, "body:authority")[0].0, "Budget vote");
    }

    #[test]
    fn body_phrases_need_the_words_in_order_in_the_body() {
        let e = engine();
        assert_eq!(
            titles(&e, "body:\"port authority\""),
            ["Budget vote", "Quiet day"]
        );
        // The title "Port authority" followed by a body starting "The council" is no phrase.
        assert_eq!(titles(&e, "body:\"authority council\"~3"), ["Budget vote"]);
        assert!(titles(&e, "body:\"authority port\"").is_empty());
        // Slop: "authority of the port" is two moves from "authority port", and so is "port
        // authority" (the words swapped).
        assert!(titles(&e, "body:\"authority port\"~1").is_empty());
        assert_eq!(
            titles(&e, "body:\"authority port\"~2"),
            ["Budget vote", "Quiet day"]
        );
        assert_eq!(
            titles(&e, "body:\"port auth\"*"),
            ["Budget vote", "Quiet day"]
        );
    }

    #[test]
    fn a_phrase_ends_when_any_of_its_words_ends() {
        // "omega" (the rarest word, read first) is in the last article only; "alpha" in the
        // others: no article has both.
        let e = LocalEngine::in_memory(&[
            art("One", "Alpha beta."),
            art("Two", "Alpha gamma."),
            art("Three", "Alpha delta."),
            art("Four", "Omega only here."),
        ])
        .unwrap();
        assert!(titles(&e, "body:\"omega alpha\"").is_empty());
        assert!(titles(&e, "body:\"alpha omega\"~5").is_empty());
        assert_eq!(titles(&e, "body:\"alpha gamma\""), ["Two"]);
    }

    #[test]
    fn ranges_and_regexes_in_body_are_refused_with_a_message() {
        let e = engine();
        for q in ["body:[a TO c]", "body:/auth.*/"] {
            let err = e.search(&SearchRequest::new(q)).unwrap_err().to_string();
            assert!(err.contains("not searched in `body:`"), "{q}: {err}");
        }
    }

    #[test]
    fn body_prefixes_and_fuzzy_words() {
        let e = engine();
        assert_eq!(
            titles(&e, "body:autho*"),
            ["Budget vote", "Quiet day", "Storm warning"]
        );
        assert_eq!(
            // Fuzzy words match the index's stems ("author"), as on any analysed field.
            titles(&e, "body:auther~1"),
            ["Budget vote", "Quiet day", "Storm warning"]
        );
        assert_eq!(titles(&e, "body:harb*"), ["Quiet day"]);
    }
}
