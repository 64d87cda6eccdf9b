//! Stemmed words and phrases, answered from the postings of their forms.
//!
//! A local index keeps one positional copy of each article's words: `exact`, the forms as
//! written (lower-cased, folded), the title `title_weight` times and then the body. The `text`
//! field that ranking searches holds no postings; its terms are stems (`price`, `de:fluchtling`),
//! and a stem stands for the forms the index met with that stem
//! ([`crate::index::forms::FormsMap`]: `price`, `priced`, `prices`, `pricing`). [`FormsPostings`]
//! merges the forms' postings into the stem's: a document holds the stem where it holds any of
//! its forms, as often as they occur all together, at their positions. Only articles analysed
//! in the stem's language count (a German article's "prices" is no English `price`): the
//! `language` field says which those are.
//!
//! A word scores with BM25 over the stem's statistics: its document frequency counts the
//! articles holding any form ([`TextTerms::doc_freq`]), lengths are `exact`'s (the same words).
//! Scores, hits and phrase counts are those a positional field of stems gave, which the index
//! no longer writes (it was half of tantivy's indexing work).
//!
//! `body:` words are the same words at or after the article's `body_at` position
//! ([`Part::Body`]): the index keeps no separate body postings either.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{BitSet, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError};

use crate::index::analysis::{analysis_of, tag_of};
use crate::index::forms::FormsMap;
use crate::index::schema::Fields;

/// The fast field that holds where each article's body starts among its word positions.
pub const BODY_AT: &str = "body_at";

/// Where in an article a word is looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Title and body (the `text` field).
    Whole,
    /// The body only (`body:`): positions at or after `body_at`.
    Body,
}

/// The fields the stem queries read.
#[derive(Clone, Copy, Debug)]
struct TextFields {
    text: Field,
    exact: Field,
    body: Field,
    language: Field,
}

/// What a local index needs to answer `text` terms: the forms of its stems, and a memory of
/// the stems' document frequencies (an engine makes one per commit it reads).
#[derive(Clone)]
pub struct TextTerms {
    forms: Arc<FormsMap>,
    fields: TextFields,
    dfs: Arc<Mutex<FxHashMap<String, u64>>>,
    analyses: Arc<AnalysisCache>,
}

impl TextTerms {
    pub fn new(forms: Arc<FormsMap>, fields: &Fields) -> TextTerms {
        TextTerms {
            forms,
            fields: TextFields {
                text: fields.text,
                exact: fields.exact,
                body: fields.body,
                language: fields.language,
            },
            dfs: Arc::default(),
            analyses: Arc::default(),
        }
    }

    pub fn text_field(&self) -> Field {
        self.fields.text
    }

    /// The `exact` terms of the forms of `term` (a `text` term).
    fn forms_of(&self, term: &Term) -> Arc<[Term]> {
        let value = term.value();
        let word = value.as_str().unwrap_or_default();
        self.forms
            .forms(word)
            .iter()
            .map(|f| Term::from_field_text(self.fields.exact, f))
            .collect()
    }

    /// One `text` term (`term`'s field is ignored: a `body` term is the same word) in `part`.
    pub fn word(&self, term: &Term, part: Part) -> Box<dyn Query> {
        let term = moved_term(term, self.fields.text);
        Box::new(WordQuery {
            forms: self.forms_of(&term),
            term,
            part,
            fields: self.fields,
            analyses: self.analyses.clone(),
        })
    }

    /// `words` (`text` terms at their offsets) in `part`: one word, or a phrase within `slop`.
    pub fn words(&self, mut words: Vec<(usize, Term)>, slop: u32, part: Part) -> Box<dyn Query> {
        if words.len() == 1 {
            return self.word(&words.remove(0).1, part);
        }
        let words = words
            .into_iter()
            .map(|(offset, t)| {
                let t = moved_term(&t, self.fields.text);
                (offset, self.forms_of(&t), t)
            })
            .collect();
        Box::new(PhraseWordsQuery {
            words,
            slop,
            part,
            fields: self.fields,
            analyses: self.analyses.clone(),
        })
    }

    /// The number of articles that hold `term` (a `text` term), deleted ones included until a
    /// merge drops them, as tantivy counts a term's.
    pub fn doc_freq(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
        let word = term.value().as_str().unwrap_or_default().to_string();
        if let Some(&df) = self
            .dfs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&word)
        {
            return Ok(df);
        }
        let forms = self.forms_of(term);
        let tag = tag_of(&word);
        let mut df = 0u64;
        for reader in searcher.segment_readers() {
            let analysis = self.analyses.of(reader, self.fields.language, tag)?;
            let inverted = reader.inverted_index(self.fields.exact)?;
            if forms.len() == 1 && analysis.is_none() {
                df += u64::from(inverted.doc_freq(&forms[0])?);
                continue;
            }
            // The forms' documents, block by block, into one set.
            let mut docs = BitSet::with_max_value(reader.max_doc());
            for form in forms.iter() {
                let Some(mut block) =
                    inverted.read_block_postings(form, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                while !block.docs().is_empty() {
                    for &d in block.docs() {
                        if analysis.as_ref().is_none_or(|a| a.keeps(d)) {
                            docs.insert(d);
                        }
                    }
                    block.advance();
                }
            }
            df += docs.len() as u64;
        }
        self.dfs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(word, df);
        Ok(df)
    }

    /// The stems that begin with `prefix`, at most `max`.
    pub fn terms_beginning(&self, prefix: &str, max: usize) -> Vec<String> {
        self.forms.terms_beginning(prefix, max)
    }

    /// The stems `automaton` accepts, at most `max`.
    pub fn terms_matching<A: tantivy_fst::Automaton>(&self, automaton: A, max: usize) -> Vec<String>
    where
        A::State: Clone,
    {
        self.forms.terms_matching(automaton, max)
    }

    /// How many articles hold any form of `term`, counted per form (an upper bound of
    /// [`TextTerms::doc_freq`] read from the term dictionaries alone: for choosing among many
    /// stems).
    pub fn forms_doc_freq(&self, searcher: &Searcher, term: &str) -> tantivy::Result<u64> {
        let forms = self.forms_of(&Term::from_field_text(self.fields.text, term));
        let mut n = 0;
        for f in forms.iter() {
            n += searcher.doc_freq(f)?;
        }
        Ok(n)
    }
}

/// BM25 statistics for stems: lengths are those of `exact` (the same words), document
/// frequencies the provider's (which counts a stem's articles, [`TextTerms::doc_freq`]).
struct StemStatistics<'a> {
    inner: &'a dyn Bm25StatisticsProvider,
    fields: TextFields,
}

impl Bm25StatisticsProvider for StemStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let field = if field == self.fields.text || field == self.fields.body {
            self.fields.exact
        } else {
            field
        };
        self.inner.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.inner.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.inner.doc_freq(term)
    }
}

/// BM25 over `terms`' statistics, when scoring is on.
fn bm25(
    scoring: &EnableScoring<'_>,
    fields: TextFields,
    terms: &[Term],
) -> tantivy::Result<Option<Bm25Weight>> {
    Ok(match scoring {
        EnableScoring::Enabled {
            statistics_provider,
            ..
        } => Some(Bm25Weight::for_terms(
            &StemStatistics {
                inner: *statistics_provider,
                fields,
            },
            terms,
        )?),
        EnableScoring::Disabled { .. } => None,
    })
}

/// The articles of each analysis per segment, found once per commit an engine reads (every
/// stem of a query, in every segment, asks).
#[derive(Default)]
struct AnalysisCache {
    of: Mutex<FxHashMap<SegmentAnalysis, Option<Arc<Analysis>>>>,
}

/// A segment and an analysis (`None`: English).
type SegmentAnalysis = (tantivy::index::SegmentId, Option<Box<str>>);

impl std::fmt::Debug for AnalysisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnalysisCache")
    }
}

impl AnalysisCache {
    fn of(
        &self,
        reader: &SegmentReader,
        language: Field,
        tag: Option<&str>,
    ) -> tantivy::Result<Option<Arc<Analysis>>> {
        let key = (reader.segment_id(), tag.map(Box::from));
        if let Some(a) = self.of.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(a.clone());
        }
        let a = Analysis::of(reader, language, tag)?;
        self.of
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, a.clone());
        Ok(a)
    }
}

/// Which articles of a segment a term of one analysis may match.
enum Analysis {
    /// Only these.
    Only(BitSet),
    /// All but these (English terms in a segment with articles of other analyses).
    Except(BitSet),
}

impl Analysis {
    /// The articles of analysis `tag` (`None`: English and unknown languages) in `reader`;
    /// `None` when that is every article.
    fn of(
        reader: &SegmentReader,
        language: Field,
        tag: Option<&str>,
    ) -> tantivy::Result<Option<Arc<Analysis>>> {
        let inverted = reader.inverted_index(language)?;
        let mut stream = inverted.terms().stream()?;
        let mut set: Option<BitSet> = None;
        while stream.advance() {
            let Ok(code) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let Some(of) = analysis_of(Some(code)) else {
                continue;
            };
            if tag.is_some_and(|t| t != of) {
                continue;
            }
            let set = set.get_or_insert_with(|| BitSet::with_max_value(reader.max_doc()));
            let mut postings =
                inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
            while postings.doc() != TERMINATED {
                set.insert(postings.doc());
                postings.advance();
            }
        }
        Ok(match (tag, set) {
            (None, None) => None,
            (None, Some(s)) => Some(Arc::new(Analysis::Except(s))),
            (Some(_), s) => {
                Some(Arc::new(Analysis::Only(s.unwrap_or_else(|| {
                    BitSet::with_max_value(reader.max_doc())
                }))))
            }
        })
    }

    fn keeps(&self, doc: DocId) -> bool {
        match self {
            Analysis::Only(s) => s.contains(doc),
            Analysis::Except(s) => !s.contains(doc),
        }
    }
}

/// A stem's postings in one segment: the union of its forms' postings, in the articles of the
/// stem's analysis, in the whole article or its body.
pub struct FormsPostings {
    /// Each form's postings, at or after the current document.
    forms: Vec<SegmentPostings>,
    analysis: Option<Arc<Analysis>>,
    /// Where each article's body starts, for [`Part::Body`].
    starts: Option<Column<u64>>,
    doc: DocId,
    freq: u32,
    /// The current document's positions, once read.
    positions: Vec<u32>,
    loaded: bool,
}

impl FormsPostings {
    fn open(
        reader: &SegmentReader,
        forms: &[Term],
        part: Part,
        analysis: Option<Arc<Analysis>>,
        record: IndexRecordOption,
    ) -> tantivy::Result<Option<FormsPostings>> {
        let Some(first) = forms.first() else {
            return Ok(None);
        };
        let inverted = reader.inverted_index(first.field())?;
        let record = match part {
            Part::Body => IndexRecordOption::WithFreqsAndPositions,
            Part::Whole => record,
        };
        let mut postings = Vec::with_capacity(forms.len());
        for f in forms {
            if let Some(p) = inverted.read_postings(f, record)? {
                postings.push(p);
            }
        }
        if postings.is_empty() {
            return Ok(None);
        }
        let starts = match part {
            Part::Body => Some(reader.fast_fields().u64(BODY_AT)?),
            Part::Whole => None,
        };
        let mut p = FormsPostings {
            forms: postings,
            analysis,
            starts,
            doc: 0,
            freq: 0,
            positions: Vec::new(),
            loaded: false,
        };
        p.settle();
        Ok(Some(p))
    }

    /// From the forms' current documents on, the first document that holds the stem.
    fn settle(&mut self) -> DocId {
        if let ([p], None) = (&mut self.forms[..], &self.starts) {
            // One form: its own postings, in the articles of the stem's analysis.
            let mut doc = p.doc();
            while doc != TERMINATED && self.analysis.as_ref().is_some_and(|a| !a.keeps(doc)) {
                doc = p.advance();
            }
            self.doc = doc;
            self.loaded = false;
            self.freq = match doc {
                TERMINATED => 0,
                _ => p.term_freq(),
            };
            return doc;
        }
        loop {
            let doc = self
                .forms
                .iter()
                .map(|p| p.doc())
                .min()
                .unwrap_or(TERMINATED);
            self.doc = doc;
            self.loaded = false;
            if doc == TERMINATED {
                self.freq = 0;
                return doc;
            }
            if self.analysis.as_ref().is_none_or(|a| a.keeps(doc)) {
                match self.starts.as_ref().map(|s| s.first(doc).unwrap_or(0)) {
                    None => {
                        self.freq = self
                            .forms
                            .iter()
                            .filter(|p| p.doc() == doc)
                            .map(|p| p.term_freq())
                            .sum();
                        return doc;
                    }
                    Some(start) => {
                        self.load();
                        let title_words = self.positions.partition_point(|&p| u64::from(p) < start);
                        self.positions.drain(..title_words);
                        if !self.positions.is_empty() {
                            self.freq = self.positions.len() as u32;
                            return doc;
                        }
                    }
                }
            }
            self.step();
        }
    }

    /// Reads the current document's positions: every form's there, in order.
    fn load(&mut self) {
        self.positions.clear();
        let mut merged = 0;
        for p in &mut self.forms {
            if p.doc() == self.doc {
                p.append_positions_with_offset(0, &mut self.positions);
                merged += 1;
            }
        }
        if merged > 1 {
            self.positions.sort_unstable();
        }
        self.loaded = true;
    }

    /// The current document's positions, in order (read once).
    fn loaded(&mut self) -> &[u32] {
        if !self.loaded {
            self.load();
        }
        &self.positions
    }

    /// Moves the forms at the current document on.
    fn step(&mut self) {
        for p in &mut self.forms {
            if p.doc() == self.doc {
                p.advance();
            }
        }
    }
}

impl DocSet for FormsPostings {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.step();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for p in &mut self.forms {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.forms.iter().map(|p| p.size_hint()).sum()
    }
}

impl Postings for FormsPostings {
    fn term_freq(&self) -> u32 {
        self.freq
    }

    fn append_positions_with_offset(&mut self, offset: u32, output: &mut Vec<u32>) {
        output.extend(self.loaded().iter().map(|p| p + offset));
    }
}

/// The postings of `term` (a `text` term with its `forms`) in one segment; `None` when no
/// article of it holds the term.
#[allow(clippy::too_many_arguments)]
fn stem_postings(
    reader: &SegmentReader,
    fields: TextFields,
    analyses: &AnalysisCache,
    term: &Term,
    forms: &[Term],
    part: Part,
    record: IndexRecordOption,
) -> tantivy::Result<Option<FormsPostings>> {
    let value = term.value();
    let tag = tag_of(value.as_str().unwrap_or_default());
    let analysis = analyses.of(reader, fields.language, tag)?;
    FormsPostings::open(reader, forms, part, analysis, record)
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

/// One stem, in the whole article or its body.
#[derive(Clone, Debug)]
struct WordQuery {
    term: Term,
    forms: Arc<[Term]>,
    part: Part,
    fields: TextFields,
    analyses: Arc<AnalysisCache>,
}

impl Query for WordQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WordWeight {
            query: self.clone(),
            bm25: bm25(&scoring, self.fields, std::slice::from_ref(&self.term))?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct WordWeight {
    query: WordQuery,
    bm25: Option<Bm25Weight>,
}

impl WordWeight {
    fn word_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<WordScorer>> {
        let q = &self.query;
        let record = match self.bm25 {
            Some(_) => IndexRecordOption::WithFreqs,
            None => IndexRecordOption::Basic,
        };
        let Some(postings) = stem_postings(
            reader,
            q.fields,
            &q.analyses,
            &q.term,
            &q.forms,
            q.part,
            record,
        )?
        else {
            return Ok(None);
        };
        Ok(Some(WordScorer {
            postings,
            fieldnorms: fieldnorms(reader, q.fields.exact)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.word_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let Some(mut scorer) = self.word_scorer(reader, 1.0)? else {
            return Err(not_matching(doc));
        };
        if scorer.seek(doc) != doc {
            return Err(not_matching(doc));
        }
        // Read like a term query's (`search::explain`), naming the field asked for.
        let named = match self.query.part {
            Part::Whole => self.query.term.clone(),
            Part::Body => moved_term(&self.query.term, self.query.fields.body),
        };
        let mut e = Explanation::new("TermQuery", scorer.score());
        e.add_context(format!("Term={named:?}"));
        if let Some(w) = &self.bm25 {
            e.add_detail(w.explain(
                scorer.fieldnorms.fieldnorm_id(doc),
                scorer.postings.term_freq(),
            ));
        }
        Ok(e)
    }
}

struct WordScorer {
    postings: FormsPostings,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for WordScorer {
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

impl Scorer for WordScorer {
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

/// A phrase of stems at their offsets, within `slop`, in the whole article or its body.
#[derive(Clone, Debug)]
struct PhraseWordsQuery {
    words: Vec<(usize, Arc<[Term]>, Term)>,
    slop: u32,
    part: Part,
    fields: TextFields,
    analyses: Arc<AnalysisCache>,
}

impl Query for PhraseWordsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms: Vec<Term> = self.words.iter().map(|(_, _, t)| t.clone()).collect();
        Ok(Box::new(PhraseWeight {
            query: self.clone(),
            bm25: bm25(&scoring, self.fields, &terms)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, _, t) in &self.words {
            visitor(t, true);
        }
    }
}

struct PhraseWeight {
    query: PhraseWordsQuery,
    bm25: Option<Bm25Weight>,
}

impl PhraseWeight {
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseScorer>> {
        let q = &self.query;
        let mut words = Vec::with_capacity(q.words.len());
        for (offset, forms, term) in &q.words {
            let record = IndexRecordOption::WithFreqsAndPositions;
            match stem_postings(reader, q.fields, &q.analyses, term, forms, q.part, record)? {
                Some(p) => words.push((*offset as i64, p)),
                None => return Ok(None),
            }
        }
        if words.is_empty() {
            return Ok(None);
        }
        // The rarest word leads the intersection.
        words.sort_by_key(|(_, p)| p.size_hint());
        let mut scorer = PhraseScorer {
            words,
            slop: q.slop,
            fieldnorms: fieldnorms(reader, q.fields.exact)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
            count: 0,
            left: Vec::new(),
            right: Vec::new(),
            order: Vec::new(),
            reach: Vec::new(),
            next_reach: Vec::new(),
        };
        scorer.order = (0..scorer.words.len()).collect();
        scorer.order.sort_by_key(|&i| scorer.words[i].0);
        scorer.settle();
        Ok(Some(scorer))
    }
}

impl Weight for PhraseWeight {
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

/// The articles that hold a phrase, and how often.
struct PhraseScorer {
    /// Each word's offset in the phrase and postings, rarest first.
    words: Vec<(i64, FormsPostings)>,
    slop: u32,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    /// The current document (`TERMINATED` once a word has no more: the others may not be).
    doc: DocId,
    /// Occurrences of the phrase in the current document.
    count: u32,
    /// Positions (less offsets) of the words being compared, reused from document to document.
    left: Vec<i64>,
    right: Vec<i64>,
    /// The words in phrase order.
    order: Vec<usize>,
    /// Where a match can stand after the words so far (position less offset), and the slop it
    /// has spent.
    reach: Vec<(i64, u32)>,
    next_reach: Vec<(i64, u32)>,
}

impl PhraseScorer {
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

    /// Occurrences of the phrase in the current document.
    fn occurrences(&mut self) -> u32 {
        self.count = if self.slop > 0 && self.words.len() == 2 {
            self.pairs()
        } else {
            self.chains()
        };
        self.count
    }

    /// The positions (less their offsets) of word `i` of the phrase, in order.
    fn shifted(words: &mut [(i64, FormsPostings)], i: usize, out: &mut Vec<i64>) {
        let (offset, postings) = &mut words[i];
        out.clear();
        out.extend(postings.loaded().iter().map(|&p| i64::from(p) - *offset));
    }

    /// Two words within `slop` (in either order), counted as tantivy's phrase queries count
    /// them: going through both lists in order, a position of the second word within `slop` of
    /// the nearest position of the first not after it is one occurrence, and each position
    /// counts once.
    fn pairs(&mut self) -> u32 {
        let (first, second) = (self.order[0], self.order[1]);
        let (mut left, mut right) = (
            std::mem::take(&mut self.left),
            std::mem::take(&mut self.right),
        );
        Self::shifted(&mut self.words, first, &mut left);
        Self::shifted(&mut self.words, second, &mut right);
        let slop = u64::from(self.slop);
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < left.len() && j < right.len() {
            if left[i].abs_diff(right[j]) <= slop {
                while i + 1 < left.len() && left[i + 1] <= right[j] {
                    i += 1;
                }
                n += 1;
                i += 1;
                j += 1;
            } else if left[i] < right[j] {
                i += 1;
            } else {
                j += 1;
            }
        }
        (self.left, self.right) = (left, right);
        n
    }

    /// Ends of chains that take one position of each word, in phrase order, whose summed
    /// distances from the phrase's own spacing are at most `slop` (0: the words exactly at
    /// their offsets).
    fn chains(&mut self) -> u32 {
        self.reach.clear();
        let mut here = std::mem::take(&mut self.left);
        for n in 0..self.order.len() {
            Self::shifted(&mut self.words, self.order[n], &mut here);
            if n == 0 {
                self.reach.extend(here.iter().map(|&p| (p, 0)));
                continue;
            }
            self.next_reach.clear();
            let slop = i64::from(self.slop);
            // `reach` and `here` are in position order: only positions within `slop` of `p`
            // can lead to it, and where they start only moves on (one pass over both lists,
            // however often a word repeats).
            let mut from = 0;
            for &p in here.iter() {
                while self.reach.get(from).is_some_and(|&(q, _)| q < p - slop) {
                    from += 1;
                }
                let best = self.reach[from..]
                    .iter()
                    .take_while(|&&(q, _)| q <= p + slop)
                    .map(|&(q, spent)| spent as u64 + p.abs_diff(q))
                    .min();
                if let Some(b) = best.filter(|&b| b <= u64::from(self.slop)) {
                    self.next_reach.push((p, b as u32));
                }
            }
            std::mem::swap(&mut self.reach, &mut self.next_reach);
            if self.reach.is_empty() {
                break;
            }
        }
        self.left = here;
        self.reach.len() as u32
    }
}

impl DocSet for PhraseScorer {
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

impl Scorer for PhraseScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc()), self.count),
            None => 1.0,
        }
    }
}

/// A text term of one field as the same term of field `to`.
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

    /// A stem counts the articles of its own language only: "prices" in a German article is no
    /// English `price`, though both articles hold the form.
    #[test]
    fn stems_count_the_articles_of_their_language() {
        let mut german = art("Preise", "Die prices stiegen, sagte der Händler.");
        german.language = Some("de".into());
        let e = LocalEngine::in_memory(&[
            art("Oil", "Oil prices rose on Monday."),
            art("Wheat", "The price of wheat fell."),
            german,
        ])
        .unwrap();
        let searcher = e.searcher();
        let stems = e.text_terms(&searcher).unwrap().unwrap();
        let df = |w: &str| {
            let t = tantivy::Term::from_field_text(stems.text_field(), w);
            stems.doc_freq(&searcher, &t).unwrap()
        };
        assert_eq!(df("price"), 2, "price, prices: the two English articles");
        assert_eq!(
            stems
                .forms_of(&tantivy::Term::from_field_text(stems.text_field(), "price"))
                .len(),
            2
        );
        let de = crate::index::analysis::analyzer_for(Some("de"))
            .token_stream("prices")
            .next()
            .map(|t| t.text.clone())
            .unwrap();
        assert_eq!(df(&de), 1, "{de}: the German article");
        assert_eq!(df("nothing"), 0);
        // Scores as for any term: the English article with "prices" once in a short body.
        assert_eq!(titles(&e, "prices"), ["Oil", "Preise", "Wheat"]);
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

    /// Three words within a slop: the summed moves of a chain taking one position of each word,
    /// in order, whatever other occurrences stand around them.
    #[test]
    fn sloppy_phrases_of_three_words() {
        let e = LocalEngine::in_memory(&[
            art("One", "Alpha beta gamma."),
            // One move: beta and gamma both one place late.
            art("Two", "Alpha zed beta gamma."),
            // Reversed: four moves.
            art("Three", "Gamma beta alpha."),
            // Repeated words: the second alpha-beta pair leads to gamma in one move.
            art("Four", "Alpha beta alpha beta zed gamma."),
            // Too far apart for any slop below five.
            art("Five", "Alpha zed zed zed beta zed zed gamma."),
        ])
        .unwrap();
        let q = |slop: u32| titles(&e, &format!("body:\"alpha beta gamma\"~{slop}"));
        assert_eq!(titles(&e, "body:\"alpha beta gamma\""), ["One"]);
        assert_eq!(q(1), ["Four", "One", "Two"]);
        assert_eq!(q(3), ["Four", "One", "Two"]);
        assert_eq!(q(4), ["Four", "One", "Three", "Two"]);
        assert_eq!(q(5), ["Five", "Four", "One", "Three", "Two"]);
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
